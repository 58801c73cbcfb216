"""The office's yearly figures for funders, counted in the database.

Each function takes the office, the period (first and last day, both included) and an
optional site, and answers in a fixed number of queries whatever the amount of data.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils.translation import gettext as _

from groups.models import (
    Consultation,
    Group,
    GroupChange,
    Inquiry,
    ReferralAnswer,
    Topic,
    TopicCategory,
)
from kontaktstelle.web.dates import add_years
from starters.models import Accompaniment, MeetingLog, Starter

SMALL = 3  # a figure about fewer people than this is not shown (per office, per topic area)
FOLLOW_UP_BENCHMARK = 70  # the programme's published share of groups still meeting, in %
TOP_TOPICS = 10


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date

    @property
    def days(self):
        return (self.end - self.start).days + 1

    def previous_year(self):
        return Period(add_years(self.start, -1), add_years(self.end, -1))

    def months(self):
        """(year, month) of every month the period touches, in order."""
        year, month = self.start.year, self.start.month
        while (year, month) <= (self.end.year, self.end.month):
            yield year, month
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)

    def __str__(self):
        return f"{self.start:%d.%m.%Y} – {self.end:%d.%m.%Y}"


def share(part, whole):
    return round(100 * part / whole) if whole else None


def _rows(counts, choices):
    """(label, number) for every choice, in the choices' order, zero where none."""
    return [(label, counts.get(value, 0)) for value, label in choices]


def _consultations(office, period, site=None):
    consultations = Consultation.objects.filter(
        office=office, held_on__gte=period.start, held_on__lte=period.end
    )
    return consultations.filter(site=site) if site else consultations


def consultation_totals(office, period, site=None):
    """The counts of the summary table, in three queries."""
    consultations = _consultations(office, period, site)
    totals = consultations.aggregate(
        total=Count("pk"),
        young=Count("pk", filter=Q(young=True)),
        founding=Count("pk", filter=Q(founding_interest=True)),
        counselling=Count("pk", filter=~Q(counselling="")),
        information=Count("pk", filter=Q(information_only=True)),
    )
    referrals = Consultation.referred_groups.through.objects.filter(
        consultation__office=office,
        consultation__held_on__gte=period.start,
        consultation__held_on__lte=period.end,
    )
    if site:
        referrals = referrals.filter(consultation__site=site)
    totals.update(
        referrals.aggregate(
            referrals=Count("pk"),  # group referrals in all
            referred=Count("consultation", distinct=True),  # consultations with one
        )
    )
    totals["young_share"] = share(totals["young"], totals["total"])
    founding = totals["founding"]
    if not site:  # web founding interests not (yet) counted as a consultation
        founding += Inquiry.objects.filter(
            office=office,
            kind=Inquiry.Kind.FOUNDING_INTEREST,
            created_at__date__gte=period.start,
            created_at__date__lte=period.end,
            consultation__isnull=True,
        ).count()
    return {"totals": totals, "founding_interests": founding}


def consultation_figures(office, period, site=None):
    """The totals and every breakdown of the consultations, in a fixed number of queries."""
    consultations = _consultations(office, period, site)
    by_kind = {"channel": {}, "asker": {}, "counselling": {}}
    for row in consultations.values("channel", "asker", "counselling").annotate(n=Count("pk")):
        for field, counts in by_kind.items():
            counts[row[field]] = counts.get(row[field], 0) + row["n"]
    by_month = {
        (row["y"], row["m"]): row["n"]
        for row in consultations.annotate(y=ExtractYear("held_on"), m=ExtractMonth("held_on"))
        .values("y", "m")
        .annotate(n=Count("pk"))
    }
    sites = (
        consultations.values("site__name")
        .annotate(n=Count("pk"))
        .order_by("-n", F("site__name").asc(nulls_last=True))
    )
    topics = (
        Topic.objects.filter(consultations__in=consultations)
        .annotate(n=Count("consultations"))
        .order_by("-n", "name")[:TOP_TOPICS]
    )
    return {
        **consultation_totals(office, period, site),
        "by_channel": _rows(by_kind["channel"], Consultation.Channel.choices),
        "by_asker": _rows(by_kind["asker"], Consultation.Asker.choices),
        "by_counselling": _rows(by_kind["counselling"], Consultation.Counselling.choices),
        "by_month": [
            (datetime.date(year, month, 1), by_month.get((year, month), 0))
            for year, month in period.months()
        ],
        "by_site": [(row["site__name"] or _("no site"), row["n"]) for row in sites],
        "top_topics": [(topic.name, topic.n) for topic in topics],
    }


def group_figures(office, period):
    groups = Group.objects.filter(office=office)
    closings = GroupChange.objects.filter(group=OuterRef("pk"), action=GroupChange.Action.CLOSED)
    # At the end of the period: founded by then (or since before records began), and not
    # closed by then; a closed group without a recorded closing date counts as closed.
    existing = (
        groups.filter(Q(founded_on__isnull=True) | Q(founded_on__lte=period.end))
        .exclude(Exists(closings.filter(at__date__lte=period.end)))
        .exclude(Q(status=Group.Status.CLOSED) & ~Exists(closings))
    )
    new = groups.filter(founded_on__gte=period.start, founded_on__lte=period.end).count()
    categories = (
        TopicCategory.objects.filter(topics__groups__in=existing)
        .annotate(n=Count("topics__groups", distinct=True))
        .order_by("-n", "name")
    )
    return {
        "new": new,
        "at_end": existing.distinct().count(),
        "by_category": [(category.name, category.n) for category in categories],
    }


def follow_up_figures(office, period, site=None):
    """The follow-up of referrals to groups, by topic area of the referred group.

    For the consultations of the period whose follow-up e-mail went out: the referrals
    asked about, the answers, those who went there and their share of the answers. A
    group in several topic areas counts in each; the total counts every referral once.
    Answers about fewer than ``SMALL`` referrals are hidden (None), and one more row
    when a single hidden one could be worked out from the others and the total. Four
    queries.
    """
    asked_in = _consultations(office, period, site).filter(follow_up__sent_at__isnull=False)
    referrals = Consultation.referred_groups.through.objects.filter(consultation__in=asked_in)
    answers = ReferralAnswer.objects.filter(follow_up__consultation__in=asked_in).order_by()
    arrived = Q(answer=ReferralAnswer.Answer.ARRIVED)
    area = "group__topics__category__name"
    rows = {}
    for row in referrals.values(area).annotate(n=Count("pk", distinct=True)).order_by():
        rows[row[area]] = {"asked": row["n"], "answered": 0, "arrived": 0}
    for row in answers.values(area).annotate(
        answered=Count("pk", distinct=True), arrived=Count("pk", filter=arrived, distinct=True)
    ):
        rows.setdefault(row[area], {"asked": 0}).update(
            answered=row["answered"], arrived=row["arrived"]
        )
    total = {
        "asked": referrals.count(),
        **answers.aggregate(answered=Count("pk"), arrived=Count("pk", filter=arrived)),
    }
    rows = [
        {"label": name or _("no topic area"), **counts}
        for name, counts in sorted(
            rows.items(), key=lambda item: (-item[1]["asked"], item[0] is None, item[0] or "")
        )
    ]
    for row in [*rows, total]:
        row["share"] = share(row["arrived"], row["answered"])
    hidden = [row for row in rows if 0 < row["answered"] < SMALL]
    if len(hidden) == 1:
        shown = [row for row in rows if row["answered"] >= SMALL]
        hidden.append(_second_to_hide(shown, "answered") or total)
    if 0 < total["answered"] < SMALL:
        hidden.append(total)
    for row in hidden:
        row.update(answered=None, arrived=None, share=None)
    return {"rows": rows, "total": total}


def _during(field, period):
    return Q(**{f"{field}__gte": period.start, f"{field}__lte": period.end})


def _accompaniments_in(offices, period):
    accompaniments = Accompaniment.objects.filter(office__in=offices)
    return {
        "started": accompaniments.filter(_during("started_on", period)),
        "completed": accompaniments.filter(
            _during("completed_on", period), status=Accompaniment.Status.COMPLETED
        ),
    }


def _accompaniment_counts(period):
    """Count expressions of accompaniments, for one aggregate or one row per office."""
    completed = _during("completed_on", period) & Q(status=Accompaniment.Status.COMPLETED)
    # Asked at the follow-up, with an answer (not "could not be found out").
    answered = (
        _during("follow_up_on", period)
        & Q(status=Accompaniment.Status.COMPLETED)
        & ~Q(follow_up__in=["", Accompaniment.FollowUp.UNKNOWN])
    )
    return {
        "requests": Count("pk", filter=_during("requested_on", period)),
        "started": Count("pk", filter=_during("started_on", period)),
        "completed": Count("pk", filter=completed),
        "cancelled": Count(
            "pk",
            filter=_during("completed_on", period) & Q(status=Accompaniment.Status.CANCELLED),
        ),
        "answered": Count("pk", filter=answered),
        "still": Count("pk", filter=answered & Q(follow_up=Accompaniment.FollowUp.STILL_MEETS)),
    }


def _logs(offices, period):
    """The meeting logs of the offices' accompaniments in the period."""
    return MeetingLog.objects.filter(_during("held_on", period), accompaniment__office__in=offices)


# Over the logs joined with their volunteers, in one pass: a tandem's meeting counts once
# as a meeting and for both volunteers' hours.
LOG_COUNTS = {
    "meetings": Count("pk", distinct=True),
    "minutes": Sum("duration_minutes", filter=Q(accompanied_by__isnull=False)),
    "starters": Count("accompanied_by", distinct=True),
}


def programme_counts(offices, period):
    """The In-Gang-Setzer counts of one or several offices, in three queries."""
    counts = Accompaniment.objects.filter(office__in=offices).aggregate(
        **_accompaniment_counts(period)
    )
    counts["follow_up_answered"] = counts.pop("answered")
    counts["follow_up_still"] = counts.pop("still")
    logs = _logs(offices, period).aggregate(**LOG_COUNTS)
    counts["meetings"] = logs["meetings"]
    counts["volunteer_hours"] = round((logs["minutes"] or 0) / 60, 1)
    counts["active_starters"] = logs["starters"]
    counts["follow_up_share"] = share(counts["follow_up_still"], counts["follow_up_answered"])
    meetings_of_completed = MeetingLog.objects.filter(
        accompaniment__office__in=offices,
        accompaniment__status=Accompaniment.Status.COMPLETED,
        accompaniment__completed_on__gte=period.start,
        accompaniment__completed_on__lte=period.end,
    ).count()
    counts["average_meetings"] = (
        round(meetings_of_completed / counts["completed"], 1) if counts["completed"] else None
    )
    return counts


def programme_figures(offices, period):
    """The In-Gang-Setzer counts and their breakdowns of one or several offices."""
    chosen = _accompaniments_in(offices, period)
    started_by_kind = dict(chosen["started"].values_list("kind").annotate(n=Count("pk")))
    completed = {
        (row["kind"], row["outcome"]): row["n"]
        for row in chosen["completed"].values("kind", "outcome").annotate(n=Count("pk"))
    }
    by_kind, by_outcome = {}, {}
    for (kind, outcome), n in completed.items():
        by_kind[kind] = by_kind.get(kind, 0) + n
        by_outcome[outcome] = by_outcome.get(outcome, 0) + n
    kinds = Accompaniment.Kind.choices
    return {
        "counts": programme_counts(offices, period),
        "benchmark": FOLLOW_UP_BENCHMARK,
        "started_by_kind": _rows(started_by_kind, kinds),
        "completed_by_kind": _rows(by_kind, kinds),
        "completed_by_outcome": _rows(by_outcome, Accompaniment.Outcome.choices),
        "topics": [
            (topic.name, topic.n)
            for topic in Topic.objects.filter(groups__accompaniments__in=chosen["started"])
            .annotate(n=Count("groups__accompaniments", distinct=True))
            .order_by("-n", "name")[:TOP_TOPICS]
        ],
    }


def starter_rows(office, period):
    """Hours and accompaniments per starter, as funders ask for volunteers' hours."""
    logs = Q(meeting_logs__held_on__gte=period.start, meeting_logs__held_on__lte=period.end)
    return (
        Starter.objects.filter(office=office)
        .annotate(
            meetings=Count("meeting_logs", filter=logs, distinct=True),
            minutes=Sum("meeting_logs__duration_minutes", filter=logs),
            accompaniments=Count("meeting_logs__accompaniment", filter=logs, distinct=True),
        )
        .filter(meetings__gt=0)
        .select_related("user")
        .order_by(F("user__name").asc(nulls_last=True), "pk")
    )


def programme_by_office(offices, period):
    """The programme's figures per office in a fixed number of queries (coordinators)."""
    accompaniments = (
        Accompaniment.objects.filter(office__in=offices)
        .values("office")
        .annotate(
            **_accompaniment_counts(period),
            since_start=Count(
                "pk",
                filter=Q(started_on__isnull=False)
                & Q(status__in=[Accompaniment.Status.ACTIVE, Accompaniment.Status.COMPLETED]),
            ),
        )
    )
    logs = _logs(offices, period).values("accompaniment__office").annotate(**LOG_COUNTS)
    by_office = {office.pk: {"office": office} for office in offices}
    empty = dict.fromkeys(
        [
            "requests",
            "started",
            "completed",
            "cancelled",
            "answered",
            "still",
            "since_start",
            "meetings",
            "minutes",
            "starters",
        ],
        0,
    )
    for row in by_office.values():
        row.update(empty)
    for row in accompaniments:
        by_office[row.pop("office")].update(row)
    for row in logs:
        target = by_office[row.pop("accompaniment__office")]
        target.update(row, minutes=row["minutes"] or 0)
    rows = list(by_office.values())
    for row in rows:
        row["since_start"] += row["office"].accompaniments_before
        row["hours"] = round(row["minutes"] / 60, 1)
    total = {key: sum(row[key] for row in rows) for key in empty if key != "minutes"}
    total["since_start"] = sum(row["since_start"] for row in rows)
    total["hours"] = round(sum(row["minutes"] for row in rows) / 60, 1)
    total["follow_up_share"] = share(total["still"], total["answered"])
    for row in rows:
        row["follow_up_share"] = share(row["still"], row["answered"])
    return rows, total


def suppress_small(rows, keys):
    """Hide per-office figures about 1 or 2 people, and one more in a column where a
    single hidden figure could be worked out from the total (secondary suppression).

    Returns new rows whose hidden values are None.
    """
    shown = [dict(row) for row in rows]
    for key in keys:
        small = [row for row in shown if 0 < (row[key] or 0) < SMALL]
        for row in small:
            row[key] = None
        if len(small) == 1:
            second = _second_to_hide([row for row in shown if row[key] is not None], key)
            if second:
                second[key] = None
    return shown


def _second_to_hide(shown, key):
    """Secondary suppression: where a single figure is hidden, the row whose figure is
    hidden too, so that the first cannot be worked out from the total: the smallest
    other one, a zero only when no other figure is above it (None: no other row)."""
    return min(shown, key=lambda row: (row[key] == 0, row[key]), default=None)
