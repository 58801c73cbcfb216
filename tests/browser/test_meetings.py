"""Meeting logs at phone width: a starter logs a meeting right after it, sees it in their
progress, and the responsible staff member sees the "would like to talk" alert until the
talk is marked as done. Also the private calendar link.
"""

import datetime
import re

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from kontaktstelle.notifications.models import Notification
from starters.models import Accompaniment, Assignment, Availability, MeetingLog, MeetingTopic
from tests.browser.test_accessibility import assert_no_violations
from tests.browser.test_smoke import log_in
from tests.factories import GroupFactory

GROUP = "Gesprächskreis Pflegende Angehörige"
NOTE = "Die Gruppe hat sich Regeln für die Runde gegeben."
NO_OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth"
OFFER_URL = re.compile(r"/mein-bereich/angebote/(\d+)/$")


def running_accompaniment(staff, starter):
    """An active accompaniment of three meetings, started a week ago, with the starter on it.

    Returns the starter's assignment (its pk is the key of the starter's pages).
    """
    office = staff.office
    accompaniment = Accompaniment.objects.create(
        office=office,
        group=GroupFactory(office=office, name=GROUP),
        kind=Accompaniment.Kind.FOUNDING,
        status=Accompaniment.Status.ACTIVE,
        requested_by="Gründerin der Gruppe",
        meeting_weekday=Availability.Weekday.TUESDAY,
        meeting_time=datetime.time(19),
        meeting_place="Gruppenraum 1",
        planned_meetings=3,
        responsible=staff,
        started_on=timezone.localdate() - datetime.timedelta(days=7),
    )
    profile = starter.starter
    profile.capacity = max(profile.capacity, 1)
    profile.load = 1
    profile.save()
    return Assignment.objects.create(
        accompaniment=accompaniment,
        starter=profile,
        state=Assignment.State.ACCEPTED,
        offered_by=staff,
        answered_at=timezone.now(),
    )


def log_in_with_cookie(page, client, live_server, user):
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def log_out_on_phone(page, name):
    """At phone width the navigation is folded into a menu button."""
    page.get_by_role("button", name="Menü öffnen").click()
    # Wait for the menu to finish unfolding: a click during the animation can miss.
    expect(page.locator("#main-nav")).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
    page.get_by_role("button", name=name).click()
    expect(page.locator(".dropdown-menu.show")).to_be_visible()
    page.get_by_role("button", name="Abmelden").click()
    # The start page itself: the app's script first forgets the phone's kept forms, so
    # the logout's navigation starts a moment after the click.
    expect(page).to_have_url(re.compile(r"^https?://[^/]+/$"))


def labelled(page, label):
    """A field by its visible label; crispy adds an asterisk to required ones."""
    return page.get_by_label(re.compile(rf"^\s*{re.escape(label)}\*?\s*$"))


def fill_log(page, *, held_on, participants, newcomers, note=NOTE, wants_talk=False):
    labelled(page, "Datum").fill(held_on.isoformat())
    labelled(page, "Beginn").fill("19:00")
    labelled(page, "Dauer in Minuten").fill("90")
    labelled(page, "Teilnehmende").fill(str(participants))
    labelled(page, "Davon neu").fill(str(newcomers))
    page.get_by_label("Gruppenregeln").check()
    page.get_by_label("Notiz zum Gruppenprozess").fill(note)
    if wants_talk:
        page.get_by_label("Ich möchte mit der Kontaktstelle sprechen").check()


def progress_bar(page):
    return page.get_by_role("progressbar", name="Eingetragene Treffen")


def test_starter_logs_a_meeting_on_a_phone_and_staff_see_the_talk_alert(
    phone_page, site, staff, starter, mailoutbox
):
    page = phone_page
    assignment = running_accompaniment(staff, starter)
    accompaniment = assignment.accompaniment
    today = timezone.localdate()

    # The starter, right after the meeting, on their phone.
    log_in(page, starter.email)
    expect(page).to_have_url(re.compile(r"/mein-bereich/$"))
    page.get_by_role("region", name="Meine laufenden Begleitungen").get_by_role(
        "link", name=GROUP
    ).click()
    expect(page).to_have_url(OFFER_URL)
    assert page.url.endswith(f"/mein-bereich/angebote/{assignment.pk}/")
    expect(progress_bar(page)).to_have_attribute("aria-valuenow", "0")

    page.get_by_role("link", name="Treffen eintragen").click()
    expect(page).to_have_url(re.compile(rf"/mein-bereich/angebote/{assignment.pk}/treffen/neu/$"))
    expect(page.get_by_role("heading", name="Treffen eintragen")).to_be_visible()
    assert page.evaluate(NO_OVERFLOW)
    fill_log(page, held_on=today, participants=7, newcomers=2, wants_talk=True)
    assert page.evaluate(NO_OVERFLOW)
    page.get_by_role("button", name="Speichern", exact=True).click()

    expect(page).to_have_url(OFFER_URL)
    assert page.url.endswith(f"/mein-bereich/angebote/{assignment.pk}/")
    bar = progress_bar(page)
    expect(bar).to_have_attribute("aria-valuenow", "1")
    expect(bar).to_have_attribute("aria-valuemax", "3")
    expect(page.locator("#logs-heading + p")).to_contain_text(re.compile(r"^\s*1 von 3\b"))
    logs = page.locator("section[aria-labelledby=logs-heading] li.list-group-item")
    expect(logs).to_have_count(1)
    expect(logs.first).to_contain_text("19:00")
    expect(logs.first).to_contain_text("90 Min.")
    expect(logs.first).to_contain_text("7 Teilnehmende, 2 neu")
    expect(logs.first).to_contain_text("Gruppenregeln")
    expect(logs.first).to_contain_text(NOTE)
    # The starter sees their own wish calmly; the red alert is for staff.
    expect(logs.first.locator(".badge", has_text="Gespräch gewünscht")).to_be_visible()
    expect(logs.first.locator(".badge.text-bg-danger")).to_have_count(0)
    assert page.evaluate(NO_OVERFLOW)

    log = MeetingLog.objects.get()
    assert MeetingLog.objects.count() == 1
    assert log.accompaniment == accompaniment
    assert log.held_on == today
    assert log.starts_at == datetime.time(19)
    assert log.duration_minutes == 90
    assert (log.participants, log.newcomers) == (7, 2)
    assert log.worked_on == [MeetingTopic.RULES]
    assert log.process_note == NOTE
    assert log.wants_talk is True
    assert log.talk_done_at is None
    assert list(log.accompanied_by.all()) == [starter.starter]
    assert log.logged_by == starter
    # The responsible staff member is told by e-mail, once.
    assert [message.to for message in mailoutbox] == [[staff.email]]

    log_out_on_phone(page, starter.name)

    # The responsible staff member, on the same phone.
    log_in(page, staff.email)
    expect(page).to_have_url(re.compile(r"/intern/$"))
    talks = page.locator("[data-talks]")
    expect(talks.locator("li")).to_have_count(1)
    expect(talks).to_contain_text(starter.name)
    expect(talks).to_contain_text(GROUP)
    expect(talks).to_contain_text(today.strftime("%d.%m."))

    page.goto("/benachrichtigungen/")
    notification = page.get_by_role("link", name=re.compile(re.escape(starter.name)))
    expect(notification).to_have_count(1)
    expect(notification).to_contain_text(GROUP)

    page.goto("/intern/")
    page.locator("[data-talks] a").click()
    expect(page).to_have_url(re.compile(rf"/intern/begleitungen/{accompaniment.pk}/$"))
    expect(progress_bar(page)).to_have_attribute("aria-valuenow", "1")
    page.get_by_role("button", name=re.compile(r"Gespräch zum Treffen vom .* erledigt")).click()

    expect(page).to_have_url(re.compile(rf"/intern/begleitungen/{accompaniment.pk}/$"))
    expect(
        page.get_by_role("button", name=re.compile(r"Gespräch zum Treffen vom .* erledigt"))
    ).to_have_count(0)
    log.refresh_from_db()
    assert log.wants_talk is True
    assert log.talk_done_at is not None
    assert MeetingLog.objects.count() == 1

    page.goto("/intern/")
    expect(page.get_by_role("heading", name="Übersicht")).to_be_visible()
    expect(page.locator("[data-talks]")).to_have_count(0)


def test_more_newcomers_than_participants_is_refused_and_keeps_the_input(
    phone_page, site, staff, starter
):
    page = phone_page
    assignment = running_accompaniment(staff, starter)
    today = timezone.localdate()
    log_in(page, starter.email)
    expect(page).to_have_url(re.compile(r"/mein-bereich/$"))

    page.goto(f"/mein-bereich/angebote/{assignment.pk}/treffen/neu/")
    fill_log(page, held_on=today, participants=4, newcomers=6, wants_talk=True)
    page.get_by_role("button", name="Speichern", exact=True).click()

    expect(page).to_have_url(re.compile(rf"/mein-bereich/angebote/{assignment.pk}/treffen/neu/$"))
    newcomers = page.locator("input[name=newcomers]")
    expect(newcomers).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.locator("#error_1_id_newcomers")).to_contain_text("mehr Neue")
    expect(page.locator("input[name=participants]")).not_to_have_class(
        re.compile(r"\bis-invalid\b")
    )
    expect(page.locator(".invalid-feedback")).to_have_count(1)
    # What was typed is still there.
    expect(page.locator("input[name=held_on]")).to_have_value(today.isoformat())
    expect(page.locator("input[name=starts_at]")).to_have_value("19:00")
    expect(page.locator("input[name=duration_minutes]")).to_have_value("90")
    expect(page.locator("input[name=participants]")).to_have_value("4")
    expect(newcomers).to_have_value("6")
    expect(page.get_by_label("Gruppenregeln")).to_be_checked()
    expect(page.get_by_label("Notiz zum Gruppenprozess")).to_have_value(NOTE)
    expect(page.get_by_label("Ich möchte mit der Kontaktstelle sprechen")).to_be_checked()
    assert page.evaluate(NO_OVERFLOW)

    assert MeetingLog.objects.count() == 0
    assert not Notification.objects.filter(kind=Notification.Kind.TALK).exists()


def test_starter_makes_a_calendar_link_that_serves_their_meetings(phone_page, site, staff, starter):
    page = phone_page
    running_accompaniment(staff, starter)
    log_in(page, starter.email)
    expect(page).to_have_url(re.compile(r"/mein-bereich/$"))

    page.get_by_role("link", name="Mein Kalender").click()
    expect(page).to_have_url(re.compile(r"/mein-bereich/kalender/$"))
    page.get_by_role("button", name="Kalender-Link erstellen").click()

    field = page.get_by_label("Kalender-Link")
    expect(field).to_have_value(re.compile(r"^https?://\S+/kalender/[^/\s]+\.ics$"))
    url = field.input_value()
    assert page.evaluate(NO_OVERFLOW)
    starter.starter.refresh_from_db()
    assert starter.starter.calendar_token_hash

    response = page.request.get(url)
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/calendar")
    body = response.text()
    assert body.startswith("BEGIN:VCALENDAR")
    assert "BEGIN:VEVENT" in body  # the next Tuesday's meeting

    # The link works without a session: a calendar app has none.
    page.context.clear_cookies()
    assert page.request.get(url).status == 200


@pytest.mark.parametrize("where", ["log form", "offer with logs", "calendar"])
def test_meeting_pages_have_no_axe_violations_at_phone_width(
    phone_page, site, staff, starter, client, live_server, where
):
    page = phone_page
    assignment = running_accompaniment(staff, starter)
    log = MeetingLog.objects.create(
        accompaniment=assignment.accompaniment,
        held_on=timezone.localdate() - datetime.timedelta(days=1),
        starts_at=datetime.time(19),
        duration_minutes=90,
        participants=7,
        newcomers=2,
        worked_on=[MeetingTopic.RULES],
        process_note=NOTE,
        wants_talk=True,
        logged_by=starter,
    )
    log.accompanied_by.set([starter.starter])
    log_in_with_cookie(page, client, live_server, starter)

    if where == "log form":
        page.goto(f"/mein-bereich/angebote/{assignment.pk}/treffen/neu/")
        assert_no_violations(page)
        # Also with an error shown on a field.
        page.locator("input[name=participants]").fill("1")
        page.locator("input[name=newcomers]").fill("3")
        page.get_by_role("button", name="Speichern", exact=True).click()
        expect(page.locator("input[name=newcomers]")).to_have_class(re.compile(r"is-invalid"))
        assert_no_violations(page)
    elif where == "offer with logs":
        page.goto(f"/mein-bereich/angebote/{assignment.pk}/")
        expect(progress_bar(page)).to_have_attribute("aria-valuenow", "1")
        assert_no_violations(page)
    else:
        page.goto("/mein-bereich/kalender/")
        assert_no_violations(page)
        page.get_by_role("button", name="Kalender-Link erstellen").click()
        expect(page.get_by_label("Kalender-Link")).to_be_visible()
        assert_no_violations(page)
