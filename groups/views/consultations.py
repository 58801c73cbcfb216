"""The consultation log: staff count a consultation in seconds, with the keyboard."""

from django.contrib import messages
from django.db.models import Count, Prefetch, Q
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
            }
        return initial, inquiry

    def render_page(self, form, inquiry):
        office = self.request.user.office
        today = timezone.localdate()
        recent = (
            Consultation.objects.for_user(self.request.user)
            .select_related("site")
            .prefetch_related(
                Prefetch("topics", queryset=Topic.objects.order_by("name")),
                Prefetch("referred_groups", queryset=Group.objects.order_by("name")),
            )[:RECENT]
        )
        counts = Consultation.objects.for_office(office).aggregate(
            today=Count("pk", filter=Q(held_on=today)),
            year=Count("pk", filter=Q(held_on__year=today.year)),
        )
        topic_names = sorted(
            {*Topic.objects.values_list("name", flat=True)},
            key=str.casefold,
        )
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "inquiry": inquiry,
                "recent": recent,
                "counts": counts,
                "topic_names": topic_names,
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
