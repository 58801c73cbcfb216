"""The In-Gang-Setzer programme of the benchmark data: starters and their training,
accompaniments with their assignments and meeting logs.

A part of ``generate._Generator``: the steps use its random generator (seeded per
office), its helpers and its writer, and leave the app's rules intact: starters never
accompany their own topic, nobody is asked beyond their capacity, one log per meeting
day, and each starter's load is counted as the app counts it.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from kontaktstelle.accounts.models import Membership
from starters.models import (
    Accompaniment,
    Assignment,
    Attendance,
    Availability,
    CohortParticipation,
    MeetingLog,
    MeetingTopic,
    Starter,
    TrainingCohort,
    TrainingEvent,
)
from starters.models.accompaniments import MAX_MEETINGS
from tests.bench import content

MEETING_TOPICS = [value for value, _label in MeetingTopic.choices if value != "farewell"]


def split(total, weights):
    """``total`` divided in proportion to ``weights`` (largest remainders), summing exactly."""
    whole = sum(weights)
    shares = [total * weight / whole for weight in weights]
    parts = [int(share) for share in shares]
    for i in sorted(range(len(parts)), key=lambda i: parts[i] - shares[i])[: total - sum(parts)]:
        parts[i] += 1
    return parts


@dataclass
class _Starter:
    id: int
    user: int
    status: str
    capacity: int
    excluded: set  # topic ids they do not accompany
    load: int = 0  # current offers and accepted assignments, kept while generating


class ProgrammeSteps:
    """The steps of the programme; mixed into the generator."""

    # Starters and their training

    def starters(self):
        S = Starter.Status
        specs, statuses, offices = [], [], []
        for office, count in self.each_office("starters", "starters"):
            for n in range(1, count + 1):
                email = f"igs{n}@{office.slug}.bench.example"
                specs.append((email, Membership.Role.STARTER, office.id, None))
                offices.append(office)
                # The first starter of each office is active: the persona of the own area.
                weights = {S.ACTIVE: 70, S.IN_TRAINING: 10, S.PAUSED: 10, S.RETIRED: 10}
                statuses.append(S.ACTIVE if n == 1 else self.pick(weights))
        user_ids = self.accounts(specs, "starters")
        people = iter(zip(self.writer.ids(Starter, len(specs)), user_ids, strict=True))
        rows, availabilities = [], []
        links = {"languages": [], "qualifications": [], "sites": [], "excluded_topics": []}
        by_office = {}
        for office, status in zip(offices, statuses, strict=True):
            by_office.setdefault(office.index, []).append(status)
        for office in self.each_office("profiles"):
            for status in by_office.get(office.index, []):
                pk, user = next(people)
                rows.append(self.starter(office, pk, user, status, links, availabilities))
        self.writer.write(Starter, rows, len(rows))
        for attribute, pairs in links.items():
            relation = getattr(Starter, attribute)
            target = relation.field.m2m_reverse_field_name()  # "language", "topic", ...
            self.writer.write_pairs(relation.through, ["starter", target], pairs, len(pairs))
        self.writer.write(Availability, availabilities, len(availabilities))

    def starter(self, office, pk, user, status, links, availabilities):
        """A starter's profile row; their languages, qualifications, sites, excluded
        topics and weekly availability go into ``links`` and ``availabilities``."""
        rng, S = self.rng, Starter.Status
        capacity = self.pick({1: 20, 2: 55, 3: 25})
        excluded = {self.topic().pk for _ in range(self.pick({0: 50, 1: 35, 2: 15}))}
        office.starters.append(_Starter(pk, user, status, capacity, excluded))
        since = self.day(self.days_ago(2000), self.days_ago(30))
        trained = status != S.IN_TRAINING
        links["languages"].append((pk, self.languages["Deutsch"]))
        if self.chance(0.25):
            other = rng.choice(sorted(set(self.languages) - {"Deutsch"}))
            links["languages"].append((pk, self.languages[other]))
        shares = {"founding": 0.9, "impulse": 0.5, "migration": 0.1, "caregiving": 0.15}
        shares |= {"young": 0.1, "online": 0.2}
        links["qualifications"] += [
            (pk, self.qualifications[code])
            for code, share in shares.items()
            if trained and self.chance(share)
        ]
        sites = rng.sample(office.sites, min(len(office.sites), rng.randint(1, 2)))
        links["sites"] += [(pk, site) for site in sites]
        links["excluded_topics"] += [(pk, topic) for topic in sorted(excluded)]
        for weekday in sorted(rng.sample(range(7), rng.randint(1, 4))):
            start, end = rng.choice([(9, 12), (14, 17), (17, 21), (18, 22)])
            availabilities.append(
                {
                    "starter": pk,
                    "weekday": weekday,
                    "starts_at": datetime.time(start),
                    "ends_at": datetime.time(end),
                }
            )
        return {
            "id": pk,
            "office": office.id,
            "user": user,
            "phone": f"0{rng.randint(150, 179)} {rng.randint(1000000, 9999999)}",
            "status": status,
            "status_since": since,
            "paused_until": self.day(self.today, self.today + datetime.timedelta(120))
            if status == S.PAUSED
            else None,
            "capacity": capacity,
            "load": 0,  # counted from the assignments at the end
            "towns": ", ".join([office.town, *rng.sample(office.places, 2)]),
            "has_car": self.chance(0.5),
            "uses_public_transport": self.chance(0.6),
            "agreement_signed_on": since if trained else None,
            "consent_given_on": since,
            "created_at": self.moment(since),
            "updated_at": self.moment(since),
        }

    def training(self):
        """Per office two past cohorts, a running one, and a few events with attendance."""
        year = self.today.year
        runs = [
            (datetime.date(year - 3, 3, 1), datetime.date(year - 3, 6, 30)),
            (datetime.date(year - 1, 9, 1), datetime.date(year - 1, 12, 15)),
            (datetime.date(year, 9, 1), datetime.date(year + 1, 1, 31)),  # running
        ]
        kinds = ["exchange"] * 3 + ["supervision"] * 3 + ["continuing_education"] * 2
        grants = [self.qualifications["founding"], self.qualifications["impulse"]]
        cohorts, granted, participations, events, attendances = [], [], [], [], []
        for office in self.each_office("training"):
            rng = self.rng
            cohort_ids = self.writer.ids(TrainingCohort, len(runs))
            for pk, (starts, ends) in zip(cohort_ids, runs, strict=True):
                cohorts.append(
                    {
                        "id": pk,
                        "office": office.id,
                        "name": f"Schulung {starts:%Y} ({office.town})",
                        "starts_on": starts,
                        "ends_on": ends,
                        "place": rng.choice(content.COHORT_PLACES),
                        "trainers": rng.choice(content.TRAINERS),
                        "hours": 30,
                    }
                )
                granted += [(pk, qualification) for qualification in grants]
            for starter in office.starters:
                run = 2 if starter.status == Starter.Status.IN_TRAINING else rng.randint(0, 1)
                participations.append(
                    {
                        "cohort": cohort_ids[run],
                        "starter": starter.id,
                        "completed_on": runs[run][1] if run < 2 else None,
                    }
                )
            trained = [s for s in office.starters if s.status != Starter.Status.IN_TRAINING]
            for pk, kind in zip(self.writer.ids(TrainingEvent, len(kinds)), kinds, strict=True):
                events.append(
                    {
                        "id": pk,
                        "office": office.id,
                        "kind": kind,
                        "title": rng.choice(content.EVENT_TITLES[kind]),
                        "date": self.day(self.days_ago(730)),
                        "hours": rng.choice([2, 3, 6]),
                        "place": rng.choice(content.COHORT_PLACES),
                        "trainers": rng.choice(content.TRAINERS),
                    }
                )
                attendances += [(pk, s.id) for s in trained if self.chance(0.5)]
        writer = self.writer
        writer.write(TrainingCohort, cohorts, len(cohorts))
        through = TrainingCohort.grants.through
        writer.write_pairs(through, ["trainingcohort", "qualification"], granted, len(granted))
        writer.write(CohortParticipation, participations, len(participations))
        writer.write(TrainingEvent, events, len(events))
        writer.write_pairs(Attendance, ["event", "starter"], attendances, len(attendances))

    # The programme: accompaniments, assignments, meeting logs

    def programme(self):
        ids = iter(self.writer.ids(Accompaniment, self.scale.accompaniments))
        log_counts = self.counts("meeting_logs")
        accompaniments, rows = [], []
        for office, count in self.each_office("programme", "accompaniments"):
            planned = [self.accompaniment(office, next(ids), i, count) for i in range(count)]
            self.spread_logs(planned, log_counts[office.index])
            rows += [self.finish(item) for item in planned]
            accompaniments += planned
        writer = self.writer
        writer.write(Accompaniment, rows, len(rows))
        needs = [(item["pk"], need) for item in accompaniments for need in item["needs"]]
        writer.write_pairs(
            Accompaniment.needs.through, ["accompaniment", "qualification"], needs, len(needs)
        )
        assignments = [row for item in accompaniments for row in item["assignments"]]
        writer.write(Assignment, assignments, len(assignments))
        logs = [log for item in accompaniments for log in item["logs"]]
        log_ids = writer.ids(MeetingLog, len(logs))
        present = []
        for pk, log in zip(log_ids, logs, strict=True):
            log["id"] = pk
            present += [(pk, starter) for starter in log.pop("present")]
        writer.write(MeetingLog, logs, len(logs))
        through = MeetingLog.accompanied_by.through
        writer.write_pairs(through, ["meetinglog", "starter"], present, len(present))

    def accompaniment(self, office, pk, index, count):
        """One accompaniment as a dict; its dates are finished once its logs are known."""
        rng, A = self.rng, Accompaniment
        S = A.Status
        if index >= count - 2:
            # The last two of each office are open requests waiting for a match: one new,
            # one with an offer out (a tandem partner is still sought).
            status = S.REQUESTED if index == count - 1 else S.OFFERED
            requested = self.day(self.days_ago(10))
        else:
            requested = self.day()
            age = (self.today - requested).days
            if age < 30:
                status = self.pick({S.REQUESTED: 40, S.OFFERED: 30, S.ACTIVE: 30})
            elif age < 120:
                status = self.pick({S.ACTIVE: 60, S.COMPLETED: 25, S.CANCELLED: 10, S.REQUESTED: 5})
            else:
                status = self.pick({S.COMPLETED: 85, S.CANCELLED: 15})
        kind = self.pick({A.Kind.FOUNDING: 70, A.Kind.IMPULSE: 22, A.Kind.CRISIS: 8})
        limit = MAX_MEETINGS[kind]
        item = {
            "pk": pk,
            "office": office,
            "status": status,
            "kind": kind,
            "group": rng.choice(office.open_groups if status in S.open_states() else office.groups),
            "requested": requested,
            "started": None,
            "planned": rng.randint(4, limit) if kind == A.Kind.FOUNDING else rng.randint(1, limit),
            "language": None,
            "needs": [],
            "responsible": rng.choice(office.staff),
            "n_logs": 0,
        }
        if status in (S.ACTIVE, S.COMPLETED):
            started = requested + datetime.timedelta(days=rng.randint(10, 40))
            item["started"] = min(started, self.today)
        if self.chance(0.08):
            item["language"] = self.languages[rng.choice(["Türkisch", "Russisch", "Arabisch"])]
            item["needs"].append(self.qualifications["migration"])
        elif self.chance(0.15):
            item["needs"].append(self.qualifications[rng.choice(["caregiving", "young", "online"])])
        self.assign(item)
        offered = any(row["state"] == Assignment.State.OFFERED for row in item["assignments"])
        if status == S.OFFERED and not offered:
            item["status"] = S.REQUESTED  # nobody free to ask: still waiting
        return item

    def assign(self, item):
        """The starters asked (assignment rows) and those on it (accepted or ended)."""
        rng = self.rng
        S, State = Accompaniment.Status, Assignment.State
        status = item["status"]
        topics = {topic.pk for topic in item["group"].topics}
        is_open = status in S.open_states()
        pool = [
            starter
            for starter in item["office"].starters
            if not starter.excluded & topics  # never their own topic
            and starter.status != Starter.Status.IN_TRAINING
            and (
                not is_open
                or (starter.status == Starter.Status.ACTIVE and starter.load < starter.capacity)
            )
        ]
        rng.shuffle(pool)
        offered_at = self.moment(item["requested"] + datetime.timedelta(days=2))
        item["assignments"], item["team"] = [], []

        def ask(state):
            starter = pool.pop()
            answered = state in (State.ACCEPTED, State.DECLINED, State.ENDED)
            item["assignments"].append(
                {
                    "accompaniment": item["pk"],
                    "starter": starter.id,
                    "state": state,
                    "offered_by": item["responsible"],
                    "offered_at": offered_at,
                    "answered_at": offered_at + datetime.timedelta(days=1) if answered else None,
                    "decline_reason": "Zu dem Termin bin ich verhindert."
                    if state == State.DECLINED
                    else "",
                }
            )
            if is_open and state in (State.OFFERED, State.ACCEPTED):
                starter.load += 1
            if state in (State.ACCEPTED, State.ENDED):
                item["team"].append(starter)

        if pool and self.chance(0.3):
            ask(State.DECLINED)
        if status == S.OFFERED and pool:
            ask(State.OFFERED)
        elif status in (S.ACTIVE, S.COMPLETED):
            for _ in range(min(2 if self.chance(0.4) else 1, len(pool))):  # a tandem or one
                ask(State.ACCEPTED if status == S.ACTIVE else State.ENDED)
        elif status == S.CANCELLED and pool and self.chance(0.5):
            ask(State.WITHDRAWN)

    def spread_logs(self, planned, total):
        """Give the started accompaniments ``total`` logs, one a week from their start."""
        started = [item for item in planned if item["started"] and item["team"]]
        caps = [(self.today - item["started"]).days // 7 + 1 for item in started]
        leftover = total
        if started:
            for item, cap, n in zip(
                started, caps, split(total, [item["planned"] for item in started]), strict=True
            ):
                item["n_logs"] = min(n, cap)
                leftover -= item["n_logs"]
        while leftover:
            free = [item for item, cap in zip(started, caps, strict=True) if item["n_logs"] < cap]
            if not free:
                raise RuntimeError("The accompaniments of an office cannot hold its logs.")
            for item in free[:leftover]:
                item["n_logs"] += 1
                leftover -= 1

    def finish(self, item):
        """The accompaniment's row with its end and follow-up; its logs into ``item``."""
        rng, A = self.rng, Accompaniment
        status, started, group = item["status"], item["started"], item["group"]
        dates = [started + datetime.timedelta(days=7 * k) for k in range(item["n_logs"])]
        row = {
            "id": item["pk"],
            "office": item["office"].id,
            "group": group.id,
            "kind": item["kind"],
            "status": status,
            "requested_by": rng.choice(content.REQUESTED_BY),
            "requested_on": item["requested"],
            "meeting_weekday": group.weekday,
            "meeting_time": group.start_time,
            "meeting_place": "Gruppenraum der Kontaktstelle" if group.room else group.city,
            "language": item["language"],
            "planned_meetings": item["planned"],
            "responsible": item["responsible"],
            "started_on": started,
            "created_at": self.moment(item["requested"]),
        }
        if started:
            row["agreed_on"] = started - datetime.timedelta(days=3)
            row["agreement"] = rng.choice(content.AGREEMENTS)
            row["planned_end"] = started + datetime.timedelta(days=14 * item["planned"])
        if status == A.Status.COMPLETED:
            last = dates[-1] if dates else started
            row["completed_on"] = min(last + datetime.timedelta(days=rng.randint(0, 6)), self.today)
            row["outcome"] = self.pick(
                {
                    A.Outcome.CONTINUES: 70,
                    A.Outcome.NEEDS_SUPPORT: 12,
                    A.Outcome.DISSOLVED: 13,
                    A.Outcome.OTHER: 5,
                }
            )
            due = row["completed_on"] + datetime.timedelta(days=182)
            if due <= self.today and self.chance(0.75):
                row["follow_up_on"] = min(due + datetime.timedelta(rng.randint(0, 40)), self.today)
                row["follow_up"] = self.pick(
                    {A.FollowUp.STILL_MEETS: 70, A.FollowUp.DISSOLVED: 22, A.FollowUp.UNKNOWN: 8}
                )
        elif status == A.Status.CANCELLED:
            ended = item["requested"] + datetime.timedelta(days=rng.randint(5, 60))
            row["completed_on"] = min(ended, self.today)
            row["cancel_reason"] = "Die Gruppe hat sich anders entschieden."
        item["logs"] = [
            self.log(item, held_on, k == len(dates) - 1) for k, held_on in enumerate(dates)
        ]
        return row

    def log(self, item, held_on, last):
        rng = self.rng
        team = [starter.id for starter in item["team"]]
        ends = last and item["status"] == Accompaniment.Status.COMPLETED
        worked_on = rng.sample(MEETING_TOPICS, rng.randint(1, 3))
        if held_on == item["started"]:
            worked_on = [MeetingTopic.GETTING_TO_KNOW.value]
        if ends:
            worked_on = [MeetingTopic.FAREWELL.value]
        participants = rng.randint(3, 14)
        wants_talk = self.chance(0.02)
        return {
            "accompaniment": item["pk"],
            "held_on": held_on,
            "starts_at": item["group"].start_time,
            "duration_minutes": rng.choice([60, 90, 90, 120]),
            "participants": participants,
            "newcomers": rng.randint(0, min(3, participants)),
            "worked_on": worked_on,
            "process_note": rng.choice(content.PROCESS_NOTES) if self.chance(0.3) else "",
            "wants_talk": wants_talk,
            "talk_done_at": self.moment(held_on + datetime.timedelta(days=3))
            if wants_talk and not last
            else None,
            "travel_km": rng.randint(1, 30) if self.chance(0.4) else None,
            "travel_costs": rng.choice([None, None, Decimal("4.00"), Decimal("8.60")]),
            "next_meeting_on": None if ends else held_on + datetime.timedelta(days=7),
            "logged_by": rng.choice(item["team"]).user,
            "created_at": self.moment(held_on, 20, 23),
            "updated_at": self.moment(held_on, 20, 23),
            # Who was there (both of a tandem, mostly); not a column: see ``programme``.
            "present": team if len(team) == 1 or self.chance(0.85) else team[:1],
        }

    def set_loads(self):
        """Each starter's load, counted as the app counts it (``Assignment.current``)."""
        current = (
            Assignment.objects.current()
            .filter(starter=OuterRef("pk"))
            .values("starter")
            .annotate(n=Count("pk"))
            .values("n")
        )
        Starter.objects.update(load=Coalesce(Subquery(current, output_field=IntegerField()), 0))
