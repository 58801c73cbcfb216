"""What ``send_reminders`` finds due: each occasion becomes one notification per person.

Every reminder has a key naming its occasion (the accompaniment and the date), and the
notification's unique constraint lets each go out once however often the command runs.
"""

import datetime

from django.db.models import Prefetch
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from groups.models import Group
from kontaktstelle.accounts.models import Membership, User
from kontaktstelle.notifications.models import Notification
from kontaktstelle.notifications.services import notify
from starters import documents
from starters.meeting_logs import ON_IT, next_meeting, weekday_after
from starters.models import Accompaniment, Assignment, MeetingLog, Starter
from starters.models.meeting_logs import LOG_MISSING_AFTER


def _running(today):
    return (
        Accompaniment.objects.filter(status=Accompaniment.Status.ACTIVE)
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.filter(state__in=ON_IT).select_related("starter__user"),
                to_attr="on_it",
            ),
            Prefetch(
                "meeting_logs", queryset=MeetingLog.objects.order_by("held_on"), to_attr="logs"
            ),
        )
        .select_related("group", "responsible")
    )


def _own_page(assignment):
    return reverse("starters:own_offer", kwargs={"pk": assignment.pk})


def _day(value):
    return date_filter(value, "l, d.m.Y")


def meeting_reminders(today):
    """Tomorrow's meeting, and a log missing three days after a meeting."""
    sent = 0
    tomorrow = today + datetime.timedelta(days=1)
    for accompaniment in _running(today):
        logs = accompaniment.logs
        logged_days = {log.held_on for log in logs}
        last = logs[-1] if logs else None
        upcoming = next_meeting(accompaniment, last, today=today)
        for assignment in accompaniment.on_it:
            group = accompaniment.group.name
            if upcoming == tomorrow:
                sent += _notify(
                    assignment.starter.user,
                    Notification.Kind.MEETING_TOMORROW,
                    f"meeting:{accompaniment.pk}:{tomorrow:%Y-%m-%d}",
                    _("Tomorrow: accompanied meeting of “%(group)s”") % {"group": group},
                    _("The group meets tomorrow, %(day)s%(time)s.")
                    % {
                        "day": _day(tomorrow),
                        "time": f", {accompaniment.meeting_time:%H:%M}"
                        if accompaniment.meeting_time
                        else "",
                    },
                    _own_page(assignment),
                )
            expected = _expected_meeting(accompaniment, last)
            if (
                expected
                and expected <= today - LOG_MISSING_AFTER
                and not any(day >= expected for day in logged_days)
            ):
                sent += _notify(
                    assignment.starter.user,
                    Notification.Kind.LOG_MISSING,
                    f"log:{accompaniment.pk}:{expected:%Y-%m-%d}",
                    _("Please log the meeting of “%(group)s”") % {"group": group},
                    _(
                        "The meeting on %(day)s has no log yet. It takes a minute; if the "
                        "meeting did not take place, please tell your office."
                    )
                    % {"day": _day(expected)},
                    reverse("starters:own_log_create", kwargs={"pk": assignment.pk}),
                )
    return sent


def _expected_meeting(accompaniment, last):
    """The meeting that should have been logged after the last log (or the first one)."""
    if last and last.next_meeting_on:
        return last.next_meeting_on
    if accompaniment.meeting_weekday is None or not accompaniment.started_on:
        return None
    after = last.held_on if last else accompaniment.started_on - datetime.timedelta(days=1)
    return weekday_after(after, accompaniment.meeting_weekday)


def planned_end_reminders(today):
    """Accompaniments at their planned meetings or end date: starters and staff."""
    sent = 0
    for accompaniment in _running(today):
        reached = len(accompaniment.logs) >= accompaniment.planned_meetings or (
            accompaniment.planned_end and accompaniment.planned_end <= today
        )
        if not reached:
            continue
        subject = _("“%(group)s” is at its planned end") % {"group": accompaniment.group.name}
        body = _(
            "The planned meetings or the planned end are reached: time to plan the "
            "withdrawal with the group, or to extend the plan with a reason."
        )
        end = accompaniment.planned_end or "-"
        key = f"end:{accompaniment.pk}:{accompaniment.planned_meetings}:{end}"
        for assignment in accompaniment.on_it:
            sent += _notify(
                assignment.starter.user,
                Notification.Kind.PLANNED_END,
                key,
                subject,
                body,
                _own_page(assignment),
            )
        sent += _notify(
            accompaniment.responsible,
            Notification.Kind.PLANNED_END,
            key,
            subject,
            body,
            accompaniment.get_absolute_url(),
        )
    return sent


def follow_up_reminders(today):
    """Six months after completion, the responsible staff member asks the group."""
    sent = 0
    due = Accompaniment.objects.follow_up_overdue(today).select_related("group", "responsible")
    for accompaniment in due:
        sent += _notify(
            accompaniment.responsible,
            Notification.Kind.FOLLOW_UP,
            f"follow_up:{accompaniment.pk}",
            _("Follow-up due: “%(group)s”") % {"group": accompaniment.group.name},
            _(
                "The accompaniment ended on %(day)s. Please ask whether the group still "
                "meets and record it."
            )
            % {"day": _day(accompaniment.completed_on)},
            accompaniment.get_absolute_url(),
        )
    return sent


def confirmation_reminders(today):
    """Once a month, each office's staff hear how many groups' yearly confirmation is due."""
    sent = 0
    due = {}
    for office_id in Group.objects.needs_confirmation(today).values_list("office_id", flat=True):
        due[office_id] = due.get(office_id, 0) + 1
    staff = User.objects.filter(
        is_active=True,
        membership__office_id__in=due,
        membership__role__in=[Membership.Role.STAFF, Membership.Role.OFFICE_ADMIN],
    ).select_related("membership")
    url = reverse("groups:group_list") + "?overdue=on&sort=confirmed"
    for user in staff:
        count = due[user.membership.office_id]
        sent += _notify(
            user,
            Notification.Kind.CONFIRMATION,
            f"confirmation:{today:%Y-%m}",
            _("Groups' yearly data confirmation due"),
            _("%(count)s groups have not confirmed their data for over a year.") % {"count": count},
            url,
        )
    return sent


def _document_stage(document, today):
    """ "6w" or "1w" while that reminder of the document is due (the later one wins)."""
    if document.valid_until is None or document.valid_until < today:
        return None
    due = [
        stage
        for stage, before in documents.REMIND_BEFORE.items()
        if document.valid_until - before <= today
    ]
    return due[-1] if due else None


def document_reminders(today):
    """Six weeks and one week before a volunteer's required document expires: the
    volunteer and the staff of their office. The key names the end date, so a renewal
    starts afresh; each is created once (the notification's unique constraint)."""
    sent = 0
    starters = documents.with_documents(
        Starter.objects.exclude(status=Starter.Status.RETIRED).filter(user__is_active=True)
    )
    staff = {}
    for user in User.objects.filter(
        is_active=True,
        membership__role__in=[Membership.Role.STAFF, Membership.Role.OFFICE_ADMIN],
    ).select_related("membership"):
        staff.setdefault(user.membership.office_id, []).append(user)
    for starter in starters:
        for document in documents.documents_of(starter, today):
            stage = _document_stage(document, today) if document.required else None
            if stage is None:
                continue
            key = f"document:{starter.pk}:{document.kind}:{document.valid_until:%Y-%m-%d}:{stage}"
            values = {
                "document": document.label,
                "day": _day(document.valid_until),
                "name": starter.name,
            }
            body = (
                _(
                    "%(document)s: valid until %(day)s. Please renew it with the office in "
                    "time; without it, no new accompaniment can be offered."
                )
                % values
            )
            sent += _notify(
                starter.user,
                Notification.Kind.DOCUMENT_EXPIRING,
                key,
                _("Due for renewal: %(document)s") % values,
                body,
                reverse("starters:home"),
            )
            for user in staff.get(starter.office_id, []):
                sent += _notify(
                    user,
                    Notification.Kind.DOCUMENT_EXPIRING,
                    key,
                    _("%(name)s – due for renewal: %(document)s") % values,
                    body,
                    reverse("starters:starter_documents", kwargs={"pk": starter.pk}),
                )
    return sent


def _notify(user, kind, key, subject, body, url):
    if not user.is_active:
        return 0
    return 1 if notify(user, kind, key, subject, body, url) else 0


def due_reminders(today=None):
    """Create every notification that is due today; returns how many were new."""
    today = today or timezone.localdate()
    return sum(
        collect(today)
        for collect in (
            meeting_reminders,
            planned_end_reminders,
            follow_up_reminders,
            confirmation_reminders,
            document_reminders,
        )
    )
