"""Demo groups for `seed_demo`: varied and realistic, spread over the office's sites."""

import datetime
import itertools
import json
import re
from pathlib import Path

from django.utils import timezone

from groups.models import Group, GroupChange, Synonym, Topic, Verification
from groups.models.schedules import MeetingRule
from groups.search import reindex_groups
from groups.services import record_change, unique_slug
from kontaktstelle.web import tokens

# Each group: name, topics (thesaurus names or synonyms), audience, format, schedule,
# description.
DATA = json.loads((Path(__file__).parent / "data" / "groups.json").read_text(encoding="utf-8"))
FIELDS = ("name", "topics", "audience", "format", "schedule", "description")


def _rows(key):
    return [tuple(group[field] for field in FIELDS) for group in DATA[key]]


GROUPS = _rows("groups")
# Groups that are never shown publicly: reached only through a consultation.
UNLISTED = _rows("unlisted")
SECOND_OFFICE = _rows("second_office")
DISTRICTS = DATA["districts"]


def resolve_topics(names):
    """Thesaurus topics by name or synonym (case-insensitive); unknown names are skipped."""
    topics = []
    for name in names:
        topic = (
            Topic.objects.filter(name__iexact=name).first()
            or Topic.objects.filter(
                pk__in=Synonym.objects.filter(term__iexact=name).values("topic")
            ).first()
        )
        if topic:
            topics.append(topic)
    return topics


def seed_groups(office, specs, unlisted=()):
    """Create the demo groups of an office once; returns how many were new."""
    if office.groups.exists():
        return 0
    rooms = itertools.cycle(
        [None, *(room for site in office.sites.all() for room in site.rooms.all())]
    )
    districts = itertools.cycle(DISTRICTS)
    city = office.sites.first().city if office.sites.exists() else ""
    today = timezone.localdate()
    created = []
    for number, spec in enumerate([*specs, *unlisted]):
        name, topic_names, audience, fmt, schedule, description = spec
        room = next(rooms) if fmt != Group.Format.ONLINE else None
        group = Group.objects.create(
            office=office,
            name=name,
            slug=unique_slug(name),
            description=description,
            audience=audience,
            age_group=Group.AgeGroup.YOUNG if "jung" in name.lower() else Group.AgeGroup.ALL,
            format=fmt,
            schedule=schedule,
            room=room,
            city="" if room else city,
            district="" if room else next(districts),
            step_free=number % 3 == 0,
            languages="Deutsch; Türkisch" if "Türkisch" in name else "Deutsch",
            status=(
                Group.Status.FOUNDING
                if number % 11 == 4
                else Group.Status.PAUSED
                if number % 17 == 9
                else Group.Status.ACTIVE
            ),
            accepts_new_members=(
                Group.NewMembers.WAITING_LIST if number % 13 == 5 else Group.NewMembers.YES
            ),
            listing=(
                Group.Listing.UNLISTED
                if spec in unlisted
                else Group.Listing.PUBLIC_WITH_PLACE
                if number % 2
                else Group.Listing.PUBLIC_WITHOUT_PLACE
            ),
            last_confirmed_on=today - datetime.timedelta(days=(number * 37) % 500),
            # A contact person for the yearly data check: two in three by e-mail.
            contact_name=f"Ansprechperson {number + 1}",
            contact_email="" if number % 3 == 2 else f"gruppe{number + 1}@beispiel.example",
            contact_phone=f"0351 {4000 + number}",
            founded_on=today - datetime.timedelta(days=200 + number * 53),
        )
        group.topics.set(resolve_topics(topic_names))
        rule = meeting_rule(group, schedule)
        if rule:
            rule.save()
        record_change(group, None, GroupChange.Action.CREATED)
        created.append(group.pk)
    reindex_groups(created)
    _seed_checks(office, today)
    return len(created)


WEEKDAYS = ("montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag")
_SCHEDULE = re.compile(
    r"jeden (?:(?P<week>[1-4])\. )?(?P<day>[a-z]+), (?P<hour>\d{1,2})(?::(?P<minute>\d{2}))? uhr"
)


def meeting_rule(group, schedule):
    """The rule a demo schedule such as "jeden 2. Dienstag, 19 Uhr" says, or None."""
    match = _SCHEDULE.fullmatch(schedule.lower())
    if not match or match["day"] not in WEEKDAYS:
        return None
    start = datetime.time(int(match["hour"]), int(match["minute"] or 0))
    end = datetime.time(min(start.hour + 2, 23), start.minute)
    return MeetingRule(
        group=group,
        kind=MeetingRule.Kind.MONTHLY if match["week"] else MeetingRule.Kind.WEEKLY,
        weekday=WEEKDAYS.index(match["day"]),
        weeks_of_month=match["week"] or "",
        start_time=start,
        end_time=end,
    )


def _seed_checks(office, today):
    """A few running data checks, so that the queue shows each state (links unknown)."""
    now = timezone.now()
    overdue = list(
        office.groups.needs_confirmation(today).exclude(contact_email="").order_by("pk")[:6]
    )
    for index, group in enumerate(overdue):
        sent = now - datetime.timedelta(days=3 + 15 * (index % 3))
        check = Verification(
            group=group,
            channel=Verification.Channel.EMAIL,
            token_hash=tokens.new()[1],  # a link nobody has
            created_at=sent,
            last_sent_at=sent,
            expires_at=sent + datetime.timedelta(days=14),
        )
        if index < 2:  # answered with changes: to review
            check.answered_at = sent + datetime.timedelta(days=2)
            check.token_hash = None
            check.still_meets = Verification.Meets.YES
            check.consent_renewed = True
            check.proposed = {
                "schedule": "jeden 2. und 4. Donnerstag, 18:30 Uhr",
                "accepts_new_members": Group.NewMembers.WAITING_LIST,
            }
        elif index == 2:  # no answer after both reminders
            check.reminders_sent = 2
            check.expires_at = now - datetime.timedelta(days=1)
        check.save()
