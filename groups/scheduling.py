"""State changes of schedules: meeting rules, their dates and pauses.

Each runs in a transaction, writes the group's history and moves the public pages'
cache version. A rule that takes a room locks the room first, so two saves at the same
time cannot both take the same slot: the second waits, then sees the first's rule.
"""

from django.db import transaction
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _

from groups import schedules
from groups.models import GroupChange, MeetingDate, MeetingRule
from groups.services import GroupError, record_change
from kontaktstelle.offices.models import Room
from kontaktstelle.web import public_cache


class RoomTaken(GroupError):
    """The room is used by another group at that time."""


def conflict_message(room, other, clash):
    return _(
        "The room “%(room)s” is taken at that time: the group “%(group)s” meets there "
        "on %(date)s from %(start)s to %(end)s."
    ) % {
        "room": room.name,
        "group": other.group.name,
        "date": f"{date_format(clash.day, 'l')}, {date_format(clash.day, 'SHORT_DATE_FORMAT')}",
        "start": time_format(other.start_time, "H:i"),
        "end": time_format(other.end_time, "H:i"),
    }


def _check_room(rule, exclude=None):
    room = schedules.effective_room(rule)
    if room is None:
        return
    # Lock the room: whoever checks it next waits until this transaction is done.
    Room.objects.select_for_update().get(pk=room.pk)
    found = schedules.conflicts(rule, exclude=exclude)
    if found:
        other, clash = found[0]
        raise RoomTaken(conflict_message(room, other, clash))


def _changed(group, user):
    record_change(
        group, user, GroupChange.Action.CHANGED, [str(MeetingRule._meta.verbose_name_plural)]
    )
    public_cache.invalidate()


@transaction.atomic
def add_rule(user, group, rule, dates=()):
    """Save a new rule of ``group`` (with its listed dates), unless its room is taken by
    another group at one of its times in the next 26 weeks (``RoomTaken``; nothing saved)."""
    add_rule_unrecorded(group, rule, dates)
    _changed(group, user)
    return rule


def add_rule_unrecorded(group, rule, dates=()):
    """``add_rule`` without the history entry and the cache, for a caller that records
    its change itself (the import); to be called in a transaction."""
    rule.group = group
    if rule.kind == MeetingRule.Kind.DATES:
        rule.pending_dates = sorted(set(dates))
    _check_room(rule)
    rule.save()
    if rule.kind == MeetingRule.Kind.DATES:
        MeetingDate.objects.bulk_create(
            [MeetingDate(rule=rule, date=day) for day in rule.pending_dates]
        )
    return rule


@transaction.atomic
def add_dates(user, rule, dates):
    """Add dates to a rule on listed dates, checked against the room like a new rule."""
    known = set(rule.dates.values_list("date", flat=True))
    new = sorted(set(dates) - known)
    rule.pending_dates = new
    _check_room(rule, exclude=rule)
    MeetingDate.objects.bulk_create([MeetingDate(rule=rule, date=day) for day in new])
    del rule.pending_dates
    _changed(rule.group, user)
    return new


@transaction.atomic
def delete_rule(user, rule):
    rule.delete()
    _changed(rule.group, user)


@transaction.atomic
def delete_date(user, meeting_date):
    meeting_date.delete()
    _changed(meeting_date.rule.group, user)


@transaction.atomic
def add_pause(user, group, pause):
    pause.group = group
    pause.save()
    _changed(group, user)
    return pause


@transaction.atomic
def delete_pause(user, pause):
    pause.delete()
    _changed(pause.group, user)


def check_group_room(group, room, rules=None):
    """A group given ``room`` moves its rules without a room of their own there: the
    message of the first clash, or "" when the room is free at their times. ``rules``:
    the rules that move (None: those the group has now)."""
    if rules is None:
        rules = group.meeting_rules.filter(room__isnull=True).prefetch_related("dates")
    for rule in rules:
        moved = MeetingRule(
            pk=rule.pk,
            group=group,
            kind=rule.kind,
            weekday=rule.weekday,
            weeks_of_month=rule.weeks_of_month,
            start_time=rule.start_time,
            end_time=rule.end_time,
            room=room,
            starts_on=rule.starts_on,
        )
        moved.pending_dates = schedules.listed_dates(rule)
        found = schedules.conflicts(moved, exclude=rule)
        if found:
            return conflict_message(room, *found[0])
    return ""
