"""When a group meets: the dates of its meeting rules, its next dates, its iCalendar feed
and rules of other groups that would take the same room at the same time.

Everything here reads rules, their listed dates and pauses as they are handed in (from
``prefetch_related`` where a page shows many), so a list of groups costs no query per
group. Times are local to Europe/Berlin: a meeting at 19:00 stays at 19:00 across a
daylight-saving change.
"""

import calendar
import dataclasses
import datetime
import zoneinfo

from django.conf import settings
from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from groups.models import Group, MeetingRule

BERLIN = zoneinfo.ZoneInfo(settings.TIME_ZONE)
# How far ahead the next dates and room conflicts are looked for.
NEXT_DATES_HORIZON = datetime.timedelta(days=400)
CONFLICT_HORIZON = datetime.timedelta(weeks=26)
# What the schedule functions read, for ``prefetch_related`` on groups.
PREFETCH = (
    Prefetch(
        "meeting_rules",
        queryset=MeetingRule.objects.select_related("room__site").prefetch_related("dates"),
    ),
    "meeting_pauses",
)
WEEK = datetime.timedelta(days=7)


@dataclasses.dataclass(frozen=True)
class Occurrence:
    """One meeting: the rule it comes from, its day, and when it starts and ends."""

    rule: MeetingRule
    day: datetime.date
    starts_at: datetime.datetime
    ends_at: datetime.datetime

    @property
    def room(self):
        return effective_room(self.rule)

    @property
    def place(self):
        """Where, as the group's public page may say it ("" where it shows no place)."""
        return public_place(self.rule.group, self.rule)

    def overlaps(self, other):
        return self.starts_at < other.ends_at and other.starts_at < self.ends_at


def effective_room(rule):
    """The rule's own room, else the group's."""
    return rule.room if rule.room_id else rule.group.room


def listed_dates(rule):
    """The dates of a rule on listed dates: handed in before saving, else its rows."""
    pending = getattr(rule, "pending_dates", None)
    if pending is not None:
        return sorted(pending)
    return sorted(item.date for item in rule.dates.all())


def _weekdays(first, last, weekday):
    day = first + datetime.timedelta(days=(weekday - first.weekday()) % 7)
    while day <= last:
        yield day
        day += datetime.timedelta(days=7)


def _month_days(first, last, weekday, weeks):
    year, month = first.year, first.month
    while datetime.date(year, month, 1) <= last:
        days = [
            week[weekday]
            for week in calendar.Calendar().monthdatescalendar(year, month)
            if week[weekday].month == month
        ]
        for number in weeks:
            index = number - 1 if number > 0 else number
            if -len(days) <= index < len(days) and first <= days[index] <= last:
                yield days[index]
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def first_day(rule):
    """The first meeting day on or after ``starts_on`` (the DTSTART of the feed)."""
    return next(rule_days(rule, rule.starts_on, rule.starts_on + datetime.timedelta(days=62)), None)


def rule_days(rule, first, last):
    """The days from ``first`` to ``last`` (both included) the rule names, in order."""
    kind = MeetingRule.Kind
    if rule.kind == kind.DATES:
        return iter([day for day in listed_dates(rule) if first <= day <= last])
    first = max(first, rule.starts_on)
    if first > last:
        return iter(())
    if rule.kind == kind.WEEKLY:
        return _weekdays(first, last, rule.weekday)
    if rule.kind == kind.BIWEEKLY:
        anchor = next(_weekdays(rule.starts_on, rule.starts_on + WEEK, rule.weekday))
        days = _weekdays(first, last, rule.weekday)
        return (day for day in days if (day - anchor).days % 14 == 0)
    return iter(sorted(_month_days(first, last, rule.weekday, rule.weeks)))


def paused(day, pauses):
    return any(pause.covers(day) for pause in pauses)


def occurrence(rule, day):
    return Occurrence(
        rule=rule,
        day=day,
        starts_at=datetime.datetime.combine(day, rule.start_time, tzinfo=BERLIN),
        ends_at=datetime.datetime.combine(day, rule.end_time, tzinfo=BERLIN),
    )


def occurrences(rules, pauses, start, end):
    """The meetings of ``rules`` from day ``start`` to day ``end``, not in a pause, by time."""
    found = [
        occurrence(rule, day)
        for rule in rules
        for day in rule_days(rule, start, end)
        if not paused(day, pauses)
    ]
    return sorted(found, key=lambda item: (item.starts_at, item.rule.pk or 0))


def current_pause(group, today=None):
    """The pause the group is in today (or the next one beginning today), else None."""
    today = today or timezone.localdate()
    return next((pause for pause in group.meeting_pauses.all() if pause.covers(today)), None)


def next_dates(group, n=3, now=None):
    """The group's next ``n`` meetings that have not ended yet."""
    now = timezone.localtime(now, BERLIN) if now else timezone.localtime(timezone.now(), BERLIN)
    upcoming = occurrences(
        group.meeting_rules.all(),
        group.meeting_pauses.all(),
        now.date(),
        now.date() + NEXT_DATES_HORIZON,
    )
    return [item for item in upcoming if item.ends_at > now][:n]


def public_place(group, rule):
    """The meeting place as the public page shows it, or "" (listed without place, online)."""
    if not group.shows_place or group.format == Group.Format.ONLINE:
        return ""
    room = effective_room(rule)
    if room is not None:
        site = room.site
        return f"{site.name}, {site.street}, {site.postcode} {site.city}"
    if group.street:
        return f"{group.street}, {group.postcode} {group.city}".strip(", ")
    return ""


# iCalendar -------------------------------------------------------------------------

ICAL_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _recurrence(rule):
    day = ICAL_DAYS[rule.weekday]
    if rule.kind == MeetingRule.Kind.MONTHLY:
        return {"freq": "monthly", "byday": [f"{week}{day}" for week in rule.weeks]}
    recur = {"freq": "weekly", "byday": day}
    if rule.kind == MeetingRule.Kind.BIWEEKLY:
        recur["interval"] = 2
    return recur


def _event(group, rule, day, uid, url):
    event = Event()
    start = occurrence(rule, day)
    event.add("uid", uid)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", start.starts_at)
    event.add("dtend", start.ends_at)
    event.add("summary", group.name)
    if rule.note:
        event.add("description", rule.note)
    event.add("url", url)
    place = public_place(group, rule)
    if place:
        event.add("location", place)
    return event


def ical_feed(group, base_url="", now=None):
    """The group's meetings as iCalendar (RFC 5545): one recurring event per rule, with
    EXDATE for the meetings in a pause and an end (UNTIL) at a pause until further notice;
    one event per listed date. LOCATION only when its public page shows the place."""
    cal = Calendar()
    cal.add("prodid", "-//Kontaktstelle//Gruppentermine//DE")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", group.name)
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    url = base_url + reverse("groups:public_group", kwargs={"slug": group.slug})
    pauses = list(group.meeting_pauses.all())
    open_ended = min((p.starts_on for p in pauses if p.ends_on is None), default=None)
    for rule in group.meeting_rules.all():
        if rule.kind == MeetingRule.Kind.DATES:
            for day in listed_dates(rule):
                if not paused(day, pauses):
                    uid = f"group-{group.pk}-rule-{rule.pk}-{day:%Y%m%d}@kontaktstelle"
                    cal.add_component(_event(group, rule, day, uid, url))
            continue
        day = first_day(rule)
        if day is None or (open_ended is not None and day >= open_ended):
            continue
        event = _event(group, rule, day, f"group-{group.pk}-rule-{rule.pk}@kontaktstelle", url)
        recur = _recurrence(rule)
        if open_ended is not None:
            # UNTIL is in UTC when DTSTART carries a TZID (RFC 5545 3.3.10).
            last = datetime.datetime.combine(
                open_ended - datetime.timedelta(days=1), rule.end_time, tzinfo=BERLIN
            )
            recur["until"] = last.astimezone(datetime.UTC)
        event.add("rrule", recur)
        skipped = [
            item.starts_at
            for pause in pauses
            if pause.ends_on is not None
            for item in occurrences([rule], [], pause.starts_on, pause.ends_on)
        ]
        if skipped:
            event.add("exdate", sorted(skipped))
        cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()


# Room conflicts ---------------------------------------------------------------------


def regular_rule(group):
    """The group's first rule on a weekday (weekly, every two weeks, monthly), or None:
    what a request for accompaniment takes over as the meeting day and time."""
    rules = group.meeting_rules.exclude(kind=MeetingRule.Kind.DATES)
    return rules.select_related("room").order_by("weekday", "start_time", "pk").first()


def rules_in_room(room):
    """Rules that take ``room``: their own room, or the group's when they name none.
    Closed groups free their room."""
    return (
        MeetingRule.objects.filter(Q(room=room) | Q(room__isnull=True, group__room=room))
        .exclude(group__status=Group.Status.CLOSED)
        .select_related("group", "room")
        .prefetch_related("dates", "group__meeting_pauses")
    )


def conflicts(rule, exclude=None, today=None):
    """The first clash with each rule of another group in the rule's room within the next
    26 weeks: (other rule, its clashing occurrence). ``exclude``: a rule not to count
    (the one being changed)."""
    room = effective_room(rule)
    if room is None:
        return []
    today = today or timezone.localdate()
    last = today + CONFLICT_HORIZON
    others = rules_in_room(room).exclude(group=rule.group_id)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    if rule.kind != MeetingRule.Kind.DATES:
        others = others.filter(Q(weekday=rule.weekday) | Q(kind=MeetingRule.Kind.DATES))
    pauses = list(rule.group.meeting_pauses.all()) if rule.group.pk else []  # a new group's
    mine = occurrences([rule], pauses, today, last)
    found = []
    for other in others.filter(start_time__lt=rule.end_time, end_time__gt=rule.start_time):
        theirs = occurrences([other], list(other.group.meeting_pauses.all()), today, last)
        by_day = {item.day: item for item in theirs}
        clash = next((by_day[item.day] for item in mine if item.day in by_day), None)
        if clash is not None:
            found.append((other, clash))
    return found
