"""Benchmark data at national scale, written in bulk.

``generate(SCALES["large"])`` fills an empty, migrated database with 300 offices in a
few networks, 100,000 groups with their search index, 5,000 starters, 50,000
accompaniments, 500,000 meeting logs and 1,000,000 consultations, in a few minutes.
The data varies the way real data does (popular and rare topics, listing levels,
statuses, sites and rooms, starters with availability, qualifications, languages and
topics they do not accompany, open requests waiting for a match), so that the pages
do the work they would do for real offices.

Office 0 is the office of the benchmark's personas (``measure.py``). It gets the small
scale's counts at every scale, and each office draws from a random generator of its
own, so office 0 is the same, row for row, in both databases: what grows from "small"
to "large" is everything around it. The other offices share the rest by a weight
around the average.

One deliberate departure from the programme: the requested totals (500,000 logs for
50,000 accompaniments) mean about 12 logged meetings per accompaniment that started,
more than the programme's limit of 8. The volume matters here more than the limit.

Rows are made in memory with ids chosen here and streamed by ``loading.Writer`` (COPY
on PostgreSQL). The search index is made by the app's own ``terms_for_group``, the
function ``reindex_groups`` uses, on the groups as generated. The programme's part
(starters, accompaniments, meeting logs) is in ``programme.py``.
"""

import datetime
import hashlib
import heapq
import itertools
import random
import time
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.text import slugify

from groups import geo, search
from groups.models import (
    Consultation,
    Group,
    GroupChange,
    GroupSearchTerm,
    Inquiry,
    MeetingPause,
    MeetingRule,
    Topic,
    Verification,
)
from groups.services import RESERVED_SLUGS
from groups.text import fold
from kontaktstelle.accounts.models import Membership, User
from kontaktstelle.demo.consultations import ASKERS, CHANNELS
from kontaktstelle.offices.models import Network, Office, Room, Site
from starters.models import Accompaniment, Language, MeetingLog, Qualification, Starter
from tests.bench import content
from tests.bench.loading import Progress, Writer
from tests.bench.programme import ProgrammeSteps, split

SEED = 20_261_202
UTC = datetime.UTC
NETWORK_NAMES = ["Nord", "Süd", "West", "Ost", "Mitte", "Südwest", "Nordost", "Rhein-Main"]
START_TIMES = [datetime.time(h, m) for h, m in ((10, 0), (15, 0), (17, 30), (18, 0), (18, 30))]
START_TIMES += [datetime.time(19, 0), datetime.time(19, 30), datetime.time(20, 0)]
HOME_POSTCODE = "37073"  # office 0 is in Göttingen
POSTCODES_PER_OFFICE = 8  # the postcode areas nearest the office's: its groups' places


@dataclass(frozen=True)
class Scale:
    name: str
    offices: int
    networks: int
    groups: int
    starters: int
    accompaniments: int
    meeting_logs: int
    consultations: int

    def expected(self):
        """Row counts by model that a complete generation of this scale leaves."""
        return {
            Office: self.offices,
            Group: self.groups,
            Starter: self.starters,
            Accompaniment: self.accompaniments,
            MeetingLog: self.meeting_logs,
            Consultation: self.consultations,
        }


SCALES = {
    "tiny": Scale("tiny", 2, 1, 60, 10, 16, 80, 200),
    "small": Scale("small", 1, 1, 300, 30, 100, 1_000, 3_000),
    "large": Scale("large", 300, 6, 100_000, 5_000, 50_000, 500_000, 1_000_000),
}


def has_expected_counts(scale):
    """Whether the database holds a complete generation of ``scale``, indexed for search
    and with the groups placed for 'near me' (older generations are made anew)."""
    if any(model.objects.count() != n for model, n in scale.expected().items()):
        return False
    if not Group.objects.filter(latitude__isnull=False).exists():
        return False
    if not MeetingRule.objects.exists():  # made before structured schedules
        return False
    if not Verification.objects.exists():  # made before the yearly data check
        return False
    indexed = GroupSearchTerm.objects.filter(group=OuterRef("pk"))
    return not Group.objects.public().exclude(Exists(indexed)).exists()


def is_empty():
    return not (Office.objects.exists() or Group.objects.exists() or User.objects.exists())


def generate(scale, progress=None, seed=SEED):
    """Fill the empty, migrated database with ``scale``; returns timings and row counts.

    One transaction: afterwards either everything is there or nothing.
    """
    generator = _Generator(scale, Writer(progress or Progress(enabled=False)), seed)
    started = time.perf_counter()
    with transaction.atomic():
        generator.run()
        committing = time.perf_counter()
    # PostgreSQL checks the foreign keys (deferred, as Django declares them) at commit.
    generator.timings["commit"] = round(time.perf_counter() - committing, 1)
    return {
        "scale": scale.name,
        "seconds": round(time.perf_counter() - started, 1),
        "steps": generator.timings,
        "rows": {model._meta.db_table: n for model, n in generator.writer.written.items()},
    }


@dataclass
class _Office:
    index: int
    id: int
    slug: str
    town: str
    places: list  # four districts, then two neighbouring towns
    network: int
    weight: float
    postcodes: list  # the office's and the nearest postcode areas (real ones)
    sites: list = field(default_factory=list)  # ids
    site_postcodes: dict = field(default_factory=dict)  # room id -> its site's postcode
    rooms: list = field(default_factory=list)  # ids
    staff: list = field(default_factory=list)  # user ids of staff and the office admin
    groups: list = field(default_factory=list)  # _Group
    open_groups: list = field(default_factory=list)  # not closed
    groups_by_topic: dict = field(default_factory=dict)  # topic id -> open group ids
    starters: list = field(default_factory=list)  # _Starter


@dataclass
class _Group:
    """What later steps need of a group; also read as a Group by ``search.postings``."""

    id: int
    name: str
    description: str
    city: str
    district: str
    topics: "_Related"  # Topic instances with their synonyms prefetched
    status: str
    listing: str
    audience: str
    format: str
    room: int | None
    weekday: int
    start_time: datetime.time
    step_free_access: bool = False  # its room's, else its own (``Group.step_free_access``)

    @property
    def pk(self):
        return self.id

    # Group's own test of being public reads these.
    Listing, Status = Group.Listing, Group.Status
    is_public = Group.is_public


def _nearest_postcodes(home, count):
    """``home`` and the postcodes whose areas' centres lie nearest to it."""
    centres = geo.postcode_centres()
    point = centres[home]
    return heapq.nsmallest(count, centres, key=lambda code: geo.distance_km(point, centres[code]))


class _Related(list):
    """A list that answers ``.all()``, as a prefetched relation does."""

    def all(self):
        return self


class _Generator(ProgrammeSteps):
    def __init__(self, scale, writer, seed):
        self.scale, self.writer, self.seed = scale, writer, seed
        self.rng = self.seeded("start")
        self.today = timezone.localdate()
        self.first_day = datetime.date(self.today.year - 2, 1, 1)
        self.timings = {}
        self.password = make_password(None)  # unusable: the personas log in without one
        self.topics = list(Topic.objects.select_related("category").prefetch_related("synonyms"))
        self.topic_weights = list(  # cumulative, for fast weighted choices
            itertools.accumulate(
                content.TOPIC_WEIGHTS.get(t.name, content.DEFAULT_TOPIC_WEIGHT) for t in self.topics
            )
        )
        self.by_category = {}
        for topic in self.topics:
            self.by_category.setdefault(topic.category.slug, []).append(topic)
        self.qualifications = {q.code: q.pk for q in Qualification.objects.exclude(code="")}
        self.languages = {language.name: language.pk for language in Language.objects.all()}

    def run(self):
        for step in (
            self.offices,
            self.staff,
            self.groups,
            self.starters,
            self.training,
            self.inquiries,
            self.checks,
            self.programme,
            self.consultations,
        ):
            started = time.perf_counter()
            step()
            self.timings[step.__name__] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        self.writer.reset_sequences()
        self.set_loads()
        self.timings["sequences_and_loads"] = round(time.perf_counter() - started, 1)

    # Chance

    def pick(self, weighted):
        """One key of ``{value: weight}``."""
        return self.rng.choices(list(weighted), weights=list(weighted.values()))[0]

    def chance(self, share):
        return self.rng.random() < share

    def day(self, start=None, end=None):
        """A day from ``start`` (the first day of the data) to ``end`` (today)."""
        start, end = start or self.first_day, end or self.today
        return start + datetime.timedelta(days=self.rng.randint(0, max(0, (end - start).days)))

    def days_ago(self, days):
        return self.today - datetime.timedelta(days=days)

    def moment(self, day, hour_from=8, hour_to=20):
        hour, minute = self.rng.randint(hour_from, hour_to - 1), self.rng.randint(0, 59)
        return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)

    def person(self):
        return f"{self.rng.choice(content.FIRST_NAMES)} {self.rng.choice(content.LAST_NAMES)}"

    def topic(self):
        return self.rng.choices(self.topics, cum_weights=self.topic_weights)[0]

    def phone(self):
        return f"0{self.rng.randint(200, 9999)} {self.rng.randint(10000, 999999)}"

    def seeded(self, step, index=0):
        """A random generator of its own for each step and office: an office's data does
        not depend on the offices before it, so office 0 is the same at every scale."""
        return random.Random(f"{self.seed}:{step}:{index}")

    def counts(self, kind):
        """How many ``kind`` (a count of ``Scale``) each office gets: office 0 as many as
        at the small scale, where there is enough; the others a share by their weight."""
        total, first = getattr(self.scale, kind), getattr(SCALES["small"], kind)
        weights = [office.weight for office in self.office_list]
        if len(weights) == 1 or total < 2 * first:
            return split(total, weights)
        return [first, *split(total - first, weights[1:])]

    def each_office(self, step, kind=None):
        """Each office (with its count of ``kind``), with ``self.rng`` seeded for it."""
        counts = self.counts(kind) if kind else [None] * len(self.office_list)
        for office, count in zip(self.office_list, counts, strict=True):
            self.rng = self.seeded(step, office.index)
            yield (office, count) if kind else office

    # Networks, offices, sites, rooms

    def offices(self):
        scale, writer = self.scale, self.writer
        network_ids = writer.ids(Network, scale.networks)
        writer.write(
            Network,
            [
                {"id": pk, "name": f"IGS-Netzwerk {NETWORK_NAMES[i % len(NETWORK_NAMES)]} {i + 1}"}
                for i, pk in enumerate(network_ids)
            ],
            scale.networks,
        )
        every_postcode = sorted(geo.postcode_centres())
        made_up = (content.made_up_town(n) for n in range(10 * scale.offices))
        towns = content.TOWNS + [town for town in made_up if town not in content.TOWNS]
        self.office_list, rows = [], []
        for i, pk in enumerate(writer.ids(Office, scale.offices)):
            self.rng = rng = self.seeded("offices", i)
            town = towns[i]
            neighbours = [content.made_up_town(rng.randrange(300)) for _ in range(2)]
            home = HOME_POSTCODE if i == 0 else rng.choice(every_postcode)
            office = _Office(
                index=i,
                id=pk,
                slug=slugify(fold(town)),
                town=town,
                places=rng.sample(content.DISTRICTS, 4) + neighbours,
                network=network_ids[i * scale.networks // scale.offices],
                weight=1.0 if i == 0 else rng.uniform(0.5, 1.5),
                postcodes=_nearest_postcodes(home, POSTCODES_PER_OFFICE),
            )
            self.office_list.append(office)
            rows.append(
                {
                    "id": pk,
                    "name": f"Selbsthilfe-Kontaktstelle {town}",
                    "slug": office.slug,
                    "network": office.network,
                    "email": f"info@{office.slug}.bench.example",
                    "phone": self.phone(),
                    "website": f"https://{office.slug}.bench.example",
                    "accompaniments_before": rng.randint(0, 40),
                    "introduction": f"Wir beraten zu Selbsthilfegruppen in {town} und Umgebung.",
                }
            )
        writer.write(Office, rows, len(rows))
        sites, rooms = [], []
        for office in self.each_office("sites"):
            rng = self.rng
            # The personas' office has three sites, as the district office in PRODUCT.md.
            count = 3 if office.index == 0 else self.pick({1: 4, 2: 4, 3: 2})
            for name in content.SITE_NAMES[:count]:
                (site,) = writer.ids(Site, 1)
                office.sites.append(site)
                site_postcode = rng.choice(office.postcodes)
                sites.append(
                    {
                        "id": site,
                        "office": office.id,
                        "name": name,
                        "street": f"{rng.choice(content.STREETS)} {rng.randint(1, 120)}",
                        "postcode": site_postcode,
                        "city": office.places[4] if name == "Außenstelle" else office.town,
                        "opening_hours": "Mo–Do 9–16 Uhr\nFr 9–12 Uhr",
                    }
                )
                for room_name in content.ROOM_NAMES[: rng.randint(1, 3)]:
                    (room,) = writer.ids(Room, 1)
                    office.rooms.append(room)
                    office.site_postcodes[room] = site_postcode
                    rooms.append(
                        {
                            "id": room,
                            "site": site,
                            "name": room_name,
                            "capacity": rng.randint(8, 30),
                            "step_free": self.chance(0.7),
                            "accessible_toilet": self.chance(0.5),
                            "hearing_loop": self.chance(0.15),
                        }
                    )
        writer.write(Site, sites, len(sites))
        writer.write(Room, rooms, len(rooms))
        self.room_step_free = {room["id"]: room["step_free"] for room in rooms}

    # Accounts

    def accounts(self, specs, label):
        """Users and their memberships; ``specs`` are (email, role, office, network)."""
        user_ids = list(self.writer.ids(User, len(specs)))
        joined = datetime.datetime(self.first_day.year, 1, 1, tzinfo=UTC)
        users = [
            {
                "id": pk,
                "password": self.password,
                "email": email,
                "name": self.person(),
                "date_joined": joined,
            }
            for pk, (email, *_rest) in zip(user_ids, specs, strict=True)
        ]
        self.writer.write(User, users, len(users), label=f"{label}: users")
        memberships = [
            {"user": pk, "role": role, "office": office, "network": network}
            for pk, (_email, role, office, network) in zip(user_ids, specs, strict=True)
        ]
        self.writer.write(Membership, memberships, len(specs), label=f"{label}: memberships")
        return user_ids

    def staff(self):
        """An office admin and two to four staff per office; a coordinator per network."""
        Role = Membership.Role
        specs, offices = [], []
        for office in self.each_office("staff"):
            domain = f"{office.slug}.bench.example"
            emails = [f"leitung@{domain}"]
            emails += [f"fachkraft{n or ''}@{domain}" for n in range(self.rng.randint(2, 4))]
            for email in emails:
                role = Role.OFFICE_ADMIN if email.startswith("leitung") else Role.STAFF
                specs.append((email, role, office.id, None))
                offices.append(office)
        for user, office in zip(self.accounts(specs, "staff"), offices, strict=True):
            office.staff.append(user)
        networks = sorted({office.network for office in self.office_list})
        coordinators = [
            (f"koordination@netzwerk-{n}.bench.example", Role.COORDINATOR, None, network)
            for n, network in enumerate(networks, start=1)
        ]
        self.accounts(coordinators, "coordinators")

    # Groups, their topics, history and search index

    def groups(self):
        writer = self.writer
        ids = iter(writer.ids(Group, self.scale.groups))
        slugs = set(RESERVED_SLUGS)
        # Made while written, so that the progress bar shows the making too.
        rows = (
            self.group(office, next(ids), slugs)
            for office, count in self.each_office("groups", "groups")
            for _ in range(count)
        )
        writer.write(Group, rows, self.scale.groups)
        groups = [group for office in self.office_list for group in office.groups]
        pairs = [(group.id, topic.pk) for group in groups for topic in group.topics]
        writer.write_pairs(Group.topics.through, ["group", "topic"], pairs, len(pairs))
        changes = []
        for office in self.each_office("history"):
            for group in office.groups:
                actions = ["created"] + (["closed"] if group.status == Group.Status.CLOSED else [])
                changes += [
                    {
                        "group": group.id,
                        "user": self.rng.choice(office.staff),
                        "at": self.moment(self.day()),
                        "action": action,
                    }
                    for action in actions
                ]
        writer.write(GroupChange, changes, len(changes))
        self.schedules()
        self.search_index(groups)

    def schedules(self):
        """A meeting rule for each group from its weekday and time, in bulk: mostly weekly,
        some every two weeks or on weeks of the month; a few summer breaks and groups
        paused until further notice. A random generator of its own leaves the other
        steps' data as it was."""
        rng = self.seeded("schedules")
        K = MeetingRule.Kind
        rules, pauses = [], []
        for office in self.office_list:
            for group in office.groups:
                kind = rng.choices([K.WEEKLY, K.BIWEEKLY, K.MONTHLY], weights=[55, 20, 25])[0]
                start = group.start_time
                rules.append(
                    {
                        "group": group.id,
                        "kind": kind,
                        "weekday": group.weekday,
                        "weeks_of_month": rng.choice(["2,4", "1,3", "1", "-1"])
                        if kind == K.MONTHLY
                        else "",
                        "start_time": start,
                        "end_time": start.replace(hour=start.hour + 2),
                        "starts_on": self.first_day,
                    }
                )
                if rng.random() < 0.05:
                    summer = datetime.date(self.today.year, 7, 15)
                    pauses.append(
                        {
                            "group": group.id,
                            "starts_on": summer,
                            "ends_on": summer + datetime.timedelta(days=41),
                            "reason": "Sommerpause",
                        }
                    )
                elif rng.random() < 0.02:
                    pauses.append({"group": group.id, "starts_on": self.today, "ends_on": None})
        self.writer.write(MeetingRule, rules, len(rules))
        self.writer.write(MeetingPause, pauses, len(pauses))

    def group(self, office, pk, slugs):
        rng, G = self.rng, Group
        main = self.topic()
        topics = _Related([main])
        for _ in range(self.pick({0: 6, 1: 3, 2: 1})):
            extra = rng.choice(self.by_category[main.category.slug]) if self.chance(0.7) else None
            extra = extra or self.topic()
            if extra not in topics:
                topics.append(extra)
        category = main.category.slug
        audience = self.pick(
            {G.Audience.AFFECTED: 65, G.Audience.RELATIVES: 20, G.Audience.BOTH: 15}
        )
        audience = G.Audience.RELATIVES if category == "angehoerige" else audience
        age_group = self.pick({G.AgeGroup.ALL: 83, G.AgeGroup.YOUNG: 10, G.AgeGroup.SENIORS: 7})
        fmt = self.pick({G.Format.IN_PERSON: 75, G.Format.ONLINE: 12, G.Format.HYBRID: 13})
        status = self.pick(
            {G.Status.ACTIVE: 80, G.Status.FOUNDING: 6, G.Status.PAUSED: 6, G.Status.CLOSED: 8}
        )
        unlisted = {content.ADDICTION_CATEGORY: 0.25}.get(category, 0.05)
        unlisted = 0.7 if category in content.PROTECTED_CATEGORIES else unlisted
        listing = (
            G.Listing.UNLISTED
            if self.chance(unlisted)
            else rng.choice([G.Listing.PUBLIC_WITH_PLACE, G.Listing.PUBLIC_WITHOUT_PLACE])
        )
        new_members = self.pick(
            {G.NewMembers.YES: 80, G.NewMembers.WAITING_LIST: 10, G.NewMembers.NO: 10}
        )
        synonyms = list(main.synonyms.all())
        label = rng.choice(synonyms).term if synonyms and self.chance(0.3) else main.name
        place = rng.choice([office.town, *office.places[:4]])
        name = self.group_name(main, label, place, audience, age_group, fmt)
        # As groups.services.unique_slug makes it, without a query per group.
        base = slugify(name.replace("ß", "ss"))[:200] or "gruppe"
        slug, number = base, 2
        while slug in slugs:
            slug, number = f"{base}-{number}", number + 1
        slugs.add(slug)
        room = street = postcode = city = district = None
        if fmt != G.Format.ONLINE and office.rooms and self.chance(0.45):
            room = rng.choice(office.rooms)  # at the office: the room's address and access
        elif fmt == G.Format.ONLINE:
            city = office.town if self.chance(0.4) else ""
        else:
            street = f"{rng.choice(content.STREETS)} {rng.randint(1, 150)}"
            postcode = rng.choice(office.postcodes)
            city = office.town if self.chance(0.7) else rng.choice(office.places[4:])
            district = rng.choice(office.places[:4]) if self.chance(0.6) else ""
        weekday = self.pick({0: 16, 1: 18, 2: 18, 3: 18, 4: 12, 5: 8, 6: 10})
        start_time = rng.choice(START_TIMES)
        route = self.pick(
            {
                G.ContactRoute.OFFICE: 85,
                G.ContactRoute.GROUP_EMAIL: 10,
                G.ContactRoute.GROUP_PHONE: 5,
            }
        )
        consent = None
        if route != G.ContactRoute.OFFICE or self.chance(0.5):
            consent = self.day(self.days_ago(3000))
        founded = None if self.chance(0.1) else self.day(self.days_ago(9000))
        if status == G.Status.FOUNDING:
            founded = self.day(self.days_ago(200))
        languages = "Deutsch"
        if category == "migration-kultur" or self.chance(0.06):
            languages = rng.choice(["Türkisch; Deutsch", "Russisch; Deutsch", "Arabisch"])
        created = self.moment(self.day(self.days_ago(2500)))
        group = _Group(
            id=pk,
            name=name,
            description=self.description(main, synonyms, audience, age_group, fmt, new_members),
            city=city or "",
            district=district or "",
            topics=topics,
            status=status,
            listing=listing,
            audience=audience,
            format=fmt,
            room=room,
            weekday=weekday,
            start_time=start_time,
        )
        office.groups.append(group)
        if status != G.Status.CLOSED:
            office.open_groups.append(group)
            for topic in topics:
                office.groups_by_topic.setdefault(topic.pk, []).append(group.id)
        own_place = room is None
        # As groups.geo.locate_groups places it: its room's site's postcode area, or its own.
        point = geo.group_point(
            fmt, office.site_postcodes[room] if room else postcode, city, dict
        ) or (None, None)
        row = {
            "id": pk,
            "office": office.id,
            "name": name,
            "slug": slug,
            "description": group.description,
            "audience": audience,
            "age_group": age_group,
            "languages": languages,
            "format": fmt,
            "schedule": self.schedule(weekday, start_time, listing),
            "room": room,
            "street": street or "",
            "postcode": postcode or "",
            "city": group.city,
            "district": group.district,
            "latitude": point[0],
            "longitude": point[1],
            "step_free": own_place and self.chance(0.4),
            "accessible_toilet": own_place and self.chance(0.25),
            "hearing_loop": own_place and self.chance(0.05),
            "status": status,
            "accepts_new_members": new_members,
            "founded_on": founded,
            "listing": listing,
            "consent_published_on": consent,
            "consent_scope": "Name, Treffpunkt, Kontakt" if consent else "",
            "contact_route": route,
            "public_email": f"gruppe-{pk}@gruppen.bench.example"
            if route == G.ContactRoute.GROUP_EMAIL
            else "",
            "public_phone": self.phone() if route == G.ContactRoute.GROUP_PHONE else "",
            "contact_name": self.person(),
            # Every twelfth group has no e-mail address, only a phone: the yearly data
            # check lists it to be called. Chosen by id, so the other data stays as it was.
            "contact_email": "" if pk % 12 == 0 else f"kontakt-{pk}@bench.example",
            "contact_phone": f"0{300 + pk % 600} {100000 + pk}",
            "last_confirmed_on": None if self.chance(0.05) else self.day(self.days_ago(600)),
            "created_at": created,
            "updated_at": created + datetime.timedelta(days=rng.randint(0, 300)),
        }
        group.step_free_access = self.room_step_free[room] if room else row["step_free"]
        return row

    def group_name(self, topic, label, place, audience, age_group, fmt):
        G = Group
        if topic.name in content.ASSOCIATION_NAMES and self.chance(0.4):
            patterns = content.ASSOCIATION_NAMES[topic.name]
        elif audience == G.Audience.RELATIVES and topic.category.slug != "angehoerige":
            patterns = content.RELATIVES_PATTERNS
        elif age_group == G.AgeGroup.YOUNG and self.chance(0.6):
            patterns = content.YOUNG_PATTERNS
        elif fmt == G.Format.ONLINE and self.chance(0.6):
            patterns = content.ONLINE_PATTERNS
        else:
            patterns = content.NAME_PATTERNS
        return self.rng.choice(patterns).format(t=label, p=place)

    def description(self, topic, synonyms, audience, age_group, fmt, new_members):
        rng = self.rng
        sentences = [rng.choice(content.OPENINGS[audience]).format(t=topic.name)]
        sentences += rng.sample(content.MIDDLES, rng.randint(1, 3))
        if synonyms and self.chance(0.5):
            sentences.append(content.SYNONYM_SENTENCE.format(s=rng.choice(synonyms).term))
        sentences.append(
            {
                Group.AgeGroup.YOUNG: content.YOUNG_SENTENCE,
                Group.AgeGroup.SENIORS: content.SENIORS_SENTENCE,
            }.get(age_group, "")
        )
        sentences += [content.FORMAT_SENTENCES[fmt], content.NEW_MEMBER_SENTENCES[new_members]]
        return " ".join(sentence for sentence in sentences if sentence)

    def schedule(self, weekday, start_time, listing):
        if listing == Group.Listing.UNLISTED and self.chance(0.5):
            return "nach Absprache"
        day = content.WEEKDAY_NAMES[weekday]
        hour = f"{start_time:%H:%M} Uhr".replace(":00 Uhr", " Uhr")
        return self.rng.choice(
            [
                f"jeden {day}, {hour}",
                f"jeden 1. und 3. {day}, {hour}",
                f"jeden 2. {day} im Monat, {hour}",
                f"14-täglich {day}s, {hour}",
            ]
        )

    def search_index(self, groups):
        """The rows ``reindex_groups`` writes, made by its own ``postings``."""
        known_words = search.lexicon()
        rows = (
            (group.id, p.term, p.weight, p.audience, p.format, p.sort_name, p.step_free)
            for group in groups
            for p in search.postings(group, known_words)
        )
        # How many terms there are is known only once they are made: the bar estimates.
        self.writer.write_pairs(
            GroupSearchTerm,
            ["group", "term", "weight", "audience", "format", "sort_name", "step_free"],
            rows,
            50 * len(groups),
            "search index",
        )

    # Web requests in the inbox

    def inquiries(self):
        Kind = Inquiry.Kind
        rows = []
        for office in self.each_office("inquiries"):
            for _ in range(3 if self.scale.groups < 100 else 20):
                kind = self.pick({Kind.CONTACT_REQUEST: 80, Kind.FOUNDING_INTEREST: 20})
                created = self.moment(self.day(self.days_ago(700)))
                age = (self.today - created.date()).days
                answered = created + datetime.timedelta(days=2) if age > 14 else None
                # Past the retention period: the personal data is gone, the request counts.
                anonymised = answered + datetime.timedelta(days=183) if age > 190 else None
                contact = kind == Kind.CONTACT_REQUEST
                rows.append(
                    {
                        "office": office.id,
                        "kind": kind,
                        "group": self.rng.choice(office.open_groups).id if contact else None,
                        "name": "" if anonymised else self.person(),
                        "email": "" if anonymised else f"anfrage{created:%j%H%M}@bench.example",
                        "topic": "" if anonymised or contact else self.topic().name,
                        "consent_at": created,
                        "status": Inquiry.Status.DONE if answered else Inquiry.Status.NEW,
                        "created_at": created,
                        "answered_at": answered,
                        "anonymised_at": anonymised,
                    }
                )
        rows += self.open_inquiries()
        self.writer.write(Inquiry, rows, len(rows))

    def open_inquiries(self):
        """The inbox's work: requests of the last two weeks, new or taken on by a staff
        member, more than one page of the inbox (30) per office. A random generator of
        its own leaves the answered requests as they were."""
        Kind, Status = Inquiry.Kind, Inquiry.Status
        rows = []
        for office in self.office_list:
            rng = self.seeded("open-inquiries", office.index)
            for _ in range(4 if self.scale.groups < 100 else 36):
                kind = rng.choices(
                    [Kind.CONTACT_REQUEST, Kind.FOUNDING_INTEREST, Kind.CORRECTION], [75, 15, 10]
                )[0]
                day = self.today - datetime.timedelta(days=rng.randint(0, 14))
                created = datetime.datetime(
                    day.year, day.month, day.day, rng.randint(7, 22), rng.randint(0, 59), tzinfo=UTC
                )
                taken = rng.random() < 0.4
                name = f"{rng.choice(content.FIRST_NAMES)} {rng.choice(content.LAST_NAMES)}"
                rows.append(
                    {
                        "office": office.id,
                        "kind": kind,
                        "group": rng.choice(office.open_groups).id
                        if kind != Kind.FOUNDING_INTEREST
                        else None,
                        "name": name,
                        "email": f"offen{created:%j%H%M}{rng.randint(0, 99)}@bench.example",
                        "topic": self.topics[rng.randrange(len(self.topics))].name
                        if kind == Kind.FOUNDING_INTEREST
                        else "",
                        "message": "Ich würde gern einmal unverbindlich vorbeikommen."
                        if kind == Kind.CONTACT_REQUEST
                        else "",
                        "asker": rng.choice(list(Inquiry.Asker.values)),
                        "consent_at": created,
                        "status": Status.IN_PROGRESS if taken else Status.NEW,
                        "assigned_to": rng.choice(office.staff) if taken else None,
                        "created_at": created,
                    }
                )
        return rows

    # The yearly data check

    def checks(self):
        """The yearly data check of each office, in proportion to its open groups:
        answers waiting for review (3 %), checks without an answer after both
        reminders (1 %), checks waiting for an answer (5 %), and last year's reviewed
        checks (15 %). At most one running check per group, as the database demands."""
        rows = []
        for office in self.office_list:
            rng = self.seeded("checks", office.index)
            groups = office.open_groups
            share = {"review": 0.03, "unanswered": 0.01, "waiting": 0.05}
            counts = {state: max(1, round(len(groups) * part)) for state, part in share.items()}
            running = rng.sample(groups, min(len(groups), sum(counts.values())))
            states = [state for state, n in counts.items() for _ in range(n)]
            for group, state in zip(running, states, strict=False):
                rows.append(self.check(rng, office, group, state))
            for group in rng.sample(groups, round(len(groups) * 0.15)):
                rows.append(self.check(rng, office, group, "reviewed"))
        self.writer.write(Verification, rows, len(rows))

    def check(self, rng, office, group, state):
        M = Verification.Meets
        now = datetime.datetime.combine(self.today, datetime.time(12), tzinfo=UTC)
        days = {"review": (10, 40), "unanswered": (60, 90), "waiting": (1, 30)}
        started = now - datetime.timedelta(days=rng.randint(*days.get(state, (300, 400))))
        row = {
            "group": group.id,
            "channel": Verification.Channel.EMAIL,
            "created_at": started,
            "last_sent_at": started,
            "proposed": {},
            "accepted_fields": [],
        }
        if state in ("waiting", "unanswered"):
            reminders = 2 if state == "unanswered" else rng.randint(0, 1)
            last_sent = started + datetime.timedelta(days=14 * reminders)
            digest = hashlib.sha256(f"bench-check:{group.id}:{started}".encode()).hexdigest()
            row |= {
                "token_hash": digest,
                "reminders_sent": reminders,
                "last_sent_at": last_sent,
                "expires_at": last_sent + datetime.timedelta(days=14),
            }
            return row
        answered = started + datetime.timedelta(days=rng.randint(1, 9))
        meets = rng.choices([M.YES, M.PAUSED, M.NO], [85, 10, 5])[0]
        proposed = {}
        if rng.random() < 0.5:
            proposed["public_phone"] = f"0{rng.randint(200, 999)} {rng.randint(10000, 999999)}"
        if rng.random() < 0.2:
            proposed["accepts_new_members"] = Group.NewMembers.WAITING_LIST.value
        if not proposed or rng.random() < 0.3:
            proposed["schedule"] = f"jeden {content.WEEKDAY_NAMES[rng.randrange(7)]}, 19 Uhr"
        row |= {
            "answered_at": answered,
            "still_meets": meets,
            "consent_renewed": rng.random() < 0.8,
            "proposed": proposed if state == "review" else {},
        }
        if state == "reviewed":
            row |= {
                "reviewed_at": answered + datetime.timedelta(days=3),
                "reviewed_by": rng.choice(office.staff),
                "accepted_fields": sorted(proposed),
            }
        return row

    # Consultations with their topics and referrals

    def consultations(self):
        C = Consultation
        days = (
            self.first_day + datetime.timedelta(n)
            for n in range((self.today - self.first_day).days + 1)
        )
        workdays = [day for day in days if day.weekday() < 5]
        channels, channel_weights = zip(*CHANNELS, strict=True)
        askers, asker_weights = zip(*ASKERS, strict=True)
        counselling = [value for value, _label in C.Counselling.choices]
        topic_ids = [topic.pk for topic in self.topics]
        ids = iter(self.writer.ids(C, self.scale.consultations))
        topics, referrals = [], []

        def rows():  # made while written; the topics and referrals are kept for after
            for office, count in self.each_office("consultations", "consultations"):
                rng = self.rng
                sites, site_weights = [*office.sites, None], [*([10] * len(office.sites)), 1]
                open_groups = [group.id for group in office.open_groups]
                for _ in range(count):
                    pk = next(ids)
                    held_on = rng.choice(workdays)
                    information = self.chance(0.25)  # information only: no referral at all
                    yield {
                        "id": pk,
                        "office": office.id,
                        "site": rng.choices(sites, weights=site_weights)[0],
                        "held_on": held_on,
                        "channel": rng.choices(channels, weights=channel_weights)[0],
                        "asker": rng.choices(askers, weights=asker_weights)[0],
                        "young": self.chance(0.15),
                        "counselling": rng.choice(counselling)
                        if not information and self.chance(0.2)
                        else "",
                        "founding_interest": not information and self.chance(0.03),
                        "information_only": information,
                        "created_by": rng.choice(office.staff),
                        "created_at": self.moment(held_on, 9, 17),
                    }
                    asked = rng.choices(topic_ids, cum_weights=self.topic_weights, k=2)
                    asked = sorted(set(asked[: 2 if self.chance(0.3) else 1]))
                    topics.extend((pk, topic) for topic in asked)
                    if not information and self.chance(0.55):
                        fitting = {g for t in asked for g in office.groups_by_topic.get(t, [])}
                        choices = sorted(fitting) or open_groups
                        chosen = rng.sample(choices, min(len(choices), rng.randint(1, 2)))
                        referrals.extend((pk, group) for group in chosen)

        self.writer.write(C, rows(), self.scale.consultations)
        self.writer.write_pairs(C.topics.through, ["consultation", "topic"], topics, len(topics))
        self.writer.write_pairs(
            C.referred_groups.through, ["consultation", "group"], referrals, len(referrals)
        )
