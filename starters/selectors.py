"""Read-side helpers of the programme used by several views (and the dashboard)."""

from django.db.models import Count, Min, Q
from django.utils import timezone

from starters import meeting_logs, services
from starters.models import Accompaniment, Assignment
from starters.models.accompaniments import OFFER_REMINDER_AFTER


def dashboard_figures(user):
    """The accompaniment panel of the staff dashboard, in a fixed number of queries."""
    accompaniments = Accompaniment.objects.for_user(user)
    counts = accompaniments.aggregate(
        requested=Count("pk", filter=Q(status=Accompaniment.Status.REQUESTED)),
        offered=Count("pk", filter=Q(status=Accompaniment.Status.OFFERED)),
        active=Count("pk", filter=Q(status=Accompaniment.Status.ACTIVE)),
        at_end=Count("pk", filter=Q(pk__in=accompaniments.at_planned_end().values("pk"))),
        follow_up=Count("pk", filter=Q(pk__in=accompaniments.follow_up_overdue().values("pk"))),
    )
    counts["running"] = meeting_logs.with_logged(
        accompaniments.filter(status=Accompaniment.Status.ACTIVE).select_related("group")
    ).order_by("started_on", "pk")[:8]
    counts["talks"] = meeting_logs.open_talks(user.office)[:8]
    counts["stale_offers"] = (
        Assignment.objects.filter(accompaniment__office=user.office)
        .unanswered_since(timezone.now() - OFFER_REMINDER_AFTER)
        .count()
    )
    return counts


def meeting_context(accompaniment, user):
    """Logs and progress of an accompaniment, for its starters and for staff."""
    logs = list(
        accompaniment.meeting_logs.select_related("logged_by").prefetch_related(
            "accompanied_by__user"
        )
    )
    # The views have checked that the user is on it (starter) or of its office (staff).
    for log in logs:
        log.editable = user.is_office_staff or log.starter_may_edit()
    last = logs[-1] if logs else None
    return {
        "logs": logs,
        "logged": len(logs),
        "progress": accompaniment.progress(len(logs)),
        "plan_reached": len(logs) >= accompaniment.planned_meetings,
        "next_meeting": meeting_logs.next_meeting(accompaniment, last),
        "can_log": meeting_logs.may_log(accompaniment),
    }


def certificate_context(certificate):
    """What the certificate page shows: frozen figures once signed, else a preview."""
    starter = certificate.starter
    summary = certificate.content or services.activity_summary(
        starter, certificate.period_start, certificate.period_end
    )
    first_site = starter.office.sites.order_by("name").first()
    first_completion = (
        starter.participations.filter(completed_on__isnull=False)
        .order_by("completed_on")
        .values_list("completed_on", flat=True)
        .first()
    )
    # Never after the first accompaniment the certificate counts.
    first_accompaniment = starter.assignments.filter(
        state__in=[Assignment.State.ACCEPTED, Assignment.State.ENDED]
    ).aggregate(first=Min("accompaniment__started_on"))["first"]
    volunteer_since = min(
        day
        for day in (
            first_completion,
            starter.agreement_signed_on,
            starter.created_at.date(),
            first_accompaniment,
        )
        if day
    )
    return {
        "certificate": certificate,
        "starter": starter,
        "office": starter.office,
        "site": first_site,
        "summary": summary,
        "volunteer_since": volunteer_since,
    }
