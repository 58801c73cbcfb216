"""State changes of starters and their training record, each in one transaction."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kontaktstelle.invitations import send_invitation
from kontaktstelle.models import Membership, User
from starters.models import (
    Attendance,
    Certificate,
    CohortParticipation,
    Starter,
)


class StarterError(Exception):
    """A change the current state does not allow; the message is for users."""


@transaction.atomic
def create_starter(acting, form, availability_formset, build_absolute_uri):
    """Create the account, the starter role and the profile, then e-mail an invitation.

    The account has no usable password until the starter sets one through the link.
    """
    user = User.objects.create_user(
        email=form.cleaned_data["email"], name=form.cleaned_data["name"], password=None
    )
    Membership.objects.create(user=user, role=Membership.Role.STARTER, office=acting.office)
    starter = form.save(commit=False)
    starter.user = user
    starter.office = acting.office
    starter.save()
    form.save_m2m()
    availability_formset.instance = starter
    availability_formset.save()
    send_invitation(user, acting, build_absolute_uri)
    return starter


@transaction.atomic
def save_profile(form, availability_formset):
    """Save a starter's profile (staff's form or their own), availability and account.

    A change of status restarts its date; a starter who is no longer paused has no
    date to pause until.
    """
    starter = form.save(commit=False)
    if "status" in form.changed_data:
        starter.status_since = timezone.localdate()
    if starter.status != Starter.Status.PAUSED:
        starter.paused_until = None
    user = starter.user
    for field in ("name", "email"):
        if field in form.cleaned_data:
            setattr(user, field, form.cleaned_data[field])
    user.save(update_fields=["name", "email"])
    starter.save()
    form.save_m2m()
    availability_formset.save()
    return starter


def _qualify(starter, qualifications):
    """Grant qualifications; a starter in training becomes active."""
    if not qualifications:
        return
    starter.qualifications.add(*qualifications)
    if starter.status == Starter.Status.IN_TRAINING:
        starter.status = Starter.Status.ACTIVE
        starter.status_since = timezone.localdate()
        starter.save(update_fields=["status", "status_since", "updated_at"])


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

    Accompaniments and accompanied meetings are counted from their own records once
    those exist; until then they are zero.
    """
    participations = (
        starter.participations.select_related("cohort")
        .filter(cohort__starts_on__lte=end, cohort__ends_on__gte=start)
        .order_by("cohort__starts_on")
    )
    attendances = (
        starter.attendances.select_related("event")
        .filter(event__date__range=(start, end))
        .order_by("event__date")
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
    ) + (attendances.aggregate(total=Sum("event__hours"))["total"] or Decimal(0))
    meeting_hours = Decimal(0)
    return {
        "period": _period(start, end),
        "trainings": trainings,
        "accompaniments": 0,
        "meetings": 0,
        "meeting_hours": _hours(meeting_hours),
        "training_hours": _hours(training_hours),
        "total_hours": _hours(meeting_hours + training_hours),
    }


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
    return certificate
