"""The volunteers' app on a phone: a meeting logged without network is kept on the
phone and sent once the network is back, exactly once; a day already logged is
refused with the form's message and the log stays on the phone until corrected or
discarded.
"""

import datetime
import os
import re

from django.utils import timezone
from playwright.sync_api import expect

from starters.models import MeetingLog
from tests.browser.test_meetings import GROUP, NO_OVERFLOW, fill_log, running_accompaniment
from tests.browser.test_smoke import log_in

SHOTS = os.environ.get("KONTAKTSTELLE_SHOTS")  # a folder for screenshots to look at
KEPT = "Auf dem Telefon gespeichert – wird gesendet, sobald wieder Netz da ist."
ALREADY = "Für diesen Tag ist schon ein Treffen eingetragen."


def shot(page, name):
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def open_app(page, starter):
    """Log in on the phone and wait until the app works offline: its service worker
    controls the page and the running accompaniments' forms are kept."""
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    log_in(page, starter.email)
    expect(page).to_have_url(re.compile(r"/mein-bereich/$"))
    expect(page.locator("[data-offline-log][data-ready]")).to_have_count(1)
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    assert page.evaluate(
        "navigator.serviceWorker.controller.scriptURL.endsWith('/mein-bereich/service-worker.js')"
    )
    kept_forms = page.evaluate(
        "caches.open('meeting-log-forms').then((c) => c.keys()).then((k) => k.map((r) => r.url))"
    )
    assert len(kept_forms) == 1 and kept_forms[0].endswith("/treffen/neu/")
    return errors


def log_offline(page, held_on, participants, link="Treffen eintragen"):
    """Without network, open the kept form by ``link`` and log a meeting."""
    page.context.set_offline(True)
    assert page.evaluate("navigator.onLine") is False
    page.get_by_role("link", name=re.compile(rf"^{link}")).click()
    expect(page.get_by_role("heading", name="Treffen eintragen")).to_be_visible()
    fill_log(page, held_on=held_on, participants=participants, newcomers=1)
    page.get_by_role("button", name="Speichern", exact=True).click()
    expect(page.get_by_role("status").filter(has_text=KEPT)).to_be_visible()
    expect(page.locator("form[data-offline-log-form]")).to_be_hidden()
    panel = page.get_by_role("region", name="Auf diesem Telefon gespeichert")
    expect(panel).to_contain_text(f"Treffen am {held_on:%d.%m.%Y} – {GROUP}")
    expect(panel).to_contain_text("wartet auf Netz")
    return panel


def test_a_meeting_logged_without_network_is_sent_once_the_network_is_back(
    phone_page, site, staff, starter
):
    page = phone_page
    assignment = running_accompaniment(staff, starter)
    today = timezone.localdate()
    errors = open_app(page, starter)
    shot(page, "phone-home")

    # Without network, a page the phone does not keep answers with the offline page.
    page.context.set_offline(True)
    page.goto("/mein-bereich/profil/")
    expect(page.get_by_role("heading", name="Kein Netz")).to_be_visible()
    expect(page.get_by_role("link", name=GROUP)).to_be_visible()  # the kept form
    assert page.evaluate(NO_OVERFLOW)
    shot(page, "phone-offline-page")

    log_offline(page, today, participants=7, link=GROUP)
    assert page.evaluate(NO_OVERFLOW)
    shot(page, "phone-kept")
    assert not MeetingLog.objects.exists()

    page.context.set_offline(False)
    # Sent by itself: the accompaniment's page shows the log, once.
    expect(page).to_have_url(re.compile(rf"/mein-bereich/angebote/{assignment.pk}/$"))
    expect(page.get_by_text("Danke, das Treffen ist eingetragen.")).to_be_visible()
    logs = page.locator("section[aria-labelledby=logs-heading] li.list-group-item")
    expect(logs).to_have_count(1)
    expect(logs.first).to_contain_text("7 Teilnehmende, 1 neu")
    shot(page, "phone-sent")
    log = MeetingLog.objects.get()
    assert (log.accompaniment, log.held_on, log.participants) == (
        assignment.accompaniment,
        today,
        7,
    )
    assert log.logged_by == starter
    assert page.evaluate("JSON.parse(localStorage.getItem('meeting-log-queue'))") == []

    # Nothing is sent twice: another page load finds the queue empty.
    page.reload()
    expect(logs).to_have_count(1)
    assert MeetingLog.objects.count() == 1
    assert errors == []


def test_a_day_already_logged_is_refused_and_kept_with_the_message(
    phone_page, site, staff, starter
):
    page = phone_page
    assignment = running_accompaniment(staff, starter)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    MeetingLog.objects.create(
        accompaniment=assignment.accompaniment,
        held_on=yesterday,
        starts_at=datetime.time(19),
        duration_minutes=60,
        participants=5,
        logged_by=starter,
    )
    open_app(page, starter)

    panel = log_offline(page, yesterday, participants=9)
    page.context.set_offline(False)
    # Refused by the server with the form's message, and still on the phone.
    expect(panel).to_contain_text(f"Nicht eingetragen: Datum: {ALREADY}")
    expect(page.locator("form[data-offline-log-form]")).to_be_hidden()
    shot(page, "phone-refused")
    assert MeetingLog.objects.get().participants == 5
    assert len(page.evaluate("JSON.parse(localStorage.getItem('meeting-log-queue'))")) == 1

    # Corrected in the form, with everything typed, and sent with network.
    panel.get_by_role("link", name="Im Formular korrigieren").click()
    expect(page.get_by_role("status")).to_contain_text(ALREADY)
    expect(page.get_by_label(re.compile(r"^\s*Teilnehmende"))).to_have_value("9")
    expect(page.get_by_label("Gruppenregeln")).to_be_checked()
    page.get_by_label(re.compile(r"^\s*Datum")).fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Speichern", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/mein-bereich/angebote/{assignment.pk}/$"))
    assert sorted(MeetingLog.objects.values_list("participants", flat=True)) == [5, 9]
    assert page.evaluate("JSON.parse(localStorage.getItem('meeting-log-queue'))") == []


def test_a_refused_log_is_discarded_only_after_confirming(phone_page, site, staff, starter):
    page = phone_page
    assignment = running_accompaniment(staff, starter)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    MeetingLog.objects.create(
        accompaniment=assignment.accompaniment,
        held_on=yesterday,
        starts_at=datetime.time(19),
        duration_minutes=60,
        participants=5,
        logged_by=starter,
    )
    open_app(page, starter)
    panel = log_offline(page, yesterday, participants=9)
    page.context.set_offline(False)
    expect(panel).to_contain_text(ALREADY)

    page.once("dialog", lambda dialog: dialog.dismiss())
    panel.get_by_role("button", name="Verwerfen").click()
    expect(panel).to_contain_text(ALREADY)
    page.once("dialog", lambda dialog: dialog.accept())
    panel.get_by_role("button", name="Verwerfen").click()
    expect(panel).to_be_hidden()
    assert page.evaluate("JSON.parse(localStorage.getItem('meeting-log-queue'))") == []
    assert MeetingLog.objects.count() == 1
