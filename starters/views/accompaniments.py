"""Staff pages of accompaniments: requests, matching, offers, lifecycle, follow-up."""

from django.contrib import messages
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import ListView, View

from groups import schedules
from groups.models import Group, Inquiry
from kontaktstelle.accounts.mixins import OfficeStaffRequiredMixin
from kontaktstelle.notifications import services as notifications
from kontaktstelle.notifications.models import Notification
from kontaktstelle.web.fetch import fetch
from starters import meeting_logs, services
from starters.forms import (
    AccompanimentForm,
    CompleteForm,
    ExtendForm,
    FollowUpForm,
    OfferForm,
    ReasonForm,
)
from starters.matching import judge
from starters.models import Accompaniment, Assignment, MeetingLog
from starters.models.accompaniments import DEFAULT_MEETINGS, OFFER_REMINDER_AFTER
from starters.selectors import meeting_context


class StaffAccompanimentMixin(OfficeStaffRequiredMixin):
    def get_queryset(self):
        return Accompaniment.objects.for_user(self.request.user).select_related(
            "group", "responsible", "language"
        )

    def fetch_accompaniment(self, pk, queryset=None):
        return fetch(queryset or self.get_queryset(), self.request.user, pk=pk)


def _unanswered(accompaniments):
    stale = Assignment.objects.unanswered_since(timezone.now() - OFFER_REMINDER_AFTER)
    return accompaniments.filter(pk__in=stale.values("accompaniment"))


def _talks(accompaniments):
    open_talks = MeetingLog.objects.filter(wants_talk=True, talk_done_at__isnull=True)
    return accompaniments.filter(pk__in=open_talks.values("accompaniment"))


# What needs doing, as the dashboard counts it: ?status=<key> lists exactly those.
DUE = {
    "unanswered": (gettext_lazy("offers unanswered for over 3 days"), _unanswered),
    "at_end": (gettext_lazy("at the planned end"), lambda qs: qs.at_planned_end()),
    "follow_up": (gettext_lazy("follow-up due"), lambda qs: qs.follow_up_overdue()),
    "talk": (gettext_lazy("asked for a talk"), _talks),
}


class AccompanimentListView(StaffAccompanimentMixin, ListView):
    """Open requests oldest first; then running and ended accompaniments."""

    template_name = "starters/accompaniment_list.html"
    context_object_name = "accompaniments"
    paginate_by = 50

    def get_queryset(self):
        self.status = self.request.GET.get("status", "open")
        queryset = meeting_logs.with_logged(super().get_queryset()).prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.select_related("starter__user").exclude(
                    state__in=[Assignment.State.DECLINED, Assignment.State.WITHDRAWN]
                ),
            )
        )
        if self.status in Accompaniment.Status.values:
            return queryset.filter(status=self.status).order_by("-requested_on", "-pk")
        if self.status in DUE:
            return DUE[self.status][1](queryset).order_by("requested_on", "pk")
        self.status = "open"
        return queryset.open().order_by("requested_on", "pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["status"] = self.status
        context["statuses"] = Accompaniment.Status.choices
        context["due_filters"] = [(key, label) for key, (label, _filter) in DUE.items()]
        context["today"] = timezone.localdate()
        return context


def _place(group, rule):
    """Where the group meets, as the request's place: the rule's room, else the group's
    room, else its town."""
    room = rule.room if rule and rule.room_id else group.room
    return str(room) if room else group.city


class AccompanimentFormView(StaffAccompanimentMixin, View):
    """Record a request (optionally for ``?group=``) or edit one."""

    template_name = "starters/accompaniment_form.html"

    def initial(self):
        initial = {"responsible": self.request.user, "kind": Accompaniment.Kind.FOUNDING}
        group = Group.objects.for_user(self.request.user).filter(
            pk=self.request.GET.get("group") or 0
        )
        group = group.first()
        if group:
            rule = schedules.regular_rule(group)
            initial |= {
                "group": group,
                "kind": Accompaniment.Kind.FOUNDING
                if group.status == Group.Status.FOUNDING
                else Accompaniment.Kind.IMPULSE,
                "meeting_weekday": rule.weekday if rule else None,
                "meeting_time": rule.start_time if rule else None,
                "meeting_place": _place(group, rule),
            }
        initial["planned_meetings"] = DEFAULT_MEETINGS[initial["kind"]]
        inquiry = self.inquiry()
        if inquiry is not None and inquiry.name:
            initial["requested_by"] = inquiry.name  # who asked, carried over from the inbox
        return initial

    def inquiry(self):
        return (
            Inquiry.objects.for_user(self.request.user)
            .filter(pk=self.request.GET.get("inquiry") or 0)
            .first()
        )

    def get(self, request, pk=None):
        accompaniment = self.fetch_accompaniment(pk) if pk else None
        form = AccompanimentForm(
            instance=accompaniment,
            initial=None if accompaniment else self.initial(),
            office=request.user.office,
        )
        return render(request, self.template_name, {"form": form, "object": accompaniment})

    def post(self, request, pk=None):
        accompaniment = self.fetch_accompaniment(pk) if pk else None
        if accompaniment and not accompaniment.is_open:
            messages.error(request, _("This accompaniment is no longer open."))
            return redirect(accompaniment)
        form = AccompanimentForm(request.POST, instance=accompaniment, office=request.user.office)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form, "object": accompaniment})
        if accompaniment:
            form.save()
            messages.success(request, _("Your changes were saved."))
            return redirect(accompaniment)
        accompaniment = services.create_accompaniment(request.user, form, self.inquiry())
        messages.success(request, _("The request was recorded. Now find In-Gang-Setzer:innen."))
        return redirect(accompaniment)


class FromInquiryView(OfficeStaffRequiredMixin, View):
    """One click in the inbox: a group being founded, then the request form for it."""

    def post(self, request, pk):
        inquiry = fetch(Inquiry.objects, request.user, pk=pk)
        try:
            group = services.create_founding_group(request.user, inquiry)
        except services.StarterError as error:
            messages.error(request, str(error))
            return redirect("groups:inbox")
        messages.success(request, _("The group “%s” was created as being founded.") % group.name)
        return redirect(
            f"{reverse('starters:accompaniment_create')}?group={group.pk}&inquiry={inquiry.pk}"
        )


class AccompanimentDetailView(StaffAccompanimentMixin, View):
    """The request, its starters and the ranked suggestions with reasons; offer here."""

    template_name = "starters/accompaniment_detail.html"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .prefetch_related(
                "needs",
                "group__topics",
                Prefetch(
                    "assignments",
                    queryset=Assignment.objects.select_related("starter__user", "offered_by"),
                ),
            )
        )

    def render_page(self, accompaniment, offer_form=None):
        # Without topics nobody can be checked for content abstinence: topics first.
        needs_topics = accompaniment.is_open and not accompaniment.group.topics.all()
        candidates = judge(accompaniment) if accompaniment.is_open and not needs_topics else []
        context = {
            "accompaniment": accompaniment,
            "needs_topics": needs_topics,
            "candidates": candidates,
            "not_suggested": any(not c.suggested for c in candidates),
            "offer_form": offer_form or OfferForm(candidates=candidates),
            "complete_form": CompleteForm(),
            "follow_up_form": FollowUpForm(),
            "can_offer": accompaniment.is_open
            and not needs_topics
            and accompaniment.has_a_free_place(),
            "extend_form": ExtendForm(
                initial={
                    "planned_meetings": min(
                        accompaniment.planned_meetings + 1, accompaniment.max_meetings
                    )
                }
            ),
        }
        if accompaniment.status in (Accompaniment.Status.ACTIVE, Accompaniment.Status.COMPLETED):
            context |= meeting_context(accompaniment, self.request.user)
        return render(self.request, self.template_name, context)

    def get(self, request, pk):
        return self.render_page(self.fetch_accompaniment(pk))

    def post(self, request, pk):
        """Offer the accompaniment to the chosen starter."""
        accompaniment = self.fetch_accompaniment(pk)
        candidates = judge(accompaniment) if accompaniment.is_open else []
        form = OfferForm(request.POST, candidates=candidates)
        if not form.is_valid():
            return self.render_page(accompaniment, form)
        starter = form.cleaned_data["starter"]
        try:
            services.offer(
                request.user,
                accompaniment,
                starter,
                form.cleaned_data["choice_reason"],
                suggested=form.candidates[starter.pk].suggested,
            )
        except services.StarterError as error:
            messages.error(request, str(error))
        else:
            if notifications.wants_email(starter.user, Notification.Kind.OFFER):
                message = _("%(name)s was asked by e-mail.")
            else:
                message = _("%(name)s was asked; they find the offer in their area (no e-mail).")
            messages.success(request, message % {"name": starter.name})
        return redirect(accompaniment)


class AccompanimentActionView(StaffAccompanimentMixin, View):
    """Complete, record the follow-up, or withdraw an offer (POST only)."""

    def post(self, request, pk, action):
        accompaniment = self.fetch_accompaniment(pk)
        try:
            self.act(request, accompaniment, action)
        except services.StarterError as error:
            messages.error(request, str(error))
        return redirect(accompaniment)

    def act(self, request, accompaniment, action):
        if action == "complete":
            form = CompleteForm(request.POST)
            if not form.is_valid():
                raise services.StarterError(_("Please choose the outcome and the date."))
            services.complete(
                request.user,
                accompaniment,
                form.cleaned_data["outcome"],
                form.cleaned_data["completed_on"],
                form.cleaned_data["note"],
            )
            messages.success(request, _("The accompaniment was completed."))
        elif action == "follow-up":
            form = FollowUpForm(request.POST)
            if not form.is_valid():
                raise services.StarterError(_("Please choose the result and the date."))
            services.record_follow_up(
                request.user,
                accompaniment,
                form.cleaned_data["result"],
                form.cleaned_data["followed_up_on"],
            )
            messages.success(request, _("The follow-up was recorded."))
        elif action == "withdraw":
            assignment = fetch(
                accompaniment.assignments, request.user, pk=posted_id(request, "assignment")
            )
            services.withdraw_offer(request.user, assignment)
            messages.success(request, _("The offer was withdrawn."))
        elif action == "extend":
            form = ExtendForm(request.POST)
            if not form.is_valid():
                raise services.StarterError(
                    _("Please give the new number of meetings and a reason.")
                )
            meeting_logs.extend_plan(
                request.user,
                accompaniment,
                form.cleaned_data["planned_meetings"],
                form.cleaned_data["reason"],
            )
            messages.success(request, _("The plan was extended."))
        elif action == "talk-done":
            log = fetch(accompaniment.meeting_logs, request.user, pk=posted_id(request, "log"))
            meeting_logs.talk_done(request.user, log)
            messages.success(request, _("Marked as talked."))
        else:
            raise services.StarterError(_("Unknown action."))


def posted_id(request, name):
    """A posted object id, or 0 (which finds nothing) when it is not a number."""
    value = request.POST.get(name) or ""
    return int(value) if value.isascii() and value.isdigit() else 0


class AccompanimentCancelView(StaffAccompanimentMixin, View):
    """Ask first (GET), then cancel (POST)."""

    template_name = "starters/accompaniment_cancel.html"

    def get(self, request, pk):
        accompaniment = self.fetch_accompaniment(pk)
        return render(
            request, self.template_name, {"accompaniment": accompaniment, "form": ReasonForm()}
        )

    def post(self, request, pk):
        accompaniment = self.fetch_accompaniment(pk)
        form = ReasonForm(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        try:
            services.cancel(request.user, accompaniment, reason)
        except services.StarterError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The accompaniment was cancelled."))
        return redirect(accompaniment)
