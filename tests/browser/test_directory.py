"""Visitor journey: search the directory, filter, open a group, ask to be put in touch."""

import re

from django.core.cache import cache
from django.test import RequestFactory
from django.utils import translation
from playwright.sync_api import expect

from groups.models import Group, Inquiry
from groups.search import reindex_groups
from kontaktstelle.web import public_cache
from tests.browser.test_accessibility import assert_no_violations
from tests.factories import GroupFactory, TopicFactory


def make_groups(office, site):
    topic = TopicFactory(name="Testthema Depression")
    groups = [
        GroupFactory(
            office=office,
            name="Depression – Wege aus dem Tief",
            slug="depression-wege",
            topics=[topic],
            room=site.rooms.get(),
            listing=Group.Listing.PUBLIC_WITH_PLACE,
        ),
        GroupFactory(
            office=office,
            name="Junge Erwachsene mit Depression",
            slug="junge-depression",
            topics=[topic],
            age_group=Group.AgeGroup.YOUNG,
            format=Group.Format.ONLINE,
        ),
        GroupFactory(
            office=office,
            name="Trauercafé",
            slug="trauercafe",
            topics=[TopicFactory(name="Testthema Trauer")],
        ),
    ]
    reindex_groups([group.pk for group in groups])


def test_visitor_searches_filters_opens_a_group_and_asks_for_contact(page, office, site):
    make_groups(office, site)
    page.goto("/")
    page.get_by_label("Zu welchem Thema suchen Sie eine Gruppe?").fill("Depressionen")
    page.get_by_role("button", name="Suchen").click()

    expect(page).to_have_url(re.compile(r"/gruppen/\?q=Depressionen"))
    expect(page.get_by_role("heading", name="2 Gruppen gefunden")).to_be_visible()
    assert_no_violations(page)

    page.get_by_text("Weitere Filter").click()
    page.get_by_label("Junge Selbsthilfe (18–35)").check()
    page.get_by_role("button", name="Filter anwenden").click()
    expect(page.get_by_role("heading", name="1 Gruppe gefunden")).to_be_visible()

    page.get_by_role("link", name="Junge Erwachsene mit Depression").click()
    expect(page.get_by_role("heading", name="Junge Erwachsene mit Depression")).to_be_visible()
    assert_no_violations(page)

    page.get_by_label("Ihr Name (ein Vorname genügt)").fill("Sam")
    page.get_by_label("Ihre E-Mail-Adresse").fill("sam@example.org")
    page.get_by_role("button", name="Anfrage senden").click()
    # Consent is required: the form says so and keeps what was typed.
    expect(page.get_by_text("Bitte stimmen Sie zu")).to_be_visible()
    expect(page.get_by_label("Ihr Name (ein Vorname genügt)")).to_have_value("Sam")
    page.get_by_label(re.compile("Ich bin einverstanden")).check()
    page.get_by_role("button", name="Anfrage senden").click()

    expect(page.get_by_role("heading", name=re.compile("Danke"))).to_be_visible()
    inquiry = Inquiry.objects.get()
    assert inquiry.group.slug == "junge-depression"
    assert inquiry.email == "sam@example.org"


def test_directory_works_by_keyboard_on_a_phone(phone_page, office, site):
    make_groups(office, site)
    page = phone_page
    page.goto("/gruppen/")
    page.get_by_label("Zu welchem Thema suchen Sie eine Gruppe?").fill("Trauer")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="1 Gruppe gefunden")).to_be_visible()
    assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert_no_violations(page)


def test_visitor_switches_the_language_of_a_cached_search(page, office, site, settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 300  # as in production with Redis
    make_groups(office, site)
    page.goto("/gruppen/?q=Depression")
    expect(page.get_by_role("heading", name="2 Gruppen gefunden")).to_be_visible()
    page.reload()
    page.reload()  # now from the page cache: the footer's form still works
    footer = page.locator("footer")
    footer.get_by_label("Sprache").select_option("en")
    footer.get_by_role("button", name="Wechseln").click()
    expect(page).to_have_url(re.compile(r"/gruppen/\?q=Depression"))
    expect(page.get_by_role("heading", name="2 groups found")).to_be_visible()
    footer.get_by_label("Language").select_option("de")
    footer.get_by_role("button", name="Switch").click()
    expect(page.get_by_role("heading", name="2 Gruppen gefunden")).to_be_visible()


def test_a_second_visitor_asks_for_contact_on_a_cached_group_page(
    page, browser, live_server, office, site, settings
):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 300  # as in production with Redis
    make_groups(office, site)
    page.goto("/gruppen/trauercafe/")
    page.reload()  # asked for again: now the page goes into the cache
    expect(page.get_by_role("heading", name="Trauercafé")).to_be_visible()
    host = live_server.url.split("//", 1)[1]
    stored = RequestFactory().get("/gruppen/trauercafe/", HTTP_HOST=host)
    with translation.override("de"):
        assert cache.get(public_cache._key(stored)) is not None
    context = browser.new_context(base_url=live_server.url, locale="de-DE")
    try:
        second = context.new_page()
        second.goto("/gruppen/trauercafe/")  # from the cache, with this visitor's token
        second.get_by_label("Ihr Name (ein Vorname genügt)").fill("Kim")
        second.get_by_label("Ihre E-Mail-Adresse").fill("kim@example.org")
        second.get_by_label(re.compile("Ich bin einverstanden")).check()
        second.get_by_role("button", name="Anfrage senden").click()
        expect(second.get_by_role("heading", name=re.compile("Danke"))).to_be_visible()
    finally:
        context.close()
    assert Inquiry.objects.get().email == "kim@example.org"


def test_visitor_lists_a_topic_area_step_free_and_pages_through(page, office, site):
    """A topic area without search words is listed off the search terms' index (issue
    23): the count, the order by name and the pages are the directory's as before."""
    from tests.factories import TopicCategoryFactory

    area = TopicCategoryFactory(name="Testbereich Sucht", slug="testbereich-sucht")
    topic = TopicFactory(category=area, name="Testthema Alkohol")
    room = site.rooms.get()  # step-free (the factory's default)
    groups = [
        GroupFactory(office=office, name=f"Gruppe {number:02}", topics=[topic], room=room)
        for number in range(1, 24)
    ]
    groups.append(GroupFactory(office=office, name="Gruppe ohne Rampe", topics=[topic]))
    groups.append(GroupFactory(office=office, name="Anderes Thema", topics=[TopicFactory()]))
    reindex_groups([group.pk for group in groups])

    page.goto("/gruppen/?stelle=alle")
    page.get_by_text("Weitere Filter").click()
    page.get_by_label("Themenbereich").select_option(label="Testbereich Sucht")
    page.get_by_label("stufenloser Zugang").check()
    page.get_by_role("button", name="Filter anwenden").click()

    expect(page.get_by_role("heading", name="23 Gruppen gefunden")).to_be_visible()
    cards = page.locator("h2 a, h3 a").filter(has_text=re.compile(r"^Gruppe"))
    expect(cards.first).to_have_text("Gruppe 01")
    expect(page.get_by_text("Seite 1 von 2")).to_be_visible()
    expect(page.get_by_role("link", name="Gruppe ohne Rampe")).to_have_count(0)
    page.get_by_role("link", name="Weiter").click()
    expect(page.get_by_text("Seite 2 von 2")).to_be_visible()
    expect(page.get_by_role("link", name="Gruppe 21")).to_be_visible()
    expect(page.get_by_role("link", name="Gruppe 23")).to_be_visible()
    expect(page.get_by_role("link", name="Anderes Thema")).to_have_count(0)
    assert_no_violations(page)
