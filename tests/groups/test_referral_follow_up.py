"""The follow-up of referrals to groups (issue 22, part 4): the consent on the consultation
form, one e-mail four weeks later through the outbox, the one-time answer page, the
address erased after the answer or after eight weeks, and the share by topic area."""

import datetime
import hashlib
import io
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from groups import referrals
from groups.models import (
    Consultation,
    GroupChange,
    Inquiry,
    ReferralAnswer,
    ReferralFollowUp,
    Topic,
    TopicCategory,
)
from kontaktstelle import privacy
from kontaktstelle.notifications.models import Notification, OutgoingEmail
from kontaktstelle.privacy.retention import apply_retention
from kontaktstelle.reports import statistics
from tests.core.test_privacy_export_erase import rows_with
from tests.core.test_resilience import SMTP_DOWN
from tests.factories import GroupFactory, SiteFactory, TopicCategoryFactory, TopicFactory
from tests.processes import run_at_once

pytestmark = pytest.mark.django_db

EMAIL = "ratsuchend-7c1e@example.net"
TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)
LINK = re.compile(r"/rueckmeldung/([\w-]+)/\?antwort=(\w+)")
Answer = ReferralAnswer.Answer
ALL_TIME = statistics.Period(TODAY - 3650 * DAY, TODAY)


@pytest.fixture
def area(db):
    return TopicCategoryFactory(name="Testbereich Sucht")


@pytest.fixture
def group(office, area):
    return GroupFactory(
        office=office,
        name="Anonyme Testgruppe",
        topics=[TopicFactory(name="Testthema Alkohol", category=area)],
        contact_name="Kim Kontakt",
        contact_email="kontakt@gruppe.example",
        public_email="gruppe@gruppe.example",
    )


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """``send_due`` as ``send_reminders`` runs it: the e-mails go out after the commit."""

    def run(now=None):
        with django_capture_on_commit_callbacks(execute=True):
            return referrals.send_due(now)

    return run


def later(days):
    return timezone.now() + days * DAY


def referral(office, groups, days_ago=28, email=EMAIL, site=None):
    """A consultation held ``days_ago`` that referred to ``groups``, with the consent."""
    consultation = Consultation.objects.create(
        office=office,
        site=site,
        channel=Consultation.Channel.PHONE,
        asker=Consultation.Asker.AFFECTED,
        held_on=TODAY - days_ago * DAY,
    )
    consultation.referred_groups.set(groups)
    return ReferralFollowUp.objects.create(consultation=consultation, email=email)


def token_of(message):
    return LINK.search(message.body).group(1)


def form_data(site, groups, **overrides):
    return {
        "held_on": TODAY.isoformat(),
        "site": site.pk,
        "channel": Consultation.Channel.PHONE,
        "asker": Consultation.Asker.AFFECTED,
        "topic_names": "",
        "referred_groups": [group.pk for group in groups],
        "counselling": "",
        **overrides,
    }


def page_url(token, answer=None):
    url = reverse("groups:referral_follow_up", args=[token])
    return f"{url}?antwort={answer}" if answer else url


def answered(follow_up, **answers):
    """Send the follow-up's e-mail and answer it for each group (by name)."""
    token = "t-" + str(follow_up.pk)
    ReferralFollowUp.objects.filter(pk=follow_up.pk).update(
        sent_at=timezone.now(), token_hash=hashlib.sha256(token.encode()).hexdigest()
    )
    groups = referrals.referred_groups(follow_up)
    referrals.answer(token, {group: answers.get(group.name, Answer.ARRIVED) for group in groups})


# The consent on the consultation form -----------------------------------------------------


def test_the_address_is_stored_only_with_the_consent_and_a_referral(client, staff, site, group):
    client.force_login(staff)
    response = client.post(
        reverse("groups:consultations"),
        form_data(site, [group], follow_up="on", follow_up_email=EMAIL),
    )
    assert response.status_code == 302
    follow_up = ReferralFollowUp.objects.get()
    assert follow_up.email == EMAIL
    assert follow_up.consultation.referred_groups.get() == group
    # Nothing is sent, and no link exists, before four weeks have passed.
    assert (follow_up.token_hash, follow_up.sent_at) == (None, None)
    assert mail.outbox == []


def test_an_address_without_the_consent_is_not_stored(client, staff, site, group):
    client.force_login(staff)
    response = client.post(
        reverse("groups:consultations"), form_data(site, [group], follow_up_email=EMAIL)
    )
    assert response.status_code == 302
    assert Consultation.objects.count() == 1
    assert not ReferralFollowUp.objects.exists()
    assert rows_with(EMAIL) == set()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        # A referral to counselling only: nobody to ask about a group.
        (
            {"referred_groups": [], "counselling": "addiction", "follow_up_email": EMAIL},
            "follow_up",
            "Eine Rückmeldung wird nur nach einer Vermittlung in eine Gruppe erfragt.",
        ),
        ({}, "follow_up_email", "Bitte geben Sie die E-Mail-Adresse für die Rückmeldung ein."),
        (
            {"follow_up_email": "keine-adresse"},
            "follow_up_email",
            "Bitte gültige E-Mail-Adresse eingeben.",
        ),
        (
            {"held_on": (TODAY - 57 * DAY).isoformat(), "follow_up_email": EMAIL},
            "follow_up",
            "Diese Beratung liegt für eine Rückmeldung zu lange zurück.",
        ),
    ],
)
def test_a_follow_up_that_cannot_be_asked_is_refused_with_a_message(
    client, staff, site, group, overrides, field, message
):
    client.force_login(staff)
    response = client.post(
        reverse("groups:consultations"), form_data(site, [group], follow_up="on", **overrides)
    )
    assert response.status_code == 200
    assert message in response.context["form"].errors[field]
    assert message in response.content.decode()
    assert not Consultation.objects.exists()
    assert not ReferralFollowUp.objects.exists()


def test_a_web_request_carries_its_address_but_only_the_checkbox_stores_it(
    client, staff, office, site, group
):
    def web_request():
        return Inquiry.objects.create(
            office=office,
            kind=Inquiry.Kind.CONTACT_REQUEST,
            group=group,
            name="Sam Suchend",
            email=EMAIL,
            consent_at=timezone.now(),
        )

    client.force_login(staff)
    inquiry = web_request()
    page = client.get(reverse("groups:consultations") + f"?inquiry={inquiry.pk}")
    form = page.context["form"]
    assert form["follow_up_email"].value() == EMAIL  # not typed twice
    assert not form["follow_up"].value()  # but not agreed for them
    data = form_data(site, [group], inquiry=inquiry.pk, follow_up_email=EMAIL)
    client.post(reverse("groups:consultations"), data)
    assert inquiry.consultation and not ReferralFollowUp.objects.exists()

    second = web_request()
    client.post(
        reverse("groups:consultations"),
        form_data(site, [group], inquiry=second.pk, follow_up="on", follow_up_email=EMAIL),
    )
    assert ReferralFollowUp.objects.get().consultation.inquiry == second


def test_the_address_is_never_shown_to_staff_again(client, staff, office, group):
    follow_up = referral(office, [group], days_ago=0)
    client.force_login(staff)
    page = client.get(reverse("groups:consultations")).content.decode()
    assert "Rückmeldung vereinbart" in page
    assert EMAIL not in page
    correct = client.get(reverse("groups:consultation_correct", args=[follow_up.consultation_id]))
    assert "follow_up" not in correct.context["form"].fields
    assert EMAIL not in correct.content.decode()


def test_a_correction_without_a_referred_group_drops_the_unanswered_follow_up(
    client, staff, office, site, group
):
    follow_up = referral(office, [group], days_ago=1)
    client.force_login(staff)
    response = client.post(
        reverse("groups:consultation_correct", args=[follow_up.consultation_id]),
        form_data(site, [], held_on=(TODAY - DAY).isoformat(), counselling="addiction"),
    )
    assert response.status_code == 302
    assert not ReferralFollowUp.objects.exists()
    assert rows_with(EMAIL) == set()


def test_the_database_refuses_an_address_beside_an_answer_or_a_link_never_sent(office, group):
    follow_up = referral(office, [group])
    with pytest.raises(IntegrityError), transaction.atomic():
        ReferralFollowUp.objects.filter(pk=follow_up.pk).update(answered_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        ReferralFollowUp.objects.filter(pk=follow_up.pk).update(token_hash="0" * 64)


# One e-mail after four weeks, through the outbox ----------------------------------------


def test_the_email_goes_out_once_four_weeks_after_the_consultation(office, group, send):
    follow_up = referral(office, [group], days_ago=0)
    assert send(later(27)) == 0
    assert mail.outbox == []
    assert send(later(28)) == 1
    assert send(later(29)) == 0  # once
    assert [message.to for message in mail.outbox] == [[EMAIL]]
    follow_up.refresh_from_db()
    assert follow_up.sent_at is not None
    token = token_of(mail.outbox[0])
    # Only the hash of the one-time link is stored, nowhere the link itself.
    assert follow_up.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert rows_with(token) == set()


def test_the_email_names_no_group_and_offers_the_three_answers(office, group, send):
    referral(office, [group])
    send()
    message = mail.outbox[0]
    assert message.subject == "Haben Sie den Weg in eine Selbsthilfegruppe gefunden?"
    assert group.name not in message.subject + message.body
    links = LINK.findall(message.body)
    assert [answer for _token, answer in links] == list(Answer.values)
    assert len({token for token, _answer in links}) == 1
    for label in ("Ich war dort", "Ich habe es nicht geschafft", "Die Gruppe passte nicht"):
        assert label in message.body


def test_without_consent_nothing_is_sent(office, group, send):
    consultation = Consultation.objects.create(
        office=office,
        channel=Consultation.Channel.PHONE,
        asker=Consultation.Asker.AFFECTED,
        held_on=TODAY - 28 * DAY,
    )
    consultation.referred_groups.set([group])
    assert send() == 0
    assert mail.outbox == []


def test_the_email_waits_in_the_outbox_while_the_mail_server_is_down(office, group, send):
    referral(office, [group])
    with SMTP_DOWN:
        assert send() == 1  # claimed and queued
        assert send() == 0  # not a second time
    assert mail.outbox == []
    assert OutgoingEmail.objects.get().recipient == EMAIL
    call_command("send_reminders", stdout=io.StringIO())  # the server is back
    assert [message.to for message in mail.outbox] == [[EMAIL]]
    assert not OutgoingEmail.objects.exists()


def test_send_reminders_sends_the_due_follow_ups(office, group):
    referral(office, [group])
    out = io.StringIO()
    call_command("send_reminders", stdout=out)
    assert "Rückmeldung zur Vermittlung: 1 E-Mails gesendet." in out.getvalue()
    assert [message.to for message in mail.outbox] == [[EMAIL]]
    assert not OutgoingEmail.objects.exists()  # sent and gone from the outbox


def test_a_follow_up_past_its_eight_weeks_is_not_sent(office, group, send):
    referral(office, [group], days_ago=57)
    assert send() == 0


RUN_AT = """
import sys, time
import django
django.setup()
from django.core.management import call_command
from django.db import connection
connection.ensure_connection()
time.sleep(max(0.0, float(sys.argv[1]) - time.time()))
call_command("send_reminders")
"""


@pytest.mark.django_db(transaction=True)
def test_two_servers_at_once_send_each_follow_up_exactly_once(office, group):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite cannot run two writing processes at once")
    from tests.core.test_settings import STRONG_KEY

    for number in range(8):
        referral(office, [group], email=f"person{number}@example.net")
    outputs = run_at_once(
        RUN_AT,
        {
            "DJANGO_SECRET_KEY": STRONG_KEY,
            "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        },
    )
    recipients = [
        line.split(":", 1)[1].strip()
        for stdout, _stderr in outputs
        for line in stdout.splitlines()
        if line.startswith("To:")
    ]
    assert sorted(recipients) == sorted(f"person{number}@example.net" for number in range(8))
    assert not ReferralFollowUp.objects.filter(sent_at__isnull=True).exists()


# The page of the link -------------------------------------------------------------------


@pytest.fixture
def link(office, group, send):
    """A follow-up sent: (follow-up, token)."""
    follow_up = referral(office, [group])
    send()
    return follow_up, token_of(mail.outbox[-1])


def test_opening_the_link_preselects_the_answer_and_changes_nothing(client, link, group):
    follow_up, token = link
    response = client.get(page_url(token, Answer.NOT_SUITABLE))
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    content = response.content.decode()
    assert group.name in content
    field = response.context["form"][f"group_{group.pk}"]
    assert field.value() == Answer.NOT_SUITABLE
    assert re.search(r'value="not_suitable"[^>]*checked', content)
    # A mail scanner opening every link answers nothing.
    for answer in Answer.values:
        client.get(page_url(token, answer))
    follow_up.refresh_from_db()
    assert (follow_up.answered_at, follow_up.email) == (None, EMAIL)
    assert not ReferralAnswer.objects.exists()


def test_an_unknown_answer_in_the_link_preselects_nothing(client, link, group):
    _follow_up, token = link
    response = client.get(page_url(token, "nonsense"))
    assert response.context["form"][f"group_{group.pk}"].value() is None


def test_the_answer_is_stored_without_the_address_which_is_erased_at_once(client, link, group):
    follow_up, token = link
    response = client.post(page_url(token), {f"group_{group.pk}": Answer.ARRIVED})
    assert response.status_code == 200
    assert "Ihre Antwort ist gespeichert und Ihre E-Mail-Adresse gelöscht" in (
        response.content.decode()
    )
    stored = ReferralAnswer.objects.get()
    assert (stored.follow_up_id, stored.group, stored.answer) == (
        follow_up.pk,
        group,
        Answer.ARRIVED,
    )
    row = ReferralFollowUp.objects.values().get(pk=follow_up.pk)
    assert row["email"] == "" and row["answered_at"] is not None
    assert rows_with(EMAIL) == set()  # nowhere in the database


def test_each_referred_group_gets_its_own_answer(client, office, group, send):
    second = GroupFactory(office=office, name="Zweite Testgruppe")
    follow_up = referral(office, [group, second])
    send()
    token = token_of(mail.outbox[-1])
    page = client.get(page_url(token, Answer.ARRIVED))
    assert list(page.context["form"].fields) == [f"group_{group.pk}", f"group_{second.pk}"]
    client.post(
        page_url(token),
        {f"group_{group.pk}": Answer.ARRIVED, f"group_{second.pk}": Answer.NOT_MADE_IT},
    )
    assert dict(follow_up.answers.values_list("group__name", "answer")) == {
        group.name: Answer.ARRIVED,
        second.name: Answer.NOT_MADE_IT,
    }


def test_a_second_answer_is_refused_with_a_clear_page(client, link, group):
    _follow_up, token = link
    client.post(page_url(token), {f"group_{group.pk}": Answer.ARRIVED})
    for response in (
        client.post(page_url(token), {f"group_{group.pk}": Answer.NOT_MADE_IT}),
        client.get(page_url(token, Answer.NOT_MADE_IT)),
    ):
        assert response.status_code == 410
        assert "Sie haben bereits geantwortet" in response.content.decode()
    assert list(ReferralAnswer.objects.values_list("answer", flat=True)) == [Answer.ARRIVED]


def test_a_second_answer_racing_the_first_is_refused(link, group, monkeypatch):
    _follow_up, token = link
    seen_before = referrals.usable(token)  # both requests passed the check ...
    referrals.answer(token, {group: Answer.ARRIVED})
    monkeypatch.setattr(referrals, "usable", lambda token: seen_before)
    with pytest.raises(referrals.FollowUpError, match="bereits geantwortet"):
        # ... the second's conditional update claims nothing: the first answer counts.
        referrals.answer(token, {group: Answer.NOT_SUITABLE})
    assert list(ReferralAnswer.objects.values_list("answer", flat=True)) == [Answer.ARRIVED]


def test_an_answer_missing_or_invalid_shows_the_form_again_and_changes_nothing(client, link, group):
    follow_up, token = link
    for data in ({}, {f"group_{group.pk}": "nonsense"}):
        response = client.post(page_url(token), data)
        assert response.status_code == 422
    assert "Bitte wählen Sie eine Antwort zu dieser Gruppe." in (
        client.post(page_url(token), {}).content.decode()
    )
    follow_up.refresh_from_db()
    assert follow_up.email == EMAIL and follow_up.answered_at is None
    assert not ReferralAnswer.objects.exists()


def test_an_unknown_or_expired_link_says_so(client, office, group, send):
    response = client.get(page_url("unbekannt", Answer.ARRIVED))
    assert response.status_code == 410
    assert "Dieser Link ist ungültig." in response.content.decode()

    follow_up = referral(office, [group], days_ago=50)
    send()
    token = token_of(mail.outbox[-1])
    Consultation.objects.filter(pk=follow_up.consultation_id).update(held_on=TODAY - 57 * DAY)
    for response in (
        client.get(page_url(token, Answer.ARRIVED)),
        client.post(page_url(token), {"group_1": Answer.ARRIVED}),
    ):
        assert response.status_code == 410
        assert "Dieser Link ist abgelaufen" in response.content.decode()
    assert not ReferralAnswer.objects.exists()


def test_the_page_needs_no_account_and_shows_only_its_own_referral(
    client, staff, other_staff, office, other_office, group, send
):
    theirs = GroupFactory(office=other_office, name="Fremde Testgruppe")
    referral(other_office, [theirs], email="fremd@example.net")
    follow_up = referral(office, [group])
    send()
    token = token_of(next(m for m in mail.outbox if m.to == [EMAIL]))
    for user in (None, staff, other_staff):
        client.logout()
        if user:
            client.force_login(user)
        content = client.get(page_url(token, Answer.ARRIVED)).content.decode()
        assert group.name in content and theirs.name not in content
        assert EMAIL not in content  # the page never shows the address either
    follow_up.refresh_from_db()
    assert follow_up.answered_at is None


# Nothing reaches the group ----------------------------------------------------------------


def test_the_groups_contact_person_learns_nothing(client, office, group, send):
    follow_up = referral(office, [group])
    send()
    token = token_of(mail.outbox[-1])
    client.post(page_url(token), {f"group_{group.pk}": Answer.NOT_SUITABLE})
    call_command("send_reminders", stdout=io.StringIO())
    recipients = {address for message in mail.outbox for address in message.to}
    assert recipients == {EMAIL}
    assert not Notification.objects.exists()
    assert not GroupChange.objects.filter(group=group).exists()
    assert follow_up.answers.get().answer == Answer.NOT_SUITABLE


# Erasure after eight weeks ----------------------------------------------------------------


def erased(now=None):
    """How many addresses ``apply_retention`` erased as its follow-up rule."""
    return dict((rule.apply, n) for rule, n in apply_retention(now))[referrals.erase_expired]


def test_retention_erases_the_unanswered_address_after_eight_weeks(office, group, send):
    waiting = referral(office, [group], days_ago=56)  # its link works until today
    expired = referral(office, [group], days_ago=57, email="abgelaufen@example.net")
    never_sent = referral(office, [group], days_ago=70, email="nie@example.net")
    done = referral(office, [group], days_ago=30, email="beantwortet@example.net")
    answered(done)
    Consultation.objects.filter(pk=done.consultation_id).update(held_on=TODAY - 60 * DAY)
    assert erased() == 2
    rows = dict(ReferralFollowUp.objects.values_list("pk", "email"))
    assert rows[waiting.pk] == EMAIL
    assert rows[expired.pk] == "" and rows[never_sent.pk] == ""
    assert rows_with("abgelaufen@example.net") == set() == rows_with("nie@example.net")
    assert erased() == 0  # run again: nothing to do
    assert send() == 1 and mail.outbox[-1].to == [EMAIL]  # the waiting one only

    assert erased(timezone.now() + DAY) == 1
    assert ReferralFollowUp.objects.exclude(email="").count() == 0


# The statistics: share by topic area, k >= 3 --------------------------------------------


def category(name):
    """The topic area of this name: the thesaurus is shared by every office."""
    return TopicCategory.objects.filter(name=name).first() or TopicCategoryFactory(name=name)


def areas(office, *names):
    """A group in each named topic area: {name: group}."""
    return {
        name: GroupFactory(
            office=office,
            name=f"Gruppe {name}",
            topics=[TopicFactory(category=category(name))],
        )
        for name in names
    }


def test_the_share_by_topic_area_hides_answers_about_fewer_than_three(office, other_office):
    groups = areas(office, "Bereich A", "Bereich B", "Bereich C")
    answers = {
        "Bereich A": [Answer.ARRIVED, Answer.ARRIVED, Answer.NOT_MADE_IT],
        "Bereich B": [Answer.ARRIVED, Answer.ARRIVED, Answer.ARRIVED, Answer.NOT_SUITABLE],
        "Bereich C": [Answer.ARRIVED],
    }
    for name, given in answers.items():
        for answer in given:
            answered(referral(office, [groups[name]]), **{groups[name].name: answer})
    # Asked, no answer yet; agreed but not asked yet (not counted); another office's.
    asked = referral(office, [groups["Bereich B"]])
    ReferralFollowUp.objects.filter(pk=asked.pk).update(sent_at=timezone.now())
    referral(office, [groups["Bereich C"]], days_ago=1)
    answered(referral(other_office, [areas(other_office, "Bereich A")["Bereich A"]]))

    figures = statistics.follow_up_figures(office, ALL_TIME)
    rows = {row["label"]: row for row in figures["rows"]}
    assert list(rows) == ["Bereich B", "Bereich A", "Bereich C"]  # most asked first
    assert rows["Bereich B"] == {
        "label": "Bereich B",
        "asked": 5,
        "answered": 4,
        "arrived": 3,
        "share": 75,
    }
    # One answer in C: hidden; A (the smallest other) too, or C = total - A - B.
    assert rows["Bereich C"]["asked"] == 1
    for hidden in ("Bereich C", "Bereich A"):
        assert (rows[hidden]["answered"], rows[hidden]["arrived"], rows[hidden]["share"]) == (
            None,
            None,
            None,
        )
    assert rows["Bereich A"]["asked"] == 3
    assert figures["total"] == {"asked": 9, "answered": 8, "arrived": 6, "share": 75}


def test_a_single_small_area_hides_the_total_too(office):
    groups = areas(office, "Bereich A")
    for answer in (Answer.ARRIVED, Answer.NOT_MADE_IT):
        answered(referral(office, [groups["Bereich A"]]), **{"Gruppe Bereich A": answer})
    figures = statistics.follow_up_figures(office, ALL_TIME)
    assert figures["rows"][0]["asked"] == 2 and figures["rows"][0]["share"] is None
    assert figures["total"]["share"] is None and figures["total"]["arrived"] is None


def test_a_group_in_two_areas_counts_in_each_and_once_in_the_total(office):
    both = GroupFactory(
        office=office,
        topics=[
            TopicFactory(category=TopicCategoryFactory(name="Bereich A")),
            TopicFactory(category=TopicCategoryFactory(name="Bereich B")),
        ],
    )
    for _ in range(3):
        answered(referral(office, [both]))
    figures = statistics.follow_up_figures(office, ALL_TIME)
    assert [(row["label"], row["asked"], row["share"]) for row in figures["rows"]] == [
        ("Bereich A", 3, 100),
        ("Bereich B", 3, 100),
    ]
    assert figures["total"] == {"asked": 3, "answered": 3, "arrived": 3, "share": 100}


def test_the_statistics_page_shows_the_share_and_exports_it(
    client, staff, other_staff, office, site, group, django_assert_max_num_queries
):
    for answer in (Answer.ARRIVED, Answer.ARRIVED, Answer.NOT_SUITABLE):
        answered(referral(office, [group], site=site), **{group.name: answer})
    client.force_login(staff)
    url = reverse("statistics") + f"?start={TODAY - 365 * DAY}&end={TODAY}"
    response = client.get(url)
    content = response.content.decode()
    assert "Rückmeldungen zur Vermittlung in Gruppen, nach Themenbereich" in content
    table = content.split("data-follow-up-table", 1)[1].split("</section>", 1)[0]
    cells = re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", table)
    assert cells[5:15] == [
        "Testbereich Sucht",
        "3",
        "3",
        "2",
        "67",
        "Alle Themenbereiche",
        "3",
        "3",
        "2",
        "67",
    ]
    summary = content.split("data-summary", 1)[1].split("</table>", 1)[0]
    label = r"in der Gruppe angekommen, von den Antworten \(%\)"
    assert re.search(label + r"</th>\s*<td[^>]*>67<", summary)
    csv = client.get(url + "&table=follow_up&export=csv").content.decode("utf-8-sig")
    assert csv.splitlines()[1:] == ["Testbereich Sucht;3;3;2;67", "Alle Themenbereiche;3;3;2;67"]
    # Another site's consultations, another office's staff: none of these.
    other = SiteFactory(office=office)
    by_site = client.get(url + f"&site={other.pk}").content.decode()
    assert "Zu den Beratungen dieses Zeitraums ging keine Rückmelde-E-Mail hinaus." in by_site
    client.force_login(other_staff)
    assert "Testbereich Sucht" not in client.get(url).content.decode()
    # The figures cost the same number of queries however many follow-ups there are.
    client.force_login(staff)
    with django_assert_max_num_queries(60) as few:
        client.get(url)
    for _ in range(5):
        answered(referral(office, [GroupFactory(office=office, topics=[TopicFactory()])]))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_staff_of_another_role_see_no_statistics(client, starter):
    client.force_login(starter)
    assert client.get(reverse("statistics")).status_code == 403
    client.logout()
    assert client.get(reverse("statistics")).status_code == 302


# Privacy: export and erasure by the address ------------------------------------------------


def test_a_person_found_by_the_address_gets_the_follow_up_exported_and_erased(
    office, office_admin, group
):
    follow_up = referral(office, [group], days_ago=3)
    person = privacy.find_person(office, EMAIL)
    document = privacy.export(person)
    assert EMAIL in document and "groups.referralfollowup" in document
    privacy.erase(office_admin, person)
    follow_up.refresh_from_db()
    assert follow_up.email == ""
    assert rows_with(EMAIL) == set()


def test_the_demo_data_shows_follow_ups_without_addresses_of_answers(office):
    from kontaktstelle.demo.consultations import seed_consultations

    for topic in Topic.objects.filter(name__in=["Depression", "Angst", "Sucht", "Trauer"]):
        GroupFactory(office=office, topics=[topic])
    seed_consultations(office, per_year=200)
    assert ReferralAnswer.objects.exists()
    answered = ReferralFollowUp.objects.filter(answered_at__isnull=False)
    assert answered.exists() and not answered.exclude(email="").exists()
    assert statistics.follow_up_figures(office, ALL_TIME)["total"]["share"] is not None
