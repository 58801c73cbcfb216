"""Demo starters for `seed_demo`: profiles in every state, two cohorts, a year of training.

Dates count back from the day an office's demo starters were first created, so that a
later run finds every cohort and event under the same natural key and adds nothing."""

import datetime
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Min
from django.utils import timezone

from kontaktstelle.accounts.models import Membership, User
from kontaktstelle.consent import services as consent
from kontaktstelle.demo.groups import resolve_topics
from kontaktstelle.demo.training import (
    COMPLETED,
    CURRENT,
    DATA,
    REPEATING,
    _attend,
    _cohorts,
    _events,
    _participate,
)
from kontaktstelle.web.dates import add_years
from starters.models import (
    Attendance,
    Availability,
    Language,
    Qualification,
    Starter,
    TrainingCohort,
    TrainingEvent,
)

ACTIVE, IN_TRAINING = Starter.Status.ACTIVE, Starter.Status.IN_TRAINING


PAUSED, RETIRED = Starter.Status.PAUSED, Starter.Status.RETIRED


# How a starter came to the programme: trained before the records shown here (""),
# completed the previous cohort, takes part in the current one, or did not finish the
# previous cohort and completes it in the current one.


WEEKDAYS = ["Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"]


@dataclass(frozen=True)
class StarterSpec:
    name: str
    status: str
    phone: str
    email: str = ""  # empty: vorname.nachname@igs.example
    languages: str = "de"
    qualifications: str = ""  # besides founding accompaniment, which all trained ones have
    capacity: int = 2
    sites: str = ""  # endings of site names, comma-separated; empty: every site
    towns: str = ""
    car: bool = False
    transit: bool = True
    availability: str = "Mi 18-21"  # "Mo 18-21, Sa 10-13"
    excluded: tuple = ()
    notes: str = ""
    training: str = ""
    active_days: int = 0  # trained before the records: became active so many days ago
    status_days: int = 0  # paused or retired so many days ago
    paused_days: int | None = None  # paused until so many days from now
    exchange: str = "often"  # often, sometimes or never at exchange meetings and supervision
    courses: tuple = ()  # keys of COURSES attended
    signed: bool = True  # in training: agreement and consent already given
    police_certificate: bool = True  # shown, where the office requires one


@dataclass(frozen=True)
class Course:
    key: str
    title: str
    days_ago: int  # under 230, so after the previous cohort's completion
    hours: str
    grants: str
    trainers: str


@dataclass(frozen=True)
class OfficePlan:
    starters: list
    place: str
    supervisor: str
    exchange_every: int = 1  # months between exchange meetings
    courses: list = field(default_factory=list)


COURSES = [Course(**course) for course in DATA["courses"]]


def _spec(values):
    return StarterSpec(
        **values | {"excluded": tuple(values["excluded"]), "courses": tuple(values["courses"])}
    )


PLANS = {
    slug: OfficePlan(
        **plan
        | {
            "starters": [_spec(values) for values in plan["starters"]],
            "courses": [course for course in COURSES if course.key in plan["courses"]],
        }
    )
    for slug, plan in DATA["plans"].items()
}


def seed_starters(office, password):
    """Create the office's demo starters, cohorts and last year's training events.

    Accounts are found by e-mail, cohorts by name, events by title and date, so running
    it again adds nothing; existing profiles are left as they are. New accounts get
    ``password``. Returns how many records were new.
    """
    plan = PLANS.get(office.slug)
    if plan is None:
        return 0
    today = _reference_date(office, plan.starters)
    needs_cohorts = any(spec.training for spec in plan.starters)
    cohorts, created = _cohorts(office, today) if needs_cohorts else ({}, 0)
    starters = []
    for spec in plan.starters:
        starter, new = _starter(office, spec, password, today, cohorts)
        created += new
        if starter is not None:
            starters.append((spec, _active_period(spec, today, cohorts), starter))
    for number, (event, new, course) in enumerate(_events(office, plan, today)):
        created += new
        if event.date <= today:
            created += _attend(event, course, starters, number)
    return created


def starters_summary():
    """One line on the demo's starters and training record, for the command's output."""
    statuses = Counter(Starter.objects.values_list("status", flat=True))
    by_status = ", ".join(
        f"{statuses[status]} {status.replace('_', ' ')}" for status in Starter.Status.values
    )
    return (
        f"Starters: {sum(statuses.values())} ({by_status}); "
        f"{TrainingCohort.objects.count()} training cohorts; "
        f"{TrainingEvent.objects.count()} training events with "
        f"{Attendance.objects.count()} attendances; "
        f"{Starter.objects.exchange_overdue().count()} overdue for an exchange meeting."
    )


def _email(spec):
    if spec.email:
        return spec.email
    name = spec.name.lower().translate(
        str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ı": "i"})
    )
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return f"{name.replace(' ', '.')}@igs.example"


def _reference_date(office, specs):
    """The day the office's demo starters were first created; today on the first run."""
    first = Starter.objects.filter(
        office=office, user__email__in=[_email(spec) for spec in specs]
    ).aggregate(first=Min("created_at"))["first"]
    return timezone.localdate(first) if first else timezone.localdate()


def _active_from(spec, today, cohorts):
    """The day the starter began accompanying groups; None while in training."""
    if spec.status == IN_TRAINING:
        return None
    if spec.training == COMPLETED:
        return cohorts[COMPLETED].ends_on
    return today - datetime.timedelta(days=spec.active_days)


def _active_period(spec, today, cohorts):
    """(first, last) day on which the starter was active; last is None if they still are."""
    first = _active_from(spec, today, cohorts)
    if first is None or spec.status == ACTIVE:
        return first, None
    return first, today - datetime.timedelta(days=spec.status_days + 1)


def _starter(office, spec, password, today, cohorts):
    """The spec's profile, with account and role when new; (starter, records created)."""
    email = _email(spec)
    user = User.objects.filter(email__iexact=email).first()
    created = 0
    if user is None:
        user = User.objects.create_user(email=email, password=password, name=spec.name)
        Membership.objects.create(user=user, role=Membership.Role.STARTER, office=office)
        created += 1
    starter = Starter.objects.filter(user=user).first()
    if starter is None:
        starter = _create_profile(office, user, spec, today, cohorts)
        created += 1
    if starter.office_id != office.pk:
        return None, created
    created += _participate(starter, spec, cohorts)
    return starter, created


def _create_profile(office, user, spec, today, cohorts):
    active_from = _active_from(spec, today, cohorts)
    if spec.status == IN_TRAINING:
        started = cohorts[COMPLETED if spec.training == REPEATING else CURRENT].starts_on
        status_since = started
        signed_on = started if spec.signed else None
        consent_on = signed_on
    else:
        status_since = (
            active_from
            if spec.status == ACTIVE
            else today - datetime.timedelta(days=spec.status_days)
        )
        signed_on = active_from
        consent_on = (
            cohorts[COMPLETED].starts_on
            if spec.training == COMPLETED
            else active_from - datetime.timedelta(days=120)
        )
    starter = Starter.objects.create(
        office=office,
        user=user,
        phone=spec.phone,
        status=spec.status,
        status_since=status_since,
        paused_until=(
            today + datetime.timedelta(days=spec.paused_days)
            if spec.paused_days is not None
            else None
        ),
        capacity=spec.capacity,
        towns=spec.towns,
        has_car=spec.car,
        uses_public_transport=spec.transit,
        agreement_signed_on=signed_on,
        agreement_renewed_on=_agreement_renewed(office, spec, signed_on, today),
        consent_given_on=consent_on,
        notes=spec.notes,
        **_police_certificate(office, spec, active_from, today),
    )
    consent.sync_consent(None, starter)  # the record that proves the consent date
    starter.languages.set(Language.objects.filter(code__in=spec.languages.split()))
    codes = spec.qualifications.split()
    if spec.status != IN_TRAINING:
        codes.append(Qualification.Code.FOUNDING)
    starter.qualifications.set(Qualification.objects.filter(code__in=codes))
    sites = office.sites.all()
    if spec.sites:
        sites = [site for site in sites if site.name.endswith(tuple(_split(spec.sites)))]
    starter.sites.set(sites)
    starter.excluded_topics.set(resolve_topics(spec.excluded))
    Availability.objects.bulk_create(
        Availability(starter=starter, weekday=weekday, starts_at=start, ends_at=end)
        for weekday, start, end in _windows(spec.availability)
    )
    return starter


def _renewed(first, years, today):
    """The last renewal of a document first dated ``first``, renewed every ``years``."""
    day = first
    while years and add_years(day, years) <= today:
        day = add_years(day, years)
    return day


def _agreement_renewed(office, spec, signed_on, today):
    """Renewed at each due date; a paused volunteer's renewal is still outstanding."""
    if signed_on is None or spec.status == PAUSED:
        return None
    renewed = _renewed(signed_on, office.agreement_renewal_years, today)
    return renewed if renewed != signed_on else None


def _police_certificate(office, spec, active_from, today):
    """Where the office requires one: seen before the volunteer began, renewed in time."""
    if not (office.requires_police_certificate and active_from and spec.police_certificate):
        return {}
    issued = _renewed(
        active_from - datetime.timedelta(days=30), office.police_certificate_renewal_years, today
    )
    return {
        "police_certificate_issued_on": issued,
        "police_certificate_seen_on": issued + datetime.timedelta(days=10),
    }


def _split(text):
    return [part.strip() for part in text.split(",") if part.strip()]


def _windows(text):
    """(weekday, start, end) from "Mo 18-21, Sa 9:30-12"."""
    for part in _split(text):
        day, hours = part.split()
        start, end = hours.split("-")
        yield WEEKDAYS.index(day), _time(start), _time(end)


def _time(text):
    hour, _, minute = text.partition(":")
    return datetime.time(int(hour), int(minute or 0))
