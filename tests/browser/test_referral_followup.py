"""The follow-up of a referral in Chromium (issue 22, part 4): staff count a consultation
with a referral and the person's consent; four weeks later the e-mail's link is opened on
a phone and answered with one button; the statistics show the share by topic area."""

import datetime
import hashlib
import re

from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from groups import referrals
from groups.models import Consultation, ReferralAnswer, ReferralFollowUp
from tests.browser.test_accessibility import assert_no_violations
from tests.browser.test_smoke import log_in
from tests.factories import GroupFactory, TopicCategoryFactory, TopicFactory

EMAIL = "ratsuchend@example.net"
LINK = re.compile(r"https?://\S+(/rueckmeldung/[\w-]+/\?antwort=arrived)")
NO_OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth"


def earlier_answer(office, group, answer, number):
    """A referral of some weeks ago, already followed up and answered."""
    consultation = Consultation.objects.create(
        office=office,
        channel=Consultation.Channel.PHONE,
        asker=Consultation.Asker.AFFECTED,
        held_on=timezone.localdate() - datetime.timedelta(days=30),
    )
    consultation.referred_groups.set([group])
    token = f"frueher-{number}"
    ReferralFollowUp.objects.create(
        consultation=consultation,
        email=f"frueher{number}@example.net",
        sent_at=timezone.now(),
        token_hash=hashlib.sha256(token.encode()).hexdigest(),
    )
    referrals.answer(token, {group: answer})


def test_a_referral_is_followed_up_and_counted_in_the_statistics(
    page, phone_page, staff, office, site
):
    area = TopicCategoryFactory(name="Testbereich Sucht")
    group = GroupFactory(
        office=office,
        name="Anker-Runde",
        topics=[TopicFactory(name="Testthema Alkohol", category=area)],
        contact_email="kontakt@anker.example",
    )
    earlier_answer(office, group, ReferralAnswer.Answer.ARRIVED, 1)
    earlier_answer(office, group, ReferralAnswer.Answer.NOT_MADE_IT, 2)

    # Staff count the consultation: a referral to the group, and the person agrees.
    log_in(page, staff.email)
    page.goto("/intern/beratungen/")
    page.get_by_label("Telefon").check()
    page.get_by_label("Betroffene:r").check()
    page.get_by_role("combobox", name="Vermittelt an Gruppen").fill("Anker")
    page.get_by_role("option", name=re.compile("Anker-Runde")).click()
    page.get_by_label("Die Person ist mit einer E-Mail in vier Wochen einverstanden").check()
    page.get_by_label("E-Mail-Adresse für die Rückmeldung").fill(EMAIL)
    page.get_by_role("button", name="Beratung zählen").click()
    expect(page.get_by_text("Die Beratung wurde gezählt.")).to_be_visible()
    expect(page.locator("[data-follow-up-state]").first).to_have_text("Rückmeldung vereinbart")
    assert EMAIL not in page.content()  # staff see the state, never the address again
    follow_up = ReferralFollowUp.objects.get(email=EMAIL)
    assert follow_up.consultation.referred_groups.get() == group

    # Time moves four weeks: the hourly run sends the one e-mail.
    assert referrals.send_due(timezone.now() + datetime.timedelta(days=27)) == 0
    assert referrals.send_due(timezone.now() + datetime.timedelta(days=28)) == 1
    message = mail.outbox[-1]
    assert message.to == [EMAIL] and "Anker-Runde" not in message.body

    # The person opens "Ich war dort" on their phone: preselected, one button sends it.
    phone = phone_page
    phone.goto(LINK.search(message.body).group(1))
    expect(phone.get_by_role("heading", name="Haben Sie den Weg in die Gruppe gefunden?"))
    expect(phone.get_by_role("group", name="Anker-Runde")).to_be_visible()
    expect(phone.get_by_label("Ich war dort")).to_be_checked()
    assert phone.evaluate(NO_OVERFLOW)
    assert_no_violations(phone)
    phone.get_by_role("button", name="Antwort senden").click()
    expect(phone.get_by_role("heading", name="Vielen Dank für Ihre Antwort")).to_be_visible()
    assert_no_violations(phone)
    follow_up.refresh_from_db()
    assert follow_up.email == "" and follow_up.answered_at is not None
    assert follow_up.answers.get().answer == ReferralAnswer.Answer.ARRIVED

    # The link works once: a second answer is refused with a clear page.
    phone.goto(LINK.search(message.body).group(1))
    expect(phone.get_by_role("heading", name="Dieser Link kann nicht verwendet werden"))
    expect(phone.get_by_text("Sie haben bereits geantwortet")).to_be_visible()

    # The statistics: three answers in the topic area, two went there.
    page.goto("/intern/statistik/")
    table = page.locator("[data-follow-up-table] table")
    expect(table.get_by_role("row", name=re.compile("Testbereich Sucht"))).to_have_text(
        re.compile(r"Testbereich Sucht\s*3\s*3\s*2\s*67")
    )
    expect(page.locator("[data-summary]")).to_contain_text(
        "Vermittlungen: in der Gruppe angekommen, von den Antworten (%)67"
    )
    assert_no_violations(page)
    # Nothing went to the group's contact person.
    assert {address for sent in mail.outbox for address in sent.to} == {EMAIL}
