"""The demo volunteers' training: cohorts and their participation, and a year of
continuing education, exchange meetings and supervision with attendance.

The volunteers' data file (``data/starters.json``) is read here, once.
"""

import datetime
import json
from decimal import Decimal
from pathlib import Path

from starters.models import (
    EXCHANGE_INTERVAL,
    Attendance,
    CohortParticipation,
    Qualification,
    TrainingCohort,
    TrainingEvent,
)

SEASONS = ["Winter"] * 2 + ["Frühjahr"] * 3 + ["Sommer"] * 3 + ["Herbst"] * 3 + ["Winter"]

COMPLETED, CURRENT, REPEATING = "completed", "current", "repeating"
DATA = json.loads((Path(__file__).parent / "data" / "starters.json").read_text(encoding="utf-8"))
EXCHANGE_TITLES = DATA["exchange_titles"]


def _cohorts(office, today):
    """The previous cohort (spring of last year, completed) and the one running now."""
    previous_start = datetime.date(today.year - 1, 2, 6)
    current_start = today - datetime.timedelta(days=70)
    specs = {
        COMPLETED: (
            f"Schulung Frühjahr {previous_start.year}",
            previous_start,
            datetime.date(today.year - 1, 5, 15),
            "Standort Mitte, Gruppenraum 1",
            "Petra Leitner, Jonas Berger",
        ),
        CURRENT: (
            f"Schulung {SEASONS[current_start.month - 1]} {current_start.year}",
            current_start,
            today + datetime.timedelta(days=24),
            "Standort Süd, Raum Eiche",
            "Aylin Demir, Jonas Berger",
        ),
    }
    founding = Qualification.objects.filter(code=Qualification.Code.FOUNDING)
    cohorts, created = {}, 0
    for key, (name, starts_on, ends_on, place, trainers) in specs.items():
        cohort, new = TrainingCohort.objects.get_or_create(
            office=office,
            name=name,
            defaults={
                "starts_on": starts_on,
                "ends_on": ends_on,
                "place": place,
                "trainers": trainers,
                "hours": Decimal(30),
            },
        )
        if new:
            cohort.grants.set(founding)
        cohorts[key] = cohort
        created += new
    return cohorts, created


def _participate(starter, spec, cohorts):
    """Cohort participations as the spec tells; completing one grants founding."""
    wanted = {
        COMPLETED: [(COMPLETED, True)],
        CURRENT: [(CURRENT, False)],
        REPEATING: [(COMPLETED, False), (CURRENT, False)],
    }.get(spec.training, [])
    created = 0
    for key, completed in wanted:
        cohort = cohorts[key]
        _participation, new = CohortParticipation.objects.get_or_create(
            cohort=cohort,
            starter=starter,
            defaults={"completed_on": cohort.ends_on if completed else None},
        )
        if new and completed:
            starter.qualifications.add(*cohort.grants.all())
        created += new
    return created


def _events(office, plan, today):
    """Last year's exchange meetings, supervisions and courses, and the next meeting.

    Returns (event, whether it is new, key of the course or "") in order of date.
    """
    exchange, supervision = TrainingEvent.Kind.EXCHANGE, TrainingEvent.Kind.SUPERVISION
    # Exchange meetings on the second Wednesday of the month, without one in August;
    # supervision on the first Friday of every third month.
    meetings = [_in_month(today, months, 2, 2) for months in range(-1, 12)]
    past = [day for day in meetings if today - EXCHANGE_INTERVAL < day <= today]
    upcoming = min(day for day in meetings if day > today)
    specs = [
        (exchange, EXCHANGE_TITLES[day.month % len(EXCHANGE_TITLES)], day, "2", "", "", "")
        for day in [upcoming, *past[:: plan.exchange_every]]
        if day.month != 8
    ]
    for months in (1, 4, 7, 10):
        day = _in_month(today, months, 4, 1)
        specs.append((supervision, "Gruppensupervision", day, "2.5", "", plan.supervisor, ""))
    for course in plan.courses:
        day = _weekday_before(today - datetime.timedelta(days=course.days_ago), 5)
        specs.append(
            (
                TrainingEvent.Kind.CONTINUING_EDUCATION,
                course.title,
                day,
                course.hours,
                course.grants,
                course.trainers,
                course.key,
            )
        )
    events = []
    for kind, title, day, hours, grants, trainers, course in sorted(specs, key=lambda s: s[2]):
        event, new = TrainingEvent.objects.get_or_create(
            office=office,
            title=title,
            date=day,
            defaults={
                "kind": kind,
                "hours": Decimal(hours),
                "place": plan.place,
                "trainers": trainers or "Fachkräfte der Kontaktstelle",
            },
        )
        if new:
            event.grants.set(Qualification.objects.filter(code__in=grants.split()))
        events.append((event, new, course))
    return events


def _attend(event, course, starters, number):
    """Record who attended a past event; returns how many attendances were new.

    Only starters active that day attend. Attending a qualifying course grants its
    qualifications, as recording the attendance in the office would.
    """
    grants = list(event.grants.all())
    created = 0
    for index, (spec, (first, last), starter) in enumerate(starters):
        if first is None or event.date < first or (last and event.date > last):
            continue
        if course:
            attends = course in spec.courses
        else:
            attends = {
                "often": (number + index) % 3 != 0,
                "sometimes": (number + index) % 3 == 0,
            }.get(spec.exchange, False)
        if not attends:
            continue
        _attendance, new = Attendance.objects.get_or_create(event=event, starter=starter)
        if new and grants:
            starter.qualifications.add(*grants)
        created += new
    return created


def _in_month(today, months_back, weekday, nth):
    """The nth weekday (0 is Monday) of the month so many months before today's."""
    year, month = divmod(today.year * 12 + today.month - 1 - months_back, 12)
    first = datetime.date(year, month + 1, 1)
    return first + datetime.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))


def _weekday_before(day, weekday):
    return day - datetime.timedelta(days=(day.weekday() - weekday) % 7)
