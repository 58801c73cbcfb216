"""Smoke journey: a staff member logs in, reaches the dashboard and logs out."""

import re

from playwright.sync_api import expect

from tests.factories import PASSWORD


def log_in(page, email, password=PASSWORD):
    page.goto("/anmelden/")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Passwort").fill(password)
    page.get_by_role("button", name="Anmelden").click()


def test_staff_logs_in_reaches_dashboard_and_logs_out(page, staff, site):
    page.goto("/")
    page.get_by_role("link", name="Anmelden").click()
    expect(page.get_by_role("heading", name="Anmelden")).to_be_visible()

    log_in(page, "Fachkraft@Example.org")

    expect(page).to_have_url(re.compile(r"/intern/$"))
    expect(page.get_by_role("heading", name="Übersicht")).to_be_visible()
    expect(page.get_by_role("link", name="Standort Mitte")).to_be_visible()

    page.get_by_role("button", name="Jonas Berger").click()
    page.get_by_role("button", name="Abmelden").click()

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("link", name="Anmelden")).to_be_visible()
    page.goto("/intern/")
    expect(page).to_have_url(re.compile(r"/anmelden/\?next=/intern/"))


def test_wrong_password_shows_a_german_message_and_stays_logged_out(page, staff):
    log_in(page, staff.email, "nicht-das-passwort")
    expect(page.get_by_text("E-Mail-Adresse oder Passwort ist nicht korrekt.")).to_be_visible()
    page.goto("/intern/")
    expect(page).to_have_url(re.compile(r"/anmelden/"))


def test_staff_logs_in_and_out_on_a_phone(phone_page, staff, site):
    page = phone_page
    page.goto("/anmelden/")
    page.get_by_label("E-Mail-Adresse").fill(staff.email)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("heading", name="Übersicht")).to_be_visible()
    # The navigation folds into a menu button at phone width.
    page.get_by_role("button", name="Menü öffnen").click()
    # Wait for the menu to finish unfolding: a click during the animation can miss.
    expect(page.locator("#main-nav")).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
    page.get_by_role("button", name="Jonas Berger").click()
    expect(page.locator(".dropdown-menu.show")).to_be_visible()
    page.get_by_role("button", name="Abmelden").click()
    expect(page).to_have_url(re.compile(r"/$"))
    page.get_by_role("button", name="Menü öffnen").click()
    expect(page.get_by_role("link", name="Anmelden")).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert not overflow
