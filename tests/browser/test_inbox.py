"""The inbox on a phone (issue 19): a staff member takes a web request on, calls back and
marks it done; it leaves the open requests and the menu's count goes down."""

import re

from django.utils import timezone
from playwright.sync_api import expect

from groups.models import Inquiry
from tests.browser.test_accessibility import assert_no_violations
from tests.browser.test_smoke import log_in

NO_OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth"


def test_staff_work_through_a_request_on_a_phone(phone_page, office, site, staff):
    page = phone_page
    for name in ("Sabine Suchend", "Ole Offen"):
        Inquiry.objects.create(
            office=office,
            kind=Inquiry.Kind.CONTACT_REQUEST,
            name=name,
            phone="0170 1234567",
            topic="Angst",
            asker=Inquiry.Asker.AFFECTED,
            consent_at=timezone.now(),
        )
    log_in(page, staff.email)
    expect(page).to_have_url(re.compile(r"/intern/$"))
    page.get_by_role("button", name="Menü öffnen").click()
    inbox_link = page.get_by_role("link", name="Posteingang 2 neu")
    expect(inbox_link.locator("[data-new-inquiries]")).to_have_text("2 neu")
    inbox_link.click()
    expect(page).to_have_url(re.compile(r"/intern/posteingang/$"))

    card = page.locator("[data-inquiry]").filter(has_text="Sabine Suchend")
    expect(card.get_by_role("link", name="0170 1234567")).to_have_attribute(
        "href", "tel:01701234567"
    )
    expect(card).to_contain_text("für mich selbst")
    assert page.evaluate(NO_OVERFLOW)
    assert_no_violations(page)

    card.get_by_role("button", name="Übernehmen").click()
    expect(page.get_by_text("Sie sind jetzt für die Anfrage zuständig.")).to_be_visible()
    card = page.locator("[data-inquiry]").filter(has_text="Sabine Suchend")
    expect(card).to_contain_text("in Bearbeitung")
    expect(card).to_contain_text("zuständig: Jonas Berger")

    card.get_by_role("button", name="Erledigt").click()
    expect(page.get_by_text("Die Anfrage ist erledigt.")).to_be_visible()
    expect(page.locator("[data-inquiry]").filter(has_text="Sabine Suchend")).to_have_count(0)
    expect(page.locator("[data-inquiry]")).to_have_count(1)
    page.get_by_role("link", name="erledigt").click()
    expect(page.locator("[data-inquiry]").filter(has_text="Sabine Suchend")).to_have_count(1)
    inquiry = Inquiry.objects.get(name="Sabine Suchend")
    assert (inquiry.status, inquiry.assigned_to) == (Inquiry.Status.DONE, staff)
