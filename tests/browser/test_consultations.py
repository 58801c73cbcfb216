"""Consultation log in the browser: counted with the keyboard alone, in seconds."""

import re
import time

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from groups.models import Consultation, Inquiry
from kontaktstelle.audit.models import AuditEntry
from tests.browser.test_accessibility import assert_no_violations
from tests.browser.test_smoke import log_in
from tests.factories import GroupFactory, TopicFactory

URL = reverse("groups:consultations")
INBOX = reverse("groups:inbox")
TOPIC = "Testthema Migräne"
# A staff member types at about five characters a second.
TYPING_DELAY_MS = 200
COMBOBOX = "#id_referred_groups-search"
LISTBOX = "#id_referred_groups-listbox"
CHIPS = ".group-picker-chips"
ACTIVE = """() => {
  const element = document.activeElement;
  return {name: element.getAttribute("name"), type: element.type || element.tagName};
}"""


@pytest.fixture
def topic(db):
    return TopicFactory(name=TOPIC)


@pytest.fixture
def groups(office, topic):
    return {
        "anker": GroupFactory(office=office, name="Anker-Runde", topics=[topic]),
        "licht": GroupFactory(office=office, name="Lichtblick", topics=[topic]),
    }


def logged_in(page, user, client, live_server):
    """A session cookie instead of the login form, where the login is not under test."""
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


class Keyboard:
    """Presses keys and counts them: the count is what a person would have to press."""

    def __init__(self, page):
        self.page = page
        self.presses = 0

    def press(self, key, times=1):
        for _ in range(times):
            self.page.keyboard.press(key)
            self.presses += 1

    def type(self, text):
        self.page.keyboard.type(text, delay=TYPING_DELAY_MS)
        self.presses += len(text)

    def focused(self):
        return self.page.evaluate(ACTIVE)


def test_staff_count_a_consultation_with_the_keyboard_in_seconds(page, staff, site, groups):
    log_in(page, staff.email)
    expect(page).to_have_url(re.compile(r"/intern/$"))
    page.goto(URL)
    page.wait_for_load_state("load")
    keys = Keyboard(page)
    started = time.monotonic()

    # The page opens with the focus on the channel: no key spent on getting there.
    assert keys.focused() == {"name": "channel", "type": "radio"}
    keys.press("ArrowDown")  # phone -> in person
    keys.press("Tab")
    assert keys.focused() == {"name": "asker", "type": "radio"}
    keys.press("ArrowDown")  # affected -> relative
    keys.press("Tab", 2)  # past "young self-help"
    assert keys.focused() == {"name": "topic_names", "type": "text"}
    keys.type(TOPIC)
    # Date (today) and site (the office's only one) are right already and come last.
    expect(page.locator("select[name=site]")).to_have_value(str(site.pk))
    keys.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('role')") == "combobox"
    keys.type("Li")  # the search as you type finds "Lichtblick"
    keys.press("Enter")  # adds it
    expect(page.locator(f"{CHIPS} button")).to_contain_text(["Lichtblick"])
    keys.press("Enter")  # the field is empty again: Enter counts

    expect(page).to_have_url(re.compile(rf"{URL}(#main)?$"))
    expect(page.locator("main [role=status]")).to_be_visible()
    elapsed = time.monotonic() - started

    consultation = Consultation.objects.get()
    remove = reverse("groups:consultation_delete", args=[consultation.pk])
    expect(page.locator(f"a[href='{remove}']")).to_be_visible()
    assert elapsed < 15, f"{elapsed:.1f} s for {keys.presses} keys"
    assert consultation.office == staff.office
    assert consultation.created_by == staff
    assert consultation.held_on == timezone.localdate()
    assert consultation.site == site
    assert consultation.channel == Consultation.Channel.IN_PERSON
    assert consultation.asker == Consultation.Asker.RELATIVE
    assert consultation.young is False
    assert [topic.name for topic in consultation.topics.all()] == [TOPIC]
    assert list(consultation.referred_groups.all()) == [groups["licht"]]
    assert consultation.counselling == ""
    assert consultation.founding_interest is False
    assert consultation.information_only is False
    assert consultation.inquiry is None
    print(f"\nkeyboard consultation: {elapsed:.2f} s, {keys.presses} keys")

    # The next one starts from the remembered site and channel.
    page.reload()
    expect(page.locator("input[name=channel][value=in_person]")).to_be_checked()
    expect(page.locator("select[name=site]")).to_have_value(str(site.pk))


def test_page_fits_a_phone_screen(phone_page, staff, site, groups, client, live_server):
    Consultation.objects.create(
        office=staff.office, site=site, channel="phone", asker="affected", information_only=True
    )
    logged_in(phone_page, staff, client, live_server)
    phone_page.goto(URL)
    expect(phone_page.locator("form[data-consultation-form]")).to_be_visible()
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # The submit button is reachable without sideways scrolling.
    box = phone_page.locator("form[data-consultation-form] button[type=submit]").bounding_box()
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= phone_page.viewport_size["width"]


def test_page_has_no_axe_violations(page, staff, site, groups, client, live_server):
    consultation = Consultation.objects.create(
        office=staff.office, site=site, channel="phone", asker="affected", young=True
    )
    consultation.referred_groups.set([groups["licht"]])
    consultation.topics.set(groups["licht"].topics.all())
    logged_in(page, staff, client, live_server)
    page.goto(URL)
    assert_no_violations(page)


def test_page_with_errors_has_no_axe_violations(page, staff, site, client, live_server):
    logged_in(page, staff, client, live_server)
    page.goto(URL)
    page.locator("input[name=topic_names]").fill("Gibt es nicht")
    page.locator("form[data-consultation-form] button[type=submit]").click()
    expect(page.locator("form[data-consultation-form] [role=alert]")).to_be_visible()
    expect(page.locator("#id_topic_names")).to_have_attribute("aria-invalid", "true")
    assert not Consultation.objects.exists()
    assert_no_violations(page)


def test_web_request_counted_from_the_inbox(page, staff, office, groups, client, live_server):
    inquiry = Inquiry.objects.create(
        office=office,
        kind=Inquiry.Kind.CONTACT_REQUEST,
        group=groups["anker"],
        name="Sabine Suchend",
        email="sabine@example.net",
        consent_at=timezone.now(),
    )
    logged_in(page, staff, client, live_server)
    page.goto(INBOX)
    page.locator(f"a[href='{URL}?inquiry={inquiry.pk}']").click()
    expect(page.locator("input[name=channel][value=web_form]")).to_be_checked()
    expect(page.locator("select[name=referred_groups]")).to_have_values([str(groups["anker"].pk)])
    assert_no_violations(page)

    expect(page.locator(f"{CHIPS} button")).to_contain_text(["Anker-Runde"])
    page.locator("input[name=asker][value=affected]").check()
    page.locator(COMBOBOX).press("Enter")
    expect(page.locator("main [role=status]")).to_be_visible()

    consultation = Consultation.objects.get()
    assert consultation.inquiry == inquiry
    assert consultation.channel == Consultation.Channel.WEB_FORM
    page.goto(INBOX)
    expect(page.locator(f"a[href='{URL}?inquiry={inquiry.pk}']")).to_have_count(0)
    assert_no_violations(page)


@pytest.fixture
def many_groups(office, topic):
    """More groups than fit a list: the picker is what makes them findable."""
    return [GroupFactory(office=office, name=f"Gruppe {number:03}") for number in range(40)]


def test_picker_finds_and_picks_two_groups_with_the_keyboard(
    page, staff, site, groups, many_groups, other_office, client, live_server
):
    GroupFactory(office=other_office, name="Lichtblick anderswo")
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    logged_in(page, staff, client, live_server)
    page.goto(URL)
    combobox = page.locator(COMBOBOX)
    listbox = page.locator(LISTBOX)
    expect(page.locator("select[name=referred_groups]")).to_be_hidden()
    expect(combobox).to_have_attribute("aria-controls", "id_referred_groups-listbox")
    expect(combobox).to_have_attribute("aria-expanded", "false")
    page.locator("input[name=channel][value=phone]").check()
    page.locator("input[name=asker][value=affected]").check()

    combobox.focus()
    page.keyboard.type(TOPIC[:9], delay=50)  # "Testthema": both groups by their topic
    expect(listbox.get_by_role("option")).to_have_count(2)
    expect(combobox).to_have_attribute("aria-expanded", "true")
    expect(page.locator("[aria-live=polite]").filter(has_text="2")).to_have_count(1)
    first = listbox.get_by_role("option").first
    expect(first).to_have_attribute("aria-selected", "true")
    expect(combobox).to_have_attribute("aria-activedescendant", first.get_attribute("id"))
    page.keyboard.press("ArrowDown")  # Anker-Runde -> Lichtblick
    expect(listbox.get_by_role("option").nth(1)).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")
    expect(listbox).to_be_hidden()
    expect(combobox).to_have_value("")
    expect(combobox).to_be_focused()

    page.keyboard.type("ank", delay=50)
    expect(listbox.get_by_role("option")).to_have_text(["Anker-Runde" + TOPIC])
    page.keyboard.press("Enter")
    chips = page.locator(f"{CHIPS} button")
    expect(chips).to_contain_text(["Anker-Runde", "Lichtblick"])
    expect(chips.first).to_have_attribute("aria-label", re.compile("Anker-Runde"))

    # Chosen groups are not offered again; another office's group never is.
    page.keyboard.type("licht", delay=50)
    expect(page.locator("[aria-live=polite]")).not_to_have_text("")
    expect(listbox.get_by_role("option")).to_have_count(0)
    page.keyboard.press("Escape")
    expect(combobox).to_have_value("")

    # Forty more groups: the first twenty and a hint to type more.
    page.keyboard.press("ArrowDown")
    expect(listbox.get_by_role("option")).to_have_count(20)
    page.keyboard.press("Escape")
    expect(listbox).to_be_hidden()
    assert_no_violations(page)

    page.keyboard.press("Enter")  # the field is empty: Enter counts
    expect(page.locator("main [role=status]")).to_be_visible()
    consultation = Consultation.objects.get()
    assert set(consultation.referred_groups.all()) == {groups["anker"], groups["licht"]}
    assert violations == []


def test_picker_open_has_no_axe_violations_at_phone_width(
    phone_page, staff, site, groups, client, live_server
):
    logged_in(phone_page, staff, client, live_server)
    phone_page.goto(URL)
    phone_page.locator(COMBOBOX).fill("Testthema")
    expect(phone_page.locator(LISTBOX).get_by_role("option")).to_have_count(2)
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_no_violations(phone_page)


def test_without_javascript_the_groups_are_a_plain_list(
    browser, staff, site, groups, client, live_server
):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        logged_in(page, staff, client, live_server)
        page.goto(URL)
        select = page.locator("select[name=referred_groups]")
        expect(select).to_be_visible()
        expect(page.locator(COMBOBOX)).to_have_count(0)
        page.locator("input[name=channel][value=phone]").check()
        page.locator("input[name=asker][value=affected]").check()
        select.select_option([str(groups["anker"].pk), str(groups["licht"].pk)])
        page.locator("form[data-consultation-form] button[type=submit]").click()
        expect(page.locator("main [role=status]")).to_be_visible()
    finally:
        context.close()
    consultation = Consultation.objects.get()
    assert set(consultation.referred_groups.all()) == {groups["anker"], groups["licht"]}


def test_staff_correct_a_counted_consultation(page, staff, site, groups, client, live_server):
    consultation = Consultation.objects.create(
        office=staff.office, site=site, channel="phone", asker="affected"
    )
    consultation.referred_groups.set([groups["anker"]])
    logged_in(page, staff, client, live_server)
    page.goto(URL)
    correct = reverse("groups:consultation_correct", args=[consultation.pk])
    page.locator(f"a[href='{correct}']").click()
    expect(page).to_have_url(re.compile(rf"{correct}$"))
    expect(page.locator("input[name=channel][value=phone]")).to_be_checked()
    chips = page.locator(f"{CHIPS} button")
    expect(chips).to_contain_text(["Anker-Runde"])
    assert_no_violations(page)

    page.locator("input[name=channel][value=email]").check()
    page.locator("input[name=asker]:checked").evaluate("radio => { radio.checked = false; }")
    page.locator("input[name=topic_names]").fill(f"{TOPIC}; Angehörige")
    chips.first.click()  # removes Anker-Runde
    expect(chips).to_have_count(0)
    expect(page.locator(COMBOBOX)).to_be_focused()
    page.keyboard.type("Licht", delay=50)
    page.keyboard.press("Enter")
    expect(chips).to_contain_text(["Lichtblick"])
    page.locator("form[data-consultation-form] button[type=submit]").click()

    expect(page).to_have_url(re.compile(rf"{URL}(#main)?$"))
    expect(page.locator("main [role=status]").first).to_be_visible()
    consultation.refresh_from_db()
    assert consultation.channel == Consultation.Channel.EMAIL
    assert consultation.asker == Consultation.Asker.RELATIVE
    assert [topic.name for topic in consultation.topics.all()] == [TOPIC]
    assert list(consultation.referred_groups.all()) == [groups["licht"]]
    assert Consultation.objects.count() == 1
    entry = AuditEntry.objects.get(action=AuditEntry.Action.RECORD_CORRECTED)
    assert len(entry.fields) == 4
