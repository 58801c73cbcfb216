"""The founding-interest exchange in the browser (issue 22, part 1): a seeker on "Gruppen
in Gründung" joins an interest through the form on a phone; staff see the counts of their
network and ask another office to bring people together, which lands in its inbox."""

import os
import re

from django.utils import timezone
from playwright.sync_api import expect

from groups.models import Inquiry, Topic
from tests.browser.test_accessibility import assert_no_violations
from tests.browser.test_smoke import log_in
from tests.factories import SiteFactory, TopicFactory

NO_OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth"
SHOTS = os.environ.get("KONTAKTSTELLE_SHOTS")  # a folder: the pages are saved there too


def shot(page, name):
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def topic(name):
    """A thesaurus topic (a transactional test may start with the thesaurus flushed)."""
    return Topic.objects.named(name) or TopicFactory(name=name)


def interests(office, topic, postcode_area, n):
    for number in range(n):
        inquiry = Inquiry.objects.create(
            office=office,
            kind=Inquiry.Kind.FOUNDING_INTEREST,
            name=f"Interessent {office.slug} {number}",
            email=f"i{number}@{office.slug}.example",
            topic=topic.name,
            consent_at=timezone.now(),
            postcode_area=postcode_area,
            match_consent_at=timezone.now(),
        )
        inquiry.topics.set([topic])


def test_a_seeker_joins_an_interest_from_groups_being_founded(phone_page, office, other_office):
    page = phone_page
    tinnitus = topic("Tinnitus")
    interests(office, tinnitus, "370", 2)
    interests(other_office, tinnitus, "371", 1)
    interests(office, topic("Lipödem"), "370", 2)  # two: not shown

    page.goto("/gruppen/in-gruendung/")
    topics = page.locator("[data-interest-topics]")
    expect(topics.get_by_role("heading", name="Tinnitus")).to_be_visible()
    expect(topics).to_contain_text("mindestens 3 Interessierte")
    expect(topics).not_to_contain_text("Lipödem")
    assert page.evaluate(NO_OVERFLOW)
    assert_no_violations(page)
    shot(page, "public_phone")

    topics.get_by_role("link", name=re.compile(r"Ich möchte mitmachen.*Tinnitus")).click()
    expect(page).to_have_url(re.compile(r"/gruppen/gruenden/\?thema=Tinnitus$"))
    expect(page.get_by_label("Zu welchem Thema möchten Sie eine Gruppe gründen?")).to_have_value(
        "Tinnitus"
    )
    page.get_by_label("Ihr Name (ein Vorname genügt)").fill("Ute")
    page.get_by_label("Ihre E-Mail-Adresse").fill("ute@example.net")
    page.get_by_label("Die Kontaktstellen des Netzwerks dürfen mich").check()
    page.get_by_label("Ich bin einverstanden").check()
    page.get_by_role("button", name="Senden").click()
    # Consent to be brought together needs the postcode: said in German, nothing stored.
    expect(page.get_by_text("geben Sie bitte Ihre Postleitzahl an")).to_be_visible()
    assert not Inquiry.objects.filter(name="Ute").exists()
    assert page.evaluate(NO_OVERFLOW)
    shot(page, "form_error_phone")

    page.get_by_label("Ihre Postleitzahl (freiwillig)").fill("37075")
    page.get_by_label("Ich bin einverstanden").check()
    page.get_by_role("button", name="Senden").click()
    expect(page).to_have_url(re.compile(r"/gruppen/danke/$"))
    ute = Inquiry.objects.get(name="Ute")
    assert (ute.postcode_area, list(ute.topics.all())) == ("370", [tinnitus])
    assert ute.match_consent_at is not None


def test_staff_see_the_exchange_and_ask_another_office(
    page, office, other_office, staff, other_staff
):
    SiteFactory(office=office, postcode="37073", city="Göttingen")
    SiteFactory(office=other_office, postcode="37154", city="Northeim")
    tinnitus = topic("Tinnitus")
    interests(office, tinnitus, "370", 1)
    interests(other_office, tinnitus, "371", 3)
    interests(other_office, topic("Lipödem"), "371", 2)  # hidden from us

    log_in(page, staff.email)
    page.goto("/intern/")
    page.get_by_role("link", name="Posteingang").first.click()
    page.get_by_role("link", name="Gründungsbörse").click()
    expect(page).to_have_url(re.compile(r"/intern/gruendungsboerse/$"))
    row = page.locator(f'[data-topic="{tinnitus.pk}"]')
    expect(row.locator("[data-own]")).to_have_text("1")
    expect(row.locator("[data-total]")).to_have_text("4")
    expect(row).to_contain_text("genug für eine Gruppe")
    expect(page.locator("[data-exchange]")).not_to_contain_text("Lipödem")
    expect(page.locator("body")).not_to_contain_text("Interessent anderswo")
    assert_no_violations(page)
    shot(page, "exchange_desktop")

    row.get_by_role("button", name=re.compile("Zusammenbringen")).click()
    expect(page.get_by_text("liegt im Posteingang von Selbsthilfebüro Anderswo")).to_be_visible()

    page.context.clear_cookies()
    log_in(page, other_staff.email)
    page.goto("/intern/posteingang/")
    card = page.locator("[data-inquiry]").filter(has_text="Anfrage einer anderen Kontaktstelle")
    expect(card).to_contain_text("Von KISS Musterstadt")
    expect(card).to_contain_text("Tinnitus")
    expect(card).not_to_contain_text("Interessent musterstadt")
    expect(card.get_by_role("button", name="Als Beratung zählen")).to_have_count(0)
    shot(page, "network_request_inbox")


def test_the_exchange_works_on_a_phone(phone_page, office, staff):
    page = phone_page
    SiteFactory(office=office, postcode="37073", city="Göttingen")
    interests(office, topic("Tinnitus"), "370", 3)
    log_in(page, staff.email)
    page.goto("/intern/gruendungsboerse/?radius=50")
    expect(page.locator("[data-total]")).to_have_text("3")
    assert page.evaluate(NO_OVERFLOW)
    shot(page, "exchange_phone")
    page.goto("/intern/gruendungsboerse/interesse/")
    assert page.evaluate(NO_OVERFLOW)
    shot(page, "record_phone")
