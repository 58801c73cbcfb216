"""Meeting logs (starters, staff), the calendar feed and single-meeting downloads."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.generic import View

from kontaktstelle.accounts.mixins import RoleRequiredMixin
from kontaktstelle.accounts.models import Membership
from kontaktstelle.web.fetch import fetch
from starters import calendar, meeting_logs
from starters.forms import MeetingLogForm
from starters.mixins import OwnStarterMixin
from starters.models import Assignment, MeetingLog
from starters.services import StarterError

ICS = "text/calendar; charset=utf-8"
NEW_FEED_TOKEN = "new_calendar_token"  # noqa: S105 - a session key, not a secret  # nosec B105


def own_assignment(user, pk):
    """An accompaniment the starter accepted (running or ended), by assignment."""
    return fetch(
        Assignment.objects.filter(state__in=meeting_logs.ON_IT).select_related(
            "accompaniment__group", "accompaniment__responsible"
        ),
        user,
        pk=pk,
    )


def is_tandem(accompaniment, starter):
    return (
        accompaniment.assignments.filter(state__in=meeting_logs.ON_IT)
        .exclude(starter=starter)
        .exists()
    )


def is_same_meeting(log, data):
    """True when ``data`` repeats the stored log in every field (a double-submitted form)."""
    return all(getattr(log, name) == data.get(name) for name in MeetingLogForm.Meta.fields)


class LogCreateView(OwnStarterMixin, View):
    """A starter logs a meeting of their accompaniment (mobile first)."""

    template_name = "starters/meeting_log_form.html"

    def setup_page(self, pk):
        self.assignment = own_assignment(self.request.user, pk)
        self.accompaniment = self.assignment.accompaniment
        self.tandem = is_tandem(self.accompaniment, self.starter)

    def render_form(self, form):
        return render(
            self.request,
            self.template_name,
            {"form": form, "accompaniment": self.accompaniment, "assignment": self.assignment},
        )

    def get(self, request, pk):
        self.setup_page(pk)
        if not meeting_logs.may_log(self.accompaniment):
            messages.info(request, _("This accompaniment has ended."))
            return redirect("starters:own_offer", pk=pk)
        return self.render_form(
            MeetingLogForm(accompaniment=self.accompaniment, tandem=self.tandem)
        )

    def post(self, request, pk):
        self.setup_page(pk)
        form = MeetingLogForm(request.POST, accompaniment=self.accompaniment, tandem=self.tandem)
        if not form.is_valid():
            return self.render_form(form)
        try:
            log, repeated = record_log(request.user, self.accompaniment, form)
        except StarterError:
            return self.render_form(form)
        say_logged(request, log, repeated)
        return redirect("starters:own_offer", pk=pk)


class LogSyncView(OwnStarterMixin, View):
    """A meeting log the phone kept while offline, sent when the network is back
    (static/js/offline-log.js), answered in JSON.

    The same form, rules and permissions as LogCreateView: a log for the starter's own
    accompaniment only, one per day. A resend of a log that arrived (its answer lost on
    the way) repeats it in every field and counts as sent. GET gives the phone a fresh
    CSRF token and the key of the user logged in, so it sends only that user's logs.
    """

    def get(self, request, pk):
        if self.assignment(pk) is None:
            return not_yours()
        return JsonResponse(
            {"owner": meeting_logs.queue_owner(request.user), "csrf_token": get_token(request)}
        )

    def post(self, request, pk):
        assignment = self.assignment(pk)
        if assignment is None:
            return not_yours()
        accompaniment = assignment.accompaniment
        form = MeetingLogForm(
            request.POST, accompaniment=accompaniment, tandem=is_tandem(accompaniment, self.starter)
        )
        if form.is_valid():
            try:
                log, repeated = record_log(request.user, accompaniment, form)
            except StarterError:
                pass
            else:
                message = say_logged(request, log, repeated)
                return JsonResponse(
                    {
                        "status": "logged",
                        "message": message,
                        "url": reverse("starters:own_offer", kwargs={"pk": pk}),
                    },
                    status=200 if repeated else 201,
                )
        return refused(
            " ".join(
                f"{form.fields[name].label}: {error}" if name in form.fields else error
                for name, errors in form.errors.items()
                for error in errors
            ),
            errors=form.errors.get_json_data(),
        )

    def assignment(self, pk):
        try:
            return own_assignment(self.request.user, pk)
        except Http404:
            return None


def not_yours():
    return refused(_("You can only log meetings of your own accompaniments."), status=404)


def refused(message, status=400, errors=None):
    return JsonResponse(
        {"status": "refused", "message": message, "errors": errors or {}}, status=status
    )


def record_log(user, accompaniment, form):
    """Log the meeting of a valid form: the log, and whether it was logged before.

    The same meeting sent twice (a double-submitted form, or a phone resending a log
    whose answer it never got) finds the log it made. Any other refusal, such as another
    meeting on a logged day, raises StarterError with the message put on the form.
    """
    try:
        log = meeting_logs.log_meeting(
            user,
            accompaniment,
            form,
            partner_present=form.cleaned_data.get("partner_present", False),
        )
    except StarterError as error:
        existing = MeetingLog.objects.filter(
            accompaniment=accompaniment, held_on=form.cleaned_data["held_on"]
        ).first()
        if existing is not None and is_same_meeting(existing, form.cleaned_data):
            return existing, True
        # Another meeting on a logged day: the form keeps everything typed.
        form.add_error("held_on" if existing else None, str(error))
        raise
    return log, False


def say_logged(request, log, repeated):
    """The messages of a logged meeting for the next page; returns the main one."""
    if repeated:
        message = _("A meeting on this day is already logged.")
        messages.info(request, message)
        return message
    message = _("Thank you, the meeting is logged.")
    messages.success(request, message)
    if log.wants_talk:
        messages.info(request, _("Your office knows you would like to talk."))
    accompaniment = log.accompaniment
    if accompaniment.meeting_logs.count() >= accompaniment.planned_meetings:
        messages.warning(
            request,
            _(
                "The planned meetings are reached: please plan the withdrawal with the "
                "group and your office."
            ),
        )
    return message


class LogEditView(RoleRequiredMixin, View):
    """Correct a log: the starters on it for 14 days, staff of the office always."""

    allowed_roles = (Membership.Role.STAFF, Membership.Role.OFFICE_ADMIN, Membership.Role.STARTER)
    template_name = "starters/meeting_log_form.html"

    def get_log(self, pk):
        log = fetch(
            MeetingLog.objects.select_related("accompaniment__group", "accompaniment__office"),
            self.request.user,
            pk=pk,
        )
        if not meeting_logs.may_edit(self.request.user, log):
            messages.error(
                self.request,
                _("A log can be corrected for 14 days; after that, please ask your office."),
            )
            return log, False
        return log, True

    def back(self, log):
        if self.request.user.is_office_staff:
            return redirect(log.accompaniment)
        assignment = log.accompaniment.assignments.filter(starter__user=self.request.user).first()
        return redirect("starters:own_offer", pk=assignment.pk)

    def render_form(self, form, log):
        return render(
            self.request,
            self.template_name,
            {"form": form, "accompaniment": log.accompaniment, "log": log},
        )

    def get(self, request, pk):
        log, allowed = self.get_log(pk)
        if not allowed:
            return self.back(log)
        form = MeetingLogForm(
            instance=log, accompaniment=log.accompaniment, for_staff=request.user.is_office_staff
        )
        form.initial["worked_on"] = log.worked_on
        return self.render_form(form, log)

    def post(self, request, pk):
        log, allowed = self.get_log(pk)
        if not allowed:
            return self.back(log)
        form = MeetingLogForm(
            request.POST,
            instance=log,
            accompaniment=log.accompaniment,
            for_staff=request.user.is_office_staff,
        )
        if not form.is_valid():
            return self.render_form(form, log)
        try:
            meeting_logs.correct_log(request.user, log, form)
        except StarterError as error:
            form.add_error(None, str(error))
            return self.render_form(form, log)
        messages.success(request, _("Your changes were saved."))
        return self.back(log)


class MeetingIcsView(OwnStarterMixin, View):
    """One meeting of an accompaniment as an .ics file: a logged one or the next one."""

    def get(self, request, pk, date):
        assignment = own_assignment(self.request.user, pk)
        accompaniment = assignment.accompaniment
        try:
            day = datetime.date.fromisoformat(date)
        except ValueError as error:
            raise Http404 from error
        log = accompaniment.meeting_logs.filter(held_on=day).first()
        if log:
            event = calendar.log_event(log)
        else:
            last = accompaniment.meeting_logs.order_by("held_on").last()
            if meeting_logs.next_meeting(accompaniment, last) != day:
                raise Http404
            event = calendar.next_event(accompaniment, day)
        response = HttpResponse(calendar.calendar([event], accompaniment.group.name), ICS)
        response["Content-Disposition"] = f'attachment; filename="treffen-{day:%Y-%m-%d}.ics"'
        return response


class CalendarLinkView(OwnStarterMixin, View):
    """Create (or renew) and revoke the private calendar subscription link."""

    template_name = "starters/own_calendar.html"

    def get(self, request):
        token = request.session.pop(NEW_FEED_TOKEN, None)
        feed_url = (
            request.build_absolute_uri(reverse("starters:calendar_feed", kwargs={"token": token}))
            if token and calendar.starter_for_token(token) == self.starter
            else None
        )
        return render(
            request,
            self.template_name,
            {
                "starter": self.starter,
                "feed_url": feed_url,
                "webcal_url": feed_url and "webcal://" + feed_url.split("://", 1)[1],
            },
        )

    def post(self, request):
        if request.POST.get("action") == "revoke":
            calendar.revoke_feed(self.starter)
            messages.success(request, _("The calendar link no longer works."))
            return redirect("starters:own_calendar")
        # Shown once on the next page, then only its hash remains.
        request.session[NEW_FEED_TOKEN] = calendar.new_feed_token(self.starter)
        return redirect("starters:own_calendar")


@login_not_required
@never_cache
def calendar_feed(request, token):
    """The private feed a phone subscribes to; a revoked or unknown link answers 404."""
    starter = calendar.starter_for_token(token)
    if starter is None:
        raise Http404
    body = calendar.calendar(calendar.starter_events(starter), _("Accompanied meetings"))
    return HttpResponse(body, ICS)
