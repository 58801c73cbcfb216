"""Application journey: a visitor applies on a phone to become an In-Gang-Setzer:in; staff
move the application through the pipeline (interview, training, active), and the new
starter gets the invitation. Another application is declined after a confirmation.
"""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kontaktstelle.accounts.models import Invitation
from starters.models import Starter, VolunteerApplication
from tests.browser.test_accessibility import assert_no_violations
from tests.browser.test_smoke import log_in
from tests.factories import TrainingCohortFactory

TODAY = timezone.localdate()
Status = VolunteerApplication.Status


@pytest.fixture
def cohort(office):
    """A cohort whose last day is today: applicants join it and are then activated."""
    return TrainingCohortFactory(
        office=office,
        name="Grundschulung Herbst",
        starts_on=TODAY - datetime.timedelta(days=30),
        ends_on=TODAY,
    )


def apply_on_a_phone(phone_page, office, name, email):
    phone_page.goto(f"/kontaktstellen/{office.slug}/in-gang-setzer-werden/")
    expect(phone_page.get_by_role("heading", name="In-Gang-Setzer:in werden")).to_be_visible()
    expect(phone_page.get_by_role("heading", name="Die Schulung")).to_be_visible()
    phone_page.get_by_label("Ihr Name").fill(name)
    phone_page.get_by_label("Ihre E-Mail-Adresse").fill(email)
    phone_page.get_by_label("Wo Sie wohnen").fill("Musterstadt-Nord")
    phone_page.get_by_label("Wann haben Sie Zeit?").fill("dienstags abends")
    phone_page.get_by_label("Warum möchten Sie In-Gang-Setzer:in werden?").fill(
        "Ich habe lange eine Gesprächsgruppe geleitet."
    )
    phone_page.get_by_label("Ich bin einverstanden").check()
    phone_page.get_by_role("button", name="Bewerbung absenden").click()
    expect(
        phone_page.get_by_role("heading", name="Danke, Ihre Bewerbung ist angekommen")
    ).to_be_visible()


def test_a_visitor_applies_on_a_phone_and_staff_make_them_an_active_starter(
    phone_page, page, office, staff, cohort, mailoutbox
):
    # The form without consent is refused with a German message, and nothing is stored.
    phone_page.goto(f"/kontaktstellen/{office.slug}/in-gang-setzer-werden/")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the page scrolls sideways on a phone"
    phone_page.get_by_label("Ihr Name").fill("Bea Bewerberin")
    phone_page.get_by_role("button", name="Bewerbung absenden").click()
    expect(
        phone_page.get_by_text("Bitte stimmen Sie zu, damit wir Ihre Bewerbung bearbeiten dürfen.")
    ).to_be_visible()
    assert not VolunteerApplication.objects.exists()

    apply_on_a_phone(phone_page, office, "Bea Bewerberin", "bea@example.net")
    assert [m.subject for m in mailoutbox] == ["Ihre Bewerbung als In-Gang-Setzer:in"]

    log_in(page, staff.email)
    page.goto("/intern/bewerbungen/")
    expect(page.locator("a[data-step=applied] .badge")).to_have_text("1")
    page.get_by_role("link", name="Bea Bewerberin").click()
    assert_no_violations(page)

    page.get_by_label("Gespräch am").fill(
        (TODAY + datetime.timedelta(days=3)).isoformat() + "T17:30"
    )
    page.get_by_role("button", name="Gespräch vereinbaren").click()
    expect(page.get_by_text("Das Gespräch ist vereinbart")).to_be_visible()
    expect(page.locator("[data-status]")).to_have_text("Gespräch vereinbart")

    page.get_by_label("Schulungsdurchgang").select_option(label="Grundschulung Herbst")
    page.get_by_role("button", name="In die Schulung aufnehmen").click()
    expect(page.locator("[data-status]")).to_have_text("in Schulung")

    page.get_by_role("button", name="Aktiv setzen und einladen").click()
    expect(page.get_by_text("Bea Bewerberin ist jetzt aktive:r In-Gang-Setzer:in")).to_be_visible()
    expect(page.locator("[data-status]")).to_have_text("aktiv")
    page.get_by_role("link", name="zum Profil").click()
    expect(page.get_by_role("heading", name="Bea Bewerberin")).to_be_visible()

    starter = Starter.objects.get(user__email="bea@example.net")
    assert (starter.office, starter.status, starter.towns) == (
        office,
        Starter.Status.ACTIVE,
        "Musterstadt-Nord",
    )
    assert Invitation.objects.filter(user=starter.user).usable().exists()
    assert [m.subject for m in mailoutbox][1:] == [
        mailoutbox[1].subject,  # the interview, with its date
        "Ihre Schulung als In-Gang-Setzer:in",
        "Willkommen als In-Gang-Setzer:in",
        f"Ihr Zugang zur {office.name}",
    ]
    assert mailoutbox[1].subject.startswith("Ihr Gespräch bei uns am")
    assert re.search(r"/einladung/[^/\s]+/", mailoutbox[-1].body)


def test_staff_decline_an_application_after_confirming(phone_page, page, office, staff, mailoutbox):
    apply_on_a_phone(phone_page, office, "Karl Kurz", "karl@example.net")
    application = VolunteerApplication.objects.get()

    log_in(page, staff.email)
    page.goto(application.get_absolute_url())
    page.get_by_role("link", name="Absagen").click()
    expect(page.get_by_role("heading", name="Die Bewerbung von Karl Kurz absagen?")).to_be_visible()
    page.get_by_role("button", name="Bewerbung absagen").click()  # without a reason
    expect(page.get_by_text("Dieses Feld ist zwingend erforderlich.")).to_be_visible()
    application.refresh_from_db()
    assert application.status == Status.APPLIED

    page.get_by_label("Grund der Absage").fill("Kann an der Schulung nicht teilnehmen.")
    page.get_by_role("button", name="Bewerbung absagen").click()
    expect(page.locator("[data-status]")).to_have_text("abgesagt")
    expect(page.get_by_text("Diese Bewerbung wird nach dem")).to_be_visible()
    application.refresh_from_db()
    assert application.status == Status.REJECTED
    assert [m.subject for m in mailoutbox] == ["Ihre Bewerbung als In-Gang-Setzer:in"] * 2


def test_the_application_pages_pass_axe_at_phone_width(phone_page, office, staff, cohort):
    VolunteerApplication.objects.create(
        office=office,
        name="Bea Bewerberin",
        email="bea@example.net",
        town="Musterstadt-Nord",
        motivation="Ich habe lange eine Gesprächsgruppe geleitet.",
        consent_at=timezone.now(),
        consent_text="Ich bin einverstanden …",
    )
    phone_page.goto(f"/kontaktstellen/{office.slug}/in-gang-setzer-werden/")
    assert_no_violations(phone_page)
    log_in(phone_page, staff.email)
    for url in [
        "/intern/bewerbungen/",
        "/intern/bewerbungen/e-mails/",
        "/intern/bewerbungen/e-mails/interview/",
        f"/intern/bewerbungen/{VolunteerApplication.objects.get().pk}/absagen/",
    ]:
        phone_page.goto(url)
        assert_no_violations(phone_page)
