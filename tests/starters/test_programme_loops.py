"""The programme's loops closed: who is told what (in the app and by e-mail, as each
person chose), what the offer says, what the dashboard's figures lead to, when things
are due, what the starter sees at home, and their hours and travel costs.

Money is checked to the cent; every page is checked for its own and the other starter's
or office's figures.
"""

import csv
import datetime
import io
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import dateformat, timezone, translation

from groups.models import Group, Topic
from kontaktstelle.notifications.models import Notification, NotificationPreference
from kontaktstelle.notifications.services import (
    deliver_pending,
    email_choices,
    notify,
    save_email_choices,
)
from starters import expenses, meeting_logs, services
from starters.models import (
    Accompaniment,
    Assignment,
    Attendance,
    Availability,
    Certificate,
    CohortParticipation,
    MeetingLog,
    Starter,
)
from starters.notifications import offer_details
from starters.selectors import certificate_context
from starters.services import StarterError
from tests.factories import (
    GroupFactory,
    OfficeFactory,
    StarterFactory,
    TopicFactory,
    TrainingCohortFactory,
    TrainingEventFactory,
)

TODAY = timezone.localdate()
Kind = Notification.Kind
Status = Accompaniment.Status
State = Assignment.State
TUESDAY = Availability.Weekday.TUESDAY
THURSDAY = Availability.Weekday.THURSDAY
OFFICE_PHONE = "0421 123456"
PAST_YEAR = TODAY.year - 1  # a whole year of logs, whatever the date the tests run


def days(n):
    return datetime.timedelta(days=n)


def fresh(instance):
    instance.refresh_from_db()
    return instance


def german_date(value, format_string):
    with translation.override("de"):
        return dateformat.format(value, format_string)


def make_group(office, name=None, **fields):
    """A group with a topic: only such a group can be matched (content abstinence)."""
    if name:
        fields["name"] = name
    return GroupFactory(office=office, topics=[TopicFactory()], **fields)


def make_accompaniment(office, responsible, group=None, **fields):
    defaults = {
        "kind": Accompaniment.Kind.FOUNDING,
        "requested_by": "Gründerin",
        "planned_meetings": 6,
        "meeting_weekday": TUESDAY,
        "meeting_time": datetime.time(19),
        "meeting_place": "Gruppenraum 1",
    }
    return Accompaniment.objects.create(
        office=office,
        group=group or make_group(office),
        responsible=responsible,
        **defaults | fields,
    )


def put_on(accompaniment, *users, state=State.ACCEPTED):
    """Assignments made directly (the services are tested elsewhere), one per user."""
    return [
        Assignment.objects.create(
            accompaniment=accompaniment,
            starter=user.starter,
            state=state,
            offered_by=accompaniment.responsible,
            answered_at=None if state == State.OFFERED else timezone.now(),
        )
        for user in users
    ]


def running(office, responsible, *users, group=None, started_on=None, **fields):
    """An active accompaniment with the users on it (accepted)."""
    accompaniment = make_accompaniment(
        office,
        responsible,
        group,
        status=Status.ACTIVE,
        started_on=started_on or TODAY - days(30),
        **fields,
    )
    put_on(accompaniment, *users)
    return accompaniment


def completed(office, responsible, *users, group=None, days_ago=10, **fields):
    accompaniment = make_accompaniment(
        office,
        responsible,
        group,
        status=Status.COMPLETED,
        started_on=TODAY - days(days_ago + 60),
        completed_on=TODAY - days(days_ago),
        outcome=Accompaniment.Outcome.CONTINUES,
        **fields,
    )
    put_on(accompaniment, *users, state=State.ENDED)
    return accompaniment


def add_log(accompaniment, held_on, *by, logged_by=None, starts_at=None, duration=90, **fields):
    """A log written by ``logged_by`` (else the first of ``by``); ``by`` accompanied it."""
    fields.setdefault("participants", 8)
    log = MeetingLog.objects.create(
        accompaniment=accompaniment,
        held_on=held_on,
        starts_at=starts_at or datetime.time(19),
        duration_minutes=duration,
        logged_by=logged_by or by[0],
        **fields,
    )
    log.accompanied_by.set([user.starter for user in by])
    return log


def assignment_of(accompaniment, user):
    return Assignment.objects.get(accompaniment=accompaniment, starter__user=user)


def offer_url(assignment):
    return reverse("starters:own_offer", kwargs={"pk": assignment.pk})


def unread(**filters):
    return Notification.objects.filter(read_at__isnull=True, **filters)


@pytest.fixture
def office(network):
    """The persona office, with the phone number starters call."""
    return OfficeFactory(
        name="KISS Musterstadt",
        slug="musterstadt",
        network=network,
        phone=OFFICE_PHONE,
        email="kiss@example.org",
    )


@pytest.fixture
def group(office):
    return GroupFactory(
        office=office,
        name="Trauer und Neubeginn",
        status=Group.Status.FOUNDING,
        topics=[Topic.objects.get(name="Trauer")],
    )


@pytest.fixture
def accompaniment(office, staff, group):
    """A founding request: Tuesdays at 19:00 in group room 1, six meetings."""
    return make_accompaniment(office, staff, group)


@pytest.fixture
def maria(starter):
    return starter.starter


@pytest.fixture
def thomas(other_starter):
    return other_starter.starter


@pytest.fixture
def ali(other_office_starter):
    return other_office_starter.starter


# 1. Notifications of the programme ---------------------------------------------------------


def test_an_offer_is_told_to_the_starter_in_the_app_and_by_email(
    staff, accompaniment, maria, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assignment = services.offer(staff, accompaniment, maria)
    notification = Notification.objects.get()
    assert notification.user == maria.user
    assert notification.kind == Kind.OFFER
    assert notification.url == offer_url(assignment)
    assert notification.subject == "Neue Anfrage zur Begleitung: Trauer und Neubeginn"
    assert notification.by_email
    assert fresh(notification).emailed_at is not None
    [email] = mail.outbox
    assert email.to == ["igs@example.org"]
    assert email.subject == notification.subject


def test_the_offer_email_has_everything_needed_to_answer(
    staff, accompaniment, maria, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assignment = services.offer(staff, accompaniment, maria)
    [email] = mail.outbox
    lines = email.body.splitlines()
    answer_by = timezone.localdate(assignment.offered_at) + days(3)
    assert "Gründungsbegleitung einer neuen Gruppe" in email.body
    assert "Trauer und Neubeginn" in email.body
    assert "Treffen: Dienstag, 19:00" in lines
    assert "Ort: Gruppenraum 1" in lines
    assert "Geplant: 6 Treffen" in lines
    assert f"Bitte antworten Sie bis {answer_by:%d.%m.%Y}." in lines
    assert (
        f"Ihre Ansprechperson in der Kontaktstelle: Jonas Berger, fachkraft@example.org, "
        f"{OFFICE_PHONE}" in lines
    )
    assert "Im Tandem mit" not in email.body  # nobody else on it
    assert email.body.rstrip().endswith(offer_url(assignment))


def test_the_offer_email_names_the_tandem_partner_by_first_name_only(
    staff, accompaniment, maria, thomas, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = services.offer(staff, accompaniment, thomas)
    with django_capture_on_commit_callbacks(execute=True):
        second = services.offer(staff, accompaniment, maria)
    to_thomas, to_maria = mail.outbox
    assert to_maria.to == ["igs@example.org"]
    assert "Im Tandem mit: Thomas" in to_maria.body.splitlines()
    assert "Weber" not in to_maria.body
    assert "Im Tandem mit" not in to_thomas.body  # Maria was asked after him
    # As things stand now, each has the other as partner.
    assert offer_details(fresh(first))["partners"] == ["Maria"]
    assert offer_details(fresh(second))["partners"] == ["Thomas"]


def test_a_partner_who_declined_or_was_withdrawn_is_no_partner(
    staff, office, accompaniment, maria, thomas, django_capture_on_commit_callbacks
):
    hanna = StarterFactory(office=office, user_name="Hanna Kraus")
    with django_capture_on_commit_callbacks(execute=True):
        own = services.offer(staff, accompaniment, maria)
        declined = services.offer(staff, accompaniment, thomas)
        services.answer_offer(thomas, declined, accept=False)
        withdrawn = services.offer(staff, accompaniment, hanna)
        services.withdraw_offer(staff, withdrawn)
    assert offer_details(fresh(own))["partners"] == []


def test_the_answer_by_date_is_the_local_date_three_days_after_the_offer(
    staff, accompaniment, maria
):
    assignment = services.offer(staff, accompaniment, maria, notify=None)
    # Half past midnight in Germany is still the day before in UTC.
    offered_at = timezone.make_aware(datetime.datetime(2026, 3, 10, 0, 30))
    Assignment.objects.filter(pk=assignment.pk).update(offered_at=offered_at)
    assert offer_details(fresh(assignment))["answer_by"] == datetime.date(2026, 3, 13)


def test_accepting_tells_the_responsible_staff_member_and_settles_the_offer_notice(
    office, staff, office_admin, group, maria, django_capture_on_commit_callbacks
):
    # Petra is responsible; Jonas made the offer: the answer goes to Petra.
    accompaniment = make_accompaniment(office, office_admin, group)
    with django_capture_on_commit_callbacks(execute=True):
        assignment = services.offer(staff, accompaniment, maria)
    with django_capture_on_commit_callbacks(execute=True):
        services.answer_offer(maria, assignment, accept=True)
    answered = Notification.objects.get(kind=Kind.OFFER_ANSWERED)
    assert answered.user == office_admin
    assert answered.subject == "Maria Schneider hat „Trauer und Neubeginn“ angenommen"
    assert answered.body == "Maria Schneider übernimmt die Begleitung von „Trauer und Neubeginn“."
    assert answered.url == accompaniment.get_absolute_url()
    assert Notification.objects.get(kind=Kind.OFFER).read_at is not None
    assert not Notification.objects.filter(user=staff).exists()
    assert [email.to for email in mail.outbox] == [["igs@example.org"], ["leitung@example.org"]]
    assert mail.outbox[1].subject == answered.subject


def test_declining_on_the_offer_page_tells_the_reason(
    client, starter, staff, accompaniment, maria, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assignment = services.offer(staff, accompaniment, maria)
    client.force_login(starter)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            offer_url(assignment), {"answer": "decline", "reason": "Dienstags habe ich Chorprobe"}
        )
    assert response.status_code == 302
    answered = Notification.objects.get(kind=Kind.OFFER_ANSWERED)
    assert answered.user == staff
    assert answered.subject == "Maria Schneider hat „Trauer und Neubeginn“ abgelehnt"
    assert answered.body.splitlines() == [
        "Maria Schneider kann die Begleitung von „Trauer und Neubeginn“ nicht übernehmen.",
        "Grund: Dienstags habe ich Chorprobe",
        "Bitte fragen Sie jemand anderen.",
    ]
    assert unread(kind=Kind.OFFER).count() == 0
    assert mail.outbox[-1].to == ["fachkraft@example.org"]
    assert "Grund: Dienstags habe ich Chorprobe" in mail.outbox[-1].body


def test_a_withdrawn_offer_is_told_to_its_starter_only(
    staff, accompaniment, maria, thomas, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        to_maria = services.offer(staff, accompaniment, maria)
        to_thomas = services.offer(staff, accompaniment, thomas)
    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw_offer(staff, to_thomas)
    withdrawn = Notification.objects.get(kind=Kind.OFFER_WITHDRAWN)
    assert withdrawn.user == thomas.user
    assert withdrawn.subject == "Angebot zurückgezogen: Trauer und Neubeginn"
    assert "Die Kontaktstelle hat ihr Angebot zur Begleitung von „Trauer und Neubeginn“" in (
        withdrawn.body
    )
    assert withdrawn.url == reverse("starters:home")
    # Thomas's offer notice is done; Maria's is still waiting for her answer.
    assert Notification.objects.get(kind=Kind.OFFER, user=thomas.user).read_at is not None
    assert Notification.objects.get(kind=Kind.OFFER, user=maria.user).read_at is None
    assert fresh(to_maria).state == State.OFFERED
    assert mail.outbox[-1].to == ["igs2@example.org"]
    assert len(mail.outbox) == 3


def test_a_signed_certificate_is_told_once(staff, maria, django_capture_on_commit_callbacks):
    certificate = services.request_certificate(
        maria, datetime.date(PAST_YEAR, 1, 1), datetime.date(PAST_YEAR, 12, 31)
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.sign_certificate(staff, certificate)
    signed = Notification.objects.get()
    assert (signed.user, signed.kind) == (maria.user, Kind.CERTIFICATE_SIGNED)
    assert signed.subject == "Ihr Nachweis ist bestätigt"
    assert signed.body == (
        f"Ihre Kontaktstelle hat den Nachweis Ihres Engagements vom 01.01.{PAST_YEAR} bis "
        f"31.12.{PAST_YEAR} bestätigt. Sie können ihn jetzt drucken."
    )
    assert signed.url == reverse("starters:own_certificate", kwargs={"pk": certificate.pk})
    assert [email.to for email in mail.outbox] == [["igs@example.org"]]
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(StarterError):
        services.sign_certificate(staff, certificate)
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1


@pytest.fixture
def tandem_with_open_offer(staff, accompaniment, maria, thomas, django_capture_on_commit_callbacks):
    """Maria accepted and logged a meeting asking for a talk; Thomas has not answered."""
    with django_capture_on_commit_callbacks(execute=True):
        to_maria = services.offer(staff, accompaniment, maria)
        services.answer_offer(maria, to_maria, accept=True)
        to_thomas = services.offer(staff, accompaniment, thomas)
        log = add_log(accompaniment, TODAY - days(1), maria.user, wants_talk=True)
        meeting_logs.alert_staff(log)
        notify(
            maria.user,
            Kind.LOG_MISSING,
            "log:test",
            "Protokoll fehlt",
            "Bitte tragen Sie das Treffen ein.",
            offer_url(to_maria),
        )
    return fresh(accompaniment), to_maria, to_thomas, log


@pytest.fixture
def unrelated(office, staff, other_starter, django_capture_on_commit_callbacks):
    """Another running accompaniment with an open talk request: not to be touched."""
    accompaniment = running(office, staff, other_starter)
    log = add_log(accompaniment, TODAY - days(2), other_starter, wants_talk=True)
    with django_capture_on_commit_callbacks(execute=True):
        meeting_logs.alert_staff(log)
    return accompaniment, log


def test_completing_settles_talks_withdraws_open_offers_and_marks_notices_done(
    staff, tandem_with_open_offer, unrelated, maria, thomas, django_capture_on_commit_callbacks
):
    accompaniment, to_maria, to_thomas, log = tandem_with_open_offer
    unrelated_accompaniment, unrelated_log = unrelated
    assert unread(url=accompaniment.get_absolute_url()).count() == 2  # answer and talk
    sent = len(mail.outbox)

    with django_capture_on_commit_callbacks(execute=True):
        services.complete(staff, accompaniment, Accompaniment.Outcome.CONTINUES, TODAY)

    assert fresh(log).talk_done_at is not None
    assert fresh(unrelated_log).talk_done_at is None
    assert fresh(to_maria).state == State.ENDED
    assert fresh(to_thomas).state == State.WITHDRAWN
    withdrawn = Notification.objects.get(kind=Kind.OFFER_WITHDRAWN)
    assert withdrawn.user == thomas.user
    assert withdrawn.read_at is None
    assert not Notification.objects.filter(kind=Kind.OFFER_WITHDRAWN, user=maria.user).exists()
    pages = [accompaniment.get_absolute_url(), offer_url(to_maria), offer_url(to_thomas)]
    assert Notification.objects.filter(url__in=pages).count() == 5
    assert not unread(url__in=pages).exists()
    # The other accompaniment's talk is still to be had.
    assert unread(url=unrelated_accompaniment.get_absolute_url(), kind=Kind.TALK).count() == 1
    assert [email.to for email in mail.outbox[sent:]] == [["igs2@example.org"]]


def test_cancelling_withdraws_every_open_offer_with_a_notice(
    staff, accompaniment, maria, thomas, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        to_maria = services.offer(staff, accompaniment, maria)
        to_thomas = services.offer(staff, accompaniment, thomas)
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(staff, accompaniment, "Die Gruppe hat sich anders entschieden")
    assert {fresh(to_maria).state, fresh(to_thomas).state} == {State.WITHDRAWN}
    assert set(
        Notification.objects.filter(kind=Kind.OFFER_WITHDRAWN).values_list("user", flat=True)
    ) == {maria.user_id, thomas.user_id}
    assert not unread(kind=Kind.OFFER).exists()
    assert (fresh(maria).load, fresh(thomas).load) == (0, 0)
    assert sorted(email.to[0] for email in mail.outbox[2:]) == [
        "igs2@example.org",
        "igs@example.org",
    ]


# 2. The offer page ---------------------------------------------------------------------------


def test_the_offer_page_shows_answer_date_contact_and_partner(
    client, starter, staff, accompaniment, maria, thomas
):
    services.offer(staff, accompaniment, thomas, notify=None)
    assignment = services.offer(staff, accompaniment, maria, notify=None)
    client.force_login(starter)
    response = client.get(offer_url(assignment))
    assert response.status_code == 200
    content = response.content.decode()
    answer_by = timezone.localdate(assignment.offered_at) + days(3)
    assert f"Bitte antworten Sie bis {german_date(answer_by, 'l, j. F Y')}." in content
    for expected in (
        "Gründungsbegleitung einer neuen Gruppe",
        "Dienstag, 19:00 · Gruppenraum 1",
        "6 Treffen",
        "Jonas Berger",
        'href="mailto:fachkraft@example.org"',
        f'href="tel:{OFFICE_PHONE.replace(" ", "")}"',
        OFFICE_PHONE,
    ):
        assert expected in content, expected
    assert re.search(r"Im Tandem mit</dt>\s*<dd[^>]*>Thomas</dd>", content)
    assert "Thomas Weber" not in content


def test_the_page_of_an_accepted_tandem_names_only_the_partner(
    client, starter, staff, accompaniment, maria, thomas
):
    to_maria = services.offer(staff, accompaniment, maria, notify=None)
    to_thomas = services.offer(staff, accompaniment, thomas, notify=None)
    services.answer_offer(maria, to_maria, accept=True)
    services.answer_offer(thomas, to_thomas, accept=True)
    client.force_login(starter)
    response = client.get(offer_url(to_maria))
    assert response.status_code == 200
    content = response.content.decode()
    assert re.search(r"Im Tandem mit</dt>\s*<dd[^>]*>Thomas</dd>", content), re.findall(
        r"Im Tandem mit</dt>\s*<dd[^>]*>[^<]*</dd>", content
    )


def test_the_page_of_an_accepted_single_accompaniment_names_no_partner(
    client, starter, staff, accompaniment, maria
):
    assignment = services.offer(staff, accompaniment, maria, notify=None)
    services.answer_offer(maria, assignment, accept=True)
    client.force_login(starter)
    response = client.get(offer_url(assignment))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Bitte antworten Sie bis" not in content  # answered
    assert "Jonas Berger" in content
    assert "Im Tandem mit" not in content, re.findall(
        r"Im Tandem mit</dt>\s*<dd[^>]*>[^<]*</dd>", content
    )


def test_another_starters_offer_page_shows_nothing_of_it(
    client, other_starter, other_office_starter, staff, accompaniment, maria
):
    assignment = services.offer(staff, accompaniment, maria, notify=None)
    for intruder in (other_starter, other_office_starter):
        client.force_login(intruder)
        response = client.get(offer_url(assignment))
        assert response.status_code == 404
        assert "Trauer und Neubeginn" not in response.content.decode()


# 3. Notification settings ----------------------------------------------------------------------

STARTER_KINDS = [
    Kind.OFFER,
    Kind.OFFER_WITHDRAWN,
    Kind.MEETING_TOMORROW,
    Kind.LOG_MISSING,
    Kind.CERTIFICATE_SIGNED,
    Kind.DOCUMENT_EXPIRING,
]
STAFF_KINDS = [
    Kind.OFFER_ANSWERED,
    Kind.TALK,
    Kind.TOPIC_CONFLICT,
    Kind.PLANNED_END,
    Kind.FOLLOW_UP,
    Kind.CONFIRMATION,
    Kind.FOUNDING_EXCHANGE,
    Kind.DOCUMENT_EXPIRING,
]
SETTINGS_URL = "/benachrichtigungen/einstellungen/"


def test_every_kind_of_the_role_is_emailed_unless_muted(starter, staff, office_admin, coordinator):
    assert email_choices(starter) == dict.fromkeys(STARTER_KINDS, True)
    assert email_choices(staff) == dict.fromkeys(STAFF_KINDS, True)
    assert email_choices(office_admin) == dict.fromkeys(STAFF_KINDS, True)
    assert email_choices(coordinator) == {}


def test_saving_choices_ignores_kinds_of_another_role(starter):
    save_email_choices(starter, {Kind.OFFER: False, Kind.OFFER_ANSWERED: False, Kind.TALK: False})
    assert list(NotificationPreference.objects.values_list("user", "kind", "by_email")) == [
        (starter.pk, "offer", False)
    ]
    assert email_choices(starter) == dict.fromkeys(STARTER_KINDS, True) | {Kind.OFFER: False}
    save_email_choices(starter, {Kind.OFFER: True})
    assert NotificationPreference.objects.get().by_email is True
    assert email_choices(starter) == dict.fromkeys(STARTER_KINDS, True)


def test_a_muted_kind_is_kept_in_the_app_but_never_emailed(
    staff, accompaniment, maria, thomas, django_capture_on_commit_callbacks
):
    save_email_choices(maria.user, {Kind.OFFER: False})
    with django_capture_on_commit_callbacks(execute=True):
        to_maria = services.offer(staff, accompaniment, maria)
        services.offer(staff, accompaniment, thomas)
    muted = Notification.objects.get(user=maria.user)
    assert (muted.kind, muted.by_email, muted.emailed_at) == (Kind.OFFER, False, None)
    assert [email.to for email in mail.outbox] == [["igs2@example.org"]]  # Thomas did not mute
    assert deliver_pending() == 0
    assert fresh(muted).emailed_at is None
    assert len(mail.outbox) == 1
    # Other kinds still come by e-mail.
    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw_offer(staff, to_maria)
    assert Notification.objects.get(kind=Kind.OFFER_WITHDRAWN).by_email
    assert mail.outbox[-1].to == ["igs@example.org"]
    assert len(mail.outbox) == 2


def test_the_settings_page_shows_a_checkbox_per_kind_of_the_role(client, starter):
    assert reverse("notification_settings") == SETTINGS_URL
    client.force_login(starter)
    response = client.get(SETTINGS_URL)
    assert response.status_code == 200
    assert list(response.context["form"].fields) == STARTER_KINDS
    content = response.content.decode()
    assert "Einstellungen zu Benachrichtigungen" in content
    for kind in STARTER_KINDS:
        assert re.search(rf'<input type="checkbox" name="{kind}"[^>]*checked', content), kind
    for label in ("neues Angebot", "Angebot von der Kontaktstelle zurückgezogen"):
        assert label in content
    for kind in set(STAFF_KINDS) - set(STARTER_KINDS):
        assert f'name="{kind}"' not in content


def test_the_settings_page_saves_what_was_ticked(client, starter):
    client.force_login(starter)
    ticked = {kind: "on" for kind in STARTER_KINDS if kind != Kind.OFFER}
    response = client.post(SETTINGS_URL, ticked | {Kind.OFFER_ANSWERED: ""})
    assert response.status_code == 302
    assert response.url == SETTINGS_URL
    assert email_choices(starter) == dict.fromkeys(STARTER_KINDS, True) | {Kind.OFFER: False}
    assert not NotificationPreference.objects.filter(kind=Kind.OFFER_ANSWERED).exists()
    content = client.get(SETTINGS_URL).content.decode()
    assert "Ihre Einstellungen zu Benachrichtigungen wurden gespeichert." in content
    offer_box = re.search(r'<input type="checkbox" name="offer"[^>]*>', content).group()
    assert "checked" not in offer_box


def test_staff_choose_among_their_own_kinds_only(client, staff):
    client.force_login(staff)
    assert list(client.get(SETTINGS_URL).context["form"].fields) == STAFF_KINDS
    response = client.post(SETTINGS_URL, {Kind.TALK: "on", Kind.OFFER: "on"})
    assert response.status_code == 302
    assert email_choices(staff) == dict.fromkeys(STAFF_KINDS, False) | {Kind.TALK: True}
    assert not NotificationPreference.objects.filter(kind=Kind.OFFER).exists()


def test_the_settings_page_needs_a_login_and_a_role_with_notifications(client, coordinator):
    response = client.get(SETTINGS_URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert client.post(SETTINGS_URL, {Kind.OFFER: "on"}).status_code == 302
    assert not NotificationPreference.objects.exists()
    client.force_login(coordinator)
    response = client.get(SETTINGS_URL)
    assert response.status_code == 200
    assert "Für Ihre Rolle gibt es keine Benachrichtigungen." in response.content.decode()


# 4. Dashboard figures and the lists behind them ----------------------------------------------

DUE_NAMES = {
    "unanswered": ["Gruppe Unbeantwortet"],
    "at_end": ["Gruppe Am Ende"],
    "follow_up": ["Gruppe Nachbefragung"],
    "talk": ["Gruppe Gesprächswunsch"],
}
ALL_NAMES = [
    "Gruppe Unbeantwortet",
    "Gruppe Frisch angefragt",
    "Gruppe Am Ende",
    "Gruppe Läuft noch",
    "Gruppe Nachbefragung",
    "Gruppe Kürzlich beendet",
    "Gruppe Nachgefragt",
    "Gruppe Gesprächswunsch",
    "Gruppe Anderswo",
]


@pytest.fixture
def due_world(office, other_office, staff, other_staff, starter, other_starter, ali):
    def named(name, target=office):
        return make_group(target, name)

    stale = make_accompaniment(office, staff, named("Gruppe Unbeantwortet"), status=Status.OFFERED)
    [stale_offer] = put_on(stale, starter, state=State.OFFERED)
    Assignment.objects.filter(pk=stale_offer.pk).update(offered_at=timezone.now() - days(4))
    recent = make_accompaniment(
        office, staff, named("Gruppe Frisch angefragt"), status=Status.OFFERED
    )
    [recent_offer] = put_on(recent, other_starter, state=State.OFFERED)
    Assignment.objects.filter(pk=recent_offer.pk).update(offered_at=timezone.now() - days(2))
    running(office, staff, starter, group=named("Gruppe Am Ende"), planned_end=TODAY)
    going_on = running(
        office, staff, other_starter, group=named("Gruppe Läuft noch"), planned_end=TODAY + days(7)
    )
    talked = add_log(going_on, TODAY - days(3), other_starter, wants_talk=True)
    MeetingLog.objects.filter(pk=talked.pk).update(talk_done_at=timezone.now())
    completed(office, staff, starter, group=named("Gruppe Nachbefragung"), days_ago=200)
    completed(office, staff, starter, group=named("Gruppe Kürzlich beendet"), days_ago=10)
    completed(
        office,
        staff,
        starter,
        group=named("Gruppe Nachgefragt"),
        days_ago=300,
        follow_up_on=TODAY - days(50),
        follow_up=Accompaniment.FollowUp.STILL_MEETS,
    )
    talk = running(office, staff, other_starter, group=named("Gruppe Gesprächswunsch"))
    add_log(talk, TODAY - days(1), other_starter, wants_talk=True)
    # Another office has one of everything: never on this office's pages.
    elsewhere = make_accompaniment(
        other_office,
        other_staff,
        named("Gruppe Anderswo", other_office),
        status=Status.ACTIVE,
        started_on=TODAY - days(300),
        planned_end=TODAY - days(1),
    )
    put_on(elsewhere, ali.user)
    add_log(elsewhere, TODAY - days(1), ali.user, wants_talk=True)
    far = completed(other_office, other_staff, ali.user, days_ago=250)
    far_offer = make_accompaniment(other_office, other_staff, status=Status.OFFERED)
    [offer] = put_on(far_offer, ali.user, state=State.OFFERED)
    Assignment.objects.filter(pk=offer.pk).update(offered_at=timezone.now() - days(9))
    return far


@pytest.mark.parametrize("status", list(DUE_NAMES))
def test_each_due_list_shows_exactly_those_accompaniments(client, staff, due_world, status):
    client.force_login(staff)
    response = client.get(reverse("starters:accompaniment_list"), {"status": status})
    assert response.status_code == 200
    listed = [accompaniment.group.name for accompaniment in response.context["accompaniments"]]
    assert listed == DUE_NAMES[status]
    content = response.content.decode()
    for name in ALL_NAMES:
        assert (name in content) == (name in DUE_NAMES[status]), name
    assert 'aria-current="page"' in content


def test_the_dashboard_figures_link_to_their_lists(client, staff, due_world):
    client.force_login(staff)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    figures = response.context["accompaniment_counts"]
    assert (figures["stale_offers"], figures["at_end"], figures["follow_up"]) == (1, 1, 1)
    assert [log.accompaniment.group.name for log in figures["talks"]] == ["Gruppe Gesprächswunsch"]
    content = response.content.decode()
    list_url = reverse("starters:accompaniment_list")
    for status in DUE_NAMES:
        assert f'href="{list_url}?status={status}"' in content, status
    assert "1 Angebot seit über 3 Tagen unbeantwortet" in content
    for status, names in DUE_NAMES.items():
        listed = client.get(list_url, {"status": status}).context["accompaniments"]
        assert len(listed) == len(names)


def test_the_certificates_heading_links_to_the_starters_waiting_for_one(
    client, staff, maria, thomas, ali
):
    period = (datetime.date(PAST_YEAR, 1, 1), datetime.date(PAST_YEAR, 12, 31))
    services.request_certificate(maria, *period)
    services.sign_certificate(staff, services.request_certificate(thomas, *period))
    services.request_certificate(ali, *period)
    client.force_login(staff)
    content = client.get(reverse("dashboard")).content.decode()
    list_url = reverse("starters:starter_list")
    assert f'href="{list_url}?certificate_pending=on"' in content
    response = client.get(list_url, {"certificate_pending": "on"})
    assert response.status_code == 200
    assert list(response.context["starters"]) == [maria]
    listed = response.content.decode()
    assert "Maria Schneider" in listed
    assert "Thomas Weber" not in listed
    assert "Ali Kaya" not in listed


def test_no_certificate_link_when_none_waits(client, staff, maria):
    client.force_login(staff)
    content = client.get(reverse("dashboard")).content.decode()
    assert "certificate_pending=on" not in content


def test_another_offices_staff_see_none_of_the_due_accompaniments(client, other_staff, due_world):
    client.force_login(other_staff)
    for status in DUE_NAMES:
        response = client.get(reverse("starters:accompaniment_list"), {"status": status})
        listed = [a.group.name for a in response.context["accompaniments"]]
        assert not set(listed) & set(ALL_NAMES[:-1]), status
    followed = client.get(reverse("starters:accompaniment_list"), {"status": "follow_up"})
    assert list(followed.context["accompaniments"]) == [due_world]


# 5. When confirmation and exchange are due -----------------------------------------------------


def test_a_new_group_needs_no_confirmation_yet(office):
    new = GroupFactory(office=office, last_confirmed_on=None, topics=[TopicFactory()])
    assert not new.confirmation_overdue
    assert not Group.objects.needs_confirmation().filter(pk=new.pk).exists()


@pytest.mark.parametrize(
    ("created_days_ago", "last_confirmed_days_ago", "status", "overdue"),
    [
        (800, None, Group.Status.ACTIVE, True),
        (366, None, Group.Status.ACTIVE, True),
        (364, None, Group.Status.ACTIVE, False),
        (800, 366, Group.Status.ACTIVE, True),
        (800, 365, Group.Status.ACTIVE, False),
        (800, 10, Group.Status.ACTIVE, False),
        (800, None, Group.Status.CLOSED, False),
        (800, None, Group.Status.FOUNDING, True),
    ],
)
def test_confirmation_is_due_a_year_after_confirmation_or_creation(
    office, created_days_ago, last_confirmed_days_ago, status, overdue
):
    last = TODAY - days(last_confirmed_days_ago) if last_confirmed_days_ago else None
    group = GroupFactory(
        office=office,
        status=status,
        last_confirmed_on=last,
        created_days_ago=created_days_ago,
        topics=[TopicFactory()],
    )
    assert fresh(group).confirmation_overdue is overdue
    assert Group.objects.needs_confirmation().filter(pk=group.pk).exists() is overdue


def test_the_dashboard_counts_only_overdue_groups(client, staff, office):
    GroupFactory(office=office, last_confirmed_on=None, topics=[TopicFactory()])
    GroupFactory(office=office, last_confirmed_on=None, created_days_ago=800)
    client.force_login(staff)
    counts = client.get(reverse("dashboard")).context["group_counts"]
    assert (counts["open"], counts["overdue"]) == (2, 1)


def starter_since(office, name, agreement_days_ago=None, created_days_ago=None, **fields):
    starter = StarterFactory(
        office=office,
        user_name=name,
        agreement_signed_on=TODAY - days(agreement_days_ago) if agreement_days_ago else None,
        **fields,
    )
    if created_days_ago:
        Starter.objects.filter(pk=starter.pk).update(
            created_at=timezone.now() - days(created_days_ago)
        )
    return starter


def trained(starter, completed_days_ago):
    cohort = TrainingCohortFactory(
        office=starter.office, starts_on=TODAY - days(completed_days_ago + 60)
    )
    participation = CohortParticipation.objects.create(cohort=cohort, starter=starter)
    services.complete_participation(participation, TODAY - days(completed_days_ago))


@pytest.fixture
def volunteers(office):
    """Who is overdue for exchange or supervision, by name."""
    made = {
        "agreement long ago": starter_since(office, "A", agreement_days_ago=730),
        "trained today": starter_since(office, "B", agreement_days_ago=730),
        "created long ago": starter_since(office, "C", created_days_ago=800),
        "created today": starter_since(office, "D"),
        "trained long ago": starter_since(office, "E", agreement_days_ago=30),
        "exchange recently": starter_since(office, "F", agreement_days_ago=730),
        "trained twice": starter_since(office, "G", agreement_days_ago=900),
        "paused long": starter_since(
            office, "H", agreement_days_ago=730, status=Starter.Status.PAUSED
        ),
        "retired": starter_since(
            office, "I", agreement_days_ago=730, status=Starter.Status.RETIRED
        ),
    }
    trained(made["trained today"], 0)
    trained(made["trained long ago"], 400)
    trained(made["trained twice"], 800)
    trained(made["trained twice"], 10)
    event = TrainingEventFactory(office=office, kind="supervision", date=TODAY - days(100))
    Attendance.objects.create(event=event, starter=made["exchange recently"])
    return made


def test_exchange_is_due_a_year_after_the_last_training_else_agreement_else_creation(volunteers):
    overdue = {
        name
        for name, starter in volunteers.items()
        if Starter.objects.exchange_overdue().filter(pk=starter.pk).exists()
    }
    assert overdue == {"agreement long ago", "created long ago", "trained long ago", "paused long"}


def test_the_starter_list_filters_the_overdue(client, staff, volunteers):
    client.force_login(staff)
    response = client.get(reverse("starters:starter_list"), {"exchange_overdue": "on"})
    assert response.status_code == 200
    assert {s.user.name for s in response.context["starters"]} == {"A", "C", "E", "H"}
    dashboard = client.get(reverse("dashboard")).context["starter_counts"]
    assert dashboard["exchange_overdue"] == 4


# 6. How the starter sees the state of an assignment ------------------------------------------


@pytest.mark.parametrize(
    ("state", "status", "shown"),
    [
        (State.ACCEPTED, Status.ACTIVE, "läuft"),
        (State.ENDED, Status.COMPLETED, "abgeschlossen"),
        (State.ENDED, Status.CANCELLED, "abgebrochen"),
        (State.OFFERED, Status.OFFERED, "angeboten, noch keine Antwort"),
        (State.DECLINED, Status.REQUESTED, "abgelehnt"),
        (State.WITHDRAWN, Status.CANCELLED, "von der Kontaktstelle zurückgezogen"),
    ],
)
def test_display_state(office, staff, starter, state, status, shown):
    fields = {"status": status}
    if status == Status.COMPLETED:
        fields |= {"completed_on": TODAY, "outcome": Accompaniment.Outcome.CONTINUES}
    accompaniment = make_accompaniment(office, staff, **fields)
    [assignment] = put_on(accompaniment, starter, state=state)
    assert str(fresh(assignment).display_state) == shown


def test_a_running_accompaniment_shows_running_then_completed(
    client, starter, staff, accompaniment, maria
):
    assignment = services.offer(staff, accompaniment, maria, notify=None)
    services.answer_offer(maria, assignment, accept=True)
    client.force_login(starter)
    home = client.get(reverse("starters:home")).content.decode()
    assert re.search(r"Trauer und Neubeginn</a>\s*<span[^>]*>läuft</span>", home)
    page = client.get(offer_url(assignment)).content.decode()
    assert '<span class="badge text-bg-secondary">läuft</span>' in page
    services.complete(staff, accompaniment, Accompaniment.Outcome.CONTINUES, TODAY)
    page = client.get(offer_url(assignment)).content.decode()
    assert '<span class="badge text-bg-secondary">abgeschlossen</span>' in page
    assert "läuft" not in page
    home = client.get(reverse("starters:home")).content.decode()
    assert re.search(r"Trauer und Neubeginn</a>\s*<span[^>]*>\(abgeschlossen\)</span>", home)


# 7. The staff's profile of a starter ----------------------------------------------------------


def detail_url(starter):
    return reverse("starters:starter_detail", kwargs={"pk": starter.pk})


def test_the_profile_lists_the_starters_accompaniments(client, staff, office, starter, maria):
    on = running(office, staff, starter, group=make_group(office, "Gruppe Laufend"))
    for n in range(2):
        add_log(on, TODAY - days(7 * (n + 1)), starter)
    completed(office, staff, starter, group=make_group(office, "Gruppe Fertig"))
    declined = make_accompaniment(office, staff, make_group(office, "Gruppe Abgelehnt"))
    put_on(declined, starter, state=State.DECLINED)
    client.force_login(staff)
    response = client.get(detail_url(maria))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Noch keine Begleitungen." not in content
    section = re.search(r"data-accompaniments>(.*?)</ul>", content, re.S).group(1)
    assert re.search(r"Gruppe Laufend</a>\s*<span[^>]*>läuft</span>", section)
    assert "2 Treffen protokolliert" in section
    assert re.search(r"Gruppe Fertig</a>\s*<span[^>]*>abgeschlossen</span>", section)
    assert "0 Treffen protokolliert" in section
    assert "Gruppe Abgelehnt" not in content


def test_a_profile_without_accompaniments_says_so(client, staff, maria):
    client.force_login(staff)
    content = client.get(detail_url(maria)).content.decode()
    assert "Noch keine Begleitungen." in content


def test_the_profile_shows_the_travel_table_with_claim_and_csv_links(
    client, staff, office, starter, maria
):
    on = running(office, staff, starter)
    add_log(on, TODAY, starter, travel_km=Decimal("12.5"), travel_costs=Decimal("2.40"))
    client.force_login(staff)
    content = client.get(detail_url(maria)).content.decode()
    claim = reverse("starters:starter_travel_claim", args=[maria.pk, TODAY.year, TODAY.month])
    csv_url = reverse("starters:starter_hours_csv", args=[maria.pk, TODAY.year])
    assert f'href="{claim}"' in content
    assert f'href="{csv_url}"' in content
    assert german_date(TODAY, "F") in content
    assert "6,15 €" in content
    assert "12,5" in content
    # Never the starter's own links in the staff's page.
    assert reverse("starters:own_travel_claim", args=[TODAY.year, TODAY.month]) not in content


def test_the_profile_is_for_the_offices_staff_only(
    client, other_staff, starter, other_starter, maria
):
    client.force_login(other_staff)
    assert client.get(detail_url(maria)).status_code == 404
    client.force_login(other_starter)
    assert client.get(detail_url(maria)).status_code == 403


# 8. A second meeting on a logged day ----------------------------------------------------------


def log_payload(**overrides):
    data = {
        "held_on": TODAY.isoformat(),
        "starts_at": "18:00",
        "duration_minutes": "90",
        "participants": "8",
        "newcomers": "1",
        "worked_on": ["rules", "structure"],
        "process_note": "Die Gruppe findet ihre Form.",
        "travel_km": "4.5",
        "travel_costs": "3.20",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def create_url(accompaniment, user):
    return reverse("starters:own_log_create", kwargs={"pk": assignment_of(accompaniment, user).pk})


def test_another_meeting_on_a_logged_day_keeps_the_typed_input(client, office, staff, starter):
    accompaniment = running(office, staff, starter)
    client.force_login(starter)
    url = create_url(accompaniment, starter)
    assert client.post(url, log_payload()).status_code == 302
    second = log_payload(
        starts_at="10:30",
        duration_minutes="75",
        participants="5",
        newcomers="0",
        process_note="Zusatztreffen am Vormittag",
        travel_km="7,5",
    )
    response = client.post(url, second)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["held_on"] == ["Für diesen Tag ist schon ein Treffen eingetragen."]
    assert list(form.errors) == ["held_on"]
    content = response.content.decode()
    assert "Zusatztreffen am Vormittag" in content
    assert 'value="10:30"' in content
    assert 'value="75"' in content
    assert 'value="7,5"' in content
    log = MeetingLog.objects.get()
    assert (log.starts_at, log.duration_minutes) == (datetime.time(18), 90)


def test_the_tandem_partner_logging_another_meeting_that_day_is_told_so(
    client, office, staff, starter, other_starter
):
    accompaniment = running(office, staff, starter, other_starter)
    add_log(accompaniment, TODAY, starter, starts_at=datetime.time(18))
    client.force_login(other_starter)
    response = client.post(
        create_url(accompaniment, other_starter),
        log_payload(starts_at="20:00", process_note="Mein eigenes Protokoll"),
    )
    assert response.status_code == 200
    assert response.context["form"].has_error("held_on")
    assert "Mein eigenes Protokoll" in response.content.decode()
    assert MeetingLog.objects.count() == 1


def test_a_log_differing_only_in_note_and_journey_is_not_a_double_submit(
    client, office, staff, starter, other_starter
):
    """Same time and numbers, but another note and journey: not the same form sent twice,
    so the typed input must not be thrown away."""
    accompaniment = running(office, staff, starter, other_starter)
    client.force_login(starter)
    assert client.post(create_url(accompaniment, starter), log_payload()).status_code == 302
    client.force_login(other_starter)
    response = client.post(
        create_url(accompaniment, other_starter),
        log_payload(process_note="Meine Sicht auf das Treffen", travel_km="30"),
    )
    assert response.status_code == 200, response.get("Location")
    assert response.context["form"].has_error("held_on")
    assert "Meine Sicht auf das Treffen" in response.content.decode()
    assert MeetingLog.objects.get().logged_by == starter


# 9. The starter's home --------------------------------------------------------------------------

HOME = "starters:home"


def test_home_lists_next_meetings_in_date_order(client, office, staff, starter):
    later = running(office, staff, starter, group=make_group(office, "Gruppe Später"))
    add_log(later, TODAY - days(2), starter, next_meeting_on=TODAY + days(9))
    sooner = running(
        office,
        staff,
        starter,
        group=make_group(office, "Gruppe Bald"),
        meeting_time=datetime.time(10),
    )
    add_log(sooner, TODAY - days(3), starter, next_meeting_on=TODAY + days(2))
    same_day = running(
        office,
        staff,
        starter,
        group=make_group(office, "Gruppe Bald am Abend"),
        meeting_time=datetime.time(20),
    )
    add_log(same_day, TODAY - days(4), starter, next_meeting_on=TODAY + days(2))
    unknown = running(
        office, staff, starter, group=make_group(office, "Gruppe Ohne Termin"), meeting_weekday=None
    )
    client.force_login(starter)
    response = client.get(reverse(HOME))
    assert response.status_code == 200
    upcoming = [(d, a.accompaniment.group.name) for d, a in response.context["upcoming"]]
    assert upcoming == [
        (TODAY + days(2), "Gruppe Bald"),
        (TODAY + days(2), "Gruppe Bald am Abend"),
        (TODAY + days(9), "Gruppe Später"),
    ]
    for accompaniment, (date, _name) in zip((sooner, same_day, later), upcoming, strict=True):
        last = accompaniment.meeting_logs.order_by("held_on").last()
        assert meeting_logs.next_meeting(accompaniment, last) == date
    assert meeting_logs.next_meeting(unknown) is None
    section = re.search(r"data-upcoming>(.*?)</ol>", response.content.decode(), re.S).group(1)
    positions = [section.index(name + "</a>") for name in ("Bald", "Bald am Abend", "Später")]
    assert positions == sorted(positions)
    assert f"{german_date(TODAY + days(2), 'l, j. F')}, 10:00" in section
    assert "Gruppe Ohne Termin" not in section


def test_home_separates_offers_running_and_finished(client, office, staff, office_admin, starter):
    offered = make_accompaniment(office, office_admin, make_group(office, "Gruppe Angefragt"))
    put_on(offered, starter, state=State.OFFERED)
    running(office, staff, starter, group=make_group(office, "Gruppe Laufend"))
    completed(office, staff, starter, group=make_group(office, "Gruppe Fertig"))
    declined = make_accompaniment(office, staff, make_group(office, "Gruppe Abgelehnt"))
    put_on(declined, starter, state=State.DECLINED)
    client.force_login(starter)
    response = client.get(reverse(HOME))
    names = {
        key: [a.accompaniment.group.name for a in response.context[key]]
        for key in ("offers", "running", "finished")
    }
    assert names == {
        "offers": ["Gruppe Angefragt"],
        "running": ["Gruppe Laufend"],
        "finished": ["Gruppe Fertig"],
    }
    content = response.content.decode()
    assert "Angebote, die auf Ihre Antwort warten" in content
    assert "Meine laufenden Begleitungen" in content
    assert "1 abgeschlossene Begleitung<" in content
    assert "Gruppe Abgelehnt" not in content
    # Contacts: both responsible people (offer and running), and the office's phone.
    contacts = re.search(r"data-contacts>(.*?)</ul>", content, re.S).group(1)
    assert "Kontakt zur Kontaktstelle" in content
    assert 'href="mailto:fachkraft@example.org"' in contacts
    assert 'href="mailto:leitung@example.org"' in contacts
    assert OFFICE_PHONE in contacts
    assert f'href="tel:{OFFICE_PHONE.replace(" ", "")}"' in contacts


def test_home_counts_finished_accompaniments_in_the_plural(client, office, staff, starter):
    completed(office, staff, starter, group=make_group(office, "Gruppe Eins"))
    completed(office, staff, starter, group=make_group(office, "Gruppe Zwei"), days_ago=100)
    client.force_login(starter)
    content = client.get(reverse(HOME)).content.decode()
    assert "2 abgeschlossene Begleitungen" in content
    assert "Sie begleiten gerade keine Gruppe." in content
    assert "Kein begleitetes Treffen geplant." in content


def test_home_shows_only_the_starters_own_things(
    client, office, staff, starter, other_starter, thomas
):
    running(office, staff, other_starter, group=make_group(office, "Gruppe von Thomas"))
    on = running(office, staff, starter, group=make_group(office, "Gruppe von Maria"))
    add_log(on, TODAY, starter, travel_km=Decimal("12.5"), travel_costs=Decimal("2.40"))
    theirs = running(office, staff, other_starter)
    add_log(theirs, TODAY, other_starter, travel_km=Decimal("40"), travel_costs=Decimal("9.90"))
    client.force_login(starter)
    content = client.get(reverse(HOME)).content.decode()
    assert "Gruppe von Maria" in content
    assert "Gruppe von Thomas" not in content
    assert "Fahrtkosten: 6,15 € (12,5 km)" in content
    assert "9,90" not in content
    assert "40 km" not in content


# Session, user, profile with its record, assignments with their logs, the year's figures:
# measured 16 on SQLite and PostgreSQL, for one accompaniment as for five.
HOME_QUERIES = 16


def test_home_needs_no_more_queries_for_more_accompaniments(
    client, office, staff, office_admin, starter, other_starter, django_assert_max_num_queries
):
    first = running(office, staff, starter, group=make_group(office, "Gruppe 1"))
    add_log(first, TODAY - days(7), starter, next_meeting_on=TODAY + days(7))
    client.force_login(starter)
    url = reverse(HOME)
    assert client.get(url).status_code == 200  # warm up: sessions, content types
    with django_assert_max_num_queries(HOME_QUERIES) as one:
        assert client.get(url).status_code == 200
    # Four more of every kind: a tandem, another responsible, finished, offered.
    tandem = running(office, office_admin, starter, other_starter)
    add_log(tandem, TODAY - days(3), starter, other_starter)
    add_log(tandem, TODAY - days(10), other_starter)
    running(office, staff, starter, meeting_weekday=THURSDAY)
    completed(office, staff, starter)
    put_on(make_accompaniment(office, office_admin), starter, state=State.OFFERED)
    with django_assert_max_num_queries(HOME_QUERIES) as five:
        response = client.get(url)
    assert response.status_code == 200
    assert len(five) == len(one)
    assert len(response.context["running"]) == 3
    assert len(response.context["finished"]) == 1
    assert len(response.context["offers"]) == 1
    assert len(response.context["upcoming"]) == 3
    assert {person.email for person in response.context["contacts"]} == {
        "fachkraft@example.org",
        "leitung@example.org",
    }


# 10. Hours and travel costs ---------------------------------------------------------------------


@pytest.fixture
def journeys(office, staff, starter, other_starter):
    """In January of last year Maria and Thomas accompanied two meetings together; each
    wrote one log with their own journey. In March Thomas went alone."""
    tandem = running(
        office,
        staff,
        starter,
        other_starter,
        group=make_group(office, "Gruppe Tandem"),
        started_on=datetime.date(PAST_YEAR, 1, 1),
    )
    add_log(
        tandem,
        datetime.date(PAST_YEAR, 1, 14),
        starter,
        other_starter,
        duration=90,
        travel_km=Decimal("12.5"),
        travel_costs=Decimal("2.40"),
    )
    add_log(
        tandem,
        datetime.date(PAST_YEAR, 1, 28),
        other_starter,
        starter,
        duration=60,
        travel_km=Decimal("20"),
        travel_costs=Decimal("5.00"),
    )
    add_log(
        tandem,
        datetime.date(PAST_YEAR, 3, 11),
        other_starter,
        duration=120,
        travel_km=Decimal("33.3"),
        travel_costs=None,
    )
    return tandem


def test_monthly_counts_hours_accompanied_and_km_written(journeys, maria, thomas):
    assert expenses.km_rate() == Decimal("0.30")
    assert expenses.monthly(maria, PAST_YEAR) == [
        {
            "month": datetime.date(PAST_YEAR, 1, 1),
            "meetings": 2,
            "hours": Decimal("2.5"),
            "km": Decimal("12.5"),
            "km_euros": Decimal("3.75"),
            "costs": Decimal("2.40"),
            "total": Decimal("6.15"),
        }
    ]
    rows = expenses.monthly(thomas, PAST_YEAR)
    assert [(row["month"].month, row["meetings"], row["hours"]) for row in rows] == [
        (1, 2, Decimal("2.5")),
        (3, 1, Decimal("2")),
    ]
    assert [(row["km"], row["km_euros"], row["costs"], row["total"]) for row in rows] == [
        (Decimal("20"), Decimal("6.00"), Decimal("5.00"), Decimal("11.00")),
        (Decimal("33.3"), Decimal("9.99"), Decimal("0.00"), Decimal("9.99")),
    ]
    totals = expenses.totals(rows)
    assert (totals["meetings"], totals["hours"], totals["total"]) == (
        3,
        Decimal("4.5"),
        Decimal("20.99"),
    )
    assert expenses.monthly(maria, PAST_YEAR - 1) == []


def test_trips_list_the_logs_the_starter_wrote(journeys, maria):
    start, end, trips = expenses.trips(maria, PAST_YEAR, 1)
    assert (start, end) == (datetime.date(PAST_YEAR, 1, 1), datetime.date(PAST_YEAR, 1, 31))
    assert [(t["log"].held_on.day, t["km_euros"], t["costs"], t["total"]) for t in trips] == [
        (14, Decimal("3.75"), Decimal("2.40"), Decimal("6.15"))
    ]
    assert expenses.trips(maria, PAST_YEAR, 3)[2] == []


def test_the_km_rate_comes_from_the_settings(settings, journeys, maria):
    settings.KONTAKTSTELLE_TRAVEL_EURO_PER_KM = 0.35
    [row] = expenses.monthly(maria, PAST_YEAR)
    assert (row["km_euros"], row["total"]) == (Decimal("4.38"), Decimal("6.78"))


def csv_rows(content):
    text = content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def test_the_csv_file_has_hours_accompanied_and_own_journeys(journeys, maria):
    rows = csv_rows(expenses.csv_file(maria, PAST_YEAR))
    assert rows == [
        [
            "Datum",
            "Gruppe",
            "Beginn",
            "Stunden",
            "Kilometer",
            "Kilometerpauschale (EUR)",
            "Fahrkarten und Parken (EUR)",
        ],
        [f"14.01.{PAST_YEAR}", "Gruppe Tandem", "19:00", "1,5", "12,5", "3,75", "2,40"],
        [f"28.01.{PAST_YEAR}", "Gruppe Tandem", "19:00", "1,0", "0,0", "0,00", "0,00"],
    ]


def test_the_csv_file_counts_no_hours_of_a_meeting_the_starter_did_not_accompany(
    office, staff, starter, other_starter, maria
):
    # Maria wrote the log (her journey) but only Thomas is recorded as accompanying.
    tandem = running(
        office, staff, starter, other_starter, started_on=datetime.date(PAST_YEAR, 1, 1)
    )
    add_log(
        tandem,
        datetime.date(PAST_YEAR, 2, 3),
        other_starter,
        logged_by=starter,
        duration=120,
        travel_km=Decimal("10"),
    )
    [row] = expenses.monthly(maria, PAST_YEAR)
    assert (row["meetings"], row["hours"], row["km"]) == (0, Decimal(0), Decimal("10"))
    _header, line = csv_rows(expenses.csv_file(maria, PAST_YEAR))
    assert line[4] == "10,0"
    assert line[3] in ("0", "0,0"), line  # hours count meetings accompanied


def test_the_own_travel_page_shows_the_year_and_claim_links(client, starter, journeys):
    client.force_login(starter)
    response = client.get(reverse("starters:own_travel"), {"jahr": PAST_YEAR})
    assert response.status_code == 200
    assert response.context["year"] == PAST_YEAR
    content = response.content.decode()
    assert f"Stunden und Fahrtkosten {PAST_YEAR}" in content
    row = r">Januar(</a>)?</th>\s*<td[^>]*>2</td>\s*<td[^>]*>2,5</td>\s*<td[^>]*>12,5</td>"
    assert re.search(row + r"\s*<td[^>]*>6,15 €</td>", content)
    assert "6,15 €" in content
    claim = reverse("starters:own_travel_claim", args=[PAST_YEAR, 1])
    assert f'href="{claim}"' in content
    assert f'href="{reverse("starters:own_hours_csv", args=[PAST_YEAR])}"' in content
    # Thomas's journeys are not Maria's.
    for theirs in ("11,00 €", "9,99 €", "März", "33,3"):
        assert theirs not in content, theirs


def test_the_own_travel_page_falls_back_to_this_year(client, starter, journeys):
    client.force_login(starter)
    for year in ("abc", "1999", str(TODAY.year + 5)):
        response = client.get(reverse("starters:own_travel"), {"jahr": year})
        assert response.status_code == 200
        assert response.context["year"] == TODAY.year
        assert response.context["rows"] == []


def test_the_own_claim_sums_the_month(client, starter, journeys):
    client.force_login(starter)
    response = client.get(reverse("starters:own_travel_claim", args=[PAST_YEAR, 1]))
    assert response.status_code == 200
    content = response.content.decode()
    assert f"Erstattung von Fahrtkosten, Januar {PAST_YEAR}" in content
    assert "Ehrenamtliche Tätigkeit als In-Gang-Setzer:in von Maria Schneider" in content
    assert f"14.01.{PAST_YEAR}" in content
    assert f"28.01.{PAST_YEAR}" not in content  # Thomas's journey
    footer = re.search(r"<tfoot>(.*?)</tfoot>", content, re.S).group(1)
    assert "Beantragter Betrag" in footer
    assert [cell.strip() for cell in re.findall(r"<td[^>]*>([^<]*)</td>", footer)] == [
        "12,5",
        "3,75 €",
        "2,40 €",
        "6,15 €",
    ]
    assert "KISS Musterstadt" in content


@pytest.mark.parametrize("month", [0, 13])
def test_a_claim_for_no_month_is_not_found(client, starter, month):
    client.force_login(starter)
    response = client.get(reverse("starters:own_travel_claim", args=[PAST_YEAR, month]))
    assert response.status_code == 404


def test_the_own_csv_download(client, starter, journeys):
    client.force_login(starter)
    response = client.get(reverse("starters:own_hours_csv", args=[PAST_YEAR]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="stunden-fahrtkosten-{PAST_YEAR}.csv"' in response["Content-Disposition"]
    rows = csv_rows(response.content)
    assert [row[0] for row in rows[1:]] == [f"14.01.{PAST_YEAR}", f"28.01.{PAST_YEAR}"]
    assert rows[1][4:] == ["12,5", "3,75", "2,40"]


def test_staff_see_a_starters_claim_and_csv_of_their_office_only(
    client, staff, other_staff, starter, maria, journeys
):
    claim = reverse("starters:starter_travel_claim", args=[maria.pk, PAST_YEAR, 1])
    csv_url = reverse("starters:starter_hours_csv", args=[maria.pk, PAST_YEAR])
    client.force_login(staff)
    response = client.get(claim)
    assert response.status_code == 200
    content = response.content.decode()
    assert "6,15 €" in content
    assert maria.get_absolute_url() in content
    response = client.get(csv_url)
    assert response.status_code == 200
    assert csv_rows(response.content)[1][4:] == ["12,5", "3,75", "2,40"]
    client.force_login(other_staff)
    assert client.get(claim).status_code == 404
    assert client.get(csv_url).status_code == 404
    client.force_login(starter)
    assert client.get(claim).status_code == 403
    assert client.get(csv_url).status_code == 403


def test_a_starter_never_sees_another_starters_figures(client, other_starter, journeys):
    client.force_login(other_starter)
    content = client.get(reverse("starters:own_travel"), {"jahr": PAST_YEAR}).content.decode()
    assert "11,00 €" in content
    assert "6,15 €" not in content
    claim = client.get(reverse("starters:own_travel_claim", args=[PAST_YEAR, 1]))
    text = claim.content.decode()
    assert f"28.01.{PAST_YEAR}" in text
    assert f"14.01.{PAST_YEAR}" not in text
    assert "Maria Schneider" not in text


def test_travel_pages_need_a_starter(client, staff, coordinator):
    urls = [
        reverse("starters:own_travel"),
        reverse("starters:own_travel_claim", args=[PAST_YEAR, 1]),
        reverse("starters:own_hours_csv", args=[PAST_YEAR]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    for user in (staff, coordinator):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 403, (user, url)


# 11. The certificate's "active since" ------------------------------------------------------------


def test_active_since_is_not_after_the_first_accompaniment(office, staff, starter, maria):
    first_start = TODAY - days(700)
    completed(office, staff, starter, days_ago=400)
    Accompaniment.objects.filter(assignments__starter=maria).update(started_on=first_start)
    running(office, staff, starter, started_on=TODAY - days(100))
    # The record was entered later, the agreement signed later too.
    Starter.objects.filter(pk=maria.pk).update(agreement_signed_on=TODAY - days(300))
    certificate = services.request_certificate(maria, TODAY - days(730), TODAY)
    context = certificate_context(Certificate.objects.get(pk=certificate.pk))
    assert context["volunteer_since"] == first_start
    assert context["summary"]["accompaniments"] == 2


def test_active_since_keeps_an_earlier_agreement(office, staff, starter, maria):
    running(office, staff, starter, started_on=TODAY - days(100))
    Starter.objects.filter(pk=maria.pk).update(agreement_signed_on=TODAY - days(300))
    certificate = services.request_certificate(maria, TODAY - days(365), TODAY)
    context = certificate_context(Certificate.objects.get(pk=certificate.pk))
    assert context["volunteer_since"] == TODAY - days(300)


def test_an_offer_never_accepted_does_not_count(office, staff, starter, maria):
    declined = make_accompaniment(office, staff, status=Status.ACTIVE, started_on=TODAY - days(900))
    put_on(declined, starter, state=State.DECLINED)
    entered = timezone.make_aware(datetime.datetime(PAST_YEAR, 6, 1, 12))
    Starter.objects.filter(pk=maria.pk).update(created_at=entered)
    certificate = services.request_certificate(maria, TODAY - days(365), TODAY)
    context = certificate_context(Certificate.objects.get(pk=certificate.pk))
    assert context["volunteer_since"] == datetime.date(PAST_YEAR, 6, 1)


def test_the_certificate_page_prints_active_since(client, office, staff, starter, maria):
    first_start = datetime.date(PAST_YEAR - 1, 3, 3)
    completed(office, staff, starter, days_ago=300)
    Accompaniment.objects.filter(assignments__starter=maria).update(started_on=first_start)
    certificate = services.request_certificate(
        maria, datetime.date(PAST_YEAR, 1, 1), datetime.date(PAST_YEAR, 12, 31)
    )
    client.force_login(starter)
    response = client.get(reverse("starters:own_certificate", kwargs={"pk": certificate.pk}))
    assert response.status_code == 200
    content = " ".join(response.content.decode().split())
    assert f"Maria Schneider ist seit dem 3. März {PAST_YEAR - 1} ehrenamtlich" in content
