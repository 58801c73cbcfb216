"""Login lockout, session limits and the security log."""

import datetime
import logging
import re

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.core import mail
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kontaktstelle.accounts.sessions import LOGIN_AT_KEY, SEEN_AT_KEY
from kontaktstelle.audit.models import AuditEntry
from tests.factories import PASSWORD

ATTACKER = "203.0.113.7"
ELSEWHERE = "198.51.100.20"
WRONG = "falsch-falsch-falsch"


def english_client():
    client = Client()
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def attempt(client, email, password=WRONG, ip=ATTACKER):
    return client.post(reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=ip)


def fail(client, email, times, ip=ATTACKER):
    return [attempt(client, email, ip=ip) for _ in range(times)]


def age_attempts(minutes):
    AccessAttempt.objects.update(
        attempt_time=F("attempt_time") - datetime.timedelta(minutes=minutes)
    )


def end_cool_off():
    age_attempts(16)


def is_logged_in(client):
    return "_auth_user_id" in client.session


# Lockout


def test_five_failures_lock_the_address_from_that_ip(client, staff):
    responses = fail(client, staff.email, 5)
    assert [r.status_code for r in responses] == [200, 200, 200, 200, 429]
    assert "registration/login_locked.html" in [t.name for t in responses[-1].templates]


def test_the_right_password_is_refused_during_the_lock(client, staff):
    fail(client, staff.email, 5)
    response = attempt(client, staff.email, PASSWORD)
    assert response.status_code == 429
    assert not is_logged_in(client)


def test_the_lock_ends_after_the_cool_off(client, staff):
    fail(client, staff.email, 5)
    end_cool_off()
    response = attempt(client, staff.email, PASSWORD)
    assert response.status_code == 302
    assert is_logged_in(client)


def test_retrying_during_the_lock_does_not_prolong_it(client, staff):
    fail(client, staff.email, 5)
    age_attempts(10)
    assert attempt(client, staff.email, PASSWORD).status_code == 429
    fail(client, staff.email, 2)
    age_attempts(6)
    # 16 minutes after the failure that locked, 6 after the last retry.
    assert attempt(client, staff.email, PASSWORD).status_code == 302


def test_case_and_blanks_of_the_address_do_not_escape_the_count(client, staff):
    for spelling in ["fachkraft@example.org", "FACHKRAFT@example.org", "Fachkraft@Example.org"]:
        attempt(client, spelling)
    fail(client, " fachkraft@EXAMPLE.org ", 2)
    assert attempt(client, "fachkraft@example.ORG", PASSWORD).status_code == 429
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {staff.email}


def test_the_same_user_logs_in_from_elsewhere_during_the_lock(client, staff):
    fail(client, staff.email, 5)
    response = attempt(Client(), staff.email, PASSWORD, ip=ELSEWHERE)
    assert response.status_code == 302


def test_other_users_are_not_affected_by_a_locked_address(client, staff, other_staff):
    fail(client, staff.email, 5)
    assert attempt(Client(), other_staff.email, PASSWORD, ip=ELSEWHERE).status_code == 302
    # Four failures against one address leave the IP open for others.
    assert attempt(Client(), other_staff.email, PASSWORD).status_code == 302


def test_many_failures_from_one_ip_lock_that_ip(client, staff, other_staff):
    for number in range(20):
        response = attempt(client, f"person{number}@example.org")
    assert response.status_code == 429
    assert attempt(Client(), other_staff.email, PASSWORD).status_code == 429
    assert attempt(Client(), other_staff.email, PASSWORD, ip=ELSEWHERE).status_code == 302


def test_nineteen_failures_from_one_ip_do_not_lock_it(client, other_staff):
    for number in range(19):
        response = attempt(client, f"person{number}@example.org")
    assert response.status_code == 200
    assert attempt(Client(), other_staff.email, PASSWORD).status_code == 302


def test_lock_page_is_the_same_whether_the_account_exists_or_not(staff):
    known = fail(english_client(), staff.email, 5, ip="192.0.2.1")[-1]
    unknown = fail(english_client(), "niemand@example.org", 5, ip="192.0.2.2")[-1]
    for response in (known, unknown):
        assert response.status_code == 429
        content = response.content.decode()
        assert "too many failed login attempts" in content
        assert "15 minutes" in content
        assert reverse("password_reset") in content
    assert staff.email not in known.content.decode()
    strip = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
    assert strip.sub("", known.content.decode()) == strip.sub("", unknown.content.decode())


def test_a_successful_login_forgets_the_failures_of_that_address(client, staff):
    fail(client, staff.email, 4)
    assert attempt(client, staff.email, PASSWORD).status_code == 302
    client.post(reverse("logout"))
    fail(client, staff.email, 4)
    assert attempt(client, staff.email, PASSWORD).status_code == 302


def test_a_password_reset_lifts_the_lock(client, staff):
    fail(client, staff.email, 5)
    client.post(reverse("password_reset"), {"email": staff.email})
    link = re.search(r"http://testserver(/passwort/neu/\S+)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    new_password = "ein-neues-Passwort-2026"
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 302
    assert attempt(client, staff.email, new_password).status_code == 302


def test_office_admin_lifts_the_lock_of_a_user_of_their_office_only(
    client, office_admin, staff, other_staff
):
    fail(Client(), staff.email, 5)
    fail(Client(), other_staff.email, 5)
    client.force_login(office_admin)
    response = client.post(
        reverse("admin:kontaktstelle_user_changelist"),
        {"action": "unlock_login", "_selected_action": [staff.pk, other_staff.pk]},
    )
    assert response.status_code == 302
    assert attempt(Client(), staff.email, PASSWORD).status_code == 302
    assert attempt(Client(), other_staff.email, PASSWORD).status_code == 429
    entry = AuditEntry.objects.get()  # written once, for the own office's user only
    assert (entry.action, entry.actor, entry.target_id) == (
        AuditEntry.Action.PERMISSIONS_CHANGED,
        office_admin,
        str(staff.pk),
    )


def test_client_ip_is_taken_from_the_proxy_only_when_trusted(rf, settings):
    from kontaktstelle.web.clients import client_ip

    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9")
    settings.KONTAKTSTELLE_TRUST_X_FORWARDED_FOR = False
    assert client_ip(request) == "10.0.0.1"
    settings.KONTAKTSTELLE_TRUST_X_FORWARDED_FOR = True
    # The last address is the one our proxy added; the first is the client's to forge.
    assert client_ip(request) == "203.0.113.9"


# Sessions


def set_session_times(client, login_ago, seen_ago):
    session = client.session
    now = timezone.now().timestamp()
    session[LOGIN_AT_KEY] = int(now - login_ago.total_seconds())
    session[SEEN_AT_KEY] = int(now - seen_ago.total_seconds())
    session.save()


def test_login_gives_a_new_session_key_and_ends_the_old_one(client, staff):
    client.get(reverse("login"))
    client.session.save()
    before = client.session.session_key
    attempt(client, staff.email, PASSWORD)
    assert client.session.session_key != before
    assert not Session.objects.filter(session_key=before).exists()


def test_session_ends_after_30_minutes_idle(client, staff):
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(staff)
    set_session_times(
        client, login_ago=datetime.timedelta(hours=1), seen_ago=datetime.timedelta(minutes=31)
    )
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={reverse('dashboard')}"
    assert not is_logged_in(client)
    page = client.get(response["Location"]).content.decode()
    assert "logged out after 30 minutes without activity" in page


def test_session_within_the_idle_limit_goes_on_and_counts_as_activity(client, staff):
    client.force_login(staff)
    set_session_times(
        client, login_ago=datetime.timedelta(hours=1), seen_ago=datetime.timedelta(minutes=29)
    )
    assert client.get(reverse("dashboard")).status_code == 200
    seen_at = client.session[SEEN_AT_KEY]
    assert timezone.now().timestamp() - seen_at < 5


def test_activity_is_not_written_on_every_request(client, staff):
    client.force_login(staff)
    set_session_times(
        client, login_ago=datetime.timedelta(minutes=5), seen_ago=datetime.timedelta(seconds=20)
    )
    before = client.session[SEEN_AT_KEY]
    client.get(reverse("dashboard"))
    assert client.session[SEEN_AT_KEY] == before


def test_session_ends_after_12_hours_even_when_active(client, staff):
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(staff)
    set_session_times(
        client,
        login_ago=datetime.timedelta(hours=12, minutes=1),
        seen_ago=datetime.timedelta(minutes=1),
    )
    response = client.get(reverse("dashboard"))
    assert response["Location"].startswith(reverse("login"))
    assert not is_logged_in(client)
    assert "session ended after 12 hours" in client.get(response["Location"]).content.decode()


def test_session_limits_follow_the_settings(client, staff, settings):
    settings.KONTAKTSTELLE_SESSION_IDLE_MINUTES = 5
    client.force_login(staff)
    set_session_times(
        client, login_ago=datetime.timedelta(minutes=10), seen_ago=datetime.timedelta(minutes=6)
    )
    assert client.get(reverse("dashboard"))["Location"].startswith(reverse("login"))


def test_password_change_ends_the_other_sessions(client, staff):
    other_browser = Client()
    other_browser.force_login(staff)
    client.force_login(staff)
    new_password = "ein-neues-Passwort-77"
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200
    response = other_browser.get(reverse("dashboard"))
    assert response["Location"].startswith(reverse("login"))


def test_deactivated_user_session_no_longer_authenticates(client, staff):
    client.force_login(staff)
    assert client.get(reverse("dashboard")).status_code == 200
    staff.is_active = False
    staff.save(update_fields=["is_active"])
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_password_change_refuses_a_common_password(client, staff):
    client.force_login(staff)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "password123", "new_password2": "password123"},
    )
    assert response.status_code == 200
    codes = [error.code for error in response.context["form"].errors.as_data()["new_password2"]]
    assert "password_too_common" in codes
    staff.refresh_from_db()
    assert staff.check_password(PASSWORD)


def test_email_login_ignores_case(client, staff):
    assert attempt(client, "FachKraft@EXAMPLE.ORG", PASSWORD).status_code == 302
    assert client.session["_auth_user_id"] == str(staff.pk)


# Security log


@pytest.fixture
def security_log(caplog):
    caplog.set_level(logging.INFO, logger="kontaktstelle.security")
    return caplog


def events(caplog):
    return [
        (r.security_event, r.security_user_id, r.security_ip, r.levelno)
        for r in caplog.records
        if r.name == "kontaktstelle.security"
    ]


def test_login_failure_and_logout_are_logged_without_the_password(client, staff, security_log):
    attempt(client, staff.email)
    attempt(client, "niemand@example.org")
    attempt(client, staff.email, PASSWORD)
    client.post(reverse("logout"), REMOTE_ADDR=ATTACKER)
    assert events(security_log) == [
        ("login_failed", staff.pk, ATTACKER, logging.WARNING),
        ("login_failed", None, ATTACKER, logging.WARNING),
        ("login", staff.pk, ATTACKER, logging.INFO),
        ("logout", staff.pk, ATTACKER, logging.INFO),
    ]
    logged = "\n".join(record.getMessage() for record in security_log.records)
    assert WRONG not in logged
    assert PASSWORD not in logged
    assert "niemand" not in logged


def test_lockout_is_logged(client, staff, security_log):
    fail(client, staff.email, 5)
    assert ("login_locked", staff.pk, ATTACKER, logging.WARNING) in events(security_log)


def test_refused_role_check_is_logged_with_user_and_ip(client, starter, security_log):
    client.force_login(starter)
    response = client.get(reverse("dashboard"), REMOTE_ADDR=ELSEWHERE)
    assert response.status_code == 403
    assert ("forbidden", starter.pk, ELSEWHERE, logging.WARNING) in events(security_log)
    assert any("path=/intern/" in r.getMessage() for r in security_log.records)


def test_permission_denied_in_the_admin_is_logged(client, staff, office_admin, security_log):
    client.force_login(office_admin)
    response = client.get(reverse("admin:kontaktstelle_network_changelist"))
    assert response.status_code == 403
    assert ("forbidden", office_admin.pk, "127.0.0.1", logging.WARNING) in events(security_log)


def test_session_expiry_is_logged(client, staff, security_log):
    client.force_login(staff)
    set_session_times(
        client, login_ago=datetime.timedelta(hours=1), seen_ago=datetime.timedelta(hours=1)
    )
    client.get(reverse("dashboard"))
    assert ("session_expired", staff.pk, "127.0.0.1", logging.INFO) in events(security_log)
