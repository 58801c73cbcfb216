"""Failures of what runs outside the process (issue 16), in-process parts.

The cache fails open with a circuit breaker; the database's outage answers 503; the
brake on password-reset e-mails; e-mails wait in the outbox while SMTP is down. Tests
with a real Redis killed and frozen are in ``test_resilience_faults.py``, the 503 of a
server whose database is unreachable in ``test_database_outage.py``.
"""

import datetime
import logging
import re
import socket
import time
from smtplib import SMTPException
from unittest import mock

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.db import OperationalError
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from kontaktstelle.accounts.password_reset import (
    PASSWORD_RESETS_PER_ADDRESS,
    PASSWORD_RESETS_PER_IP,
)
from kontaktstelle.notifications import outbox
from kontaktstelle.notifications.models import OutgoingEmail
from kontaktstelle.web import rate_limits
from kontaktstelle.web.cache import breaker
from kontaktstelle.web.models import RateLimitEvent
from starters.models import Starter
from tests.starters.test_starters_views import create_payload


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def dead_redis():
    """The cache pointed at a port where nothing listens."""
    breaker.reset()
    location = f"redis://127.0.0.1:{closed_port()}/0"
    caches = {
        "default": {
            "BACKEND": "kontaktstelle.web.cache.ResilientRedisCache",
            "LOCATION": location,
            "OPTIONS": {"socket_connect_timeout": 0.05, "socket_timeout": 0.05},
        }
    }
    with override_settings(CACHES=caches, KONTAKTSTELLE_CACHE_RETRY_SECONDS=60):
        yield
    breaker.reset()


# The cache fails open -----------------------------------------------------------------


def test_every_cache_operation_misses_while_redis_is_down(dead_redis, caplog):
    caplog.set_level(logging.WARNING, logger="kontaktstelle.web.cache")
    assert cache.get("key") is None
    assert cache.get("key", "fallback") == "fallback"
    assert cache.set("key", 1) is False
    assert cache.add("key", 1) is False
    assert cache.incr("key") is None
    assert cache.delete("key") is False
    assert cache.get_many(["a", "b"]) == {}
    assert cache.get_or_set("key", lambda: "computed") == "computed"
    assert breaker.down
    outage = [r for r in caplog.records if "cannot be reached" in r.getMessage()]
    assert len(outage) == 1  # once per outage, not per call


def test_the_breaker_costs_one_timeout_per_period_not_one_per_call(dead_redis):
    with mock.patch("django.core.cache.backends.redis.RedisCacheClient.get") as get:
        get.side_effect = ConnectionError("refused")
        for _ in range(50):
            assert cache.get("key") is None
    assert get.call_count == 1  # the breaker stays open for the retry period


def test_the_breaker_tries_again_after_its_period_and_says_so(dead_redis, caplog, settings):
    caplog.set_level(logging.WARNING, logger="kontaktstelle.web.cache")
    settings.KONTAKTSTELLE_CACHE_RETRY_SECONDS = 0
    with mock.patch("django.core.cache.backends.redis.RedisCacheClient.get") as get:
        get.side_effect = [ConnectionError("refused"), "value"]
        assert cache.get("key") is None
        time.sleep(0.01)
        assert cache.get("key") == "value"
    assert not breaker.down
    assert [r.getMessage() for r in caplog.records if r.name == "kontaktstelle.web.cache"][-1] == (
        "The cache can be reached again."
    )


def test_garbage_from_the_cache_is_a_miss(dead_redis):
    with mock.patch("django.core.cache.backends.redis.RedisCacheClient.get") as get:
        get.side_effect = ValueError("unpickling: invalid load key")
        assert cache.get("key", "default") == "default"
    assert not breaker.down  # one bad entry does not switch the cache off


def test_the_503_page_is_plain_when_its_template_cannot_render(db, outage_client):
    with (
        mock.patch("groups.directory.ranked_groups", side_effect=OperationalError("server closed")),
        mock.patch(
            "kontaktstelle.web.unavailable.loader.render_to_string",
            side_effect=ValueError("manifest"),
        ),
    ):
        response = outage_client.get(reverse("groups:directory"), {"q": "Angst"})
    assert response.status_code == 503
    assert "Die Seite ist gerade nicht erreichbar." in response.content.decode()


def test_public_pages_and_searches_work_while_redis_is_down(dead_redis, db, client, settings):
    from tests.factories import GroupFactory

    settings.PUBLIC_PAGE_CACHE_SECONDS = 300
    group = GroupFactory(name="Trauercafé am Markt")
    from groups.search import reindex_groups

    reindex_groups([group.pk])
    for _ in range(3):
        response = client.get(reverse("groups:directory"), {"q": "Trauercafé"})
        assert response.status_code == 200
        assert "Trauercafé am Markt" in response.content.decode()
    page = client.get(group.get_public_url())
    assert page.status_code == 200
    assert "Trauercafé am Markt" in page.content.decode()


def test_a_staff_save_succeeds_while_redis_is_down(dead_redis, client, staff, office):
    from groups.models import Group
    from tests.factories import GroupFactory

    group = GroupFactory(office=office, name="Trauercafé am Markt")
    client.force_login(staff)
    response = client.post(reverse("groups:group_close", args=[group.pk]), follow=True)
    assert response.status_code == 200
    assert Group.objects.get(pk=group.pk).status == Group.Status.CLOSED


# The database is away: 503 ------------------------------------------------------------


@pytest.fixture
def outage_client():
    return Client(raise_request_exception=False)


def test_a_view_that_loses_the_database_answers_503(db, outage_client, caplog):
    with mock.patch(
        "groups.directory.ranked_groups", side_effect=OperationalError("server closed")
    ):
        response = outage_client.get(reverse("groups:directory"), {"q": "Angst"})
    assert response.status_code == 503
    assert response["Retry-After"] == "120"
    page = response.content.decode()
    assert "Die Seite ist gerade nicht erreichbar." in page
    assert "Bitte versuchen Sie es in einigen Minuten erneut." in page
    assert "Traceback" not in page
    assert any("answered 503" in r.getMessage() for r in caplog.records)
    # One warning of ours, no error report with a traceback per request.
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_an_outage_outside_the_view_answers_503_too(db, outage_client, staff):
    outage_client.force_login(staff)
    with mock.patch(
        "django.contrib.sessions.backends.db.SessionStore.load",
        side_effect=OperationalError("connection refused"),
    ):
        response = outage_client.get(reverse("dashboard"))
    assert response.status_code == 503
    assert "Die Seite ist gerade nicht erreichbar." in response.content.decode()


def test_other_errors_stay_500(db, outage_client):
    with mock.patch("groups.directory.ranked_groups", side_effect=KeyError("bug")):
        response = outage_client.get(reverse("groups:directory"), {"q": "Angst"})
    assert response.status_code == 500


def test_healthz_answers_503_while_the_database_is_away(db, client):
    with mock.patch(
        "django.db.backends.utils.CursorWrapper.execute", side_effect=OperationalError("down")
    ):
        response = client.get(reverse("healthz"))
    assert response.status_code == 503


# Rate limits in the database ----------------------------------------------------------


def test_a_limit_counts_within_the_hour_and_stores_no_value(db):
    for _ in range(3):
        assert rate_limits.take(("test", "anna@example.org", 3))
    assert not rate_limits.take(("test", "anna@example.org", 3))
    assert rate_limits.take(("test", "bert@example.org", 3))
    assert not RateLimitEvent.objects.filter(key__contains="example").exists()
    RateLimitEvent.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=61))
    assert rate_limits.take(("test", "anna@example.org", 3))


def test_a_refused_attempt_counts_against_no_limit(db):
    assert rate_limits.take(("address", "a", 1), ("ip", "1.2.3.4", 5))
    assert not rate_limits.take(("address", "a", 1), ("ip", "1.2.3.4", 5))
    assert RateLimitEvent.objects.filter(scope="ip").count() == 1


def test_old_counts_are_removed(db):
    RateLimitEvent.objects.create(
        scope="x", key="y", created_at=timezone.now() - datetime.timedelta(days=2)
    )
    rate_limits.take(("x", "z", 1))
    assert RateLimitEvent.objects.count() == 1


# The password reset brake -------------------------------------------------------------


def ask_reset(client, email, ip="203.0.113.5"):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=ip)


@pytest.fixture
def security_log(caplog):
    caplog.set_level(logging.INFO, logger="kontaktstelle.security")
    return caplog


def test_at_most_three_reset_emails_per_address_an_hour(
    client, staff, security_log, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        answers = [ask_reset(client, staff.email, ip=f"203.0.113.{i}") for i in range(5)]
    assert len(mail.outbox) == PASSWORD_RESETS_PER_ADDRESS
    # Refused or not, the visitor sees the same: nothing tells whether the account exists.
    assert {(a.status_code, a["Location"]) for a in answers} == {
        (302, reverse("password_reset_done"))
    }
    refused = [r for r in security_log.records if r.getMessage().startswith("password_reset_")]
    assert [r.security_event for r in refused] == ["password_reset_refused"] * 2
    assert all(r.levelno == logging.WARNING for r in refused)


def test_at_most_twenty_reset_requests_per_ip_an_hour(
    client, staff, django_capture_on_commit_callbacks
):
    for i in range(PASSWORD_RESETS_PER_IP):
        ask_reset(client, f"niemand{i}@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = ask_reset(client, staff.email)
    assert response.status_code == 302
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        ask_reset(client, staff.email, ip="198.51.100.7")  # another network
    assert len(mail.outbox) == 1


def test_an_unknown_address_gets_the_same_answer(client, db):
    assert ask_reset(client, "unbekannt@example.org")["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


# The outbox: SMTP down or slow --------------------------------------------------------

SMTP_DOWN = mock.patch(
    "kontaktstelle.notifications.outbox.send_mail", side_effect=SMTPException("down")
)


def test_a_password_reset_waits_in_the_outbox_and_is_sent_later(
    client, staff, django_capture_on_commit_callbacks
):
    with SMTP_DOWN, django_capture_on_commit_callbacks(execute=True):
        response = ask_reset(client, staff.email)
    assert response.status_code == 302
    assert mail.outbox == []
    assert OutgoingEmail.objects.get().recipient == staff.email
    call_command("send_reminders", stdout=mock.Mock())
    assert [m.to for m in mail.outbox] == [[staff.email]]
    assert re.search(r"/passwort/neu/\S+/", mail.outbox[0].body)
    assert not OutgoingEmail.objects.exists()  # the text with its link is gone once sent


def test_an_invitation_waits_and_staff_are_told(client, staff, django_capture_on_commit_callbacks):
    client.force_login(staff)
    with SMTP_DOWN, django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("starters:starter_create"), create_payload(email="neu@example.org"), follow=True
        )
    assert Starter.objects.filter(user__email="neu@example.org").exists()
    page = response.content.decode()
    assert "konnte gerade nicht an neu@example.org verschickt werden" in page
    assert mail.outbox == []
    assert outbox.send_pending() == 1
    assert mail.outbox[0].to == ["neu@example.org"]
    assert "/einladung/" in mail.outbox[0].body


def test_a_sent_invitation_gets_no_warning(client, staff, django_capture_on_commit_callbacks):
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("starters:starter_create"), create_payload(email="neu@example.org"), follow=True
        )
    assert "konnte gerade nicht" not in response.content.decode()
    assert len(mail.outbox) == 1


def test_an_email_whose_link_expired_is_dropped(db, caplog):
    OutgoingEmail.objects.create(
        recipient="a@example.org",
        subject="Neues Passwort",
        body="link",
        expires_at=timezone.now() - datetime.timedelta(minutes=1),
    )
    assert outbox.send_pending() == 0
    assert mail.outbox == []
    assert not OutgoingEmail.objects.exists()


def test_two_senders_never_send_the_same_email(db):
    email = outbox.send("a@example.org", "Betreff", "Text", datetime.timedelta(hours=1))
    assert outbox._claim(email.pk, timezone.now())
    assert not outbox.deliver(email.pk)  # claimed by the other process
    assert mail.outbox == []


def test_the_smtp_timeout_comes_from_the_environment(settings):
    assert settings.EMAIL_TIMEOUT == 5
