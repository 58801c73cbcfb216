"""Reminders: what is due when, once per occasion, e-mailed exactly once (also in parallel)."""

import datetime
import email
import email.policy
import io
import re
import urllib.parse
from collections import Counter
from smtplib import SMTPException
from unittest import mock

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from groups.models import Group
from kontaktstelle.accounts.models import Membership
from kontaktstelle.notifications.models import Notification
from kontaktstelle.notifications.services import deliver
from starters.meeting_logs import next_meeting
from starters.models import Accompaniment, Assignment
from starters.reminders import due_reminders
from tests.factories import GroupFactory, StarterFactory, member
from tests.processes import run_at_once
from tests.starters.test_meetings import add_log, assignment_of, make_accompaniment

Kind = Notification.Kind
# A Tuesday, so that the weekdays below are easy to follow.
TODAY = datetime.date(2026, 11, 24)
MONDAY, TUESDAY, WEDNESDAY, THURSDAY = 0, 1, 2, 3


def days(n):
    return datetime.timedelta(days=n)


def keys(kind=None, user=None):
    notifications = Notification.objects.all()
    if kind:
        notifications = notifications.filter(kind=kind)
    if user:
        notifications = notifications.filter(user=user)
    return sorted((n.user.email, n.kind, n.key) for n in notifications.select_related("user"))


def own_offer(accompaniment, user):
    return reverse("starters:own_offer", kwargs={"pk": assignment_of(accompaniment, user).pk})


def accompaniment_for(staff, *starters, **fields):
    fields.setdefault("started_on", TODAY - days(30))
    fields.setdefault("confirmed_on", TODAY)
    return make_accompaniment(staff, *starters, **fields)


# next_meeting ----------------------------------------------------------------------------


def test_next_meeting_from_the_last_logs_date(staff, starter):
    accompaniment = accompaniment_for(staff, starter, weekday=THURSDAY)
    log = add_log(accompaniment, TODAY - days(5), starter, next_meeting_on=TODAY + days(10))
    assert next_meeting(accompaniment, log, today=TODAY) == TODAY + days(10)
    # Also when that date has passed: the meeting to log is that one.
    assert next_meeting(accompaniment, log, today=TODAY + days(20)) == TODAY + days(10)


def test_next_meeting_by_weekday(staff, starter):
    accompaniment = accompaniment_for(staff, starter, weekday=THURSDAY)
    # Before the first log: the next Thursday from today.
    assert next_meeting(accompaniment, None, today=TODAY) == datetime.date(2026, 11, 26)
    # On the meeting day itself: today.
    accompaniment.meeting_weekday = TUESDAY
    assert next_meeting(accompaniment, None, today=TODAY) == TODAY
    # After a log today: next week.
    log = add_log(accompaniment, TODAY, starter)
    assert next_meeting(accompaniment, log, today=TODAY) == TODAY + days(7)
    # After a log long ago: still not in the past.
    old = add_log(accompaniment, TODAY - days(14), starter)
    assert next_meeting(accompaniment, old, today=TODAY) == TODAY


def test_next_meeting_before_the_start(staff, starter):
    accompaniment = accompaniment_for(
        staff, starter, weekday=MONDAY, started_on=datetime.date(2026, 12, 7)
    )
    assert next_meeting(accompaniment, None, today=TODAY) == datetime.date(2026, 12, 7)
    accompaniment.meeting_weekday = WEDNESDAY
    assert next_meeting(accompaniment, None, today=TODAY) == datetime.date(2026, 12, 9)


def test_no_next_meeting_without_weekday(staff, starter):
    accompaniment = accompaniment_for(staff, starter, weekday=None)
    assert next_meeting(accompaniment, None, today=TODAY) is None
    log = add_log(accompaniment, TODAY - days(3), starter)
    assert next_meeting(accompaniment, log, today=TODAY) is None


@pytest.mark.parametrize(
    "status",
    [
        Accompaniment.Status.REQUESTED,
        Accompaniment.Status.OFFERED,
        Accompaniment.Status.COMPLETED,
        Accompaniment.Status.CANCELLED,
    ],
)
def test_no_next_meeting_unless_running(staff, starter, status):
    accompaniment = accompaniment_for(staff, starter, weekday=THURSDAY)
    log = add_log(accompaniment, TODAY - days(5), starter, next_meeting_on=TODAY + days(2))
    accompaniment.status = status
    assert next_meeting(accompaniment, log, today=TODAY) is None
    assert next_meeting(accompaniment, None, today=TODAY) is None


# due_reminders ---------------------------------------------------------------------------


def test_meeting_tomorrow_for_each_starter_on_it(
    staff, starter, other_starter, office, django_capture_on_commit_callbacks
):
    tandem = accompaniment_for(
        staff, starter, other_starter, weekday=WEDNESDAY, started_on=TODAY - days(1)
    )
    declined = StarterFactory(office=office).user
    Assignment.objects.create(
        accompaniment=tandem,
        starter=declined.starter,
        state=Assignment.State.DECLINED,
        offered_by=staff,
    )
    not_tomorrow = accompaniment_for(staff, starter, weekday=THURSDAY, started_on=TODAY)
    with django_capture_on_commit_callbacks(execute=True):
        assert due_reminders(today=TODAY) == 2
    key = f"meeting:{tandem.pk}:2026-11-25"
    assert keys() == sorted(
        [
            (starter.email, Kind.MEETING_TOMORROW, key),
            (other_starter.email, Kind.MEETING_TOMORROW, key),
        ]
    )
    for user in (starter, other_starter):
        notification = Notification.objects.get(user=user)
        assert notification.url == own_offer(tandem, user)
        assert notification.emailed_at is not None
    assert sorted(m.to[0] for m in mail.outbox) == sorted([starter.email, other_starter.email])
    assert not Notification.objects.filter(key__contains=f":{not_tomorrow.pk}:").exists()


def test_meeting_tomorrow_from_the_date_in_the_last_log(staff, starter):
    accompaniment = accompaniment_for(staff, starter, weekday=MONDAY)
    add_log(accompaniment, TODAY - days(6), starter, next_meeting_on=TODAY + days(1))
    due_reminders(today=TODAY)
    assert keys(Kind.MEETING_TOMORROW) == [
        (starter.email, Kind.MEETING_TOMORROW, f"meeting:{accompaniment.pk}:2026-11-25")
    ]


def test_log_missing_three_days_after_the_meeting(staff, starter):
    accompaniment = accompaniment_for(staff, starter, weekday=THURSDAY)
    add_log(accompaniment, TODAY - days(19), starter, next_meeting_on=TODAY - days(4))
    assert due_reminders(today=TODAY - days(2)) == 0
    assert due_reminders(today=TODAY - days(1)) == 1
    notification = Notification.objects.get()
    assert notification.kind == Kind.LOG_MISSING
    assert notification.user == starter
    assert notification.key == f"log:{accompaniment.pk}:{TODAY - days(4):%Y-%m-%d}"
    assert notification.url == reverse(
        "starters:own_log_create", kwargs={"pk": assignment_of(accompaniment, starter).pk}
    )
    assert due_reminders(today=TODAY) == 0


def test_no_log_missing_when_logged(staff, starter, other_starter):
    # Weekly on Thursdays since 4.11., every meeting logged (the last by the partner).
    tandem = accompaniment_for(
        staff, starter, other_starter, weekday=THURSDAY, started_on=datetime.date(2026, 11, 4)
    )
    add_log(tandem, datetime.date(2026, 11, 5), starter, other_starter)
    add_log(tandem, datetime.date(2026, 11, 12), starter, other_starter)
    add_log(tandem, datetime.date(2026, 11, 19), other_starter)
    due_reminders(today=TODAY)
    assert keys(Kind.LOG_MISSING) == []


def test_log_missing_for_the_first_meeting(staff, starter, other_starter):
    tandem = accompaniment_for(
        staff, starter, other_starter, weekday=THURSDAY, started_on=datetime.date(2026, 11, 4)
    )
    due_reminders(today=TODAY)
    key = f"log:{tandem.pk}:2026-11-05"
    assert keys(Kind.LOG_MISSING) == sorted(
        [
            (starter.email, Kind.LOG_MISSING, key),
            (other_starter.email, Kind.LOG_MISSING, key),
        ]
    )


def test_planned_end_by_logged_meetings(staff, starter, other_starter):
    tandem = accompaniment_for(staff, starter, other_starter, planned=3)
    for n in (3, 2):
        add_log(tandem, TODAY - days(7 * n), starter, other_starter)
    assert due_reminders(today=TODAY) == 0
    add_log(tandem, TODAY - days(7), starter, other_starter)
    assert due_reminders(today=TODAY) == 3
    key = f"end:{tandem.pk}:3:-"
    assert keys(Kind.PLANNED_END) == sorted(
        (user.email, Kind.PLANNED_END, key) for user in (starter, other_starter, staff)
    )
    urls = {n.user: n.url for n in Notification.objects.all()}
    assert urls == {
        starter: own_offer(tandem, starter),
        other_starter: own_offer(tandem, other_starter),
        staff: tandem.get_absolute_url(),
    }


def test_planned_end_by_date_and_again_after_an_extension(staff, starter):
    accompaniment = accompaniment_for(staff, starter, planned=6, planned_end=TODAY + days(1))
    assert due_reminders(today=TODAY) == 0
    assert due_reminders(today=TODAY + days(1)) == 2
    assert due_reminders(today=TODAY + days(2)) == 0
    accompaniment.planned_meetings = 8
    accompaniment.planned_end = TODAY + days(30)
    accompaniment.save()
    assert due_reminders(today=TODAY + days(2)) == 0
    assert due_reminders(today=TODAY + days(30)) == 2
    assert sorted(n.key for n in Notification.objects.filter(user=staff)) == [
        f"end:{accompaniment.pk}:6:{TODAY + days(1)}",
        f"end:{accompaniment.pk}:8:{TODAY + days(30)}",
    ]


def test_planned_end_again_when_the_end_date_is_moved(staff, starter):
    """Staff may move the planned end of a running accompaniment (its edit form): the
    new date is a new occasion and reminds again, like an extension of the meetings."""
    accompaniment = accompaniment_for(staff, starter, planned=6, planned_end=TODAY)
    assert due_reminders(today=TODAY) == 2
    accompaniment.planned_end = TODAY + days(28)
    accompaniment.save()
    assert due_reminders(today=TODAY + days(1)) == 0
    assert due_reminders(today=TODAY + days(28)) == 2


def completed(staff, starter, completed_on, **fields):
    accompaniment = accompaniment_for(staff, starter, started_on=completed_on - days(60))
    accompaniment.status = Accompaniment.Status.COMPLETED
    accompaniment.completed_on = completed_on
    accompaniment.outcome = Accompaniment.Outcome.CONTINUES
    for name, value in fields.items():
        setattr(accompaniment, name, value)
    accompaniment.save()
    return accompaniment


def test_follow_up_half_a_year_after_completion(staff, starter):
    due = completed(staff, starter, TODAY - days(183))
    completed(staff, starter, TODAY - days(181))
    completed(
        staff,
        starter,
        TODAY - days(300),
        follow_up_on=TODAY - days(100),
        follow_up=Accompaniment.FollowUp.STILL_MEETS,
    )
    assert due_reminders(today=TODAY) == 1
    notification = Notification.objects.get()
    assert (notification.user, notification.kind, notification.key) == (
        staff,
        Kind.FOLLOW_UP,
        f"follow_up:{due.pk}",
    )
    assert notification.url == due.get_absolute_url()


def test_monthly_confirmation_digest_for_the_offices_staff(
    staff, office_admin, other_staff, starter, office, other_office
):
    GroupFactory(office=office, last_confirmed_on=None, created_days_ago=800)
    GroupFactory(office=office, last_confirmed_on=TODAY - days(366))
    GroupFactory(office=office, last_confirmed_on=TODAY - days(365))
    GroupFactory(
        office=office, last_confirmed_on=None, status=Group.Status.CLOSED, created_days_ago=800
    )
    GroupFactory(office=other_office, last_confirmed_on=TODAY - days(10))
    inactive = member(Membership.Role.STAFF, office=office)
    inactive.is_active = False
    inactive.save()

    assert due_reminders(today=TODAY) == 2
    assert keys() == sorted(
        [
            (staff.email, Kind.CONFIRMATION, "confirmation:2026-11"),
            (office_admin.email, Kind.CONFIRMATION, "confirmation:2026-11"),
        ]
    )
    assert re.search(r"\b2\b", Notification.objects.get(user=staff).body)
    # Once a month.
    assert due_reminders(today=datetime.date(2026, 11, 30)) == 0
    assert due_reminders(today=datetime.date(2026, 12, 1)) == 2
    assert Notification.objects.filter(key="confirmation:2026-12").count() == 2


def test_running_twice_creates_and_sends_nothing_new(
    staff, starter, other_starter, office, django_capture_on_commit_callbacks
):
    everything_due(staff, starter, other_starter, office, TODAY)
    with django_capture_on_commit_callbacks(execute=True):
        created = due_reminders(today=TODAY)
    # Two starters tomorrow, a missing log, two at the planned end, a follow-up, a digest.
    assert created == Notification.objects.count() == 7
    assert len(mail.outbox) == created
    assert Counter(m.to[0] for m in mail.outbox) == Counter(
        Notification.objects.values_list("user__email", flat=True)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert due_reminders(today=TODAY) == 0
    assert Notification.objects.count() == created
    assert len(mail.outbox) == created


def everything_due(staff, starter, other_starter, office, today):
    """One accompaniment or group for each kind of reminder, due on ``today``."""
    tomorrow = accompaniment_for(
        staff, starter, other_starter, weekday=(today + days(1)).weekday(), started_on=today
    )
    missing = accompaniment_for(staff, starter, weekday=None, started_on=today - days(30))
    add_log(missing, today - days(14), starter, next_meeting_on=today - days(7))
    at_end = accompaniment_for(staff, other_starter, planned=1, started_on=today - days(30))
    add_log(at_end, today - days(10), other_starter)
    follow_up = completed(staff, starter, today - days(200))
    GroupFactory(office=office, last_confirmed_on=None, created_days_ago=800)
    return tomorrow, missing, at_end, follow_up


def test_each_notification_leads_to_where_it_is_done(client, staff, starter, other_starter, office):
    everything_due(staff, starter, other_starter, office, TODAY)
    due_reminders(today=TODAY)
    assert set(Notification.objects.values_list("kind", flat=True)) == {
        Kind.MEETING_TOMORROW,
        Kind.LOG_MISSING,
        Kind.PLANNED_END,
        Kind.FOLLOW_UP,
        Kind.CONFIRMATION,
    }
    for notification in Notification.objects.select_related("user"):
        client.force_login(notification.user)
        response = client.get(notification.url)
        assert response.status_code == 200, (notification.kind, notification.url)
    confirmation = Notification.objects.get(kind=Kind.CONFIRMATION)
    url = urllib.parse.urlsplit(confirmation.url)
    assert url.path == reverse("groups:group_list")
    assert urllib.parse.parse_qs(url.query) == {"overdue": ["on"], "sort": ["confirmed"]}


# send_reminders ----------------------------------------------------------------------------


def send_reminders():
    out = io.StringIO()
    call_command("send_reminders", stdout=out)
    return out.getvalue()


def sent():
    return Counter((m.to[0], m.subject) for m in mail.outbox)


def expected_mails():
    return Counter(Notification.objects.values_list("user__email", "subject"))


@pytest.fixture
def due_today(staff, starter, other_starter, office):
    return everything_due(staff, starter, other_starter, office, timezone.localdate())


def test_send_reminders_sends_each_once(due_today, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send_reminders()
    assert Notification.objects.count() == 7
    assert sent() == expected_mails()
    assert max(sent().values()) == 1
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()
    for message in mail.outbox:
        assert settings.SITE_URL in message.body
    with django_capture_on_commit_callbacks(execute=True):
        send_reminders()
    assert sent() == expected_mails()


def test_a_failed_mail_is_sent_by_the_next_run(due_today):
    with mock.patch(
        "kontaktstelle.notifications.services.send_mail", side_effect=SMTPException("server down")
    ):
        send_reminders()
    assert mail.outbox == []
    count = Notification.objects.count()
    assert count == 7
    unsent = Notification.objects.filter(emailed_at__isnull=True, claimed_at__isnull=True)
    assert unsent.count() == count
    send_reminders()
    assert sent() == expected_mails()
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()
    send_reminders()
    assert len(mail.outbox) == count


def test_a_stale_claim_is_sent_again_a_fresh_one_not(staff, starter):
    now = timezone.now()
    stale, fresh, done = Notification.objects.bulk_create(
        Notification(
            user=user, kind=Kind.TALK, key=key, subject=key, body="Text", url="/", claimed_at=at
        )
        for user, key, at in [
            (staff, "stale", now - datetime.timedelta(minutes=31)),
            (staff, "fresh", now - datetime.timedelta(minutes=5)),
            (starter, "done", now - datetime.timedelta(hours=2)),
        ]
    )
    Notification.objects.filter(pk=done.pk).update(emailed_at=now - datetime.timedelta(hours=2))
    send_reminders()
    assert [(m.to, m.subject) for m in mail.outbox] == [([staff.email], "stale")]
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.emailed_at is not None
    assert fresh.emailed_at is None


def test_deliver_sends_only_once(staff):
    notification = Notification.objects.create(
        user=staff, kind=Kind.TALK, key="talk:1", subject="Gespräch", body="Text", url="/"
    )
    assert deliver(notification.pk) is True
    assert deliver(notification.pk) is False
    assert len(mail.outbox) == 1


# Two processes at once ---------------------------------------------------------------------

RUN_AT = """
import sys, time
import django
django.setup()
from django.core.management import call_command
from django.db import connection
connection.ensure_connection()
time.sleep(max(0.0, float(sys.argv[1]) - time.time()))
call_command("send_reminders")
"""


def mails_in(output):
    """The e-mails the console backend wrote: (recipient, subject) of each."""
    found = []
    for chunk in output.split("-" * 79):
        if "Message-ID:" not in chunk:
            continue
        message = email.message_from_string(chunk.strip() + "\n", policy=email.policy.default)
        found.append((str(message["To"]), str(message["Subject"]).strip()))
    return found


@pytest.mark.django_db(transaction=True)
def test_two_processes_at_once_send_each_reminder_exactly_once(
    staff, office_admin, starter, other_starter, office
):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite cannot run two writing processes at once")
    today = timezone.localdate()
    for _ in range(3):
        everything_due(staff, starter, other_starter, office, today)
    # Notifications left unsent by an earlier run, which both processes try to deliver.
    Notification.objects.bulk_create(
        Notification(user=staff, kind=Kind.TALK, key=f"talk:{n}", subject=f"Gespräch {n}", url="/")
        for n in range(5)
    )
    outputs = run_at_once(
        RUN_AT, {"DJANGO_EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    )
    mails = [mails_in(stdout) for stdout, _stderr in outputs]

    notifications = Notification.objects.select_related("user")
    # Three times six reminders, a digest each for staff and office admin, five unsent.
    assert notifications.count() == 3 * 6 + 2 + 5
    assert len({(n.user_id, n.kind, n.key) for n in notifications}) == notifications.count()
    assert not notifications.filter(emailed_at__isnull=True).exists()
    expected = Counter((n.user.email, n.subject) for n in notifications)
    assert Counter(mails[0]) + Counter(mails[1]) == expected
    assert len(mails[0]) + len(mails[1]) == notifications.count()
