"""Schedules in the browser: staff add a meeting rule, see it on the site's room plan, and
a rule that would take the same room at the same time is refused; the pages fit a
phone and pass axe."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from groups.models import Group, MeetingRule
from tests.browser.conftest import PHONE
from tests.browser.test_accessibility import assert_no_violations
from tests.browser.test_smoke import log_in
from tests.factories import GroupFactory, RoomFactory

NO_OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def groups(office, site):
    room = site.rooms.get()
    RoomFactory(site=site, name="Gruppenraum 2", step_free=True, hearing_loop=True)
    first = GroupFactory(
        office=office, name="Trauercafé", room=room, listing=Group.Listing.PUBLIC_WITH_PLACE
    )
    second = GroupFactory(office=office, name="Angehörige Sucht", room=room)
    return first, second


def add_rule(page, group, start, end):
    page.goto(f"/intern/gruppen/{group.pk}/termine/")
    page.locator("#id_rule-kind").select_option("weekly")
    page.locator("#id_rule-weekday").select_option("1")
    page.locator("#id_rule-start_time").fill(start)
    page.locator("#id_rule-end_time").fill(end)
    page.locator("[data-rule-form] button[type=submit]").click()


def test_staff_add_a_rule_see_it_on_the_room_plan_and_a_conflict_is_refused(
    page, staff, site, groups
):
    first, second = groups
    log_in(page, "fachkraft@example.org")
    add_rule(page, first, "19:00", "21:00")
    expect(page.locator("[data-rules]")).to_contain_text("19:00–21:00")
    assert MeetingRule.objects.filter(group=first).count() == 1

    page.goto(f"/intern/standorte/{site.pk}/")
    page.locator(f"a[href='/intern/standorte/{site.pk}/raumplan/']").click()
    # The rule holds from today: next week shows it whatever day today is.
    page.locator("a[href*='woche=']").last.click()
    table = page.locator(".room-plan")
    expect(table).to_contain_text("Trauercafé")
    expect(table).to_contain_text("19:00–21:00")
    assert_no_violations(page)

    add_rule(page, second, "20:00", "22:00")
    expect(page.locator("[data-rule-form]")).to_contain_text("Trauercafé")
    assert not MeetingRule.objects.filter(group=second).exists()
    assert_no_violations(page)


def test_room_plan_and_schedule_page_fit_a_phone(page, staff, site, groups):
    first, second = groups
    today = timezone.localdate()
    for group, weekday in ((first, today.weekday()), (second, (today.weekday() + 1) % 7)):
        MeetingRule.objects.create(
            group=group,
            weekday=weekday,
            start_time=datetime.time(18),
            end_time=datetime.time(20),
            starts_on=today - datetime.timedelta(days=7),
        )
    log_in(page, "fachkraft@example.org")
    page.set_viewport_size(PHONE)
    page.goto(f"/intern/standorte/{site.pk}/raumplan/")
    listing = page.locator("[data-room-plan-list]")
    expect(listing).to_be_visible()
    expect(listing).to_contain_text("Trauercafé")
    expect(listing).to_contain_text("Angehörige Sucht")
    assert page.evaluate(NO_OVERFLOW)
    assert_no_violations(page)
    page.goto(f"/intern/gruppen/{first.pk}/termine/")
    assert page.evaluate(NO_OVERFLOW)
    assert_no_violations(page)
