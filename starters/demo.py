"""Demo starters for `seed_demo`: profiles in every state, two cohorts, a year of training.

Dates count back from the day an office's demo starters were first created, so that a
later run finds every cohort and event under the same natural key and adds nothing.
"""

import datetime
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Min
from django.utils import timezone

from groups.demo import resolve_topics
from kontaktstelle.consent import services as consent
from kontaktstelle.models import Membership, User
from starters.models import (
    EXCHANGE_INTERVAL,
    Attendance,
    Availability,
    CohortParticipation,
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
COMPLETED, CURRENT, REPEATING = "completed", "current", "repeating"

WEEKDAYS = ["Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"]
SEASONS = ["Winter"] * 2 + ["Frühjahr"] * 3 + ["Sommer"] * 3 + ["Herbst"] * 3 + ["Winter"]


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


COURSES = [
    Course(
        "migration",
        "Fortbildung: Gruppen von Menschen mit Migrationserfahrung begleiten",
        200,
        "6",
        "migration",
        "Dr. Leyla Arslan (Interkulturelles Zentrum)",
    ),
    Course(
        "caregiving",
        "Fortbildung: Selbsthilfe für pflegende Angehörige",
        130,
        "4",
        "caregiving",
        "Gerda Baumann (Pflegestützpunkt)",
    ),
    Course(
        "moderation",
        "Fortbildung: Gesprächsführung und schwierige Situationen in Gruppen",
        60,
        "5",
        "",
        "Jonas Berger",
    ),
]

EXCHANGE_TITLES = [
    "Austauschtreffen: Erste Treffen gut vorbereiten",
    "Austauschtreffen: Wann ziehe ich mich zurück?",
    "Austauschtreffen: Fallbesprechung",
    "Austauschtreffen: Online-Gruppen begleiten",
    "Austauschtreffen: Wenn die Gruppe stockt",
    "Austauschtreffen: Gruppenregeln finden",
]

MUSTERSTADT = [
    StarterSpec(
        "Maria Schneider",
        ACTIVE,
        "0123 456711",
        email="igs1@kiss-musterstadt.example",
        languages="de en",
        qualifications="impulse online",
        capacity=3,
        sites="Mitte, Nord",
        towns="Musterstadt",
        availability="Mo 18-21, Do 17:30-20",
        notes="Ansprechpartnerin für neue In-Gang-Setzer:innen; begleitet gern im Tandem.",
        active_days=1500,
        courses=("moderation",),
    ),
    StarterSpec(
        "Thomas Weber",
        ACTIVE,
        "0123 456712",
        email="igs2@kiss-musterstadt.example",
        sites="Mitte",
        car=True,
        transit=False,
        availability="Di 18-21",
        excluded=("Alkohol",),
        training=COMPLETED,
        exchange="sometimes",
    ),
    StarterSpec(
        "Sabine Hoffmann",
        ACTIVE,
        "0123 456713",
        email="igs3@kiss-musterstadt.example",
        qualifications="caregiving",
        sites="Süd",
        towns="Musterstadt-Süd, Altdorf",
        availability="Mi 9-12, Mi 17-20",
        excluded=("Migräne",),
        active_days=900,
    ),
    StarterSpec(
        "Kemal Yıldız",
        ACTIVE,
        "0123 456714",
        email="igs4@kiss-musterstadt.example",
        languages="de tr",
        qualifications="migration impulse",
        sites="Nord",
        towns="Musterstadt-Nord",
        availability="Fr 17-20, Sa 10-13",
        notes="Begleitet auch Gruppen, die sich auf Türkisch treffen.",
        active_days=1200,
        courses=("moderation",),
    ),
    StarterSpec(
        "Renate Fischer",
        PAUSED,
        "0123 456715",
        email="igs5@kiss-musterstadt.example",
        capacity=1,
        sites="Mitte",
        availability="Di 10-12",
        excluded=("Depression",),
        notes="Pausiert auf eigenen Wunsch und meldet sich, wenn sie wieder Zeit hat.",
        active_days=2000,
        status_days=200,
    ),
    StarterSpec(
        "Ayşe Kaya",
        ACTIVE,
        "0123 456716",
        languages="de tr",
        sites="Nord",
        availability="Mo 17-20, Mi 17-20",
        training=COMPLETED,
        courses=("migration",),
    ),
    StarterSpec(
        "Jürgen Brandt",
        ACTIVE,
        "0123 456717",
        languages="de en",
        qualifications="impulse",
        capacity=3,
        towns="Musterstadt, Altdorf, Neuweiler",
        car=True,
        transit=False,
        availability="Di 19-22, Do 19-22",
        notes="Kommt selten zu den Austauschtreffen; beim nächsten Anruf darauf ansprechen.",
        active_days=2400,
        exchange="never",
        courses=("moderation",),
    ),
    StarterSpec(
        "Olena Kovalenko",
        ACTIVE,
        "0123 456718",
        languages="de uk ru",
        sites="Mitte, Süd",
        availability="Sa 10-14",
        training=COMPLETED,
        courses=("migration",),
    ),
    StarterSpec(
        "Michael Schulz",
        ACTIVE,
        "0123 456719",
        capacity=1,
        sites="Süd",
        availability="Mi 18-21",
        active_days=700,
        exchange="never",
    ),
    StarterSpec(
        "Fatma Öztürk",
        ACTIVE,
        "0123 456720",
        languages="de tr",
        sites="Mitte",
        towns="Musterstadt",
        availability="Di 9-12, Do 9-12",
        active_days=1100,
        exchange="sometimes",
        courses=("caregiving",),
    ),
    StarterSpec(
        "Karim Haddad",
        ACTIVE,
        "0123 456721",
        languages="de ar en",
        qualifications="young",
        sites="Mitte, Nord",
        availability="Mo 18-21, Fr 16-19",
        training=COMPLETED,
        courses=("migration", "moderation"),
    ),
    StarterSpec(
        "Ingrid Lehmann",
        RETIRED,
        "0123 456722",
        qualifications="caregiving impulse",
        capacity=0,
        sites="Süd",
        availability="Do 14-17",
        notes="Nach acht Jahren verabschiedet; Dankeschön beim Ehrenamtsempfang.",
        active_days=3000,
        status_days=150,
    ),
    StarterSpec(
        "Anna-Lena Koch",
        IN_TRAINING,
        "0123 456723",
        languages="de en",
        sites="Mitte",
        availability="Mi 18-21, So 16-19",
        training=CURRENT,
    ),
    StarterSpec(
        "Dariusz Nowak",
        ACTIVE,
        "0123 456724",
        languages="de pl",
        sites="Nord, Süd",
        car=True,
        availability="Do 18-21",
        excluded=("Spielsucht",),
        training=COMPLETED,
        exchange="sometimes",
        courses=("caregiving",),
    ),
    StarterSpec(
        "Shirin Rahimi",
        IN_TRAINING,
        "0123 456725",
        languages="de fa en",
        sites="Nord",
        availability="Di 17-20",
        training=CURRENT,
        signed=False,
    ),
    StarterSpec(
        "Lukas Meyer",
        IN_TRAINING,
        "0123 456726",
        capacity=1,
        sites="Mitte",
        availability="Mo 19-21",
        notes=(
            "Konnte die vorige Schulung wegen eines Umzugs nicht abschließen und holt die "
            "fehlenden Termine im aktuellen Durchgang nach."
        ),
        training=REPEATING,
    ),
    StarterSpec(
        "Elena Wagner",
        ACTIVE,
        "0123 456727",
        languages="de ru",
        qualifications="online",
        capacity=0,
        towns="Musterstadt",
        availability="So 18-20",
        notes="Übernimmt bis auf Weiteres keine neue Begleitung, bleibt aber im Verteiler.",
        active_days=800,
        exchange="sometimes",
    ),
    StarterSpec(
        "Mehmet Aydın",
        PAUSED,
        "0123 456728",
        languages="de tr",
        qualifications="migration",
        sites="Nord",
        car=True,
        availability="Sa 10-13",
        notes="Pausiert während einer beruflichen Weiterbildung.",
        active_days=1300,
        status_days=90,
        paused_days=60,
    ),
]

BEISPIELKREIS = [
    StarterSpec(
        "Hans Becker",
        ACTIVE,
        "0987 654311",
        email="igs@selbsthilfe-beispielkreis.example",
        qualifications="impulse",
        towns="Beispielheim, Talhausen",
        car=True,
        transit=False,
        availability="Di 18-21, Do 18-21",
        active_days=1600,
    ),
    StarterSpec(
        "Gabriele Schmitt",
        ACTIVE,
        "0987 654312",
        qualifications="caregiving",
        towns="Beispielheim",
        availability="Mo 9-12",
        excluded=("Trauer",),
        active_days=2100,
        courses=("caregiving",),
    ),
    StarterSpec(
        "Ahmad Karimi",
        ACTIVE,
        "0987 654313",
        languages="de fa",
        towns="Beispielheim, Oberfeld",
        availability="Mi 17-20, Sa 14-17",
        active_days=600,
        courses=("migration",),
    ),
    StarterSpec(
        "Swetlana Wolf",
        ACTIVE,
        "0987 654314",
        languages="de ru",
        towns="Talhausen",
        car=True,
        availability="Do 18-20",
        active_days=1000,
        exchange="never",
    ),
    StarterSpec(
        "Emre Çelik",
        ACTIVE,
        "0987 654315",
        languages="de tr en",
        qualifications="young online",
        towns="Beispielheim",
        availability="Mo 19-22, Fr 18-21",
        active_days=500,
        exchange="sometimes",
    ),
    StarterSpec(
        "Monika Schäfer",
        PAUSED,
        "0987 654316",
        capacity=1,
        towns="Oberfeld",
        car=True,
        transit=False,
        availability="Di 15-18",
        notes="Pausiert während eines Auslandsaufenthalts.",
        active_days=1400,
        status_days=45,
        paused_days=120,
    ),
    StarterSpec(
        "Klaus Zimmermann",
        RETIRED,
        "0987 654317",
        capacity=1,
        towns="Beispielheim",
        availability="Mi 10-12",
        notes="Ist weggezogen; im Austauschtreffen verabschiedet.",
        active_days=3200,
        status_days=420,
    ),
]

PLANS = {
    "musterstadt": OfficePlan(
        starters=MUSTERSTADT,
        place="Standort Mitte, Gruppenraum 1",
        supervisor="Martina Keller (Supervisorin DGSv)",
        courses=COURSES,
    ),
    "beispielkreis": OfficePlan(
        starters=BEISPIELKREIS,
        place="Selbsthilfebüro Beispielkreis, Gruppenraum",
        supervisor="Bernd Hartmann (Supervisor DGSv)",
        exchange_every=2,
        courses=COURSES[:2],
    ),
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
        consent_given_on=consent_on,
        notes=spec.notes,
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
