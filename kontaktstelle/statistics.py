"""The office's yearly figures for funders, counted in the database.

Each function takes the office, the period (first and last day, both included) and an
optional site, and answers in a fixed number of queries whatever the amount of data.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils.translation import gettext as _

from groups.models import Consultation, Group, GroupChange, Inquiry, Topic, TopicCategory
from starters.models import Accompaniment, MeetingLog, Starter

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
        return Period(_shift_year(self.start, -1), _shift_year(self.end, -1))

    def months(self):
        """(year, month) of every month the period touches, in order."""
        year, month = self.start.year, self.start.month
        while (year, month) <= (self.end.year, self.end.month):
            yield year, month
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)

    def __str__(self):
        return f"{self.start:%d.%m.%Y} – {self.end:%d.%m.%Y}"


def _shift_year(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def share(part, whole):
    return round(100 * part / whole) if whole else None


def _rows(queryset, field, choices):
    counts = dict(queryset.values_list(field).annotate(n=Count("pk", distinct=True)))
    return [(label, counts.get(value, 0)) for value, label in choices]


def consultation_figures(office, period, site=None):
    consultations = Consultation.objects.filter(
        office=office, held_on__gte=period.start, held_on__lte=period.end
    )
    if site:
        consultations = consultations.filter(site=site)
    totals = consultations.aggregate(
        total=Count("pk"),
        young=Count("pk", filter=Q(young=True)),
        founding=Count("pk", filter=Q(founding_interest=True)),
        counselling=Count("pk", filter=~Q(counselling="")),
        information=Count("pk", filter=Q(information_only=True)),
    )
    totals["referred"] = consultations.filter(referred_groups__isnull=False).distinct().count()
    totals["referrals"] = Consultation.referred_groups.through.objects.filter(
        consultation__in=consultations
    ).count()
    totals["young_share"] = share(totals["young"], totals["total"])
    by_month = {
        (row["y"], row["m"]): row["n"]
        for row in consultations.annotate(y=ExtractYear("held_on"), m=ExtractMonth("held_on"))
        .values("y", "m")
        .annotate(n=Count("pk"))
    }
    sites = consultations.values("site__name").annotate(n=Count("pk")).order_by("-n", "site__name")
    topics = (
        Topic.objects.filter(consultations__in=consultations)
        .annotate(n=Count("consultations"))
        .order_by("-n", "name")[:TOP_TOPICS]
    )
    web_founding = Inquiry.objects.filter(
        office=office,
        kind=Inquiry.Kind.FOUNDING_INTEREST,
        created_at__date__gte=period.start,
        created_at__date__lte=period.end,
        consultation__isnull=True,
    )
    return {
        "totals": totals,
        # Founding interests: counted in consultations, plus web ones not counted there.
        "founding_interests": totals["founding"] + (0 if site else web_founding.count()),
        "by_channel": _rows(consultations, "channel", Consultation.Channel.choices),
        "by_asker": _rows(consultations, "asker", Consultation.Asker.choices),
        "by_counselling": _rows(consultations, "counselling", Consultation.Counselling.choices),
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


def programme_figures(offices, period):
    """The In-Gang-Setzer figures of one or several offices."""
    accompaniments = Accompaniment.objects.filter(office__in=offices)
    started = accompaniments.filter(started_on__gte=period.start, started_on__lte=period.end)
    completed = accompaniments.filter(
        status=Accompaniment.Status.COMPLETED,
        completed_on__gte=period.start,
        completed_on__lte=period.end,
    )
    followed = accompaniments.filter(
        status=Accompaniment.Status.COMPLETED,
        follow_up_on__gte=period.start,
        follow_up_on__lte=period.end,
    ).exclude(follow_up=Accompaniment.FollowUp.UNKNOWN)
    logs = MeetingLog.objects.filter(
        accompaniment__office__in=offices, held_on__gte=period.start, held_on__lte=period.end
    )
    counts = accompaniments.aggregate(
        requests=Count(
            "pk", filter=Q(requested_on__gte=period.start, requested_on__lte=period.end)
        ),
        cancelled=Count(
            "pk",
            filter=Q(
                status=Accompaniment.Status.CANCELLED,
                completed_on__gte=period.start,
                completed_on__lte=period.end,
            ),
        ),
    )
    counts["started"] = started.count()
    counts["completed"] = completed.count()
    counts["meetings"] = logs.count()
    minutes = MeetingLog.accompanied_by.through.objects.filter(meetinglog__in=logs).aggregate(
        total=Sum("meetinglog__duration_minutes")
    )["total"]
    counts["volunteer_hours"] = round((minutes or 0) / 60, 1)
    counts["active_starters"] = (
        Starter.objects.filter(office__in=offices, meeting_logs__in=logs).distinct().count()
    )
    follow_up = followed.aggregate(
        answered=Count("pk"),
        still=Count("pk", filter=Q(follow_up=Accompaniment.FollowUp.STILL_MEETS)),
    )
    counts["follow_up_answered"] = follow_up["answered"]
    counts["follow_up_still"] = follow_up["still"]
    counts["follow_up_share"] = share(follow_up["still"], follow_up["answered"])
    meetings_of_completed = MeetingLog.objects.filter(accompaniment__in=completed).count()
    counts["average_meetings"] = (
        round(meetings_of_completed / counts["completed"], 1) if counts["completed"] else None
    )
    kinds = Accompaniment.Kind.choices
    return {
        "counts": counts,
        "benchmark": FOLLOW_UP_BENCHMARK,
        "started_by_kind": _rows(started, "kind", kinds),
        "completed_by_kind": _rows(completed, "kind", kinds),
        "completed_by_outcome": _rows(completed, "outcome", Accompaniment.Outcome.choices),
        "topics": [
            (topic.name, topic.n)
            for topic in Topic.objects.filter(groups__accompaniments__in=started)
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


SMALL = 3  # a figure about fewer people than this is not shown per office


def programme_by_office(offices, period):
    """The programme's figures per office in a fixed number of queries (coordinators)."""
    in_period = {"gte": period.start, "lte": period.end}

    def within(field):
        return Q(**{f"{field}__{op}": day for op, day in in_period.items()})

    accompaniments = (
        Accompaniment.objects.filter(office__in=offices)
        .values("office")
        .annotate(
            requests=Count("pk", filter=within("requested_on")),
            started=Count("pk", filter=within("started_on")),
            completed=Count(
                "pk", filter=within("completed_on") & Q(status=Accompaniment.Status.COMPLETED)
            ),
            cancelled=Count(
                "pk", filter=within("completed_on") & Q(status=Accompaniment.Status.CANCELLED)
            ),
            answered=Count(
                "pk",
                filter=within("follow_up_on")
                & Q(status=Accompaniment.Status.COMPLETED)
                & ~Q(follow_up=Accompaniment.FollowUp.UNKNOWN),
            ),
            still=Count(
                "pk",
                filter=within("follow_up_on") & Q(follow_up=Accompaniment.FollowUp.STILL_MEETS),
            ),
            since_start=Count(
                "pk",
                filter=Q(started_on__isnull=False)
                & Q(status__in=[Accompaniment.Status.ACTIVE, Accompaniment.Status.COMPLETED]),
            ),
        )
    )
    logs = (
        MeetingLog.objects.filter(
            accompaniment__office__in=offices,
            held_on__gte=period.start,
            held_on__lte=period.end,
        )
        .values("accompaniment__office")
        .annotate(meetings=Count("pk"))
    )
    hours = (
        MeetingLog.accompanied_by.through.objects.filter(
            meetinglog__accompaniment__office__in=offices,
            meetinglog__held_on__gte=period.start,
            meetinglog__held_on__lte=period.end,
        )
        .values("meetinglog__accompaniment__office")
        .annotate(
            minutes=Sum("meetinglog__duration_minutes"), starters=Count("starter", distinct=True)
        )
    )
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
        by_office[row["accompaniment__office"]]["meetings"] = row["meetings"]
    for row in hours:
        target = by_office[row["meetinglog__accompaniment__office"]]
        target["minutes"] = row["minutes"] or 0
        target["starters"] = row["starters"]
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
            others = sorted(
                (row for row in shown if row[key] is not None and row[key] > 0),
                key=lambda row: row[key],
            )
            if others:
                others[0][key] = None
    return shown
