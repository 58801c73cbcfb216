"""State changes of training and certificates, and the figures a certificate freezes."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from starters import notifications
from starters.models import (
    Accompaniment,
    Assignment,
    Attendance,
    Certificate,
    CohortParticipation,
    MeetingLog,
    Starter,
)
from starters.services.errors import StarterError
from starters.services.volunteers import _qualify


@transaction.atomic
def add_participants(cohort, starters):
    """Add starters of the cohort's office to it; those already in it stay as they are."""
    for starter in starters:
        if starter.office_id != cohort.office_id:
            raise StarterError(_("Only starters of your office can take part."))
        CohortParticipation.objects.get_or_create(cohort=cohort, starter=starter)


@transaction.atomic
def complete_participation(participation, completed_on):
    """Record that a starter completed the cohort and grant its qualifications."""
    participation = CohortParticipation.objects.select_for_update().get(pk=participation.pk)
    if participation.completed_on:
        raise StarterError(_("This participation is already completed."))
    if completed_on < participation.cohort.starts_on:
        raise StarterError(_("The completion cannot be before the cohort started."))
    if completed_on > timezone.localdate():
        raise StarterError(_("The completion cannot be in the future."))
    participation.completed_on = completed_on
    participation.save(update_fields=["completed_on"])
    starter = Starter.objects.select_for_update().get(pk=participation.starter_id)
    _qualify(starter, list(participation.cohort.grants.all()))
    return participation


@transaction.atomic
def remove_participant(participation):
    """Take a starter off a cohort they have not completed."""
    participation = CohortParticipation.objects.select_for_update().get(pk=participation.pk)
    if participation.completed_on:
        raise StarterError(_("A completed training stays in the record."))
    participation.delete()


@transaction.atomic
def record_attendance(event, starters):
    """Set who attended the event; attendees of a qualifying course get its qualifications.

    Qualifications once granted stay when an attendance is removed later: staff take
    them away on the profile if that was a mistake.
    """
    starters = list(starters)
    if any(starter.office_id != event.office_id for starter in starters):
        raise StarterError(_("Only starters of your office can attend."))
    if event.date > timezone.localdate() and starters:
        raise StarterError(_("Attendance can be recorded once the event has taken place."))
    wanted = {starter.pk for starter in starters}
    event.attendances.exclude(starter_id__in=wanted).delete()
    present = set(event.attendances.values_list("starter_id", flat=True))
    Attendance.objects.bulk_create(
        [Attendance(event=event, starter_id=pk) for pk in wanted - present]
    )
    grants = list(event.grants.all())
    for starter in Starter.objects.select_for_update().filter(pk__in=wanted - present):
        _qualify(starter, grants)


def activity_summary(starter, start, end):
    """The figures of a certificate of volunteer work for the period, as plain data.

    Accompaniments that ran in the period, and the logged meetings the starter
    accompanied, with their hours.
    """
    # The pages that show a summary have the starter's record prefetched already.
    participations = sorted(
        (
            p
            for p in _prefetched(starter, "participations", "cohort")
            if p.cohort.starts_on <= end and p.cohort.ends_on >= start
        ),
        key=lambda p: p.cohort.starts_on,
    )
    attendances = sorted(
        (a for a in _prefetched(starter, "attendances", "event") if start <= a.event.date <= end),
        key=lambda a: a.event.date,
    )
    trainings = [
        {
            "title": p.cohort.name,
            "kind": _("basic training"),
            "dates": _period(p.cohort.starts_on, p.cohort.ends_on),
            "hours": _hours(p.cohort.hours),
            "completed": bool(p.completed_on),
        }
        for p in participations
    ] + [
        {
            "title": a.event.title,
            "kind": str(a.event.get_kind_display()),
            "dates": a.event.date.strftime("%d.%m.%Y"),
            "hours": _hours(a.event.hours),
            "completed": True,
        }
        for a in attendances
    ]
    training_hours = sum(
        (p.cohort.hours or Decimal(0) for p in participations if p.completed_on), Decimal(0)
    ) + sum((a.event.hours or Decimal(0) for a in attendances), Decimal(0))
    meetings = MeetingLog.objects.filter(
        accompanied_by=starter, held_on__gte=start, held_on__lte=end
    ).aggregate(count=Count("pk"), minutes=Sum("duration_minutes"))
    meeting_hours = Decimal(meetings["minutes"] or 0) / 60
    accompaniments = (
        Accompaniment.objects.filter(
            assignments__starter=starter,
            assignments__state__in=[Assignment.State.ACCEPTED, Assignment.State.ENDED],
            started_on__lte=end,
        )
        .exclude(completed_on__lt=start)
        .distinct()
        .count()
    )
    return {
        "period": _period(start, end),
        "trainings": trainings,
        "accompaniments": accompaniments,
        "meetings": meetings["count"],
        "meeting_hours": _hours(meeting_hours),
        "training_hours": _hours(training_hours),
        "total_hours": _hours(meeting_hours + training_hours),
    }


def _prefetched(starter, relation, related):
    """The starter's rows of ``relation`` with ``related``: from the prefetch if there."""
    cached = getattr(starter, "_prefetched_objects_cache", {})
    if relation in cached:
        return list(cached[relation])
    return list(getattr(starter, relation).select_related(related))


def _period(start, end):
    return f"{start:%d.%m.%Y} – {end:%d.%m.%Y}"


def _hours(value):
    """Hours as a string with one decimal (JSON has no decimals); templates localise it."""
    return str(Decimal(value or 0).quantize(Decimal("0.1")))


def year_bounds(today=None):
    today = today or timezone.localdate()
    return datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31)


@transaction.atomic
def request_certificate(starter, period_start, period_end):
    """A certificate waiting for the office's sign-off."""
    return Certificate.objects.create(
        starter=starter, period_start=period_start, period_end=period_end
    )


@transaction.atomic
def sign_certificate(acting, certificate):
    """Freeze the figures and sign off; a signed certificate never changes again."""
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.is_signed:
        raise StarterError(_("This certificate has already been signed off."))
    certificate.content = activity_summary(
        certificate.starter, certificate.period_start, certificate.period_end
    )
    certificate.signed_by = acting
    certificate.signed_on = timezone.localdate()
    certificate.save(update_fields=["content", "signed_by", "signed_on"])
    transaction.on_commit(lambda: notifications.certificate_signed(certificate))
    return certificate
