"""Documents journey: an offer is blocked because a volunteer's agreement expired and
their police certificate was never seen; staff record a seen certificate and the renewed
agreement, and the offer goes through."""

import datetime
import re

from django.utils import timezone
from playwright.sync_api import expect

from starters.documents import add_years
from starters.models import Assignment, Starter
from tests.browser.test_accessibility import assert_no_violations
from tests.browser.test_accompaniments import founding_qualification
from tests.browser.test_smoke import log_in
from tests.starters.test_accompaniments import make_accompaniment

TODAY = timezone.localdate()


def test_staff_renew_expired_documents_and_the_blocked_offer_becomes_possible(
    page, staff, starter, office, site
):
    office.requires_police_certificate = True
    office.save()
    volunteer = starter.starter
    volunteer.agreement_signed_on = add_years(TODAY, -2) - datetime.timedelta(days=3)
    volunteer.save()
    volunteer.qualifications.add(founding_qualification())
    accompaniment = make_accompaniment(office, staff)

    log_in(page, staff.email)
    expect(page).to_have_url(re.compile(r"/intern/$"))
    listed = page.locator("[data-expiring-documents]")
    expect(listed).to_contain_text(volunteer.name)
    expect(listed).to_contain_text("Ehrenamtsvereinbarung")

    # Matching says why the volunteer cannot be asked, and the offer is refused.
    page.goto(accompaniment.get_absolute_url())
    page.get_by_text("Nicht vorgeschlagen, und warum").click()
    expect(page.get_by_text(f"{volunteer.name}: Unterlagen: Ehrenamtsvereinbarung")).to_be_visible()
    page.locator("#id_starter").select_option(str(volunteer.pk))
    page.locator("#id_choice_reason").fill("Kennt die Initiatorin")
    page.get_by_role("button", name="Angebot senden").click()
    refusal = page.get_by_text("bis ihre Unterlagen erneuert sind")
    expect(refusal).to_be_visible()
    expect(refusal).to_contain_text("Ehrenamtsvereinbarung: abgelaufen am")
    expect(refusal).to_contain_text("erweitertes Führungszeugnis: nicht eingetragen")
    assert not Assignment.objects.exists()

    # The volunteer's documents: a police certificate seen today, then the agreement.
    page.goto(volunteer.get_absolute_url())
    page.get_by_role("link", name="Erneuerte Unterlagen eintragen").click()
    expect(page).to_have_url(re.compile(rf"/intern/igs/{volunteer.pk}/unterlagen/$"))
    expect(page.locator('[data-document="agreement"]')).to_have_attribute("data-state", "expired")
    assert_no_violations(page)
    certificate = page.locator("[data-form=police_certificate]")
    certificate.get_by_label("Datum auf dem Zeugnis").fill(
        (TODAY - datetime.timedelta(days=14)).isoformat()
    )
    certificate.get_by_role("button", name="Zeugnis als eingesehen eintragen").click()
    # Without confirming that the original was seen, nothing is recorded.
    expect(certificate.get_by_text("Dieses Feld ist zwingend erforderlich.")).to_be_visible()
    assert Starter.objects.get(pk=volunteer.pk).police_certificate_issued_on is None
    certificate = page.locator("[data-form=police_certificate]")
    certificate.get_by_label("Datum auf dem Zeugnis").fill(
        (TODAY - datetime.timedelta(days=14)).isoformat()
    )
    certificate.get_by_label("Ich habe das Original des Zeugnisses gesehen.").check()
    certificate.get_by_role("button", name="Zeugnis als eingesehen eintragen").click()
    expect(page.get_by_text("Die Unterlage wurde eingetragen.")).to_be_visible()
    expect(page.locator('[data-document="police_certificate"]')).to_have_attribute(
        "data-state", "valid"
    )

    agreement = page.locator("[data-form=agreement]")
    agreement.get_by_label("Ehrenamtsvereinbarung unterschrieben (oder erneuert) am").fill(
        TODAY.isoformat()
    )
    agreement.get_by_role("button", name="Vereinbarung eintragen").click()
    expect(page.get_by_text("Die Unterlage wurde eingetragen.")).to_be_visible()
    expect(page.locator('[data-document="agreement"]')).to_have_attribute("data-state", "valid")
    volunteer.refresh_from_db()
    assert volunteer.agreement_renewed_on == TODAY
    assert volunteer.police_certificate_seen_on == TODAY

    # Now the volunteer is suggested and the offer goes out.
    page.goto(accompaniment.get_absolute_url())
    expect(page.locator("#matching-heading + ol")).to_contain_text(volunteer.name)
    page.locator("#id_starter").select_option(str(volunteer.pk))
    page.get_by_role("button", name="Angebot senden").click()
    expect(page.get_by_text(f"{volunteer.name} wurde per E-Mail angefragt.")).to_be_visible()
    assert Assignment.objects.get().starter_id == volunteer.pk
