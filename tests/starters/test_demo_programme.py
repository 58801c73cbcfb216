"""The demo's accompaniments, meeting logs and consultations: believable and consistent."""

import datetime

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Q
from django.utils import timezone

from groups.models import Consultation
from kontaktstelle.offices.models import Office
from starters.models import Accompaniment, Assignment, MeetingLog, Starter

Status = Accompaniment.Status


@pytest.fixture
def demo(db, settings):
    settings.DEBUG = True  # seed_demo refuses to run in production
    call_command("seed_demo", verbosity=0)
    return Office.objects.get(slug="musterstadt")


pytestmark = pytest.mark.django_db


def test_about_forty_accompaniments_in_every_state(demo):
    mine = Accompaniment.objects.filter(office=demo)
    assert 35 <= mine.count() <= 50
    by_status = dict(mine.values_list("status").annotate(n=Count("pk")).order_by())
    assert set(by_status) == set(Status.values)
    today = timezone.localdate()
    assert mine.order_by("requested_on").first().requested_on <= today - datetime.timedelta(
        days=2 * 365
    )
    assert Accompaniment.objects.exclude(office=demo).exists()


def test_completed_ones_have_outcomes_and_follow_ups_some_overdue(demo):
    completed = Accompaniment.objects.filter(office=demo, status=Status.COMPLETED)
    assert not completed.filter(Q(outcome="") | Q(completed_on__isnull=True)).exists()
    assert completed.exclude(follow_up="").count() >= 5
    assert Accompaniment.objects.filter(office=demo).follow_up_overdue().exists()
    cancelled = Accompaniment.objects.filter(office=demo, status=Status.CANCELLED)
    assert not cancelled.filter(cancel_reason="").exists()


def test_loads_match_open_offers_and_accepted_assignments(demo):
    for starter in Starter.objects.all():
        holding = Assignment.objects.filter(
            starter=starter,
            state__in=[Assignment.State.OFFERED, Assignment.State.ACCEPTED],
            accompaniment__status__in=Status.open_states(),
        ).count()
        assert starter.load == holding <= starter.capacity, starter
    # Only open accompaniments have offered or accepted assignments.
    assert not Assignment.objects.filter(
        state__in=[Assignment.State.OFFERED, Assignment.State.ACCEPTED],
        accompaniment__status__in=[Status.COMPLETED, Status.CANCELLED],
    ).exists()


def test_dashboard_has_something_to_show(demo):
    offered_long_ago = Assignment.objects.filter(accompaniment__office=demo).unanswered_since(
        timezone.now() - datetime.timedelta(days=3)
    )
    assert offered_long_ago.exists()
    assert (
        MeetingLog.objects.filter(
            accompaniment__office=demo, wants_talk=True, talk_done_at__isnull=True
        ).exists()
        or Accompaniment.objects.filter(office=demo, status=Status.ACTIVE).exists()
    )


def test_meeting_logs_are_consistent(demo):
    logs = MeetingLog.objects.filter(accompaniment__office=demo)
    assert logs.count() >= 80
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert not logs.filter(held_on__gt=tomorrow).exists()
    assert not logs.filter(newcomers__gt=F("participants")).exists()
    assert not logs.filter(held_on__lt=F("accompaniment__started_on")).exists()
    assert not logs.filter(accompanied_by__isnull=True).exists()
    for status in (Status.ACTIVE, Status.COMPLETED):
        assert logs.filter(accompaniment__status=status).exists()
    assert not logs.filter(accompaniment__status__in=[Status.REQUESTED, Status.OFFERED]).exists()


def test_three_years_of_consultations(demo):
    consultations = Consultation.objects.filter(office=demo)
    today = timezone.localdate()
    last_year = consultations.filter(
        held_on__gt=today - datetime.timedelta(days=365), held_on__lte=today
    ).count()
    assert 900 <= last_year <= 1100
    assert consultations.filter(held_on__lt=today - datetime.timedelta(days=2 * 365)).exists()
    channels = dict(consultations.values_list("channel").annotate(n=Count("pk")).order_by())
    assert set(channels) == set(Consultation.Channel.values)
    assert channels["phone"] == max(channels.values())
    assert not consultations.filter(information_only=True, referred_groups__isnull=False).exists()
    assert Consultation.topics.through.objects.filter(consultation__office=demo).count() >= 3000


def test_seed_demo_twice_adds_nothing(demo):
    before = (
        Accompaniment.objects.count(),
        MeetingLog.objects.count(),
        Consultation.objects.count(),
    )
    call_command("seed_demo", verbosity=0)
    assert before == (
        Accompaniment.objects.count(),
        MeetingLog.objects.count(),
        Consultation.objects.count(),
    )
