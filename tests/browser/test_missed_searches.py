"""Searches without result (issue 20): staff find the words seekers used in vain and, in
one click, make them a synonym of a topic; the directory then finds the topic's group."""

import re

from django.utils import timezone
from playwright.sync_api import expect

from groups.models import Group, MissedSearch, Synonym
from groups.search import reindex_groups
from tests.browser.test_accessibility import assert_no_violations
from tests.browser.test_smoke import log_in
from tests.factories import GroupFactory, TopicFactory

NO_OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth"
# The page's own words may still be untranslated where this test runs first.
ADD = re.compile("Als Synonym hinzufügen|Add as synonym")
TOPIC = re.compile("Als Synonym hinzufügen zu|Add as a synonym of")
DISMISS = re.compile("Verwerfen|Dismiss")
LINK = re.compile("Suchen ohne Ergebnis|Searches without result")


def test_staff_add_a_missed_search_as_a_synonym_on_a_phone(
    phone_page, browser, live_server, settings, office, site, staff
):
    settings.PUBLIC_OFFICE_SLUG = office.slug
    page = phone_page
    grief = TopicFactory(name="Testthema Trauer")
    group = GroupFactory(
        office=office,
        name="Trauercafé am Markt",
        topics=[grief],
        listing=Group.Listing.PUBLIC_WITH_PLACE,
    )
    reindex_groups([group.pk])
    month = timezone.localdate().replace(day=1)
    MissedSearch.objects.create(office=office, query="eltern verwaiste", month=month, count=2)
    MissedSearch.objects.create(office=office, query="quatsch", month=month, count=4)

    # A seeker searches in vain: the third time this month, so staff see it now.
    page.goto("/gruppen/?q=Verwaiste+Eltern")
    expect(page.get_by_role("link", name="Trauercafé am Markt")).to_have_count(0)

    log_in(page, staff.email)
    page.goto("/intern/themen/")
    page.get_by_role("link", name=LINK).click()
    expect(page).to_have_url(re.compile(r"/intern/themen/nicht-gefunden/$"))
    cards = page.locator("[data-missed-search]")
    expect(cards).to_have_count(2)
    expect(cards.first).to_contain_text("quatsch")  # most asked first
    assert page.evaluate(NO_OVERFLOW)
    assert_no_violations(page)

    card = cards.filter(has_text="eltern verwaiste")
    card.get_by_label(TOPIC).select_option(label="Testthema Trauer")
    card.get_by_role("textbox").fill("Verwaiste Eltern")
    card.get_by_role("button", name=ADD).click()

    expect(page.get_by_text(re.compile("Verwaiste Eltern"))).to_be_visible()
    expect(page.locator("[data-missed-search]")).to_have_count(1)
    assert Synonym.objects.get(term="Verwaiste Eltern").topic == grief

    page.locator("[data-missed-search]").get_by_role("button", name=DISMISS).click()
    expect(page.locator("[data-missed-search]")).to_have_count(0)
    assert not MissedSearch.objects.exists()

    visitor = browser.new_context(base_url=live_server.url, locale="de-DE").new_page()
    visitor.goto("/gruppen/?q=verwaiste+eltern")
    expect(visitor.get_by_role("link", name="Trauercafé am Markt")).to_be_visible()
    visitor.context.close()
