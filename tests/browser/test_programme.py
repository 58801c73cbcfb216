"""The programme end to end in Chromium: content abstinence from the inbox to the offer,
a group without topics, a starter's area with travel costs on a phone, and the choice of
notifications that also come by e-mail.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import formats, timezone, translation
from playwright.sync_api import expect

from groups.models import Group, Inquiry, Topic
from kontaktstelle.notifications.models import Notification, NotificationPreference
from starters import services
from starters.models import Accompaniment, Assignment, Availability, MeetingLog
from tests.browser.test_accessibility import assert_no_violations
from tests.browser.test_accompaniments import log_in_with_cookie, make_suitable
from tests.browser.test_meetings import fill_log, labelled
from tests.browser.test_smoke import log_in
from tests.browser.test_starters import log_out
from tests.factories import GroupFactory, StarterFactory, TopicCategoryFactory, TopicFactory

DETAIL_URL = re.compile(r"/intern/begleitungen/(\d+)/$")
OFFER_URL = re.compile(r"/mein-bereich/angebote/(\d+)/$")
NO_OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth"
AFFECTED = "Petra Betroffen ist von einem Thema dieser Gruppe persönlich betroffen (Tinnitus)"


def tinnitus():
    """The thesaurus topic; a transactional test before this one may have flushed it."""
    topic = Topic.objects.filter(name="Tinnitus").first()
    return topic or Topic.objects.create(category=TopicCategoryFactory(), name="Tinnitus")


def request_for(office, staff, group):
    """A requested founding accompaniment for ``group``, Tuesdays at 19:00."""
    return Accompaniment.objects.create(
        office=office,
        group=group,
        kind=Accompaniment.Kind.FOUNDING,
        requested_by="Gründerin der Gruppe",
        meeting_weekday=Availability.Weekday.TUESDAY,
        meeting_time=datetime.time(19),
        planned_meetings=6,
        responsible=staff,
    )


def suggestions(page):
    return page.locator("section[aria-labelledby=matching-heading] ol > li")


def german_date(value, format_string):
    with translation.override("de"):
        return formats.date_format(value, format_string)


def test_an_affected_starter_is_never_offered_a_founding_interests_group(
    page, office, site, staff, starter
):
    topic = tinnitus()
    maria = make_suitable(starter)
    petra = make_suitable(StarterFactory(office=office, user_name="Petra Betroffen").user)
    petra.excluded_topics.add(topic)
    inquiry = Inquiry.objects.create(
        office=office,
        kind=Inquiry.Kind.FOUNDING_INTEREST,
        name="Sabine Gründerin",
        email="sabine@example.org",
        topic="Tinnitus",
        consent_at=timezone.now(),
    )

    # Staff: the founding interest waits in the inbox; one click creates the group.
    log_in(page, staff.email)
    expect(page).to_have_url(re.compile(r"/intern/$"))
    page.locator("header a[href='/intern/posteingang/']").click()
    expect(page).to_have_url(re.compile(r"/intern/posteingang/$"))
    row = page.locator("[data-inquiry]").filter(has_text="Sabine Gründerin")
    expect(row).to_contain_text("Tinnitus")
    row.get_by_role("button", name="Gruppe anlegen und Begleitung anfragen").click()

    group = Group.objects.get()
    expect(page).to_have_url(
        re.compile(rf"/intern/begleitungen/neu/\?group={group.pk}&inquiry={inquiry.pk}$")
    )
    assert list(group.topics.all()) == [topic]
    assert "Gründung" not in group.name
    assert group.status == Group.Status.FOUNDING
    # The founder's name is carried over as who asked.
    expect(page.locator("input[name=requested_by]")).to_have_value("Sabine Gründerin")
    expect(page.locator("select[name=group] option:checked")).to_have_text(group.name)
    page.locator("select[name=meeting_weekday]").select_option(str(Availability.Weekday.TUESDAY))
    page.locator("input[name=meeting_time]").fill("19:00")
    page.get_by_role("button", name="Speichern", exact=True).click()

    expect(page).to_have_url(DETAIL_URL)
    expect(page.get_by_text("Die Anfrage ist erfasst.")).to_be_visible()
    accompaniment = Accompaniment.objects.get()
    assert accompaniment.requested_by == "Sabine Gründerin"
    assert accompaniment.inquiry == inquiry

    # Maria is suggested; Petra is not, and the page says why.
    expect(suggestions(page)).to_have_count(1)
    expect(suggestions(page).first).to_contain_text("Maria Schneider")
    expect(page.locator("section[aria-labelledby=matching-heading] ol")).not_to_contain_text(
        "Petra Betroffen"
    )
    not_suggested = page.locator("details").filter(has_text="Nicht vorgeschlagen, und warum")
    not_suggested.locator("summary").click()
    petra_reason = not_suggested.locator("li").filter(has_text="Petra Betroffen")
    expect(petra_reason).to_be_visible()
    expect(petra_reason).to_contain_text("persönlich betroffen: Tinnitus")
    # Petra cannot be chosen in the offer form at all.
    starter_select = page.locator("select[name=starter]")
    expect(starter_select.locator(f"option[value='{maria.pk}']")).to_have_count(1)
    expect(starter_select.locator(f"option[value='{petra.pk}']")).to_have_count(0)

    # A forged choice with a reason is refused all the same.
    starter_select.evaluate(
        "(select, pk) => { select.add(new Option('Petra Betroffen', pk)); select.value = pk; }",
        str(petra.pk),
    )
    page.locator("input[name=choice_reason]").fill("Sie kennt die Gründerin")
    page.get_by_role("button", name="Angebot senden").click()

    expect(page.get_by_text(AFFECTED)).to_be_visible()
    assert page.url.endswith(f"/intern/begleitungen/{accompaniment.pk}/")
    assert not Assignment.objects.exists()
    accompaniment.refresh_from_db()
    assert accompaniment.status == Accompaniment.Status.REQUESTED
    petra.refresh_from_db()
    assert petra.load == 0


def test_a_group_without_topics_asks_for_its_topics_before_matching(
    page, office, site, staff, starter
):
    make_suitable(starter)
    topic = tinnitus()
    group = GroupFactory(office=office, name="Gesprächskreis ohne Themen")
    accompaniment = request_for(office, staff, group)

    log_in(page, staff.email)
    expect(page).to_have_url(re.compile(r"/intern/$"))
    page.goto("/intern/begleitungen/")
    page.locator(f"tbody a[href='/intern/begleitungen/{accompaniment.pk}/']").click()
    expect(page).to_have_url(re.compile(rf"/intern/begleitungen/{accompaniment.pk}/$"))

    expect(page.get_by_role("heading", name="Zuerst die Themen der Gruppe")).to_be_visible()
    edit_link = page.get_by_role("link", name="Themen der Gruppe eintragen")
    expect(edit_link).to_have_attribute("href", f"/intern/gruppen/{group.pk}/bearbeiten/")
    expect(page.get_by_role("button", name="Angebot senden")).to_have_count(0)
    expect(page.locator("select[name=starter]")).to_have_count(0)
    expect(suggestions(page)).to_have_count(0)

    # Entering the topics opens the matching.
    edit_link.click()
    expect(page).to_have_url(re.compile(rf"/intern/gruppen/{group.pk}/bearbeiten/$"))
    page.locator("select[name=topics]").select_option(label="Tinnitus")
    page.get_by_role("button", name="Speichern", exact=True).click()
    expect(page.get_by_text("Ihre Änderungen wurden gespeichert.")).to_be_visible()
    assert list(group.topics.all()) == [topic]
    page.goto(f"/intern/begleitungen/{accompaniment.pk}/")
    expect(page.get_by_role("heading", name="Zuerst die Themen der Gruppe")).to_have_count(0)
    expect(suggestions(page).first).to_contain_text("Maria Schneider")
    expect(page.get_by_role("button", name="Angebot senden")).to_be_visible()


def accepted(staff, profile, group):
    """An accompaniment of ``group`` offered to and accepted by the starter."""
    accompaniment = request_for(staff.office, staff, group)
    assignment = services.offer(staff, accompaniment, profile)
    services.answer_offer(profile, assignment, accept=True)
    accompaniment.refresh_from_db()
    return accompaniment, assignment


def test_starter_sees_their_programme_and_claims_travel_costs_on_a_phone(
    phone_page, office, site, staff, starter
):
    page = phone_page
    profile = make_suitable(starter)
    today = timezone.localdate()
    finished, _finished_assignment = accepted(
        staff,
        profile,
        GroupFactory(office=office, name="Angehörige Demenz", topics=[TopicFactory()]),
    )
    services.complete(staff, finished, Accompaniment.Outcome.CONTINUES, today)
    running, assignment = accepted(
        staff, profile, GroupFactory(office=office, name="Schlafstörungen", topics=[TopicFactory()])
    )
    started = today - datetime.timedelta(days=10)
    Accompaniment.objects.filter(pk=running.pk).update(started_on=started)
    next_tuesday = today + datetime.timedelta(days=(1 - today.weekday()) % 7)

    log_in(page, starter.email)
    expect(page).to_have_url(re.compile(r"/mein-bereich/$"))
    expect(page.get_by_role("heading", name="Mein Bereich")).to_be_visible()
    upcoming = page.locator("section[aria-labelledby=upcoming-heading]")
    expect(upcoming.get_by_role("heading")).to_have_text("Meine nächsten begleiteten Treffen")
    expect(upcoming.locator("[data-upcoming] li")).to_have_count(1)
    expect(upcoming.locator("[data-upcoming] li")).to_contain_text(
        f"{german_date(next_tuesday, 'l, j. F')}, 19:00"
    )
    expect(upcoming.locator("[data-upcoming] li")).to_contain_text("Schlafstörungen")
    running_items = page.locator("[data-running] li")
    expect(running_items).to_have_count(1)
    expect(running_items.first).to_contain_text("Schlafstörungen")
    expect(running_items.first.locator(".badge")).to_have_text("läuft")
    expect(page.get_by_role("heading", name="1 abgeschlossene Begleitung")).to_be_visible()
    expect(page.locator("[data-finished] li")).to_have_count(1)
    expect(page.locator("[data-finished]")).to_contain_text("Angehörige Demenz")
    contact = page.locator("section[aria-labelledby=contact-heading]")
    expect(contact.get_by_role("heading")).to_have_text("Kontakt zur Kontaktstelle")
    expect(contact.get_by_role("link", name=staff.email)).to_have_attribute(
        "href", f"mailto:{staff.email}"
    )
    assert page.evaluate(NO_OVERFLOW)

    # The meeting, with its journey, through the log form.
    running_items.first.get_by_role("link", name="Schlafstörungen").click()
    expect(page).to_have_url(re.compile(rf"/mein-bereich/angebote/{assignment.pk}/$"))
    page.get_by_role("link", name="Treffen eintragen").click()
    expect(page).to_have_url(re.compile(rf"/mein-bereich/angebote/{assignment.pk}/treffen/neu/$"))
    fill_log(page, held_on=today, participants=6, newcomers=1)
    page.get_by_text("Fahrt zur Erstattung").click()
    # Typed the German way, with decimal commas (a text field with a decimal keypad).
    labelled(page, "Fahrstrecke in km").fill("12,5")
    labelled(page, "Fahrtkosten in Euro").fill("2,40")
    assert page.evaluate(NO_OVERFLOW)
    page.get_by_role("button", name="Speichern", exact=True).click()

    expect(page).to_have_url(OFFER_URL)
    expect(page.get_by_text("Danke, das Treffen ist eingetragen.")).to_be_visible()
    log = MeetingLog.objects.get()
    assert (log.travel_km, log.travel_costs) == (Decimal("12.5"), Decimal("2.40"))

    # Hours and travel costs by month, then the month's claim.
    page.goto("/mein-bereich/")
    page.get_by_role("link", name="Stunden und Fahrtkosten nach Monaten").click()
    expect(page).to_have_url(re.compile(r"/mein-bereich/fahrtkosten/$"))
    month_row = page.locator("table.travel-table tbody tr").filter(
        has=page.locator("th", has_text=german_date(today, "F"))
    )
    expect(month_row).to_have_count(1)
    expect(month_row.locator("td").nth(2)).to_have_text("12,5")
    expect(month_row.locator("td").nth(3)).to_have_text("6,15 €")
    assert page.evaluate(NO_OVERFLOW)
    month_row.get_by_role("link", name=re.compile(r"^Erstattungsantrag")).click()

    expect(page).to_have_url(re.compile(rf"/mein-bereich/fahrtkosten/{today.year}/{today.month}/$"))
    total = page.locator("table tfoot tr")
    expect(total.locator("th")).to_have_text("Beantragter Betrag")
    expect(total.locator("td").last).to_have_text("6,15 €")
    expect(page.locator("table tbody tr")).to_contain_text(["Schlafstörungen"])
    assert page.evaluate(NO_OVERFLOW)


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
@pytest.mark.parametrize("url", ["/mein-bereich/", "/mein-bereich/fahrtkosten/"])
def test_starter_home_and_travel_page_have_no_axe_violations(
    page, client, live_server, office, site, staff, starter, url, viewport
):
    profile = make_suitable(starter)
    running, _assignment = accepted(
        staff, profile, GroupFactory(office=office, name="Schlafstörungen", topics=[TopicFactory()])
    )
    MeetingLog.objects.create(
        accompaniment=running,
        held_on=timezone.localdate(),
        starts_at=datetime.time(19),
        duration_minutes=90,
        participants=6,
        newcomers=1,
        logged_by=starter,
        travel_km=Decimal("12.5"),
        travel_costs=Decimal("2.40"),
    ).accompanied_by.set([profile])
    if viewport == "phone":
        page.set_viewport_size({"width": 390, "height": 844})
    log_in_with_cookie(page, client, live_server, starter)
    page.goto(url)
    expect(page.locator("main table, main [data-running]").first).to_be_visible()
    assert_no_violations(page)


def test_a_starter_takes_new_offers_in_the_app_only(page, office, site, staff, starter, mailoutbox):
    profile = make_suitable(starter)
    accompaniment = request_for(
        office, staff, GroupFactory(office=office, name="Schlafstörungen", topics=[TopicFactory()])
    )

    # The starter: new offers in the app only, not by e-mail.
    log_in(page, starter.email)
    expect(page).to_have_url(re.compile(r"/mein-bereich/$"))
    page.goto("/benachrichtigungen/")
    page.get_by_role("link", name="Welche per E-Mail?").click()
    expect(page).to_have_url(re.compile(r"/benachrichtigungen/einstellungen/$"))
    offers_by_email = page.get_by_label("neues Angebot", exact=True)
    expect(offers_by_email).to_be_checked()
    offers_by_email.uncheck()
    page.get_by_role("button", name="Speichern", exact=True).click()

    expect(
        page.get_by_text("Ihre Einstellungen zu Benachrichtigungen wurden gespeichert.")
    ).to_be_visible()
    expect(page.get_by_label("neues Angebot", exact=True)).not_to_be_checked()
    assert NotificationPreference.objects.filter(
        user=starter, kind=Notification.Kind.OFFER, by_email=False
    ).exists()
    log_out(page, "Maria Schneider")

    # Staff offer the accompaniment through the page.
    log_in(page, staff.email)
    expect(page).to_have_url(re.compile(r"/intern/$"))
    page.goto(f"/intern/begleitungen/{accompaniment.pk}/")
    page.locator("select[name=starter]").select_option(str(profile.pk))
    page.get_by_role("button", name="Angebot senden").click()

    expect(page).to_have_url(re.compile(rf"/intern/begleitungen/{accompaniment.pk}/$"))
    expect(page.locator("section[aria-labelledby=assignments-heading] li")).to_contain_text(
        ["Maria Schneider: angeboten"]
    )
    assignment = Assignment.objects.get()
    assert assignment.starter == profile
    notification = Notification.objects.get(user=starter, kind=Notification.Kind.OFFER)
    assert notification.by_email is False
    assert notification.emailed_at is None
    assert mailoutbox == []

    # The starter still finds the offer in the app.
    log_out(page, "Jonas Berger")
    log_in(page, starter.email)
    page.goto("/benachrichtigungen/")
    expect(
        page.get_by_role("link", name=re.compile(r"Neue Anfrage zur Begleitung: Schlafstörungen"))
    ).to_be_visible()
