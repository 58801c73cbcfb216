"""Journey: a staff member sets up two-factor login, logs out, and logs in with a code.

The pages are read in English (the source language), so the journey does not depend on
the state of the German catalogue; the lookups are by role and label, as a person uses
them.
"""

import base64
import re
import time

import pytest
from django.conf import settings as django_settings
from django_otp.oath import TOTP
from playwright.sync_api import expect

from tests.browser.test_accessibility import assert_no_violations
from tests.factories import PASSWORD


@pytest.fixture(autouse=True)
def require_2fa(settings):
    settings.KONTAKTSTELLE_REQUIRE_2FA_FOR_STAFF = True


def in_english(page, live_server):
    page.context.add_cookies(
        [{"name": django_settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}]
    )


def log_in(page, email):
    page.goto("/anmelden/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def code(secret, steps_ahead=0):
    totp = TOTP(base64.b32decode(secret.replace(" ", "")))
    totp.time = time.time() + steps_ahead * 30
    return f"{totp.token():06d}"


def assert_no_horizontal_overflow(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_staff_sets_up_two_factor_login_and_logs_in_with_a_code(page, live_server, staff, site):
    in_english(page, live_server)
    log_in(page, staff.email)

    expect(page).to_have_url(re.compile(r"/zwei-faktor/\?next="))
    expect(page.get_by_role("heading", name="Set up two-factor login")).to_be_visible()
    expect(page.get_by_role("img", name="QR code for the authenticator app")).to_be_visible()
    # Every other page leads back here until it is done.
    page.goto("/intern/gruppen/")
    expect(page).to_have_url(re.compile(r"/zwei-faktor/\?next=/intern/gruppen/"))
    assert_no_violations(page)

    secret = page.locator("#two-factor-secret").inner_text()
    page.get_by_role("textbox", name="Code").fill(code(secret))
    page.get_by_role("button", name="Confirm and switch on").click()

    expect(page.get_by_role("heading", name="Your backup codes")).to_be_visible()
    expect(page.locator("#backup-codes li")).to_have_count(10)
    page.get_by_role("link", name="I have kept my backup codes").click()
    expect(page).to_have_url(re.compile(r"/intern/gruppen/$"))

    page.get_by_role("button", name="Jonas Berger").click()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()

    log_in(page, staff.email)
    expect(page).to_have_url(re.compile(r"/anmelden/code/\?next="))
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    assert_no_violations(page)
    page.get_by_role("textbox", name="Code").fill("000000")
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("This code is not correct or was already used.")).to_be_visible()

    # The code of the set-up was used; the app's next one works (after the short wait
    # that a wrong code costs).
    time.sleep(1.1)
    page.get_by_role("textbox", name="Code").fill(code(secret, steps_ahead=1))
    page.get_by_role("button", name="Confirm").click()
    expect(page).to_have_url(re.compile(r"/intern/$"))
    expect(page.get_by_role("link", name="Standort Mitte")).to_be_visible()


def test_two_factor_pages_fit_a_phone(phone_page, live_server, staff):
    page = phone_page
    in_english(page, live_server)
    log_in(page, staff.email)
    expect(page.get_by_role("heading", name="Set up two-factor login")).to_be_visible()
    assert_no_horizontal_overflow(page)
    assert_no_violations(page)

    secret = page.locator("#two-factor-secret").inner_text()
    page.get_by_role("textbox", name="Code").fill(code(secret))
    page.get_by_role("button", name="Confirm and switch on").click()
    expect(page.get_by_role("heading", name="Your backup codes")).to_be_visible()
    assert_no_horizontal_overflow(page)

    page.context.clear_cookies()
    in_english(page, live_server)
    log_in(page, staff.email)
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    assert_no_horizontal_overflow(page)
    assert_no_violations(page)
