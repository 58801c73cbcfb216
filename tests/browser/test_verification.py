"""The yearly data check in Chromium (issue 19): a group's contact person opens the e-mailed
link on a phone and proposes changes; staff review them field by field."""

import datetime
import re

from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from groups import verification
from groups.models import Group, Verification
from tests.browser.test_accessibility import assert_no_violations
from tests.browser.test_smoke import log_in
from tests.factories import GroupFactory

NO_OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth"


def test_contact_person_corrects_the_entry_and_staff_take_it_over(phone_page, office, site, staff):
    page = phone_page
    group = GroupFactory(
        office=office,
        name="Gesprächskreis Tinnitus",
        schedule="jeden 1. Dienstag, 19 Uhr",
        city="Musterstadt",
        listing=Group.Listing.PUBLIC_WITH_PLACE,
        consent_published_on=datetime.date(2024, 5, 2),
        contact_email="kontakt@tinnitus.example",
        last_confirmed_on=timezone.localdate() - datetime.timedelta(days=400),
    )
    assert verification.send_due() == (1, 0)
    link = re.search(r"https?://\S+/abgleich/\S+/", mail.outbox[-1].body).group(0)
    path = "/abgleich/" + link.split("/abgleich/")[1]

    page.goto(path)
    expect(
        page.get_by_role("heading", name="Stimmt der Eintrag von „Gesprächskreis Tinnitus“ noch?")
    ).to_be_visible()
    expect(page.get_by_label("Treffen")).to_have_value("jeden 1. Dienstag, 19 Uhr")
    assert page.evaluate(NO_OVERFLOW)
    assert_no_violations(page)

    page.get_by_label("Treffen").fill("jeden 2. Dienstag, 18 Uhr")
    page.get_by_label("Ort", exact=True).fill("Neustadt")
    page.get_by_label("Warteliste").check()
    page.get_by_role("button", name="Senden").click()
    expect(page.get_by_role("heading", name="Vielen Dank für Ihre Antwort")).to_be_visible()
    page.goto(path)  # the link works once
    gone = page.get_by_role("heading", name="Dieser Link kann nicht verwendet werden")
    expect(gone).to_be_visible()

    log_in(page, staff.email)
    page.get_by_role("link", name="1 Rückmeldung aus dem Datenabgleich zu prüfen").click()
    page.get_by_role("link", name="Prüfen").click()
    expect(page.locator("[data-review]")).to_contain_text("jeden 2. Dienstag, 18 Uhr")
    assert_no_violations(page)
    page.get_by_label("Ort", exact=True).uncheck()  # the town stays as it is
    page.get_by_role("button", name="Übernehmen und Daten bestätigen").click()
    expect(
        page.get_by_text(
            "Die Antwort von „Gesprächskreis Tinnitus“ wurde übernommen; die Daten sind bestätigt."
        )
    ).to_be_visible()

    group.refresh_from_db()
    assert group.schedule == "jeden 2. Dienstag, 18 Uhr"
    assert group.city == "Musterstadt"
    assert group.accepts_new_members == Group.NewMembers.WAITING_LIST
    assert group.last_confirmed_on == timezone.localdate()
    assert group.consent_published_on == timezone.localdate()
    assert Verification.objects.get().accepted_fields == ["schedule", "accepts_new_members"]
