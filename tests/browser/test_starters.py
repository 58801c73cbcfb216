"""Starter journey: staff invite a starter; the starter sets a password, logs in and
changes their availability.
"""

import datetime
import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from kontaktstelle.accounts.invitations import send_invitation
from kontaktstelle.accounts.models import Membership, User
from starters.models import Availability, Starter
from tests.browser.test_accessibility import assert_no_violations
from tests.browser.test_smoke import log_in

NEW_PASSWORD = "Lindenblüte-Abendrot-42"
LINK = re.compile(r"https?://\S+/einladung/[^/\s]+/")


def log_out(page, name):
    page.get_by_role("button", name=name).click()
    page.get_by_role("button", name="Abmelden").click()
    expect(page.get_by_role("link", name="Anmelden")).to_be_visible()


def fill_window(page, row, weekday, starts_at, ends_at):
    page.locator(f"select[name=availability-{row}-weekday]").select_option(str(weekday))
    page.locator(f"input[name=availability-{row}-starts_at]").fill(starts_at)
    page.locator(f"input[name=availability-{row}-ends_at]").fill(ends_at)


def listed_windows(page):
    return page.locator("section[aria-labelledby=availability-heading] li")


def windows_in_db(starter):
    return list(
        Availability.objects.filter(starter=starter)
        .order_by("weekday", "starts_at")
        .values_list("weekday", "starts_at", "ends_at")
    )


def test_staff_invite_a_starter_who_sets_a_password_and_changes_availability(
    page, staff, site, mailoutbox
):
    log_in(page, staff.email)
    expect(page).to_have_url(re.compile(r"/intern/$"))

    page.goto("/intern/igs/")
    page.locator("a[href='/intern/igs/neu/']").click()
    expect(page).to_have_url(re.compile(r"/intern/igs/neu/$"))
    page.locator("input[name=name]").fill("Erika Beispiel")
    page.locator("#id_email").fill("erika@example.org")
    fill_window(page, 0, Availability.Weekday.TUESDAY, "18:00", "21:00")
    page.get_by_role("button", name="Speichern und Einladung senden").click()

    expect(page).to_have_url(re.compile(r"/intern/igs/\d+/$"))
    expect(page.get_by_role("heading", name="Erika Beispiel")).to_be_visible()
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["erika@example.org"]
    link = LINK.search(mailoutbox[0].body).group(0)

    log_out(page, "Jonas Berger")
    page.goto(link)
    page.locator("input[name=new_password1]").fill(NEW_PASSWORD)
    page.locator("input[name=new_password2]").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Passwort speichern und anmelden").click()

    expect(page).to_have_url(re.compile(r"/mein-bereich/$"))
    expect(page.get_by_role("button", name="Erika Beispiel")).to_be_visible()
    expect(listed_windows(page)).to_have_text(["Dienstag, 18:00–21:00"])

    # Logging in again with the chosen password proves that it was saved.
    log_out(page, "Erika Beispiel")
    log_in(page, "erika@example.org", NEW_PASSWORD)
    expect(page).to_have_url(re.compile(r"/mein-bereich/$"))

    page.goto("/mein-bereich/profil/")
    page.locator("input[name=availability-0-ends_at]").fill("20:00")
    fill_window(page, 1, Availability.Weekday.THURSDAY, "10:00", "12:00")
    page.get_by_role("button", name="Speichern", exact=True).click()

    expect(page).to_have_url(re.compile(r"/mein-bereich/$"))
    expect(listed_windows(page)).to_have_text(["Dienstag, 18:00–20:00", "Donnerstag, 10:00–12:00"])
    starter = Starter.objects.get(user__email="erika@example.org")
    assert windows_in_db(starter) == [
        (Availability.Weekday.TUESDAY, datetime.time(18), datetime.time(20)),
        (Availability.Weekday.THURSDAY, datetime.time(10), datetime.time(12)),
    ]


def test_a_used_invitation_link_cannot_be_used_again(page, staff, live_server):
    # As staff would create them: an account without a usable password until the link.
    user = User.objects.create_user(email="erika@example.org", name="Erika Beispiel", password=None)
    Membership.objects.create(user=user, role=Membership.Role.STARTER, office=staff.office)
    starter = Starter.objects.create(office=staff.office, user=user)
    links = []
    send_invitation(starter.user, staff, lambda path: links.append(live_server.url + path))
    page.goto(links[0])
    page.locator("input[name=new_password1]").fill(NEW_PASSWORD)
    page.locator("input[name=new_password2]").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Passwort speichern und anmelden").click()
    expect(page).to_have_url(re.compile(r"/mein-bereich/$"))
    log_out(page, "Erika Beispiel")
    starter.user.refresh_from_db()
    password_hash = starter.user.password

    response = page.goto(links[0])

    assert response.status == 410
    heading = page.get_by_role("heading", name="Dieser Link kann nicht verwendet werden")
    expect(heading).to_be_visible()
    expect(page.get_by_text("Dieser Link wurde bereits benutzt.")).to_be_visible()
    expect(page.get_by_text("Es wurde nichts geändert.")).to_be_visible()
    expect(page.locator("input[name=new_password1]")).to_have_count(0)
    starter.user.refresh_from_db()
    assert starter.user.password == password_hash
    assert starter.user.check_password(NEW_PASSWORD)


def test_starter_changes_availability_on_a_phone(phone_page, starter):
    page = phone_page
    profile = starter.starter
    Availability.objects.create(
        starter=profile,
        weekday=Availability.Weekday.TUESDAY,
        starts_at=datetime.time(18),
        ends_at=datetime.time(21),
    )
    log_in(page, starter.email)
    expect(page).to_have_url(re.compile(r"/mein-bereich/$"))

    page.goto("/mein-bereich/profil/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.locator("input[name=availability-0-ends_at]").fill("20:00")
    fill_window(page, 1, Availability.Weekday.THURSDAY, "10:00", "12:00")
    page.get_by_role("button", name="Speichern", exact=True).click()

    expect(page).to_have_url(re.compile(r"/mein-bereich/$"))
    expect(listed_windows(page)).to_have_text(["Dienstag, 18:00–20:00", "Donnerstag, 10:00–12:00"])
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert windows_in_db(profile) == [
        (Availability.Weekday.TUESDAY, datetime.time(18), datetime.time(20)),
        (Availability.Weekday.THURSDAY, datetime.time(10), datetime.time(12)),
    ]


@pytest.mark.parametrize(
    ("persona", "url"),
    [
        ("staff", "/intern/igs/"),
        ("staff", "/intern/igs/neu/"),
        ("starter", "/mein-bereich/"),
        ("starter", "/mein-bereich/profil/"),
    ],
)
def test_starter_pages_have_no_axe_violations(
    page, site, staff, starter, client, live_server, persona, url
):
    client.force_login({"staff": staff, "starter": starter}[persona])
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    page.goto(url)
    assert_no_violations(page)
