"""Accompaniment journey: a founding interest in the inbox becomes a group being founded
and a request; staff offer it to a suggested starter, who accepts (or declines) it.
"""

import datetime
import re
from importlib import import_module

import pytest
from django.apps import apps
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from groups.models import Group, Inquiry, Topic
from starters import services
from starters.models import Accompaniment, Assignment, Availability, Qualification, Starter
from tests.browser.test_accessibility import assert_no_violations
from tests.browser.test_smoke import log_in
from tests.browser.test_starters import log_out
from tests.factories import GroupFactory

OFFER_PATH = re.compile(r"/mein-bereich/angebote/(\d+)/")
DETAIL_URL = re.compile(r"/intern/begleitungen/(\d+)/$")
NO_OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth"


def founding_qualification():
    # Seeded by a data migration, but a transactional test before this one flushed it.
    qualification, _created = Qualification.objects.get_or_create(
        code=Qualification.Code.FOUNDING, defaults={"name": "Gründungsbegleitung"}
    )
    return qualification


def thesaurus_topic(name):
    """A topic of the shipped thesaurus, loaded again if a transactional test flushed it."""
    if not Topic.objects.exists():
        import_module("groups.migrations.0002_thesaurus").load(apps, None)
    return Topic.objects.get(name=name)


def make_suitable(user):
    """The persona's profile: active, free places, founding qualification, Tuesday evenings."""
    profile = user.starter
    profile.status = Starter.Status.ACTIVE
    profile.capacity = 2
    profile.save()
    profile.qualifications.add(founding_qualification())
    Availability.objects.create(
        starter=profile,
        weekday=Availability.Weekday.TUESDAY,
        starts_at=datetime.time(18),
        ends_at=datetime.time(21),
    )
    return profile


def founding_request(office, staff):
    """A requested founding accompaniment for a group being founded, Tuesdays at 19:00."""
    group = GroupFactory(
        office=office,
        name="Selbsthilfegruppe Long COVID",
        status=Group.Status.FOUNDING,
        topics=[thesaurus_topic("Long COVID")],
    )
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


def log_in_with_cookie(page, client, live_server, user):
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def test_founding_interest_becomes_an_active_accompaniment(
    page, office, site, staff, starter, mailoutbox
):
    profile = make_suitable(starter)
    thesaurus_topic("Long COVID")
    inquiry = Inquiry.objects.create(
        office=office,
        kind=Inquiry.Kind.FOUNDING_INTEREST,
        name="Sabine K.",
        email="sabine@example.org",
        topic="Long COVID",
        consent_at=timezone.now(),
    )

    # Staff: from the inbox, one click creates the group and opens the request form.
    log_in(page, staff.email)
    expect(page).to_have_url(re.compile(r"/intern/$"))
    page.locator("header a[href='/intern/posteingang/']").click()
    expect(page).to_have_url(re.compile(r"/intern/posteingang/$"))
    page.locator(f"form[action='/intern/begleitungen/aus-anfrage/{inquiry.pk}/'] button").click()

    group = Group.objects.get()
    expect(page).to_have_url(
        re.compile(rf"/intern/begleitungen/neu/\?group={group.pk}&inquiry={inquiry.pk}$")
    )
    # "in Gründung" is the status (a badge), not part of the name; the topic came along.
    assert group.name == "Selbsthilfegruppe Long COVID"
    assert group.status == Group.Status.FOUNDING
    assert list(group.topics.values_list("name", flat=True)) == ["Long COVID"]
    assert group.listing == Group.Listing.UNLISTED
    inquiry.refresh_from_db()
    assert inquiry.status == Inquiry.Status.DONE
    expect(page.get_by_text(f"Die Gruppe „{group.name}“ wurde")).to_be_visible()
    expect(page.locator("select[name=group] option:checked")).to_have_text(group.name)
    expect(page.locator("select[name=kind]")).to_have_value(Accompaniment.Kind.FOUNDING)
    expect(page.locator("input[name=planned_meetings]")).to_have_value("6")

    page.locator("input[name=requested_by]").fill("Gründerin der Gruppe")
    page.locator("select[name=meeting_weekday]").select_option(str(Availability.Weekday.TUESDAY))
    page.locator("input[name=meeting_time]").fill("19:00")
    page.locator("input[name=planned_meetings]").fill("5")
    page.get_by_role("button", name="Speichern", exact=True).click()

    expect(page).to_have_url(DETAIL_URL)
    accompaniment = Accompaniment.objects.get()
    assert page.url.endswith(f"/intern/begleitungen/{accompaniment.pk}/")
    assert accompaniment.group == group
    assert accompaniment.inquiry == inquiry
    assert accompaniment.status == Accompaniment.Status.REQUESTED
    assert accompaniment.kind == Accompaniment.Kind.FOUNDING
    assert accompaniment.requested_by == "Gründerin der Gruppe"
    assert accompaniment.meeting_weekday == Availability.Weekday.TUESDAY
    assert accompaniment.meeting_time == datetime.time(19)
    assert accompaniment.planned_meetings == 5
    assert accompaniment.responsible == staff

    # The starter is suggested, with the reasons why.
    suggestions = page.locator("section[aria-labelledby=matching-heading] ol > li")
    expect(suggestions).to_have_count(1)
    expect(suggestions.first).to_contain_text("Maria Schneider")
    expect(suggestions.first).to_contain_text("zur Treffzeit verfügbar")
    expect(suggestions.first).to_contain_text("keine Begleitung in den letzten 12 Monaten")

    page.locator("select[name=starter]").select_option(str(profile.pk))
    page.get_by_role("button", name="Angebot senden").click()

    expect(page).to_have_url(DETAIL_URL)
    expect(page.get_by_text("Maria Schneider wurde per E-Mail angefragt.")).to_be_visible()
    offers = page.locator("section[aria-labelledby=assignments-heading] li")
    expect(offers).to_have_count(1)
    expect(offers.first).to_contain_text("Maria Schneider: angeboten, noch keine Antwort")
    assignment = Assignment.objects.get()
    assert assignment.state == Assignment.State.OFFERED
    accompaniment.refresh_from_db()
    assert accompaniment.status == Accompaniment.Status.OFFERED
    profile.refresh_from_db()
    assert profile.load == 1  # the open offer holds a place

    # The e-mail carries the link to the offer (absolute to SITE_URL, so use its path).
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [starter.email]
    offer_path = OFFER_PATH.search(mailoutbox[0].body).group(0)
    assert offer_path == f"/mein-bereich/angebote/{assignment.pk}/"

    # The starter accepts.
    log_out(page, "Jonas Berger")
    log_in(page, starter.email)
    expect(page).to_have_url(re.compile(r"/mein-bereich/$"))
    page.goto(offer_path)
    expect(page.get_by_role("heading", name=group.name)).to_be_visible()
    page.locator("button[name=answer][value=accept]").click()

    expect(page).to_have_url(re.compile(r"/mein-bereich/$"))
    expect(page.get_by_text("Danke! Die Kontaktstelle weiß")).to_be_visible()
    # Accepted and running: the starter sees the true state (issue 17), not "angenommen".
    expect(page.locator(f"a[href='{offer_path}'] + .badge")).to_have_text("läuft")
    assignment.refresh_from_db()
    accompaniment.refresh_from_db()
    profile.refresh_from_db()
    assert assignment.state == Assignment.State.ACCEPTED
    assert assignment.answered_at is not None
    assert accompaniment.status == Accompaniment.Status.ACTIVE
    assert accompaniment.started_on == timezone.localdate()
    assert profile.load == 1
    # Once accepted, the page no longer offers to answer.
    page.goto(offer_path)
    expect(page.locator("button[name=answer]")).to_have_count(0)

    # Staff see it among the active accompaniments.
    log_out(page, "Maria Schneider")
    log_in(page, staff.email)
    page.goto("/intern/begleitungen/")
    page.locator("a[href='?status=active']").click()
    row = page.locator("tbody tr").filter(
        has=page.locator(f"a[href='/intern/begleitungen/{accompaniment.pk}/']")
    )
    expect(row).to_have_count(1)
    expect(row.locator("td").nth(3)).to_have_text("aktiv")
    expect(row.locator("td").nth(4)).to_contain_text("Maria Schneider")


def test_starter_declines_an_offer_with_a_reason_on_a_phone(phone_page, office, staff, starter):
    page = phone_page
    profile = make_suitable(starter)
    accompaniment = founding_request(office, staff)
    assignment = services.offer(staff, accompaniment, profile)
    offer_path = f"/mein-bereich/angebote/{assignment.pk}/"

    log_in(page, starter.email)
    expect(page).to_have_url(re.compile(r"/mein-bereich/$"))
    assert page.evaluate(NO_OVERFLOW)
    page.locator(f"a[href='{offer_path}']").click()
    expect(page).to_have_url(re.compile(rf"{offer_path}$"))
    expect(page.get_by_role("heading", name=accompaniment.group.name)).to_be_visible()
    assert page.evaluate(NO_OVERFLOW)
    page.locator("textarea[name=reason]").fill("Dienstags bin ich bis Juni verhindert.")
    page.locator("button[name=answer][value=decline]").click()

    expect(page).to_have_url(re.compile(r"/mein-bereich/$"))
    expect(page.get_by_text("Danke für Ihre Antwort.")).to_be_visible()
    assert page.evaluate(NO_OVERFLOW)
    assignment.refresh_from_db()
    accompaniment.refresh_from_db()
    profile.refresh_from_db()
    assert assignment.state == Assignment.State.DECLINED
    assert assignment.decline_reason == "Dienstags bin ich bis Juni verhindert."
    assert accompaniment.status == Accompaniment.Status.REQUESTED
    assert profile.load == 0


@pytest.mark.parametrize("page_name", ["list", "detail", "request_form", "offer", "accepted_offer"])
def test_accompaniment_pages_have_no_axe_violations(
    page, client, live_server, office, site, staff, starter, page_name
):
    profile = make_suitable(starter)
    accompaniment = founding_request(office, staff)
    if page_name in ("offer", "accepted_offer"):
        assignment = services.offer(staff, accompaniment, profile)
        if page_name == "accepted_offer":
            services.answer_offer(profile, assignment, accept=True)
        log_in_with_cookie(page, client, live_server, starter)
        page.goto(f"/mein-bereich/angebote/{assignment.pk}/")
    else:
        log_in_with_cookie(page, client, live_server, staff)
        page.goto(
            {
                "list": "/intern/begleitungen/",
                "detail": f"/intern/begleitungen/{accompaniment.pk}/",
                "request_form": f"/intern/begleitungen/neu/?group={accompaniment.group.pk}",
            }[page_name]
        )
    if page_name == "detail":
        # The suggestions are on the page under test.
        expect(page.locator("section[aria-labelledby=matching-heading] ol > li")).to_contain_text(
            ["Maria Schneider"]
        )
    assert_no_violations(page)


def test_cancelling_an_accompaniment_asks_for_confirmation(page, office, staff, starter):
    profile = make_suitable(starter)
    accompaniment = founding_request(office, staff)
    assignment = services.offer(staff, accompaniment, profile)
    detail = f"/intern/begleitungen/{accompaniment.pk}/"

    log_in(page, staff.email)
    page.goto(detail)
    page.locator(f"a[href='{detail}abbrechen/']").click()

    expect(page).to_have_url(re.compile(rf"{detail}abbrechen/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(accompaniment.group.name)
    accompaniment.refresh_from_db()
    assert accompaniment.status == Accompaniment.Status.OFFERED  # nothing happened yet
    page.locator("textarea[name=reason]").fill("Die Gruppe hat sich anders entschieden.")
    page.get_by_role("button", name="Begleitung abbrechen").click()

    expect(page).to_have_url(re.compile(rf"{detail}$"))
    expect(page.get_by_text("Die Begleitung wurde abgebrochen.")).to_be_visible()
    expect(page.locator("h1 + .badge")).to_have_text("abgebrochen")
    expect(page.locator(f"a[href='{detail}abbrechen/']")).to_have_count(0)
    accompaniment.refresh_from_db()
    assignment.refresh_from_db()
    profile.refresh_from_db()
    assert accompaniment.status == Accompaniment.Status.CANCELLED
    assert accompaniment.cancel_reason == "Die Gruppe hat sich anders entschieden."
    assert accompaniment.completed_on == timezone.localdate()
    assert assignment.state == Assignment.State.WITHDRAWN
    assert profile.load == 0
