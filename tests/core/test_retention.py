"""Retention: personal data past its period is removed by `apply_retention`; counts stay."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from groups.models import Consultation, Inquiry
from kontaktstelle.accounts.models import Invitation
from kontaktstelle.consent.models import Consent
from kontaktstelle.notifications.models import Notification
from kontaktstelle.privacy.retention import RULES, apply_retention
from kontaktstelle.reports import statistics
from starters.models import Accompaniment, MeetingLog
from tests.core.test_settings import STRONG_KEY, run_manage
from tests.factories import GroupFactory, StarterFactory
from tests.processes import run_at_once

pytestmark = pytest.mark.django_db
NOW = timezone.now()
DAY = datetime.timedelta(days=1)
EVERYTHING = statistics.Period(datetime.date(2015, 1, 1), timezone.localdate() + DAY)


def inquiry(office, received, answered=None, kind=Inquiry.Kind.CONTACT_REQUEST, counted=False):
    """A web request received and (maybe) answered that many days ago, with its consent."""
    row = Inquiry.objects.create(
        office=office,
        kind=kind,
        name="Robin Beispiel",
        email="robin@example.org",
        phone="0170 1234567",
        topic="Angststörung",
        message="Bitte rufen Sie mich an.",
        consent_at=NOW - received * DAY,
    )
    Inquiry.objects.filter(pk=row.pk).update(
        created_at=NOW - received * DAY,
        answered_at=NOW - answered * DAY if answered is not None else None,
    )
    Consent.objects.create(
        office=office,
        scope=Consent.Scope.INQUIRY,
        inquiry=row,
        text="Ich bin einverstanden …",
        language="de",
        channel=Consent.Channel.WEB_FORM,
        given_at=row.consent_at,
    )
    if counted:
        Consultation.objects.create(
            office=office,
            held_on=timezone.localdate(NOW - answered * DAY),
            channel=Consultation.Channel.WEB_FORM,
            asker=Consultation.Asker.AFFECTED,
            information_only=True,
            inquiry=row,
        )
    row.refresh_from_db()
    return row


def meeting_log(accompaniment, starter, days_ago, note="Die Gruppe hat Regeln vereinbart."):
    log = MeetingLog.objects.create(
        accompaniment=accompaniment,
        held_on=timezone.localdate() - days_ago * DAY,
        starts_at=datetime.time(18),
        duration_minutes=90,
        participants=6,
        newcomers=1,
        process_note=note,
        logged_by=starter.user,
    )
    log.accompanied_by.add(starter)
    return log


@pytest.fixture
def programme(office, staff):
    starter = StarterFactory(office=office)
    accompaniment = Accompaniment.objects.create(
        office=office,
        group=GroupFactory(office=office),
        kind="founding",
        requested_by="Gründerin",
        planned_meetings=6,
        responsible=staff,
        status="completed",
        requested_on=timezone.localdate() - 1200 * DAY,
        started_on=timezone.localdate() - 1180 * DAY,
        completed_on=timezone.localdate() - 1000 * DAY,
        outcome="continues",
    )
    old = meeting_log(accompaniment, starter, 1150)
    recent = meeting_log(accompaniment, starter, 1000)
    return old, recent


def figures(office):
    return (
        statistics.consultation_totals(office, EVERYTHING),
        statistics.programme_counts([office], EVERYTHING),
    )


def test_answered_web_requests_are_anonymised_after_six_months(office):
    due = inquiry(office, received=200, answered=190, counted=True)
    answered_lately = inquiry(office, received=200, answered=100, counted=True)
    counts = [count for _rule, count in apply_retention()]
    assert counts == [1] + [0] * (len(RULES) - 1)
    due.refresh_from_db()
    assert (due.name, due.email, due.phone, due.topic, due.message) == ("", "", "", "", "")
    assert due.anonymised_at is not None
    assert due.consent_at is not None and due.kind == Inquiry.Kind.CONTACT_REQUEST
    answered_lately.refresh_from_db()
    assert answered_lately.name == "Robin Beispiel" and answered_lately.anonymised_at is None
    # The rows that count stay: request, its consultation, its consent record.
    assert Inquiry.objects.count() == 2
    assert Consultation.objects.filter(inquiry=due).exists()
    assert Consent.objects.filter(inquiry=due).exists()


def test_unanswered_web_requests_are_anonymised_after_a_year(office):
    old = inquiry(office, received=370)
    young = inquiry(office, received=300)
    apply_retention()
    old.refresh_from_db()
    young.refresh_from_db()
    assert old.anonymised_at is not None and old.email == ""
    assert young.anonymised_at is None and young.email == "robin@example.org"


def test_process_notes_are_cleared_after_three_years(programme):
    old, recent = programme
    apply_retention()
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.process_note == ""
    assert recent.process_note == "Die Gruppe hat Regeln vereinbart."
    assert MeetingLog.objects.count() == 2  # the meetings still count
    assert old.duration_minutes == 90 and list(old.accompanied_by.all())


def test_who_asked_for_an_accompaniment_is_removed_three_years_after_it_ended(
    programme, office, staff
):
    ended_long_ago = Accompaniment.objects.get()
    Accompaniment.objects.filter(pk=ended_long_ago.pk).update(
        completed_on=timezone.localdate() - 1100 * DAY
    )
    recent = Accompaniment.objects.create(
        office=office,
        group=GroupFactory(office=office),
        kind="founding",
        requested_by="Frau K.",
        planned_meetings=4,
        responsible=staff,
        status="completed",
        requested_on=timezone.localdate() - 400 * DAY,
        started_on=timezone.localdate() - 390 * DAY,
        completed_on=timezone.localdate() - 300 * DAY,
        outcome="continues",
    )
    before = statistics.programme_counts([office], EVERYTHING)
    apply_retention()
    ended_long_ago.refresh_from_db()
    recent.refresh_from_db()
    assert ended_long_ago.requested_by == "–"
    assert recent.requested_by == "Frau K."
    assert statistics.programme_counts([office], EVERYTHING) == before


def test_old_notifications_and_long_expired_invitations_are_deleted(staff, starter):
    old = Notification.objects.create(
        user=staff, kind="talk", key="talk:1", subject="Maria möchte sprechen", url="/"
    )
    Notification.objects.filter(pk=old.pk).update(created_at=NOW - 400 * DAY)
    fresh = Notification.objects.create(user=staff, kind="talk", key="talk:2", subject="x", url="/")
    expired = Invitation.objects.create(
        user=starter, token_hash="a" * 64, expires_at=NOW - 100 * DAY
    )
    lately = Invitation.objects.create(user=starter, token_hash="b" * 64, expires_at=NOW - DAY)
    usable = Invitation.objects.create(user=starter, token_hash="c" * 64, expires_at=NOW + DAY)
    apply_retention()
    assert list(Notification.objects.all()) == [fresh]
    assert set(Invitation.objects.all()) == {lately, usable}
    assert not Invitation.objects.filter(pk=expired.pk).exists()


def test_statistics_give_the_same_numbers_before_and_after(office, programme):
    inquiry(office, received=400, answered=380, counted=True)
    inquiry(office, received=400, kind=Inquiry.Kind.FOUNDING_INTEREST)  # not counted yet
    inquiry(office, received=30, answered=20, counted=True)
    before = figures(office)
    assert before[0]["totals"]["total"] == 2
    assert before[0]["founding_interests"] == 1
    assert before[1]["meetings"] == 2 and before[1]["volunteer_hours"] == 3.0
    changed = sum(count for _rule, count in apply_retention())
    assert changed == 3  # two requests and one note
    assert figures(office) == before


def test_the_command_says_what_it_did_and_a_second_run_changes_nothing(office, programme):
    inquiry(office, received=400)
    out = io.StringIO()
    call_command("apply_retention", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == len(RULES)
    assert lines[0].endswith(": 1") and lines[1].endswith(": 1")
    snapshot = (list(Inquiry.objects.values()), list(MeetingLog.objects.values()))

    out = io.StringIO()
    call_command("apply_retention", stdout=out)
    lines = out.getvalue().splitlines()
    assert all(line.endswith(": 0") for line in lines[: len(RULES)])
    assert len(lines) == len(RULES) + 1  # and one line saying there was nothing to do
    assert (list(Inquiry.objects.values()), list(MeetingLog.objects.values())) == snapshot


def test_periods_come_from_the_settings(office, settings):
    request = inquiry(office, received=40, answered=35)
    apply_retention()
    request.refresh_from_db()
    assert request.anonymised_at is None
    settings.RETENTION_DAYS = settings.RETENTION_DAYS | {"inquiry_answered": 30}
    apply_retention()
    request.refresh_from_db()
    assert request.anonymised_at is not None


def test_periods_are_read_from_the_environment():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(sorted(settings.RETENTION_DAYS.items()))",
        env={
            "DJANGO_SECRET_KEY": STRONG_KEY,
            "KONTAKTSTELLE_RETAIN_INQUIRY_DAYS": "30",
            "KONTAKTSTELLE_RETAIN_PROCESS_NOTE_DAYS": "365",
            "KONTAKTSTELLE_RETAIN_REQUESTER_DAYS": "730",
            "KONTAKTSTELLE_RETAIN_APPLICATION_DAYS": "90",
        },
    )
    assert result.returncode == 0, result.stderr
    days = dict(eval(result.stdout.strip().splitlines()[-1]))  # noqa: S307 - our own output
    assert days == {
        "accompaniment_requester": 730,
        "application": 90,
        "inquiry_answered": 30,
        "inquiry_unanswered": 365,
        "invitation": 90,
        "missed_search": 396,
        "notification": 365,
        "process_note": 365,
        "referral_follow_up": 56,
    }


RUN_AT = """
import sys, time
import django
django.setup()
from django.core.management import call_command
from django.db import connection
connection.ensure_connection()
time.sleep(max(0.0, float(sys.argv[1]) - time.time()))
call_command("apply_retention")
"""


@pytest.mark.django_db(transaction=True)
def test_two_servers_at_once_anonymise_each_request_exactly_once(office):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite cannot run two writing processes at once")
    for _ in range(40):
        inquiry(office, received=400)
    outputs = run_at_once(RUN_AT, {"DJANGO_SECRET_KEY": STRONG_KEY})
    anonymised = [int(stdout.splitlines()[0].rsplit(": ", 1)[1]) for stdout, _ in outputs]
    assert sum(anonymised) == 40
    assert not Inquiry.objects.filter(anonymised_at__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_the_migration_takes_the_answer_of_a_counted_request_from_its_consultation(office):
    from django.db.migrations.executor import MigrationExecutor

    before = [("groups", "0003_consultations")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    requests = old.get_model("groups", "Inquiry").objects
    counted, waiting = (
        requests.create(
            office_id=office.pk,
            kind="contact_request",
            name="Sam",
            email="s@example.org",
            consent_at=NOW,
        )
        for _ in range(2)
    )
    consultation = old.get_model("groups", "Consultation").objects.create(
        office_id=office.pk,
        channel="web_form",
        asker="affected",
        information_only=True,
        inquiry_id=counted.pk,
    )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert Inquiry.objects.get(pk=counted.pk).answered_at == consultation.created_at
    assert Inquiry.objects.get(pk=waiting.pk).answered_at is None
