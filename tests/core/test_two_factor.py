"""Two-factor login: set-up, the code step after the password, the requirement for staff."""

import base64
import re
import time

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from kontaktstelle.audit.models import AuditEntry
from tests.factories import PASSWORD


@pytest.fixture
def require_2fa(settings):
    settings.KONTAKTSTELLE_REQUIRE_2FA_FOR_STAFF = True


@pytest.fixture
def english(client):
    # Messages are asserted in English, the source language, independent of the catalogue.
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def code_for(device, steps_ahead=0):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def make_device(user):
    return TOTPDevice.objects.create(user=user, name="Authenticator", confirmed=True)


def log_in_with_password(client, user):
    response = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return response


def verified_login(client, user, device):
    client.force_login(user)
    response = client.post(reverse("two_factor_verify"), {"code": code_for(device)})
    assert response.status_code == 302, response.content.decode()


STAFF_PAGES = [
    "dashboard",
    "groups:group_list",
    "groups:inbox",
    "groups:consultations",
    "starters:accompaniment_list",
    "starters:starter_list",
    "statistics",
    "notifications",
    "password_change",
    "home_for_user",
    "home",
    "groups:directory",
]


@pytest.mark.parametrize("name", STAFF_PAGES)
def test_staff_without_device_is_sent_to_set_up_from_every_page(client, staff, require_2fa, name):
    client.force_login(staff)
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('two_factor_setup')}?next={url}"


def test_office_admin_without_device_cannot_reach_the_admin(client, office_admin, require_2fa):
    client.force_login(office_admin)
    response = client.get(reverse("admin:index"))
    assert response["Location"].startswith(reverse("two_factor_setup"))


def test_operator_without_device_is_sent_to_set_up(client, db, require_2fa):
    from tests.factories import UserFactory

    operator = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(operator)
    assert client.get(reverse("admin:index"))["Location"].startswith(reverse("two_factor_setup"))


def test_starters_and_coordinators_are_not_required_to_use_it(
    client, starter, coordinator, require_2fa
):
    client.force_login(starter)
    assert client.get(reverse("starters:home")).status_code == 200
    client.force_login(coordinator)
    assert client.get(reverse("network_overview")).status_code == 200


def test_with_the_setting_off_force_login_reaches_the_dashboard(client, staff):
    client.force_login(staff)
    assert client.get(reverse("dashboard")).status_code == 200


def test_logout_and_language_stay_possible_before_set_up(client, staff, require_2fa):
    client.force_login(staff)
    assert client.post(reverse("set_language"), {"language": "en"}).status_code == 302
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_the_imprint_stays_open_before_set_up(client, office, staff, require_2fa):
    client.force_login(staff)
    assert client.get("/impressum/").status_code == 200


def test_set_up_page_shows_qr_code_and_secret_of_an_unconfirmed_device(client, staff):
    client.force_login(staff)
    response = client.get(reverse("two_factor_setup"))
    assert response.status_code == 200
    device = TOTPDevice.objects.get(user=staff)
    assert not device.confirmed
    content = response.content.decode()
    assert "<svg" in content
    assert 'role="img"' in content
    secret = re.search(r'id="two-factor-secret">([A-Z2-7 ]+)<', content).group(1)
    assert base64.b32decode(secret.replace(" ", "")) == device.bin_key
    # Reloading keeps the same secret, so a half-finished set-up can go on.
    client.get(reverse("two_factor_setup"))
    assert TOTPDevice.objects.filter(user=staff).count() == 1


def test_set_up_with_a_wrong_code_is_refused(english, staff, require_2fa):
    english.force_login(staff)
    english.get(reverse("two_factor_setup"))
    response = english.post(reverse("two_factor_setup"), {"code": "000000"})
    assert response.status_code == 200
    assert "This code is not correct" in response.content.decode()
    assert not TOTPDevice.objects.get(user=staff).confirmed
    assert english.get(reverse("dashboard"))["Location"].startswith(reverse("two_factor_setup"))


def test_set_up_confirms_the_device_shows_backup_codes_once_and_opens_the_app(
    client, staff, require_2fa
):
    client.force_login(staff)
    client.get(reverse("two_factor_setup"))
    device = TOTPDevice.objects.get(user=staff)
    response = client.post(
        reverse("two_factor_setup"), {"code": code_for(device), "next": reverse("dashboard")}
    )
    assert response.status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    codes = re.findall(r"<li class=\"col\">([a-z2-7]{8})</li>", response.content.decode())
    assert len(codes) == 10
    assert sorted(codes) == sorted(
        StaticToken.objects.filter(device__user=staff).values_list("token", flat=True)
    )
    assert f'href="{reverse("dashboard")}"' in response.content.decode()
    assert client.get(reverse("dashboard")).status_code == 200
    # The status page does not show the codes again.
    status = client.get(reverse("two_factor_setup")).content.decode()
    assert not any(code in status for code in codes)


def test_user_with_device_but_unverified_session_is_sent_to_the_code_page(
    client, staff, require_2fa
):
    make_device(staff)
    client.force_login(staff)
    response = client.get(reverse("dashboard"))
    assert response["Location"] == f"{reverse('two_factor_verify')}?next={reverse('dashboard')}"


def test_a_device_is_asked_for_even_where_it_is_not_required(client, starter):
    make_device(starter)
    client.force_login(starter)
    assert client.get(reverse("starters:home"))["Location"].startswith(reverse("two_factor_verify"))


def test_unverified_user_cannot_set_up_a_second_device_to_skip_the_code(client, staff, require_2fa):
    make_device(staff)
    client.force_login(staff)
    response = client.get(reverse("two_factor_setup"))
    assert response["Location"].startswith(reverse("two_factor_verify"))
    assert TOTPDevice.objects.filter(user=staff).count() == 1


def test_a_session_older_than_the_device_must_enter_the_code_before_set_up(client, starter):
    client.force_login(starter)
    assert client.get(reverse("starters:home")).status_code == 200
    make_device(starter)  # confirmed in another browser
    response = client.get(reverse("two_factor_setup"))
    assert response["Location"].startswith(reverse("two_factor_verify"))
    assert client.get(reverse("starters:home"))["Location"].startswith(reverse("two_factor_verify"))
    assert TOTPDevice.objects.filter(user=starter).count() == 1


def test_password_then_code_reaches_the_dashboard(client, staff, require_2fa):
    device = make_device(staff)
    log_in_with_password(client, staff)
    response = client.get(reverse("home_for_user"))
    assert response["Location"].startswith(reverse("two_factor_verify"))
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert 'autocomplete="one-time-code"' in page.content.decode()
    response = client.post(
        reverse("two_factor_verify"), {"code": code_for(device), "next": reverse("home_for_user")}
    )
    assert response["Location"] == reverse("home_for_user")
    assert client.get(reverse("home_for_user"))["Location"] == reverse("dashboard")
    assert client.get(reverse("dashboard")).status_code == 200


def test_verification_gives_a_new_session_key(client, staff):
    device = make_device(staff)
    client.force_login(staff)
    before = client.session.session_key
    client.post(reverse("two_factor_verify"), {"code": code_for(device)})
    assert client.session.session_key != before
    assert client.get(reverse("dashboard")).status_code == 200


def test_a_wrong_code_is_refused_with_a_message(english, staff, require_2fa):
    make_device(staff)
    english.force_login(staff)
    response = english.post(reverse("two_factor_verify"), {"code": "123456"})
    assert response.status_code == 200
    assert "This code is not correct or was already used." in response.content.decode()
    assert english.get(reverse("dashboard"))["Location"].startswith(reverse("two_factor_verify"))


def test_repeated_wrong_codes_make_the_next_try_wait(english, staff):
    device = make_device(staff)
    english.force_login(staff)
    english.post(reverse("two_factor_verify"), {"code": "123456"})
    response = english.post(reverse("two_factor_verify"), {"code": code_for(device)})
    assert "Too many wrong codes" in response.content.decode()
    assert english.get(reverse("dashboard")).status_code == 302


def test_the_same_code_is_refused_a_second_time(client, staff, require_2fa):
    device = make_device(staff)
    code = code_for(device)
    client.force_login(staff)
    assert client.post(reverse("two_factor_verify"), {"code": code}).status_code == 302
    other_browser = Client()
    other_browser.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    other_browser.force_login(staff)
    response = other_browser.post(reverse("two_factor_verify"), {"code": code})
    assert response.status_code == 200
    assert "was already used" in response.content.decode()


def test_a_backup_code_works_once(client, staff, require_2fa):
    make_device(staff)
    backup = StaticDevice.objects.create(user=staff, name="Backup codes")
    backup.token_set.create(token="abcd2345")
    client.force_login(staff)
    response = client.post(reverse("two_factor_verify"), {"code": "ABCD 2345"})
    assert response.status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200
    assert not StaticToken.objects.filter(token="abcd2345").exists()
    client.logout()
    client.force_login(staff)
    assert client.post(reverse("two_factor_verify"), {"code": "abcd2345"}).status_code == 200


def test_verify_does_not_redirect_to_other_sites(client, staff):
    device = make_device(staff)
    client.force_login(staff)
    response = client.post(
        reverse("two_factor_verify"),
        {"code": code_for(device), "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("home_for_user")


def test_code_page_without_a_pending_step_moves_on(client, staff):
    client.force_login(staff)
    assert client.get(reverse("two_factor_verify"))["Location"] == reverse("home_for_user")


def test_verified_user_sees_the_state_and_can_make_new_backup_codes(client, staff, require_2fa):
    device = make_device(staff)
    verified_login(client, staff, device)
    response = client.get(reverse("two_factor_setup"))
    assert response.status_code == 200
    assert "<svg" not in response.content.decode()
    response = client.post(reverse("two_factor_backup_codes"))
    assert response.status_code == 200
    assert StaticToken.objects.filter(device__user=staff).count() == 10


def test_new_backup_codes_need_a_verified_session(client, starter):
    client.force_login(starter)
    response = client.post(reverse("two_factor_backup_codes"))
    assert response["Location"] == reverse("two_factor_setup")
    assert not StaticToken.objects.exists()


def test_office_admin_resets_two_factor_of_their_own_office_only(
    client, office_admin, staff, other_staff
):
    make_device(staff)
    make_device(other_staff)
    StaticDevice.objects.create(user=staff, name="Backup codes").token_set.create(token="x")
    client.force_login(office_admin)
    response = client.post(
        reverse("admin:kontaktstelle_user_changelist"),
        {"action": "reset_two_factor", "_selected_action": [staff.pk, other_staff.pk]},
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=staff).exists()
    assert not StaticDevice.objects.filter(user=staff).exists()
    assert TOTPDevice.objects.filter(user=other_staff).exists()
    entry = AuditEntry.objects.get()  # written once, for the own office's user only
    assert (entry.action, entry.actor, entry.target_id) == (
        AuditEntry.Action.PERMISSIONS_CHANGED,
        office_admin,
        str(staff.pk),
    )


def test_after_a_reset_the_verified_session_must_set_up_again(client, staff, require_2fa):
    from kontaktstelle.accounts import two_factor

    device = make_device(staff)
    verified_login(client, staff, device)
    assert client.get(reverse("dashboard")).status_code == 200
    two_factor.reset(staff)
    assert client.get(reverse("dashboard"))["Location"].startswith(reverse("two_factor_setup"))


def test_navigation_links_to_the_set_up_page(client, starter):
    client.force_login(starter)
    content = client.get(reverse("starters:home")).content.decode()
    assert f'href="{reverse("two_factor_setup")}"' in content


def test_two_factor_events_are_logged_without_codes(client, staff, caplog):
    device = make_device(staff)
    client.force_login(staff)
    caplog.set_level("INFO", logger="kontaktstelle.security")
    client.post(reverse("two_factor_verify"), {"code": "999999"})
    # The wrong code makes the device wait a second; end the wait instead of sleeping.
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
    code = code_for(device)
    client.post(reverse("two_factor_verify"), {"code": code})
    events = [
        (r.security_event, r.security_user_id)
        for r in caplog.records
        if r.name == "kontaktstelle.security"
    ]
    assert ("two_factor_failed", staff.pk) in events
    assert ("two_factor_verified", staff.pk) in events
    assert not any("999999" in r.getMessage() or code in r.getMessage() for r in caplog.records)
