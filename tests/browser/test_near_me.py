"""Visitor journey on a phone: groups near a postcode, nearest first, online ones apart."""

import os
import re
from pathlib import Path

from django.utils import translation
from playwright.sync_api import expect

from groups.models import Group
from groups.search import reindex_groups
from tests.browser.conftest import DESKTOP
from tests.browser.test_accessibility import assert_no_violations
from tests.factories import GroupFactory, TopicFactory

NO_OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth"
# Where the journey leaves screenshots for a person to look at (unset: none).
SHOTS = os.environ.get("NEAR_ME_SCREENSHOTS")


def de(text, **values):
    """The German text the page shows (the English one while the catalogue lacks it)."""
    with translation.override("de"):
        return translation.gettext(text) % values if values else translation.gettext(text)


IN_PERSON = Group.Format.IN_PERSON
WITH_PLACE, WITHOUT = Group.Listing.PUBLIC_WITH_PLACE, Group.Listing.PUBLIC_WITHOUT_PLACE


def make_groups(office):
    topic = TopicFactory(name="Testthema Depression")
    made = [
        ("Gesprächskreis Depression Weende", "37085", "Göttingen", IN_PERSON, WITH_PLACE),
        ("Depression – Wege aus dem Tief", "37124", "Rosdorf", Group.Format.HYBRID, WITHOUT),
        ("Angehörige Geismar", "37083", "Göttingen", IN_PERSON, WITHOUT),
        ("Selbsthilfe Depression Kassel", "34117", "Kassel", IN_PERSON, WITH_PLACE),
        ("Depression online – junge Erwachsene", "", "", Group.Format.ONLINE, WITHOUT),
        ("Nicht gelistete Gruppe", "37073", "Göttingen", IN_PERSON, Group.Listing.UNLISTED),
    ]
    groups = [
        GroupFactory(
            office=office,
            name=name,
            postcode=postcode,
            city=city,
            format=fmt,
            listing=listing,
            topics=[topic],
            schedule="jeden 2. Dienstag, 19 Uhr",
        )
        for name, postcode, city, fmt, listing in made
    ]
    reindex_groups([group.pk for group in groups])


def test_a_seeker_finds_groups_near_their_postcode_on_a_phone(phone_page, office):
    make_groups(office)
    page = phone_page
    page.goto("/gruppen/")
    page.locator("#id_near").fill("37073")
    page.locator("#id_radius").select_option("25")
    page.get_by_role("button", name=de("Search nearby")).click()

    expect(page).to_have_url(re.compile(r"near=37073.*radius=25"))
    results = page.locator("section[aria-labelledby=results-heading] ol > li")
    expect(results).to_have_count(3)
    expect(results.locator("h3")).to_have_text(
        [
            "Gesprächskreis Depression Weende",
            "Angehörige Geismar",
            "Depression – Wege aus dem Tief",
        ]
    )
    for index, km in enumerate([1, 3, 9]):
        expect(results.nth(index)).to_contain_text(de("about %(km)s km", km=km))
    # Kassel is 39 km away; the unlisted group never shows.
    expect(page.get_by_text("Selbsthilfe Depression Kassel")).to_have_count(0)
    expect(page.get_by_text("Nicht gelistete Gruppe")).to_have_count(0)

    online = page.locator("section[aria-labelledby=online-heading]")
    expect(online.get_by_role("heading", name=de("Online, from anywhere"))).to_be_visible()
    expect(online.get_by_role("link", name="Depression online – junge Erwachsene")).to_be_visible()

    assert page.evaluate(NO_OVERFLOW)
    assert_no_violations(page)
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/near-me-phone.png", full_page=True)
        page.set_viewport_size(DESKTOP)
        page.screenshot(path=f"{SHOTS}/near-me-desktop.png", full_page=True)

    # Wider: Kassel comes last, at its distance.
    page.locator("#id_radius").select_option("50")
    page.get_by_role("button", name=de("Search nearby")).click()
    expect(results).to_have_count(4)
    expect(results.last).to_contain_text("Selbsthilfe Depression Kassel")
    expect(results.last).to_contain_text(de("about %(km)s km", km=39))


def test_a_town_the_directory_cannot_place_asks_for_the_postcode(phone_page, office):
    make_groups(office)
    page = phone_page
    page.goto("/gruppen/?near=Atlantis&radius=10")
    field = page.locator("#id_near")
    expect(field).to_have_attribute("aria-invalid", "true")
    message = de("We cannot place “%(place)s”. Please enter its postcode (five digits).")
    expect(page.get_by_text(message % {"place": "Atlantis"})).to_be_visible()
    assert page.evaluate(NO_OVERFLOW)
    assert_no_violations(page)
    # A town the directory knows the postcodes of is found.
    field.fill("Göttingen")
    field.press("Enter")
    expect(page).to_have_url(re.compile(r"near=G%C3%B6ttingen"))
    expect(field).not_to_have_attribute("aria-invalid", "true")
    results = page.locator("section[aria-labelledby=results-heading] ol > li")
    expect(results).to_have_count(3)  # within 10 km of Göttingen's centre: Rosdorf too
    expect(results.first).to_contain_text(re.compile(r"\d km"))
