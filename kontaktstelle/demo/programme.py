"""Demo accompaniments over three years, in every state, with their meeting logs.

Deterministic (a seeded random generator) and idempotent: an office that has
accompaniments already gets none. Starters' loads are set from the open offers and
accepted assignments at the end, so they always match the services' rule.
"""

import datetime
import random

from django.db.models import Count, Q
from django.utils import timezone

from groups import schedules
from groups.models import Group
from kontaktstelle.accounts.models import Membership, User
from starters.models import Accompaniment, Assignment, MeetingLog, MeetingTopic, Starter
from starters.models.accompaniments import DEFAULT_MEETINGS, MAX_MEETINGS

SEED = 5_2026
COUNTS = {"musterstadt": 40}
DEFAULT_COUNT = 8
Status = Accompaniment.Status
State = Assignment.State

NOTES = [
    "Die Gruppe hat sich vorgestellt und erste Erwartungen gesammelt.",
    "Gemeinsam Gesprächsregeln vereinbart; alle kamen zu Wort.",
    "Die Gruppe probiert eine feste Runde zu Beginn aus.",
    "Raumfrage und Schlüssel geklärt, eine Kontaktperson gefunden.",
    "Rollen verteilt: Begrüßung, Zeit im Blick, Kontakt zur Kontaktstelle.",
    "Über die Zeit nach der Begleitung gesprochen.",
    "Abschied der Begleitung; die Gruppe trifft sich weiter.",
    "",
]
TOPICS_BY_STEP = [
    [MeetingTopic.GETTING_TO_KNOW],
    [MeetingTopic.GETTING_TO_KNOW, MeetingTopic.RULES],
    [MeetingTopic.RULES, MeetingTopic.STRUCTURE],
    [MeetingTopic.ORGANISATION, MeetingTopic.STRUCTURE],
    [MeetingTopic.ROLES],
    [MeetingTopic.WITHDRAWAL],
    [MeetingTopic.WITHDRAWAL, MeetingTopic.FAREWELL],
]
DECLINE_REASONS = ["Zu dem Termin bin ich verhindert.", "Das Thema liegt mir zu nah.", ""]
CANCEL_REASONS = [
    "Die Gründerin hat sich zurückgezogen.",
    "Die Gruppe hat keinen Raum gefunden.",
    "Zu wenige Interessierte.",
]


def _plan(rng, count, today):
    """(status, requested days ago) for ``count`` accompaniments, oldest first."""
    states = [Status.REQUESTED] * 3 + [Status.OFFERED] * 3 + [Status.ACTIVE] * 5
    states += [Status.CANCELLED] * 4
    states += [Status.COMPLETED] * max(0, count - len(states))
    states = states[:count] if count < len(states) else states
    if count < 15:
        states = [Status.REQUESTED, Status.OFFERED, Status.ACTIVE, Status.CANCELLED]
        states += [Status.COMPLETED] * (count - 4)
    plan = []
    for status in states:
        if status in (Status.REQUESTED, Status.OFFERED):
            ago = rng.randint(1, 12)
        elif status == Status.ACTIVE:
            ago = rng.randint(20, 70)
        else:
            ago = rng.randint(120, 3 * 365)
        plan.append((status, ago))
    return sorted(plan, key=lambda item: -item[1])


def seed_accompaniments(office):
    """About 40 accompaniments for the main demo office, fewer for the others."""
    if Accompaniment.objects.filter(office=office).exists():
        return 0
    rng = random.Random(f"{SEED}-{office.slug}")  # noqa: S311 - demo data, not secrets  # nosec B311
    today = timezone.localdate()
    staff = list(
        User.objects.filter(
            membership__office=office,
            membership__role__in=[Membership.Role.STAFF, Membership.Role.OFFICE_ADMIN],
        ).order_by("pk")
    )
    starters = list(
        Starter.objects.filter(office=office, status=Starter.Status.ACTIVE)
        .select_related("user")
        .order_by("pk")
    )
    groups = list(Group.objects.filter(office=office).exclude(status=Group.Status.CLOSED))
    if not (staff and starters and groups):
        return 0
    founding = [group for group in groups if group.status == Group.Status.FOUNDING] or groups
    holding = {starter.pk: 0 for starter in starters}
    created = 0
    for status, ago in _plan(rng, COUNTS.get(office.slug, DEFAULT_COUNT), today):
        kind = rng.choices(
            [Accompaniment.Kind.FOUNDING, Accompaniment.Kind.IMPULSE, Accompaniment.Kind.CRISIS],
            weights=[6, 3, 1],
        )[0]
        group = rng.choice(founding if kind == Accompaniment.Kind.FOUNDING else groups)
        requested_on = today - datetime.timedelta(days=ago)
        planned = min(MAX_MEETINGS[kind], DEFAULT_MEETINGS[kind] + rng.choice([-1, 0, 0, 1]))
        rule = schedules.regular_rule(group)
        # Drawn for every request, so that the rest of the demo stays the same.
        weekday, time = rng.randint(0, 4), datetime.time(rng.choice([17, 18, 19]), 0)
        accompaniment = Accompaniment.objects.create(
            office=office,
            group=group,
            kind=kind,
            status=Status.REQUESTED,
            requested_by=rng.choice(["Gründerin", "Gründer", "Gruppensprecherin", "Kontaktperson"]),
            requested_on=requested_on,
            meeting_weekday=rule.weekday if rule else weekday,
            meeting_time=rule.start_time if rule else time,
            meeting_place=str(group.room) if group.room_id else group.city,
            agreed_on=requested_on + datetime.timedelta(days=7),
            agreement="Begleitung der ersten Treffen, danach Ablösung.",
            planned_meetings=planned,
            planned_end=requested_on + datetime.timedelta(days=14 + 14 * planned),
            responsible=rng.choice(staff),
        )
        created += 1
        if status == Status.REQUESTED:
            continue
        team = _team(rng, starters, holding, status, tandem=rng.random() < 0.25)
        if not team:
            continue  # nobody free: it stays a request
        offered_at = timezone.make_aware(
            datetime.datetime.combine(requested_on + datetime.timedelta(days=2), datetime.time(10))
        )
        if status != Status.OFFERED and rng.random() < 0.3:
            declined = [s for s in starters if s not in team]
            if declined:
                Assignment.objects.create(
                    accompaniment=accompaniment,
                    starter=rng.choice(declined),
                    state=State.DECLINED,
                    offered_by=accompaniment.responsible,
                    offered_at=offered_at - datetime.timedelta(days=1),
                    answered_at=offered_at,
                    decline_reason=rng.choice(DECLINE_REASONS),
                )
        _finish(rng, accompaniment, status, team, offered_at, today)
        created += 1
    _set_loads(office)
    return created


def _team(rng, starters, holding, status, tandem):
    """One or two starters; open ones only where they have a free place."""
    open_state = status in (Status.OFFERED, Status.ACTIVE)
    free = [s for s in starters if not open_state or holding[s.pk] < s.capacity]
    if not free:
        return []
    team = rng.sample(free, k=2 if tandem and len(free) > 1 else 1)
    if open_state:
        for starter in team:
            holding[starter.pk] += 1
    return team


def _finish(rng, accompaniment, status, team, offered_at, today):
    answered_at = offered_at + datetime.timedelta(days=1)
    if status == Status.OFFERED:
        for index, starter in enumerate(team):
            # The first offer of the oldest ones is stale: over three days unanswered.
            Assignment.objects.create(
                accompaniment=accompaniment,
                starter=starter,
                offered_by=accompaniment.responsible,
                offered_at=offered_at if index == 0 else offered_at + datetime.timedelta(days=1),
            )
        accompaniment.status = Status.OFFERED
        accompaniment.save(update_fields=["status"])
        return
    started_on = accompaniment.requested_on + datetime.timedelta(days=rng.randint(5, 14))
    started_on = min(started_on, today - datetime.timedelta(days=1))
    state = {Status.ACTIVE: State.ACCEPTED}.get(status, State.ENDED)
    if status == Status.CANCELLED and rng.random() < 0.5:
        state = State.WITHDRAWN  # cancelled before anyone began
        started_on = None
    for starter in team:
        Assignment.objects.create(
            accompaniment=accompaniment,
            starter=starter,
            state=state,
            offered_by=accompaniment.responsible,
            offered_at=offered_at,
            answered_at=answered_at,
        )
    accompaniment.started_on = started_on
    accompaniment.status = status
    if status == Status.ACTIVE:
        logged = rng.randint(1, accompaniment.planned_meetings)
    elif status == Status.COMPLETED:
        logged = max(2, accompaniment.planned_meetings + rng.choice([-2, -1, -1, 0, 0, 0]))
    elif started_on:
        logged = rng.randint(1, 2)
    else:
        logged = 0
    last = _logs(rng, accompaniment, team, started_on, logged, today, status)
    if status == Status.COMPLETED:
        accompaniment.completed_on = min(last + datetime.timedelta(days=7), today)
        accompaniment.outcome = rng.choices(
            [o.value for o in Accompaniment.Outcome], weights=[14, 4, 2, 1]
        )[0]
        due = accompaniment.completed_on <= today - datetime.timedelta(days=182)
        if due and rng.random() < 0.85:
            accompaniment.follow_up_on = accompaniment.completed_on + datetime.timedelta(
                days=rng.randint(182, 200)
            )
            accompaniment.follow_up_on = min(accompaniment.follow_up_on, today)
            accompaniment.follow_up = rng.choices(
                [f.value for f in Accompaniment.FollowUp], weights=[7, 2, 1]
            )[0]
    elif status == Status.CANCELLED:
        accompaniment.completed_on = (last or accompaniment.requested_on) + datetime.timedelta(
            days=5
        )
        accompaniment.cancel_reason = rng.choice(CANCEL_REASONS)
    accompaniment.save()


def _logs(rng, accompaniment, team, started_on, count, today, status):
    """Weekly meeting logs from the start; returns the last meeting's date."""
    day, last = started_on, None
    if not started_on:
        return None
    for step in range(count):
        if day > today:
            break
        participants = rng.randint(3, 12)
        log = MeetingLog.objects.create(
            accompaniment=accompaniment,
            held_on=day,
            starts_at=accompaniment.meeting_time,
            duration_minutes=rng.choice([90, 90, 105, 120]),
            participants=participants,
            newcomers=rng.randint(0, min(3, participants)),
            worked_on=[t.value for t in TOPICS_BY_STEP[min(step, len(TOPICS_BY_STEP) - 1)]],
            process_note=rng.choice(NOTES),
            wants_talk=status == Status.ACTIVE and step == count - 1 and rng.random() < 0.4,
            travel_km=rng.choice([None, 4, 7.5, 12]),
            next_meeting_on=day + datetime.timedelta(days=7) if step == count - 1 else None,
            logged_by=team[0].user,
            created_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(21, 30))),
        )
        log.accompanied_by.set(team)
        last = day
        day += datetime.timedelta(days=7)
    if last and status != Status.ACTIVE:
        MeetingLog.objects.filter(accompaniment=accompaniment, held_on=last).update(
            next_meeting_on=None
        )
    return last


def _set_loads(office):
    """load = open offers and accepted assignments of open accompaniments."""
    counts = dict(
        Starter.objects.filter(office=office)
        .annotate(
            holding=Count(
                "assignments",
                filter=Q(
                    assignments__state__in=[State.OFFERED, State.ACCEPTED],
                    assignments__accompaniment__status__in=Status.open_states(),
                ),
            )
        )
        .values_list("pk", "holding")
    )
    for pk, holding in counts.items():
        Starter.objects.filter(pk=pk).update(load=holding)


def programme_summary():
    by_status = dict(Accompaniment.objects.values_list("status").annotate(n=Count("pk")).order_by())
    states = ", ".join(f"{by_status.get(s, 0)} {s}" for s in Status.values)
    logs = MeetingLog.objects.count()
    return f"Accompaniments: {sum(by_status.values())} ({states}); {logs} meeting logs."
