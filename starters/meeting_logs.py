"""Meeting logs: who may write and correct them, the progress against the plan, and
when the next accompanied meeting is.
"""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from kontaktstelle.notifications.models import Notification
from kontaktstelle.notifications.services import notify
from starters.models import Accompaniment, Assignment, MeetingLog, Starter
from starters.models.meeting_logs import CORRECTION_WINDOW
from starters.services import StarterError

ON_IT = [Assignment.State.ACCEPTED, Assignment.State.ENDED]


def starter_on(accompaniment, starter):
    """True when the starter accepted this accompaniment (now or in the past)."""
    return accompaniment.assignments.filter(starter=starter, state__in=ON_IT).exists()


def queue_owner(user):
    """Whose meeting logs a phone keeps while offline (static/js/offline-log.js).

    A key of the user that says nothing about them: the phone sends a kept log only
    while the same user is logged in, never as someone who logged in after them.
    """
    return salted_hmac("starters.offline_log.owner", str(user.pk)).hexdigest()[:24]


def with_logged(queryset):
    """Annotate accompaniments with the number of logged meetings."""
    return queryset.annotate(logged=Count("meeting_logs", distinct=True))


def with_logged_assignments(queryset):
    """Assignments, newest first, with their group and the meetings logged so far."""
    return (
        queryset.select_related("accompaniment__group")
        .annotate(logged=Count("accompaniment__meeting_logs", distinct=True))
        .order_by("-offered_at")
    )


def next_meeting(accompaniment, last_log=None, today=None):
    """The next accompanied meeting's date, or None when it is not known.

    The date the last log gave for the next meeting; otherwise the next meeting day of
    the week after the last meeting (or from the start, before the first one).
    """
    if accompaniment.status != Accompaniment.Status.ACTIVE:
        return None
    today = today or timezone.localdate()
    if last_log and last_log.next_meeting_on:
        return last_log.next_meeting_on
    if accompaniment.meeting_weekday is None:
        return None
    after = last_log.held_on if last_log else (accompaniment.started_on or today) - _day(1)
    after = max(after, today - _day(1))
    return weekday_after(after, accompaniment.meeting_weekday)


def weekday_after(day, weekday):
    """The first date after ``day`` that falls on ``weekday`` (0 = Monday)."""
    return day + _day((weekday - day.weekday() - 1) % 7 + 1)


def _day(days):
    return datetime.timedelta(days=days)


def _save_log(form, accompaniment, user, partner_present):
    log = form.save(commit=False)
    log.accompaniment = accompaniment
    log.logged_by = user
    try:
        with transaction.atomic():
            log.save()
    except IntegrityError as error:
        raise StarterError(_("A meeting on this day is already logged.")) from error
    starters = [user.starter]
    if partner_present:
        starters += list(
            Starter.objects.filter(
                assignments__accompaniment=accompaniment, assignments__state__in=ON_IT
            ).exclude(pk=user.starter.pk)
        )
    log.accompanied_by.set(starters)
    return log


@transaction.atomic
def log_meeting(user, accompaniment, form, partner_present=False):
    """A starter logs a meeting of an accompaniment they are on.

    One log per meeting day: a double-submitted form is refused by the database's unique
    constraint and changes nothing. "I would like to talk" alerts the responsible staff.
    """
    accompaniment = Accompaniment.objects.select_for_update().get(pk=accompaniment.pk)
    starter = getattr(user, "starter", None)
    if starter is None or not starter_on(accompaniment, starter):
        raise StarterError(_("You can only log meetings of your own accompaniments."))
    if not may_log(accompaniment):
        raise StarterError(_("This accompaniment is not running."))
    log = _save_log(form, accompaniment, user, partner_present)
    if log.wants_talk:
        alert_staff(log)
    return log


def may_log(accompaniment, today=None):
    """Running, or completed less than 14 days ago (the last meeting logged late)."""
    today = today or timezone.localdate()
    if accompaniment.status == Accompaniment.Status.ACTIVE:
        return True
    return (
        accompaniment.status == Accompaniment.Status.COMPLETED
        and accompaniment.completed_on is not None
        and accompaniment.completed_on + CORRECTION_WINDOW >= today
    )


def alert_staff(log):
    """Tell the responsible staff member that the starter would like to talk."""
    accompaniment = log.accompaniment
    notify(
        accompaniment.responsible,
        Notification.Kind.TALK,
        f"talk:{log.pk}",
        _("%(name)s would like to talk about “%(group)s”")
        % {"name": log.logged_by.get_full_name() or log.logged_by, "group": accompaniment.group},
        _("After the meeting on %(date)s, %(name)s asked for a talk with the office.")
        % {
            "date": log.held_on.strftime("%d.%m.%Y"),
            "name": log.logged_by.get_full_name() or log.logged_by,
        },
        reverse("starters:accompaniment_detail", kwargs={"pk": accompaniment.pk}),
    )


def may_edit(user, log, today=None):
    """Staff of the office always; the starters on it for 14 days after logging."""
    if user.is_office_staff:
        return log.accompaniment.office_id == user.office.pk
    starter = getattr(user, "starter", None)
    return (
        starter is not None
        and starter_on(log.accompaniment, starter)
        and log.starter_may_edit(today)
    )


@transaction.atomic
def correct_log(user, log, form):
    if not may_edit(user, log):
        raise StarterError(
            _("A log can be corrected for 14 days; after that, please ask your office.")
        )
    had_talk = MeetingLog.objects.filter(pk=log.pk, wants_talk=True).exists()
    try:
        with transaction.atomic():
            log = form.save()
    except IntegrityError as error:
        raise StarterError(_("A meeting on this day is already logged.")) from error
    if log.wants_talk and not had_talk:
        alert_staff(log)
    return log


@transaction.atomic
def talk_done(acting, log):
    MeetingLog.objects.filter(pk=log.pk, talk_done_at__isnull=True).update(
        talk_done_at=timezone.now()
    )
    Notification.objects.filter(
        kind=Notification.Kind.TALK, key=f"talk:{log.pk}", read_at__isnull=True
    ).update(read_at=timezone.now())


@transaction.atomic
def extend_plan(acting, accompaniment, planned_meetings, reason):
    """Staff extend the planned meetings, within the programme's limits, with a reason."""
    accompaniment = Accompaniment.objects.select_for_update().get(pk=accompaniment.pk)
    if accompaniment.status != Accompaniment.Status.ACTIVE:
        raise StarterError(_("Only a running accompaniment can be extended."))
    if not reason.strip():
        raise StarterError(_("Please give a reason for the extension."))
    if planned_meetings <= accompaniment.planned_meetings:
        raise StarterError(_("An extension plans more meetings than before."))
    if planned_meetings > accompaniment.max_meetings:
        raise StarterError(
            _("The programme accompanies this kind of group for at most %(max)s meetings.")
            % {"max": accompaniment.max_meetings}
        )
    accompaniment.planned_meetings = planned_meetings
    accompaniment.extension_reason = reason.strip()[:300]
    accompaniment.save(update_fields=["planned_meetings", "extension_reason"])
    return accompaniment


def open_talks(office):
    return (
        MeetingLog.objects.filter(
            accompaniment__office=office, wants_talk=True, talk_done_at__isnull=True
        )
        .select_related("accompaniment__group", "logged_by")
        .order_by("held_on")
    )
