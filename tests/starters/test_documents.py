"""Volunteers' documents that expire: validity, the office's rules, recording renewals,
blocked offers, reminders (once, also from two runs at once), the pages and who sees them."""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from kontaktstelle.audit.models import AuditEntry
from kontaktstelle.notifications.models import Notification
from starters import documents, services
from starters.documents import Kind, State, add_years, documents_of
from starters.matching import judge
from starters.models import Assignment, Attendance, Starter
from starters.reminders import document_reminders, due_reminders
from starters.services import StarterError
from tests.factories import StarterFactory, TrainingEventFactory
from tests.starters.test_accompaniments import at_once, make_accompaniment, needs_postgresql

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def loaded(starter):
    """The volunteer as ``documents_of`` reads them (office, exchange dates)."""
    return documents.with_documents(Starter.objects.filter(pk=starter.pk)).get()


def by_kind(starter, today=TODAY):
    return {d.kind: d for d in documents_of(loaded(starter), today)}


def signed_ago(years=0, days=0):
    """An agreement date so that it ends ``days`` from today after ``years`` years."""
    return add_years(TODAY, -years) + days * DAY


@pytest.fixture
def volunteer(starter):
    profile = starter.starter
    profile.agreement_signed_on = TODAY - 30 * DAY
    profile.consent_given_on = TODAY - 30 * DAY
    profile.save()
    return profile


def expire_agreement(profile):
    """Signed two years and a day ago: with the default rule it ended yesterday."""
    Starter.objects.filter(pk=profile.pk).update(agreement_signed_on=signed_ago(2, -1))


# Validity --------------------------------------------------------------------------------


def test_add_years_keeps_the_day_and_moves_29_february_to_the_28th():
    assert add_years(datetime.date(2024, 3, 1), 2) == datetime.date(2026, 3, 1)
    assert add_years(datetime.date(2024, 2, 29), 1) == datetime.date(2025, 2, 28)


def test_the_agreement_is_valid_for_the_office_s_years_then_due_soon_then_expired(
    office, volunteer
):
    signed = datetime.date(2024, 3, 1)
    Starter.objects.filter(pk=volunteer.pk).update(agreement_signed_on=signed)
    until = datetime.date(2026, 2, 28)  # two years by default, the last day included
    assert by_kind(volunteer, until - 43 * DAY)[Kind.AGREEMENT].state == State.VALID
    assert by_kind(volunteer, until - 41 * DAY)[Kind.AGREEMENT].state == State.DUE_SOON
    assert by_kind(volunteer, until)[Kind.AGREEMENT].state == State.DUE_SOON
    expired = by_kind(volunteer, until + DAY)[Kind.AGREEMENT]
    assert (expired.state, expired.valid_until, expired.blocks) == (State.EXPIRED, until, True)
    assert expired.problem == "Ehrenamtsvereinbarung: abgelaufen am 1. März 2026"

    office.agreement_renewal_years = 3  # a new rule applies at once
    office.save()
    assert by_kind(volunteer, until + DAY)[Kind.AGREEMENT].valid_until == datetime.date(2027, 2, 28)
    office.agreement_renewal_years = 0
    office.save()
    never = by_kind(volunteer, datetime.date(2040, 1, 1))[Kind.AGREEMENT]
    assert (never.state, never.valid_until) == (State.VALID, None)


def test_a_missing_agreement_or_consent_is_shown_but_does_not_block(starter):
    found = by_kind(starter.starter)
    assert found[Kind.AGREEMENT].state == State.MISSING
    assert found[Kind.CONSENT].state == State.MISSING
    assert documents.blocking(loaded(starter.starter)) == []


def test_the_consent_never_expires(volunteer):
    consent = by_kind(volunteer, TODAY + 20 * 365 * DAY)[Kind.CONSENT]
    assert (consent.state, consent.valid_until, consent.required) == (State.VALID, None, False)


def test_the_police_certificate_counts_only_where_required_and_blocks_when_never_seen(
    office, volunteer
):
    assert Kind.POLICE_CERTIFICATE not in by_kind(volunteer)
    office.requires_police_certificate = True
    office.save()
    missing = by_kind(volunteer)[Kind.POLICE_CERTIFICATE]
    assert (missing.state, missing.blocks) == (State.MISSING, True)

    Starter.objects.filter(pk=volunteer.pk).update(
        police_certificate_issued_on=datetime.date(2021, 5, 10),
        police_certificate_seen_on=datetime.date(2021, 5, 20),
    )
    seen = by_kind(volunteer, datetime.date(2026, 5, 9))[Kind.POLICE_CERTIFICATE]
    # Five years by default, counted from its date, not from the day it was seen.
    assert (seen.state, seen.valid_until) == (State.DUE_SOON, datetime.date(2026, 5, 9))
    assert by_kind(volunteer, datetime.date(2026, 5, 10))[Kind.POLICE_CERTIFICATE].blocks

    office.requires_police_certificate = False  # recorded, shown, but no longer required
    office.save()
    shown = by_kind(volunteer, datetime.date(2026, 5, 10))[Kind.POLICE_CERTIFICATE]
    assert (shown.state, shown.blocks, shown.needs_attention) == (State.EXPIRED, False, False)


def test_exchange_counts_from_the_last_one_else_from_the_agreement_and_blocks_if_required(
    office, volunteer
):
    Starter.objects.filter(pk=volunteer.pk).update(agreement_signed_on=TODAY - 400 * DAY)
    never = by_kind(volunteer)[Kind.EXCHANGE]
    assert (never.state, never.dated_on) == (State.EXPIRED, None)
    assert never.valid_until == TODAY - 36 * DAY
    assert not never.blocks  # recommended, not required
    assert Starter.objects.exchange_overdue().filter(pk=volunteer.pk).exists()

    office.requires_exchange_attendance = True
    office.save()
    assert by_kind(volunteer)[Kind.EXCHANGE].blocks

    event = TrainingEventFactory(office=office, kind="supervision", date=TODAY - 10 * DAY)
    Attendance.objects.create(event=event, starter=volunteer)
    attended = by_kind(volunteer)[Kind.EXCHANGE]
    assert (attended.state, attended.dated_on) == (State.VALID, TODAY - 10 * DAY)
    assert attended.valid_until == TODAY + 354 * DAY
    assert not Starter.objects.exchange_overdue().filter(pk=volunteer.pk).exists()


def test_volunteers_in_training_have_no_exchange_due(volunteer):
    Starter.objects.filter(pk=volunteer.pk).update(status=Starter.Status.IN_TRAINING)
    assert Kind.EXCHANGE not in by_kind(volunteer)


def test_the_database_keeps_a_police_certificate_with_its_date_and_the_day_it_was_seen(
    volunteer,
):
    for issued, seen in (
        (TODAY, None),
        (None, TODAY),
        (TODAY, TODAY - DAY),
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            Starter.objects.filter(pk=volunteer.pk).update(
                police_certificate_issued_on=issued, police_certificate_seen_on=seen
            )


def test_the_database_keeps_the_office_s_renewal_years_in_range(office):
    from kontaktstelle.offices.models import Office

    for fields in (
        {"agreement_renewal_years": 11},
        {"police_certificate_renewal_years": 0},
        {"police_certificate_renewal_years": 11},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            Office.objects.filter(pk=office.pk).update(**fields)


# Recording renewals ----------------------------------------------------------------------


def test_staff_record_a_renewed_agreement_with_an_audit_entry(staff, volunteer):
    expire_agreement(volunteer)
    volunteer.refresh_from_db()
    first = volunteer.agreement_signed_on
    services.record_agreement(staff, volunteer, TODAY)
    volunteer.refresh_from_db()
    # The first signing stays: it says since when the person volunteers.
    assert (volunteer.agreement_signed_on, volunteer.agreement_renewed_on) == (first, TODAY)
    assert by_kind(volunteer)[Kind.AGREEMENT].state == State.VALID
    entry = AuditEntry.objects.get(target_id=str(volunteer.pk))
    assert entry.actor == staff and entry.fields == ["Ehrenamtsvereinbarung zuletzt erneuert am"]


def test_a_first_agreement_is_recorded_as_signed(staff, starter):
    services.record_agreement(staff, starter.starter, TODAY - DAY)
    starter.starter.refresh_from_db()
    assert starter.starter.agreement_signed_on == TODAY - DAY
    assert starter.starter.agreement_renewed_on is None


@pytest.mark.parametrize(
    "day, message",
    [
        (TODAY + DAY, "nicht in der Zukunft"),
        (TODAY - 31 * DAY, "Eine neuere Vereinbarung"),
    ],
)
def test_a_future_or_older_agreement_is_refused_and_nothing_changes(staff, volunteer, day, message):
    with pytest.raises(StarterError, match=message):
        services.record_agreement(staff, volunteer, day)
    volunteer.refresh_from_db()
    assert volunteer.agreement_signed_on == TODAY - 30 * DAY
    assert not AuditEntry.objects.exists()


def test_staff_of_another_office_cannot_record_anything(other_staff, volunteer):
    with pytest.raises(Starter.DoesNotExist):
        services.record_agreement(other_staff, volunteer, TODAY)
    with pytest.raises(Starter.DoesNotExist):
        services.record_police_certificate(other_staff, volunteer, TODAY, TODAY)


def test_staff_record_a_police_certificate_seen_and_only_its_dates(staff, volunteer):
    services.record_police_certificate(staff, volunteer, TODAY - 20 * DAY, TODAY - DAY)
    volunteer.refresh_from_db()
    assert volunteer.police_certificate_issued_on == TODAY - 20 * DAY
    assert volunteer.police_certificate_seen_on == TODAY - DAY
    with pytest.raises(StarterError, match="Ein neueres Zeugnis"):
        services.record_police_certificate(staff, volunteer, TODAY - 30 * DAY, TODAY)
    with pytest.raises(StarterError, match="vor seinem Datum"):
        services.record_police_certificate(staff, volunteer, TODAY - DAY, TODAY - 2 * DAY)
    volunteer.refresh_from_db()
    assert volunteer.police_certificate_issued_on == TODAY - 20 * DAY


# Blocked offers --------------------------------------------------------------------------


def test_an_expired_agreement_blocks_a_new_offer_with_a_clear_message(staff, volunteer, office):
    expire_agreement(volunteer)
    accompaniment = make_accompaniment(office, staff)
    with pytest.raises(StarterError) as refused:
        services.offer(staff, accompaniment, volunteer)
    message = str(refused.value)
    assert message.startswith(f"{volunteer.name} kann keine neue Begleitung angeboten werden")
    assert "(Ehrenamtsvereinbarung: abgelaufen am " in message
    assert not Assignment.objects.exists()
    volunteer.refresh_from_db()
    assert volunteer.load == 0

    services.record_agreement(staff, volunteer, TODAY)
    assert services.offer(staff, accompaniment, volunteer).state == Assignment.State.OFFERED


def test_a_required_police_certificate_never_seen_blocks_until_recorded(staff, volunteer, office):
    office.requires_police_certificate = True
    office.save()
    accompaniment = make_accompaniment(office, staff)
    with pytest.raises(StarterError, match="erweitertes Führungszeugnis: nicht eingetragen"):
        services.offer(staff, accompaniment, volunteer)
    services.record_police_certificate(staff, volunteer, TODAY - 5 * DAY, TODAY)
    services.offer(staff, accompaniment, volunteer)
    assert Assignment.objects.filter(starter=volunteer).count() == 1


def test_matching_shows_why_a_volunteer_cannot_be_offered(staff, volunteer, office):
    expire_agreement(volunteer)
    candidates = judge(make_accompaniment(office, staff))
    (candidate,) = [c for c in candidates if c.starter.pk == volunteer.pk]
    assert not candidate.suggested
    assert [d.kind for d in candidate.documents] == [Kind.AGREEMENT]
    assert any(
        o.startswith("Unterlagen: Ehrenamtsvereinbarung: abgelaufen") for o in candidate.obstacles
    )


def test_the_offer_page_turns_the_block_into_a_message(client, staff, volunteer, office):
    expire_agreement(volunteer)
    accompaniment = make_accompaniment(office, staff)
    client.force_login(staff)
    page = client.get(accompaniment.get_absolute_url())
    assert "Unterlagen: Ehrenamtsvereinbarung: abgelaufen am" in page.content.decode()
    response = client.post(
        accompaniment.get_absolute_url(),
        {"starter": volunteer.pk, "choice_reason": "Kennt die Gruppe"},
    )
    assert response.status_code == 200
    assert "bis ihre Unterlagen erneuert sind" in response.content.decode()
    assert not Assignment.objects.exists()


# Reminders -------------------------------------------------------------------------------


def reminded(kind=Notification.Kind.DOCUMENT_EXPIRING):
    return sorted(
        (n.user.email, n.key) for n in Notification.objects.filter(kind=kind).select_related("user")
    )


def test_reminders_six_weeks_and_one_week_before_to_volunteer_and_staff_once(
    staff, office_admin, other_staff, volunteer, starter
):
    Starter.objects.filter(pk=volunteer.pk).update(agreement_signed_on=signed_ago(2, 42))
    until = TODAY + 41 * DAY
    assert by_kind(volunteer)[Kind.AGREEMENT].valid_until == until
    before = until - 43 * DAY
    assert document_reminders(before) == 0

    assert document_reminders(TODAY) == 3  # the volunteer, the staff member, the admin
    assert document_reminders(TODAY) == 0
    assert due_reminders(TODAY + DAY) == 0
    key = f"document:{volunteer.pk}:agreement:{until:%Y-%m-%d}"
    people = sorted([starter.email, staff.email, office_admin.email])
    assert reminded() == [(email, f"{key}:6w") for email in people]

    assert document_reminders(until - 7 * DAY) == 3
    assert document_reminders(until) == 0
    assert document_reminders(until + DAY) == 0  # expired: the dashboard shows it
    assert reminded() == sorted(
        [(email, f"{key}:6w") for email in people] + [(email, f"{key}:1w") for email in people]
    )
    own = Notification.objects.get(user=starter, key=f"{key}:1w")
    assert own.url == reverse("starters:home")
    assert own.subject == "Bald zu erneuern: Ehrenamtsvereinbarung"
    theirs = Notification.objects.get(user=staff, key=f"{key}:1w")
    assert theirs.url == reverse("starters:starter_documents", args=[volunteer.pk])
    assert volunteer.name in theirs.subject


def test_a_renewal_starts_its_reminders_afresh(staff, volunteer):
    Starter.objects.filter(pk=volunteer.pk).update(agreement_signed_on=signed_ago(2, 5))
    assert document_reminders(TODAY) == 2
    services.record_agreement(staff, volunteer, TODAY)
    assert document_reminders(TODAY) == 0
    assert document_reminders(add_years(TODAY, 2) - 8 * DAY) == 2


def test_documents_not_required_and_retired_volunteers_are_not_reminded(staff, office, volunteer):
    Starter.objects.filter(pk=volunteer.pk).update(
        police_certificate_issued_on=add_years(TODAY, -5) + 3 * DAY,
        police_certificate_seen_on=add_years(TODAY, -5) + 3 * DAY,
        agreement_signed_on=TODAY - 400 * DAY,  # exchange expired, not required
    )
    assert document_reminders(TODAY) == 0
    office.requires_police_certificate = True
    office.save()
    Starter.objects.filter(pk=volunteer.pk).update(status=Starter.Status.RETIRED)
    assert document_reminders(TODAY) == 0
    Starter.objects.filter(pk=volunteer.pk).update(status=Starter.Status.ACTIVE)
    assert document_reminders(TODAY) == 2


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_create_each_document_reminder_exactly_once(staff, office_admin, office):
    soon = [
        StarterFactory(office=office, agreement_signed_on=signed_ago(2, n)) for n in (3, 20, 40)
    ]
    outcomes = at_once(
        first=lambda: document_reminders(TODAY), second=lambda: document_reminders(TODAY)
    )
    assert not [o for o in outcomes.values() if isinstance(o, Exception)], outcomes
    # Each of three volunteers, the staff member and the admin: once, by one of the runs.
    assert outcomes["first"] + outcomes["second"] == 9
    notifications = Notification.objects.filter(kind=Notification.Kind.DOCUMENT_EXPIRING)
    assert notifications.count() == 9
    assert {n.key.split(":")[1] for n in notifications} == {str(s.pk) for s in soon}
    # The database refuses a second one of the same occasion, whatever a run checked.
    first = notifications.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(
            user=first.user, kind=first.kind, key=first.key, subject="x", url="/"
        )
    assert connection.vendor == "postgresql"


# Pages -----------------------------------------------------------------------------------


def documents_url(profile):
    return reverse("starters:starter_documents", args=[profile.pk])


def test_staff_see_a_volunteer_s_documents_and_record_renewals(client, staff, volunteer):
    expire_agreement(volunteer)
    client.force_login(staff)
    page = client.get(documents_url(volunteer)).content.decode()
    assert 'data-document="agreement" data-state="expired"' in page
    assert "Ehrenamtsvereinbarung" in page

    response = client.post(
        documents_url(volunteer), {"record": "agreement", "agreement-signed_on": TODAY}
    )
    assert response.status_code == 302
    volunteer.refresh_from_db()
    assert volunteer.agreement_renewed_on == TODAY
    response = client.post(
        documents_url(volunteer),
        {
            "record": "police_certificate",
            "police_certificate-issued_on": TODAY - 3 * DAY,
            "police_certificate-seen_on": TODAY,
            "police_certificate-seen": "on",
        },
    )
    assert response.status_code == 302
    volunteer.refresh_from_db()
    assert volunteer.police_certificate_seen_on == TODAY
    page = client.get(documents_url(volunteer)).content.decode()
    assert 'data-document="police_certificate" data-state="valid"' in page


@pytest.mark.parametrize(
    "data, error",
    [
        ({"record": "agreement", "agreement-signed_on": TODAY + DAY}, "nicht in der Zukunft"),
        ({"record": "agreement", "agreement-signed_on": "gestern"}, "gültiges Datum"),
        (
            {
                "record": "police_certificate",
                "police_certificate-issued_on": TODAY,
                "police_certificate-seen_on": TODAY,
            },
            "Dieses Feld ist zwingend erforderlich",
        ),
        (
            {
                "record": "police_certificate",
                "police_certificate-issued_on": TODAY,
                "police_certificate-seen_on": TODAY - DAY,
                "police_certificate-seen": "on",
            },
            "vor seinem Datum",
        ),
    ],
)
def test_bad_input_gets_a_german_message_and_changes_nothing(client, staff, volunteer, data, error):
    client.force_login(staff)
    response = client.post(documents_url(volunteer), data)
    assert response.status_code == 200
    assert error in response.content.decode()
    fresh = Starter.objects.get(pk=volunteer.pk)
    assert fresh.agreement_signed_on == TODAY - 30 * DAY
    assert fresh.police_certificate_issued_on is None


def test_an_older_agreement_is_refused_on_the_page(client, staff, volunteer):
    client.force_login(staff)
    response = client.post(
        documents_url(volunteer),
        {"record": "agreement", "agreement-signed_on": TODAY - 60 * DAY},
        follow=True,
    )
    assert "Eine neuere Vereinbarung" in response.content.decode()
    volunteer.refresh_from_db()
    assert volunteer.agreement_signed_on == TODAY - 30 * DAY


def test_nobody_else_sees_or_records_a_volunteer_s_documents(
    client, volunteer, other_staff, starter, other_starter, coordinator
):
    url = documents_url(volunteer)
    assert client.get(url).status_code == 302  # to the login page
    for user, status in ((other_staff, 404), (starter, 403), (other_starter, 403)):
        client.force_login(user)
        assert client.get(url).status_code == status
        response = client.post(url, {"record": "agreement", "agreement-signed_on": TODAY})
        assert response.status_code == status
    client.force_login(coordinator)
    assert client.get(url).status_code == 403
    assert Starter.objects.get(pk=volunteer.pk).agreement_signed_on == TODAY - 30 * DAY
    client.force_login(other_staff)
    assert client.get(reverse("starters:starter_documents", args=[999999])).status_code == 404


def test_the_overview_lists_the_office_s_volunteers_in_constant_queries(
    client, staff, office, other_office, django_assert_max_num_queries
):
    for n in range(3):
        StarterFactory(office=office, agreement_signed_on=signed_ago(2, -n))
    foreign = StarterFactory(office=other_office, user_name="Fremde Person")
    client.force_login(staff)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("starters:document_overview"))
    for n in range(10):
        StarterFactory(office=office, agreement_signed_on=signed_ago(1, n))
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("starters:document_overview")).content.decode()
    assert page.count("data-starter=") == 13
    assert foreign.name not in page


def test_office_admins_set_the_rules_and_bad_input_changes_nothing(
    client, office_admin, staff, office
):
    url = reverse("starters:document_rules")
    client.force_login(staff)
    assert client.get(url).status_code == 403
    client.force_login(office_admin)
    response = client.post(
        url,
        {
            "agreement_renewal_years": 11,
            "police_certificate_renewal_years": 5,
            "requires_police_certificate": "on",
        },
    )
    assert response.status_code == 200
    assert "kleiner oder gleich 10" in response.content.decode()
    office.refresh_from_db()
    assert (office.agreement_renewal_years, office.requires_police_certificate) == (2, False)
    response = client.post(
        url,
        {
            "agreement_renewal_years": 3,
            "police_certificate_renewal_years": 4,
            "requires_police_certificate": "on",
        },
    )
    assert response.status_code == 302
    office.refresh_from_db()
    assert (office.agreement_renewal_years, office.police_certificate_renewal_years) == (3, 4)
    assert office.requires_police_certificate and not office.requires_exchange_attendance


def test_another_office_s_admin_changes_only_their_own_rules(
    client, other_office_admin, office, other_office
):
    client.force_login(other_office_admin)
    client.post(
        reverse("starters:document_rules"),
        {"agreement_renewal_years": 5, "police_certificate_renewal_years": 5},
    )
    office.refresh_from_db()
    other_office.refresh_from_db()
    assert (office.agreement_renewal_years, other_office.agreement_renewal_years) == (2, 5)


def test_the_dashboard_lists_expiring_documents_of_the_own_office_only(
    client, staff, office, other_office, volunteer
):
    expire_agreement(volunteer)
    soon = StarterFactory(office=office, agreement_signed_on=signed_ago(2, 10))
    StarterFactory(office=office, agreement_signed_on=TODAY)  # fine: not listed
    foreign = StarterFactory(office=other_office, agreement_signed_on=signed_ago(2, -5))
    client.force_login(staff)
    page = client.get(reverse("dashboard")).content.decode()
    assert "Unterlagen laufen ab oder sind abgelaufen:" in page
    section = page.split("data-expiring-documents", 1)[1].split("</ul>", 1)[0]
    assert volunteer.name in section and soon.name in section
    assert foreign.name not in page
    assert section.count("<li>") == 2


def test_volunteers_see_their_own_documents_only(client, starter, other_starter, volunteer):
    expire_agreement(volunteer)
    client.force_login(other_starter)
    page = client.get(reverse("starters:home")).content.decode()
    assert 'data-document="agreement" data-state="missing"' in page
    assert 'data-state="expired"' not in page
    client.force_login(starter)
    page = client.get(reverse("starters:home")).content.decode()
    assert "Meine Unterlagen" in page
    assert 'data-document="agreement" data-state="expired"' in page


def test_the_starter_page_shows_documents_with_the_link_to_record_them(client, staff, volunteer):
    client.force_login(staff)
    page = client.get(volunteer.get_absolute_url()).content.decode()
    assert documents_url(volunteer) in page
    assert 'data-document="agreement" data-state="valid"' in page
