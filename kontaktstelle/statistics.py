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
