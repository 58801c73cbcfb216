"""A group's meeting rules as one line of text, for the office's spreadsheet.

The export writes every rule of a group in one cell, and the import reads that cell
back into rules, so that an export imported unchanged changes nothing. The text is
German, as an office would type it; rules are separated by ";":

- ``Di 19:00–21:00``: weekly on Tuesdays;
- ``14-täglich Di 19:00–21:00 ab 06.01.2026``: every two weeks from that first date;
- ``2. und 4. Di 19:00–21:00``, ``letzter Fr 18:00–20:00``: on weeks of the month;
- ``am 12.01.2027, 09.02.2027 19:00–21:00``: on listed dates;
- ``… (Standort – Raum)`` at the end: the rule's own room, where it is not the group's.

Read leniently: full weekday names ("dienstags", "jeden Dienstag"), "14-tägig",
"alle 2 Wochen", "-" or "bis" between the times, "18 Uhr" or "18.30". A rule's note is
not written and is kept when the import leaves the rule as it is.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from groups.models import MeetingRule
from groups.models.schedules import parse_weeks_of_month

DAYS = ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")


DAY_WORDS = {
    **{day.lower(): index for index, day in enumerate(DAYS)},
    **{
        name: index
        for index, names in enumerate(
            (
                "montag montags",
                "dienstag dienstags",
                "mittwoch mittwochs",
                "donnerstag donnerstags",
                "freitag freitags",
                "samstag samstags sonnabend sonnabends",
                "sonntag sonntags",
            )
        )
        for name in names.split()
    },
}


BIWEEKLY = re.compile(r"^(?:14-?tägig|14-?täglich|14-?tägl\.?|alle (?:2|zwei) wochen)\s+")


TIME = r"(\d{1,2})(?:[:.](\d{2}))?(?:\s*uhr)?"


TIMES = re.compile(rf"\s*{TIME}\s*(?:–|-|bis)\s*{TIME}\s*$", re.IGNORECASE)


STARTS = re.compile(r"\s+ab\s+(\d{1,2}\.\d{1,2}\.\d{4})\s*$", re.IGNORECASE)


ROOM = re.compile(r"\s*\(([^()]*)\)\s*$")


WEEK_WORDS = {"1.": 1, "2.": 2, "3.": 3, "4.": 4, "letzter": -1, "letzten": -1}


class RuleTextError(ValueError):
    """A cell that does not say rules; the message is German and names the part."""


@dataclass(frozen=True)
class RuleSpec:
    """What a rule says in the spreadsheet: compared with the rules a group has."""

    kind: str
    weekday: int | None
    weeks: tuple[int, ...]
    start: datetime.time
    end: datetime.time
    starts_on: datetime.date | None = None  # only for every two weeks
    dates: tuple[datetime.date, ...] = ()
    room: str = ""  # the room's label ("site – room"); "" for the group's own
    room_id: int | None = field(default=None, compare=False)


def _time(value):
    return f"{value:%H:%M}"


def spec_of(rule, room_label):
    """The RuleSpec of a saved rule (with its listed dates prefetched or fetched)."""
    dates = tuple(sorted(d.date for d in rule.dates.all())) if rule.kind == "dates" else ()
    return RuleSpec(
        kind=rule.kind,
        weekday=rule.weekday,
        weeks=tuple(rule.weeks) if rule.kind == MeetingRule.Kind.MONTHLY else (),
        start=rule.start_time,
        end=rule.end_time,
        starts_on=rule.starts_on if rule.kind == MeetingRule.Kind.BIWEEKLY else None,
        dates=dates,
        room=room_label(rule.room) if rule.room_id else "",
        room_id=rule.room_id,
    )


def write(specs):
    """The cell's text for a group's rules."""
    return "; ".join(_write_one(spec) for spec in specs)


def _write_one(spec):
    times = f"{_time(spec.start)}–{_time(spec.end)}"
    if spec.kind == MeetingRule.Kind.DATES:
        text = "am " + ", ".join(f"{day:%d.%m.%Y}" for day in spec.dates) + f" {times}"
    elif spec.kind == MeetingRule.Kind.MONTHLY:
        names = [("letzter" if week == -1 else f"{week}.") for week in spec.weeks]
        weeks = " und ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
        text = f"{weeks} {DAYS[spec.weekday]} {times}"
    elif spec.kind == MeetingRule.Kind.BIWEEKLY:
        text = f"14-täglich {DAYS[spec.weekday]} {times} ab {spec.starts_on:%d.%m.%Y}"
    else:
        text = f"{DAYS[spec.weekday]} {times}"
    return f"{text} ({spec.room})" if spec.room else text


def read(text):
    """[RuleSpec] for a cell; raises RuleTextError naming the part it cannot read."""
    specs = []
    for part in text.split(";"):
        part = " ".join(part.split())
        if part:
            specs.append(_read_one(part))
    return specs


def _clock(hour, minute, part):
    try:
        return datetime.time(int(hour), int(minute or 0))
    except ValueError:
        raise RuleTextError(_("“%(part)s”: this time does not exist.") % {"part": part}) from None


def _date(text, part):
    try:
        return datetime.datetime.strptime(text, "%d.%m.%Y").date()
    except ValueError:
        message = _("“%(part)s”: “%(text)s” is not a date (DD.MM.YYYY).")
        raise RuleTextError(message % {"part": part, "text": text}) from None


def _read_one(part):
    rest, room = part, ""
    if match := ROOM.search(rest):
        room, rest = match[1].strip(), rest[: match.start()]
    starts_on = None
    if match := STARTS.search(rest):
        starts_on, rest = _date(match[1], part), rest[: match.start()]
    match = TIMES.search(rest)
    if not match:
        message = _("“%(part)s”: start and end are missing or unclear (e.g. “%(example)s”).")
        raise RuleTextError(message % {"part": part, "example": "Di 19:00–21:00"})
    start, end = _clock(match[1], match[2], part), _clock(match[3], match[4], part)
    if end <= start:
        raise RuleTextError(_("“%(part)s”: the end must be after the start.") % {"part": part})
    rest = rest[: match.start()].strip().lower()
    if rest == "am" or rest.startswith("am "):
        words = rest[2:].replace(",", " ").split()
        dates = tuple(sorted({_date(word, part) for word in words}))
        if not dates:
            raise RuleTextError(_("“%(part)s”: the dates after “am” are missing.") % {"part": part})
        return RuleSpec("dates", None, (), start, end, dates=dates, room=room)
    kind = MeetingRule.Kind.WEEKLY
    if match := BIWEEKLY.match(rest):
        kind, rest = MeetingRule.Kind.BIWEEKLY, rest[match.end() :]
    words = rest.replace(",", " ").replace(" und ", " ").split()
    if words and words[0] == "jeden":
        words = words[1:]
    weeks = []
    while words and words[0] in WEEK_WORDS:
        weeks.append(WEEK_WORDS[words.pop(0)])
    if len(words) != 1 or words[0] not in DAY_WORDS:
        message = _("“%(part)s”: the weekday is unclear (%(days)s).")
        raise RuleTextError(message % {"part": part, "days": ", ".join(DAYS)})
    weekday = DAY_WORDS[words[0]]
    if weeks:
        if kind == MeetingRule.Kind.BIWEEKLY:
            message = _("“%(part)s”: every two weeks and weeks of the month at once.")
            raise RuleTextError(message % {"part": part})
        weeks = tuple(parse_weeks_of_month(",".join(str(week) for week in weeks)))
        return RuleSpec(MeetingRule.Kind.MONTHLY, weekday, weeks, start, end, room=room)
    if kind == MeetingRule.Kind.BIWEEKLY and starts_on is None:
        message = _("“%(part)s”: every two weeks needs its first date, as “ab DD.MM.YYYY”.")
        raise RuleTextError(message % {"part": part})
    return RuleSpec(kind, weekday, (), start, end, starts_on=starts_on, room=room)
