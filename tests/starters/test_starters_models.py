"""Starters: database invariants, querysets and services."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from kontaktstelle.web.validators import validate_phone
from starters import services
from starters.forms import AvailabilityFormSet, CertificateRequestForm, StarterForm
from starters.models import (
    Attendance,
    Availability,
    Certificate,
    CohortParticipation,
    Qualification,
    Starter,
    TrainingEvent,
)
from tests.factories import StarterFactory, TrainingCohortFactory, TrainingEventFactory

TODAY = timezone.localdate()


def founding():
    return Qualification.objects.get(code=Qualification.Code.FOUNDING)


def test_shipped_qualifications_and_languages(db):
    codes = set(Qualification.objects.exclude(code="").values_list("code", flat=True))
    assert codes == set(Qualification.Code.values)
    assert founding().name == "Gründungsbegleitung"


@pytest.mark.parametrize("capacity", [11, 200])
def test_database_refuses_capacity_over_ten(office, capacity):
    starter = StarterFactory(office=office)
    starter.capacity = capacity
    with pytest.raises(IntegrityError), transaction.atomic():
        starter.save()


def test_database_refuses_negative_capacity(office):
    starter = StarterFactory(office=office)
    starter.capacity = -1
    with pytest.raises(IntegrityError), transaction.atomic():
        starter.save()


def test_database_refuses_availability_ending_before_start(office):
    starter = StarterFactory(office=office)
    with pytest.raises(IntegrityError), transaction.atomic():
        Availability.objects.create(
            starter=starter,
            weekday=1,
            starts_at=datetime.time(19),
            ends_at=datetime.time(18),
        )


def test_database_refuses_paused_until_unless_paused(office):
    starter = StarterFactory(office=office, status=Starter.Status.ACTIVE)
    starter.paused_until = TODAY
    with pytest.raises(IntegrityError), transaction.atomic():
        starter.save()


def test_one_participation_per_cohort_and_one_attendance_per_event(office):
    starter = StarterFactory(office=office)
    cohort = TrainingCohortFactory(office=office)
    event = TrainingEventFactory(office=office)
    CohortParticipation.objects.create(cohort=cohort, starter=starter)
    Attendance.objects.create(event=event, starter=starter)
    with pytest.raises(IntegrityError), transaction.atomic():
        CohortParticipation.objects.create(cohort=cohort, starter=starter)
    with pytest.raises(IntegrityError), transaction.atomic():
        Attendance.objects.create(event=event, starter=starter)


def test_database_refuses_half_signed_certificate(office, staff):
    starter = StarterFactory(office=office)
    with pytest.raises(IntegrityError), transaction.atomic():
        Certificate.objects.create(
            starter=starter, period_start=TODAY, period_end=TODAY, signed_by=staff
        )


@pytest.mark.parametrize(
    "value", ["0123 456789", "+49 (0)30 1234567", "030/1234-567", "+4930123456789"]
)
def test_phone_validator_accepts(value):
    validate_phone(value)


@pytest.mark.parametrize("value", ["123", "abc 456789", "0123 456789 ext", "1" * 16, "--"])
def test_phone_validator_refuses(value):
    with pytest.raises(ValidationError):
        validate_phone(value)


def starter_form_data(**overrides):
    data = {
        "name": "Erika Muster",
        "email": "erika@example.org",
        "status": Starter.Status.ACTIVE,
        "phone": "0123 456789",
        "capacity": "2",
        "towns": "",
        "notes": "",
    }
    return data | overrides


@pytest.mark.parametrize(
    ("field", "value"),
    [("phone", "call me"), ("capacity", "11"), ("capacity", "-1"), ("email", "no-address")],
)
def test_starter_form_gives_field_errors(office, field, value):
    form = StarterForm(starter_form_data(**{field: value}), office=office)
    assert not form.is_valid()
    assert field in form.errors


def test_starter_form_refuses_an_e_mail_in_use_in_any_case(office, staff):
    form = StarterForm(starter_form_data(email="FACHKRAFT@example.org"), office=office)
    assert not form.is_valid()
    assert "email" in form.errors


def test_starter_form_refuses_paused_until_when_not_paused(office):
    form = StarterForm(starter_form_data(paused_until=TODAY.isoformat()), office=office)
    assert not form.is_valid()
    assert "paused_until" in form.errors


def availability_data(rows, prefix="availability"):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "21",
    }
    for index, (weekday, start, end) in enumerate(rows):
        data |= {
            f"{prefix}-{index}-weekday": str(weekday),
            f"{prefix}-{index}-starts_at": start,
            f"{prefix}-{index}-ends_at": end,
        }
    return data


def test_availability_end_before_start_is_a_field_error(office):
    formset = AvailabilityFormSet(
        availability_data([(1, "19:00", "18:00")]),
        instance=StarterFactory(office=office),
        prefix="availability",
    )
    assert not formset.is_valid()
    assert "ends_at" in formset.forms[0].errors


def test_overlapping_availability_on_one_day_is_refused(office):
    formset = AvailabilityFormSet(
        availability_data([(1, "17:00", "19:00"), (1, "18:30", "21:00"), (2, "18:00", "19:00")]),
        instance=StarterFactory(office=office),
        prefix="availability",
    )
    assert not formset.is_valid()
    assert [error.code for error in formset.non_form_errors().as_data()] == ["overlap"]


def test_available_at_matches_weekday_and_time_of_day(office):
    evening = StarterFactory(office=office)
    Availability.objects.create(
        starter=evening, weekday=1, starts_at=datetime.time(18), ends_at=datetime.time(21)
    )
    morning = StarterFactory(office=office)
    Availability.objects.create(
        starter=morning, weekday=1, starts_at=datetime.time(9), ends_at=datetime.time(11)
    )
    StarterFactory(office=office)
    starters = Starter.objects.for_office(office)
    assert set(starters.available_at(1, "evening")) == {evening}
    assert set(starters.available_at(1, "morning")) == {morning}
    assert set(starters.available_at(1, None)) == {evening, morning}
    assert set(starters.available_at(None, "afternoon")) == set()
    assert set(starters.available_at(2, None)) == set()


def test_exchange_overdue_after_twelve_months(office):
    # Volunteers for two years: the twelve months are counted from their agreement.
    since = TODAY - datetime.timedelta(days=730)
    recent = StarterFactory(office=office, status=Starter.Status.ACTIVE, agreement_signed_on=since)
    long_ago = StarterFactory(
        office=office, status=Starter.Status.ACTIVE, agreement_signed_on=since
    )
    never = StarterFactory(office=office, status=Starter.Status.PAUSED, agreement_signed_on=since)
    course_only = StarterFactory(
        office=office, status=Starter.Status.ACTIVE, agreement_signed_on=since
    )
    StarterFactory(office=office, status=Starter.Status.RETIRED)
    StarterFactory(office=office, status=Starter.Status.IN_TRAINING)
    Attendance.objects.create(
        starter=recent,
        event=TrainingEventFactory(office=office, date=TODAY - datetime.timedelta(days=300)),
    )
    Attendance.objects.create(
        starter=long_ago,
        event=TrainingEventFactory(
            office=office,
            kind=TrainingEvent.Kind.SUPERVISION,
            date=TODAY - datetime.timedelta(days=400),
        ),
    )
    Attendance.objects.create(
        starter=course_only,
        event=TrainingEventFactory(
            office=office, kind=TrainingEvent.Kind.CONTINUING_EDUCATION, date=TODAY
        ),
    )
    overdue = set(Starter.objects.for_office(office).exchange_overdue())
    assert overdue == {long_ago, never, course_only}


def test_completing_a_cohort_grants_its_qualification_and_activates(office):
    starter = StarterFactory(office=office, status=Starter.Status.IN_TRAINING)
    cohort = TrainingCohortFactory(office=office, starts_on=TODAY - datetime.timedelta(days=90))
    cohort.grants.set([founding()])
    participation = CohortParticipation.objects.create(cohort=cohort, starter=starter)
    services.complete_participation(participation, TODAY)
    starter.refresh_from_db()
    assert starter.status == Starter.Status.ACTIVE
    assert starter.status_since == TODAY
    assert list(starter.qualifications.all()) == [founding()]
    with pytest.raises(services.StarterError):
        services.complete_participation(participation, TODAY)


@pytest.mark.parametrize("days", [-200, 1])
def test_completion_date_must_lie_within_the_cohort_and_not_in_the_future(office, days):
    starter = StarterFactory(office=office, status=Starter.Status.IN_TRAINING)
    cohort = TrainingCohortFactory(office=office, starts_on=TODAY - datetime.timedelta(days=90))
    participation = CohortParticipation.objects.create(cohort=cohort, starter=starter)
    with pytest.raises(services.StarterError):
        services.complete_participation(participation, TODAY + datetime.timedelta(days=days))
    participation.refresh_from_db()
    assert participation.completed_on is None


def test_completion_keeps_a_paused_starter_paused(office):
    starter = StarterFactory(office=office, status=Starter.Status.PAUSED)
    cohort = TrainingCohortFactory(office=office, starts_on=TODAY - datetime.timedelta(days=9))
    cohort.grants.set([founding()])
    participation = CohortParticipation.objects.create(cohort=cohort, starter=starter)
    services.complete_participation(participation, TODAY)
    starter.refresh_from_db()
    assert starter.status == Starter.Status.PAUSED


def test_attending_a_qualifying_course_grants_it(office):
    migration = Qualification.objects.get(code=Qualification.Code.MIGRATION)
    course = TrainingEventFactory(
        office=office, kind=TrainingEvent.Kind.CONTINUING_EDUCATION, date=TODAY
    )
    course.grants.set([migration])
    attendee = StarterFactory(office=office, status=Starter.Status.ACTIVE)
    absent = StarterFactory(office=office, status=Starter.Status.ACTIVE)
    services.record_attendance(course, [attendee])
    assert list(attendee.qualifications.all()) == [migration]
    assert not absent.qualifications.exists()
    services.record_attendance(course, [absent])
    assert list(course.attendees.all()) == [absent]
    assert list(attendee.qualifications.all()) == [migration]  # granted stays


def test_attendance_refuses_other_offices_starters_and_future_events(office, other_office):
    event = TrainingEventFactory(office=office, date=TODAY)
    with pytest.raises(services.StarterError):
        services.record_attendance(event, [StarterFactory(office=other_office)])
    future = TrainingEventFactory(office=office, date=TODAY + datetime.timedelta(days=3))
    with pytest.raises(services.StarterError):
        services.record_attendance(future, [StarterFactory(office=office)])
    assert not Attendance.objects.exists()


def test_participants_only_from_the_cohorts_office(office, other_office):
    cohort = TrainingCohortFactory(office=office)
    with pytest.raises(services.StarterError):
        services.add_participants(cohort, [StarterFactory(office=other_office)])
    assert not cohort.participations.exists()


def test_completed_participation_cannot_be_removed(office):
    cohort = TrainingCohortFactory(office=office, starts_on=TODAY - datetime.timedelta(days=9))
    participation = CohortParticipation.objects.create(
        cohort=cohort, starter=StarterFactory(office=office), completed_on=TODAY
    )
    with pytest.raises(services.StarterError):
        services.remove_participant(participation)
    assert CohortParticipation.objects.filter(pk=participation.pk).exists()


def test_activity_summary_counts_hours_of_the_period_only(office):
    starter = StarterFactory(office=office)
    cohort = TrainingCohortFactory(
        office=office,
        starts_on=datetime.date(2026, 2, 1),
        ends_on=datetime.date(2026, 4, 30),
        hours=Decimal("40"),
    )
    CohortParticipation.objects.create(
        cohort=cohort, starter=starter, completed_on=datetime.date(2026, 4, 30)
    )
    inside = TrainingEventFactory(office=office, date=datetime.date(2026, 6, 1), hours=2.5)
    outside = TrainingEventFactory(office=office, date=datetime.date(2025, 6, 1), hours=3)
    Attendance.objects.create(event=inside, starter=starter)
    Attendance.objects.create(event=outside, starter=starter)
    summary = services.activity_summary(
        starter, datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)
    )
    assert summary["training_hours"] == "42.5"
    assert summary["total_hours"] == "42.5"
    assert [training["title"] for training in summary["trainings"]] == [
        cohort.name,
        inside.title,
    ]


def test_signing_freezes_the_certificate(office, staff):
    starter = StarterFactory(office=office)
    certificate = services.request_certificate(
        starter, datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)
    )
    services.sign_certificate(staff, certificate)
    certificate.refresh_from_db()
    assert certificate.signed_by == staff
    assert certificate.content["training_hours"] == "0.0"
    Attendance.objects.create(
        event=TrainingEventFactory(office=office, date=datetime.date(2026, 6, 1), hours=4),
        starter=starter,
    )
    with pytest.raises(services.StarterError):
        services.sign_certificate(staff, certificate)
    certificate.refresh_from_db()
    assert certificate.content["training_hours"] == "0.0"


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        ("2026-05-01", "2026-04-01", "period_end"),
        ("2010-01-01", "2026-04-01", "period_end"),
        ("2999-01-01", "2999-02-01", "period_start"),
    ],
)
def test_certificate_period_is_checked(start, end, field):
    form = CertificateRequestForm({"period_start": start, "period_end": end})
    assert not form.is_valid()
    assert field in form.errors
