"""The consultation log: staff count a consultation in seconds, with the keyboard, and
correct one counted wrongly."""

from django.contrib import messages
from django.db.models import Case, Count, Exists, F, OuterRef, Prefetch, Q, Value, When
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import View

from groups import services
from groups.forms import ConsultationForm
from groups.models import Consultation, Group, Inquiry, Topic
from kontaktstelle.accounts.mixins import OfficeStaffRequiredMixin
from kontaktstelle.web.fetch import fetch

RECENT = 20
SESSION_DEFAULTS = "consultation_defaults"
SEARCH_LIMIT = 20  # groups the picker shows at once: type more to narrow down
SEARCH_MAX_LENGTH = 100


def topic_names():
    """Every topic's name, for the topic input's suggestions."""
    return sorted({*Topic.objects.values_list("name", flat=True)}, key=str.casefold)


def announce_audience(request, form, consultation):
    """Say where words for who asks typed into the topics went."""
    if form.audience_words:
        messages.info(
            request,
            _("“%(words)s” was counted under “Who asks”: %(asker)s.")
            % {"words": ", ".join(form.audience_words), "asker": consultation.get_asker_display()},
        )


class ConsultationView(OfficeStaffRequiredMixin, View):
    """The form on top, the office's latest consultations below."""

    template_name = "groups/consultations.html"

    def inquiry(self, value):
        """A web request of the office not counted yet, to count as a consultation."""
        if not (value or "").isdigit():
            return None
        return (
            Inquiry.objects.for_user(self.request.user)
            .filter(pk=value, consultation__isnull=True)
            .select_related("group")
            .first()
        )

    def initial(self):
        initial = {
            "held_on": timezone.localdate(),
            **self.request.session.get(SESSION_DEFAULTS, {}),
        }
        inquiry = self.inquiry(self.request.GET.get("inquiry"))
        if inquiry:
            initial |= {
                "channel": Consultation.Channel.WEB_FORM,
                "held_on": timezone.localdate(inquiry.created_at),
                # Carried over: the thesaurus topics the request names, and who asks.
                "topic_names": "; ".join(t.name for t in Topic.objects.from_text(inquiry.topic)),
                "asker": inquiry.asker or None,
                "referred_groups": [inquiry.group] if inquiry.group else [],
                "founding_interest": inquiry.kind == Inquiry.Kind.FOUNDING_INTEREST,
                # Ready for the follow-up, but stored only when its consent is ticked.
                "follow_up_email": inquiry.email,
            }
        return initial, inquiry

    def render_page(self, form, inquiry):
        office = self.request.user.office
        today = timezone.localdate()
        recent = (
            Consultation.objects.for_user(self.request.user)
            .select_related("site")
            .annotate(
                follow_up_pk=F("follow_up__pk"),
                follow_up_sent=F("follow_up__sent_at"),
                follow_up_answered=F("follow_up__answered_at"),
            )
            .prefetch_related(
                Prefetch("topics", queryset=Topic.objects.order_by("name")),
                Prefetch("referred_groups", queryset=Group.objects.order_by("name")),
            )[:RECENT]
        )
        counts = Consultation.objects.for_office(office).aggregate(
            today=Count("pk", filter=Q(held_on=today)),
            year=Count("pk", filter=Q(held_on__year=today.year)),
        )
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "inquiry": inquiry,
                "recent": recent,
                "counts": counts,
                "topic_names": topic_names(),
            },
        )

    def get(self, request):
        initial, inquiry = self.initial()
        return self.render_page(
            ConsultationForm(initial=initial, office=request.user.office), inquiry
        )

    def post(self, request):
        value = request.POST.get("inquiry") or ""
        inquiry = self.inquiry(value)
        counted = (
            value.isdigit()
            and Inquiry.objects.for_user(request.user)
            .filter(pk=value, consultation__isnull=False)
            .exists()
        )
        if counted:  # a second tab or the back button: count a web request once
            messages.error(request, _("This web request was already counted."))
            return redirect("groups:consultations")
        form = ConsultationForm(request.POST, office=request.user.office)
        if not form.is_valid():
            return self.render_page(form, inquiry)
        try:
            consultation = services.count_consultation(request.user, form, inquiry)
        except services.GroupError as error:
            messages.error(request, str(error))
            return redirect("groups:consultations")
        if inquiry is None:  # a web request says nothing about the next phone call
            request.session[SESSION_DEFAULTS] = {
                "site": consultation.site_id,
                "channel": consultation.channel,
            }
        messages.success(request, _("The consultation was counted."))
        announce_audience(request, form, consultation)
        return redirect("groups:consultations")


class ConsultationDeleteView(OfficeStaffRequiredMixin, View):
    """Remove a consultation counted by mistake, after a confirmation."""

    template_name = "groups/consultation_delete.html"

    def get(self, request, pk):
        return render(
            request,
            self.template_name,
            {"consultation": fetch(Consultation.objects, request.user, pk=pk)},
        )

    def post(self, request, pk):
        services.delete_consultation(request.user, fetch(Consultation.objects, request.user, pk=pk))
        messages.success(request, _("The consultation was removed from the count."))
        return redirect("groups:consultations")


class ConsultationCorrectView(OfficeStaffRequiredMixin, View):
    """Correct a counted consultation in the same form, filled in; the change is audited."""

    template_name = "groups/consultation_correct.html"

    def consultation(self, pk):
        return fetch(
            Consultation.objects.select_related("inquiry").prefetch_related("topics"),
            self.request.user,
            pk=pk,
        )

    def render_page(self, form):
        return render(
            self.request,
            self.template_name,
            {"form": form, "consultation": form.instance, "topic_names": topic_names()},
        )

    def get(self, request, pk):
        return self.render_page(
            ConsultationForm(instance=self.consultation(pk), office=request.user.office)
        )

    def post(self, request, pk):
        form = ConsultationForm(
            request.POST, instance=self.consultation(pk), office=request.user.office
        )
        if not form.is_valid():
            return self.render_page(form)
        try:
            changes = services.correct_consultation(request.user, form)
        except services.GroupError as error:
            messages.error(request, str(error))
            return redirect("groups:consultations")
        if changes:
            messages.success(
                request,
                _("The consultation was corrected: %(fields)s.")
                % {"fields": ", ".join(str(label) for label in changes)},
            )
        else:
            messages.info(request, _("Nothing was changed."))
        announce_audience(request, form, form.instance)
        return redirect("groups:consultations")


class GroupSearchView(OfficeStaffRequiredMixin, View):
    """The referral picker's search as you type (static/js/group-picker.js).

    The office's groups that are not closed and match every word typed by name, topic or
    a topic's synonym; names beginning with the first word come first. Groups already
    chosen (``chosen``, repeated) are left out, so that they take no place of the limit.
    """

    def get(self, request):
        words = request.GET.get("q", "")[:SEARCH_MAX_LENGTH].split()
        chosen = [value for value in request.GET.getlist("chosen")[:100] if value.isdigit()]
        groups = (
            Group.objects.for_user(request.user)
            .exclude(status=Group.Status.CLOSED)
            .exclude(pk__in=chosen)
        )
        for word in words:
            topics = Topic.objects.filter(
                Q(name__icontains=word) | Q(synonyms__term__icontains=word)
            )
            tagged = Group.topics.through.objects.filter(group=OuterRef("pk"), topic__in=topics)
            groups = groups.filter(Q(name__icontains=word) | Q(Exists(tagged)))
        first = words[0] if words else ""
        found = list(
            groups.annotate(
                rank=Case(When(name__istartswith=first, then=Value(0)), default=Value(1))
            )
            .order_by("rank", "name")
            .prefetch_related(Prefetch("topics", queryset=Topic.objects.order_by("name")))[
                : SEARCH_LIMIT + 1
            ]
        )
        return JsonResponse(
            {
                "results": [
                    {
                        "id": group.pk,
                        "name": group.name,
                        "topics": ", ".join(topic.name for topic in group.topics.all()[:3]),
                    }
                    for group in found[:SEARCH_LIMIT]
                ],
                "more": len(found) > SEARCH_LIMIT,
            }
        )
