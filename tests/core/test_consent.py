"""Consent records: given on the web forms and recorded by staff, withdrawn in one click."""

import datetime

import pytest
from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from groups.models import Group, GroupChange, Inquiry
from kontaktstelle import privacy
from kontaktstelle.audit.models import AuditEntry
from kontaktstelle.consent.models import Consent, text_hash
from starters.models import Starter
from tests.factories import GroupFactory, StarterFactory
from tests.starters.test_starters_models import availability_data, starter_form_data

TODAY = timezone.localdate()
GERMAN_LABEL = (
    "Ich bin einverstanden, dass die Kontaktstelle meine Angaben speichert, um meine "
    "Anfrage zu beantworten"
)


@pytest.fixture
def listed_group(office, site):
    """A group in the directory with its own e-mail address, phone and meeting place."""
    return GroupFactory(
        office=office,
        name="Angehörigengruppe Demenz",
        listing=Group.Listing.PUBLIC_WITH_PLACE,
        street="Rosenweg 12",
        postcode="12345",
        city="Musterstadt",
        consent_published_on=TODAY - datetime.timedelta(days=30),
        consent_scope="E-Mail-Adresse und Treffpunkt",
        contact_route=Group.ContactRoute.GROUP_EMAIL,
        public_email="demenz-gruppe@example.org",
        public_phone="0123 987654",
    )


def visitor_data(**overrides):
    return {
        "name": "Sam",
        "email": "sam@example.org",
        "phone": "",
        "message": "Ich würde gern vorbeikommen.",
        "consent": "on",
        "website": "",
    } | overrides


def group_form_data(**overrides):
    return {
        "name": "Trauercafé",
        "audience": "both",
        "age_group": "all",
        "languages": "Deutsch",
        "format": "in_person",
        "status": "active",
        "accepts_new_members": "yes",
        "listing": "public_without_place",
        # Published without a recorded consent: staff confirm it (issue 19).
        "publish_without_consent": "on",
        "contact_route": "office",
        "city": "Musterstadt",
    } | overrides


# Given on the public forms -----------------------------------------------------------


def test_contact_request_records_the_exact_consent_text_shown(client, listed_group):
    response = client.post(listed_group.get_public_url(), visitor_data())
    assert response.status_code == 302
    inquiry = Inquiry.objects.get()
    consent = Consent.objects.get()
    assert consent.inquiry == inquiry and consent.office == listed_group.office
    assert consent.scope == Consent.Scope.INQUIRY
    assert consent.channel == Consent.Channel.WEB_FORM
    assert consent.recorded_by is None  # given by the visitor themselves
    assert consent.given_at == inquiry.consent_at
    assert consent.language == "de"
    assert consent.text.startswith(GERMAN_LABEL)
    assert consent.text_sha256 == text_hash(consent.text)
    # The text stored is the one the page showed.
    assert consent.text in client.get(listed_group.get_public_url()).content.decode()


def test_consent_text_is_stored_in_the_language_the_visitor_saw(client, listed_group):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.post(listed_group.get_public_url(), visitor_data())
    consent = Consent.objects.get()
    assert consent.language == "en"
    assert consent.text.startswith("I agree that the contact office stores my details")


def test_founding_interest_records_its_consent(client, office):
    data = visitor_data(topic="Long Covid")
    response = client.post(reverse("groups:founding_interest"), data)
    assert response.status_code == 302
    consent = Consent.objects.get()
    assert consent.inquiry == Inquiry.objects.get(kind=Inquiry.Kind.FOUNDING_INTEREST)
    assert consent.text.startswith(GERMAN_LABEL)


def test_no_consent_no_request_and_no_record(client, listed_group):
    client.post(listed_group.get_public_url(), visitor_data(consent=""))
    assert not Inquiry.objects.exists()
    assert not Consent.objects.exists()


# Recorded by staff on the forms ------------------------------------------------------


def test_staff_record_a_groups_consent_on_the_group_form(client, staff):
    client.force_login(staff)
    response = client.post(
        reverse("groups:group_create"),
        group_form_data(
            consent_published_on="2026-03-02",
            consent_channel="email",
            consent_scope="Telefonnummer der Gruppe",
            contact_route="group_phone",
            public_phone="0123 55555",
        ),
    )
    assert response.status_code == 302
    group = Group.objects.get()
    consent = Consent.objects.get()
    assert (consent.group, consent.scope) == (group, Consent.Scope.GROUP_PUBLICATION)
    assert consent.channel == Consent.Channel.EMAIL
    assert consent.recorded_by == staff
    assert timezone.localtime(consent.given_at).date() == datetime.date(2026, 3, 2)
    assert "Telefonnummer der Gruppe" in consent.text
    assert consent.language == settings.LANGUAGE_CODE


def test_correcting_and_clearing_the_date_on_the_form_keeps_the_record_in_step(
    client, staff, office
):
    client.force_login(staff)
    client.post(reverse("groups:group_create"), group_form_data(consent_published_on="2026-03-02"))
    group = Group.objects.get()
    url = reverse("groups:group_update", args=[group.pk])
    client.post(url, group_form_data(consent_published_on="2026-03-05"))
    consent = Consent.objects.get()  # corrected, not a second record
    assert timezone.localtime(consent.given_at).date() == datetime.date(2026, 3, 5)
    assert consent.is_active
    client.post(url, group_form_data(consent_published_on=""))
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None and consent.withdrawn_by == staff
    # A new consent later is a new record; the withdrawn one stays as proof.
    client.post(url, group_form_data(consent_published_on="2026-04-01"))
    assert Consent.objects.count() == 2
    renewed = Consent.objects.active().get()
    assert timezone.localtime(renewed.given_at).date() == datetime.date(2026, 4, 1)


def test_saving_a_group_without_consent_records_nothing(client, staff):
    client.force_login(staff)
    client.post(reverse("groups:group_create"), group_form_data())
    assert Group.objects.exists()
    assert not Consent.objects.exists()


def test_staff_record_a_starters_consent_on_the_profile_form(client, staff, office):
    client.force_login(staff)
    payload = starter_form_data(
        email="neu@example.org", consent_given_on="2026-01-15", consent_channel="in_person"
    ) | availability_data([])
    response = client.post(reverse("starters:starter_create"), payload)
    assert response.status_code == 302
    starter = Starter.objects.get(user__email="neu@example.org")
    consent = Consent.objects.get()
    assert (consent.starter, consent.scope) == (starter, Consent.Scope.STARTER_DATA)
    assert consent.channel == Consent.Channel.IN_PERSON
    assert consent.recorded_by == staff
    # Cleared on the form: withdrawn.
    payload = starter_form_data(email="neu@example.org", consent_given_on="") | availability_data(
        []
    )
    client.post(reverse("starters:starter_update", args=[starter.pk]), payload)
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None


# Withdrawal in one click, effective at once --------------------------------------------


def test_withdrawing_a_groups_consent_removes_its_contact_data_from_the_directory_at_once(
    client, staff, listed_group
):
    privacy.sync_consent(staff, listed_group)
    public = client.get(listed_group.get_public_url()).content.decode()
    assert "demenz-gruppe@example.org" in public and "Rosenweg 12" in public
    client.force_login(staff)
    url = reverse("consent_withdraw", args=["gruppe", listed_group.pk])
    detail = client.get(listed_group.get_absolute_url()).content.decode()
    assert url in detail  # the button on the group's page
    confirmation = client.get(url)
    assert confirmation.status_code == 200
    assert "Angehörigengruppe Demenz" in confirmation.content.decode()
    assert Consent.objects.active().exists()  # asking changes nothing

    response = client.post(url)
    assert response.status_code == 302 and response.url == listed_group.get_absolute_url()
    client.logout()
    public = client.get(listed_group.get_public_url()).content.decode()
    for gone in ("demenz-gruppe@example.org", "0123 987654", "Rosenweg 12"):
        assert gone not in public
    assert "Angehörigengruppe Demenz" in public  # still listed, contact through the office
    group = Group.objects.get()
    assert group.contact_route == Group.ContactRoute.OFFICE
    assert (group.public_email, group.public_phone) == ("", "")
    assert group.listing == Group.Listing.PUBLIC_WITHOUT_PLACE
    assert group.consent_published_on is None
    consent = Consent.objects.get()
    assert consent.withdrawn_at is not None and consent.withdrawn_by == staff
    change = GroupChange.objects.get(group=group, action=GroupChange.Action.CHANGED)
    assert change.user == staff and change.fields
    assert AuditEntry.objects.filter(action=AuditEntry.Action.PERSONAL_DATA_CHANGED).exists()


def test_withdrawal_works_for_a_consent_entered_before_records_were_kept(
    client, staff, listed_group
):
    assert not Consent.objects.exists()
    client.force_login(staff)
    client.post(reverse("consent_withdraw", args=["gruppe", listed_group.pk]))
    listed_group.refresh_from_db()
    assert listed_group.contact_route == Group.ContactRoute.OFFICE
    assert listed_group.consent_published_on is None


def test_withdrawing_twice_changes_nothing_and_says_so(client, staff, listed_group):
    client.force_login(staff)
    url = reverse("consent_withdraw", args=["gruppe", listed_group.pk])
    client.post(url, follow=True)
    before = Group.objects.values().get()
    response = client.post(url, follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert Group.objects.values().get() == before
    assert GroupChange.objects.count() == 1


def test_withdrawing_a_visitors_consent_removes_their_data_at_once(client, staff, listed_group):
    client.post(listed_group.get_public_url(), visitor_data(name="Zora Quelle"))
    inquiry = Inquiry.objects.get()
    client.force_login(staff)
    url = reverse("consent_withdraw", args=["anfrage", inquiry.pk])
    assert url in client.get(reverse("groups:inbox")).content.decode()
    response = client.post(url)
    assert response.url == reverse("groups:inbox")
    inquiry.refresh_from_db()
    assert (inquiry.name, inquiry.email, inquiry.message) == ("", "", "")
    assert inquiry.anonymised_at is not None
    assert Inquiry.objects.count() == 1  # it still counts
    assert Consent.objects.get().withdrawn_by == staff
    inbox = client.get(reverse("groups:inbox")).content.decode()
    assert "Zora Quelle" not in inbox and "sam@example.org" not in inbox
    assert url not in inbox  # nothing left to withdraw
    # The audit trail names the request without the visitor's name.
    entry = AuditEntry.objects.get(action=AuditEntry.Action.PERSONAL_DATA_CHANGED)
    assert "Zora" not in entry.target_label


def test_withdrawing_a_starters_consent(client, staff, office):
    starter = StarterFactory(office=office, consent_given_on=TODAY)
    privacy.sync_consent(staff, starter)
    client.force_login(staff)
    url = reverse("consent_withdraw", args=["igs", starter.pk])
    assert url in client.get(starter.get_absolute_url()).content.decode()
    client.post(url)
    starter.refresh_from_db()
    assert starter.consent_given_on is None
    assert Consent.objects.get().withdrawn_at is not None


# Who may withdraw --------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["staff", "office_admin"])
def test_staff_and_office_admins_may_withdraw(client, request, persona, listed_group):
    client.force_login(request.getfixturevalue(persona))
    url = reverse("consent_withdraw", args=["gruppe", listed_group.pk])
    assert client.get(url).status_code == 200


def test_another_offices_staff_get_404_and_nothing_changes(client, other_staff, listed_group):
    client.force_login(other_staff)
    url = reverse("consent_withdraw", args=["gruppe", listed_group.pk])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    listed_group.refresh_from_db()
    assert listed_group.contact_route == Group.ContactRoute.GROUP_EMAIL


@pytest.mark.parametrize("persona", ["starter", "coordinator"])
def test_other_roles_get_403(client, request, persona, listed_group):
    client.force_login(request.getfixturevalue(persona))
    url = reverse("consent_withdraw", args=["gruppe", listed_group.pk])
    assert client.post(url).status_code == 403
    listed_group.refresh_from_db()
    assert listed_group.public_email


def test_anonymous_visitors_are_sent_to_login(client, listed_group):
    url = reverse("consent_withdraw", args=["gruppe", listed_group.pk])
    response = client.post(url)
    assert response.status_code == 302 and reverse("login") in response.url


@pytest.mark.parametrize(("kind", "pk"), [("gruppe", 999999), ("unbekannt", 1)])
def test_bad_kind_or_id_answers_404(client, staff, listed_group, kind, pk):
    client.force_login(staff)
    assert client.get(reverse("consent_withdraw", args=[kind, pk])).status_code == 404


# The database keeps the records consistent ---------------------------------------------


def test_one_consent_in_force_per_subject(office, listed_group):
    fields = {
        "office": office,
        "scope": Consent.Scope.GROUP_PUBLICATION,
        "group": listed_group,
        "text": "x",
        "language": "de",
        "channel": Consent.Channel.PAPER,
        "given_at": timezone.now(),
    }
    Consent.objects.create(**fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Consent.objects.create(**fields)
    Consent.objects.update(withdrawn_at=timezone.now())
    Consent.objects.create(**fields)  # a new consent after a withdrawal
    assert Consent.objects.count() == 2


def test_a_consents_subject_matches_its_scope(office, listed_group):
    with pytest.raises(IntegrityError), transaction.atomic():
        Consent.objects.create(
            office=office,
            scope=Consent.Scope.STARTER_DATA,  # but about a group
            group=listed_group,
            text="x",
            language="de",
            channel=Consent.Channel.PAPER,
            given_at=timezone.now(),
        )


# Consents entered before the records existed -------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_migration_records_the_consents_entered_before(office, starter):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [
        ("kontaktstelle", "0005_audit_entries_and_legal_texts"),
        ("groups", "0004_inquiry_answered_and_anonymised"),
        ("starters", "0004_meeting_logs"),
    ]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    requests = old.get_model("groups", "Inquiry").objects
    inquiry = requests.create(
        office_id=office.pk,
        kind="contact_request",
        name="Sam",
        email="s@example.org",
        consent_at=timezone.now(),
    )
    requests.create(  # anonymised: nothing left to consent to
        office_id=office.pk,
        kind="contact_request",
        consent_at=timezone.now(),
        anonymised_at=timezone.now(),
    )
    group = old.get_model("groups", "Group").objects.create(
        office_id=office.pk,
        name="Alte Gruppe",
        slug="alte-gruppe",
        consent_published_on=datetime.date(2020, 5, 4),
    )
    old.get_model("starters", "Starter").objects.filter(user_id=starter.pk).update(
        consent_given_on=datetime.date(2021, 1, 2)
    )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    consents = list(Consent.objects.order_by("scope"))
    assert [(c.scope, c.inquiry_id, c.group_id, c.starter_id) for c in consents] == [
        (Consent.Scope.GROUP_PUBLICATION, None, group.pk, None),
        (Consent.Scope.INQUIRY, inquiry.pk, None, None),
        (Consent.Scope.STARTER_DATA, None, None, starter.starter.pk),
    ]
    assert all("nicht bekannt" in c.text and c.is_active for c in consents)
    assert timezone.localtime(consents[0].given_at).date() == datetime.date(2020, 5, 4)
    assert consents[1].channel == Consent.Channel.WEB_FORM
