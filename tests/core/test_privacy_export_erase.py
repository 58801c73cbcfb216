"""A person's export (GDPR Art. 15/20) and erasure (Art. 17): registry, service, views.

The central proof: a marker planted in every personal field of a person's data is in
the export, and after erasure it is found nowhere in the database, while every figure
of the statistics stays the same.
"""

import datetime
import json

import pytest
from axes.models import AccessAttempt, AccessLog
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.test.utils import isolate_apps
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from groups.models import Consultation, Group, Inquiry
from kontaktstelle import privacy
from kontaktstelle.accounts.models import Invitation, User
from kontaktstelle.audit import services as audit
from kontaktstelle.audit.models import AuditEntry
from kontaktstelle.consent.models import Consent
from kontaktstelle.notifications.models import Notification
from kontaktstelle.reports import statistics
from starters.meeting_logs import alert_staff
from starters.models import (
    Accompaniment,
    Assignment,
    Attendance,
    Availability,
    Certificate,
    CohortParticipation,
    Language,
    MeetingLog,
    Qualification,
    Starter,
)
from tests.factories import (
    GroupFactory,
    StarterFactory,
    TopicFactory,
    TrainingCohortFactory,
    TrainingEventFactory,
)

pytestmark = pytest.mark.django_db
MARKER = "ZZMARKER-7f3a"
OTHER = "ZZOTHER-2b9c"  # someone else's data: it must survive
EMAIL = f"{MARKER.lower()}@example.org"
TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)
EVERYTHING = statistics.Period(datetime.date(2015, 1, 1), TODAY + DAY)


# The data of a starter who also wrote in and is a group's contact person -------------------


def plant_visitor(office, email, marker, phone="0170 1234567"):
    """A request with its consent, and a group whose contact person has this address."""
    inquiry = Inquiry.objects.create(
        office=office,
        kind=Inquiry.Kind.CONTACT_REQUEST,
        name=f"Robin {marker}",
        email=email,
        phone=phone,
        topic=f"Thema {marker}",
        message=f"Nachricht {marker}",
        consent_at=timezone.now(),
    )
    privacy.record_web_consent(inquiry, "Ich bin einverstanden …")
    GroupFactory(
        office=office,
        name="Gruppe mit Ansprechperson",
        contact_name=f"Robin {marker}",
        contact_email=email,
        contact_phone=phone,
        internal_notes=f"Ansprechperson {marker}",
        consent_published_on=TODAY,
        contact_route=Group.ContactRoute.GROUP_EMAIL if email else Group.ContactRoute.GROUP_PHONE,
        public_email=email,
        public_phone=phone,
    )
    return inquiry


@pytest.fixture
def world(office, site, staff, office_admin):
    """A starter with every kind of record, a tandem partner and an anonymous programme."""
    user = StarterFactory(
        office=office, user_name=f"Anna {MARKER}", phone=MARKER
    ).user  # the factory's user gets its e-mail below
    User.objects.filter(pk=user.pk).update(email=EMAIL)
    user.refresh_from_db()
    starter = user.starter
    Starter.objects.filter(pk=starter.pk).update(
        towns=f"Nord {MARKER}",
        notes=f"Notiz {MARKER}",
        calendar_token_hash="f" * 64,
        consent_given_on=TODAY - 400 * DAY,
        agreement_signed_on=TODAY - 400 * DAY,
        has_car=True,
    )
    starter.refresh_from_db()
    starter.languages.add(Language.objects.get(code="tr"))
    starter.sites.add(site)
    starter.excluded_topics.add(TopicFactory(name="Testthema Migräne"))
    starter.qualifications.add(Qualification.objects.get(code="founding"))
    privacy.sync_consent(staff, starter)
    Availability.objects.create(
        starter=starter, weekday=1, starts_at=datetime.time(18), ends_at=datetime.time(21)
    )
    cohort = TrainingCohortFactory(office=office)
    CohortParticipation.objects.create(cohort=cohort, starter=starter, completed_on=TODAY)
    Attendance.objects.create(event=TrainingEventFactory(office=office), starter=starter)

    partner_user = StarterFactory(office=office, user_name=f"Bernd {OTHER}").user
    partner = partner_user.starter
    Starter.objects.filter(pk=partner.pk).update(notes=f"Notiz {OTHER}")
    accompaniment = Accompaniment.objects.create(
        office=office,
        group=GroupFactory(office=office),
        kind="founding",
        requested_by="Gründerin",
        planned_meetings=6,
        responsible=staff,
        status="completed",
        requested_on=TODAY - 120 * DAY,
        started_on=TODAY - 100 * DAY,
        completed_on=TODAY - 20 * DAY,
        outcome="continues",
    )
    for person, state in ((starter, "ended"), (partner, "ended")):
        Assignment.objects.create(
            accompaniment=accompaniment,
            starter=person,
            state=state,
            offered_by=staff,
            choice_reason=f"Erfahren {MARKER if person == starter else OTHER}",
        )
    declined = Accompaniment.objects.create(
        office=office,
        group=GroupFactory(office=office),
        kind="impulse",
        requested_by="Gruppe",
        planned_meetings=3,
        responsible=staff,
    )
    Assignment.objects.create(
        accompaniment=declined,
        starter=starter,
        state="declined",
        offered_by=staff,
        decline_reason=f"Keine Zeit {MARKER}",
    )
    own_log = None
    for days_ago, writer in ((90, user), (80, partner_user), (70, user)):
        log = MeetingLog.objects.create(
            accompaniment=accompaniment,
            held_on=TODAY - days_ago * DAY,
            starts_at=datetime.time(18),
            duration_minutes=120,
            participants=7,
            newcomers=2,
            process_note=f"Prozess {MARKER}",
            wants_talk=True,
            logged_by=writer,
        )
        log.accompanied_by.add(starter, partner)
        own_log = own_log or log
    partner_only = MeetingLog.objects.create(
        accompaniment=accompaniment,
        held_on=TODAY - 60 * DAY,
        starts_at=datetime.time(18),
        duration_minutes=60,
        participants=5,
        process_note=f"Prozess {OTHER}",
        logged_by=partner_user,
    )
    partner_only.accompanied_by.add(partner)
    alert_staff(own_log)  # a notification to staff that names the starter
    Notification.objects.create(
        user=user,
        kind=Notification.Kind.OFFER,
        key="offer:1",
        subject=f"Angebot für {MARKER}",
        body=f"Hallo {MARKER}",
        url="/mein-bereich/",
    )
    Certificate.objects.create(
        starter=starter,
        period_start=TODAY - 365 * DAY,
        period_end=TODAY,
        signed_by=staff,
        signed_on=TODAY,
        content={"name": f"Anna {MARKER}", "meetings": 3},
    )
    Invitation.objects.create(
        user=user, token_hash="e" * 64, invited_by=staff, expires_at=timezone.now()
    )
    plant_visitor(office, EMAIL, MARKER)
    audit.record(staff, audit.Action.PERSONAL_DATA_CHANGED, target=starter, changes=["Telefon"])
    audit.record(user, audit.Action.EXPORT, target="meine-daten.json")
    LogEntry.objects.create(
        user=office_admin,
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(user.pk),
        object_repr=str(user),
        action_flag=CHANGE,
        change_message=json.dumps([{"changed": {"fields": ["Name"]}}]),
    )
    AccessLog.objects.create(username=EMAIL, ip_address="10.0.0.7", user_agent="Firefox")
    AccessAttempt.objects.create(
        username=EMAIL,
        ip_address="10.0.0.7",
        user_agent="Firefox",
        get_data="",
        post_data=f"username={EMAIL}",
        failures_since_start=1,
    )
    TOTPDevice.objects.create(user=user, name=f"Telefon {MARKER}")
    # Anonymous work of the office that the statistics count.
    Consultation.objects.create(
        office=office,
        held_on=TODAY - 10 * DAY,
        channel=Consultation.Channel.WEB_FORM,
        asker=Consultation.Asker.AFFECTED,
        information_only=True,
        inquiry=Inquiry.objects.get(email=EMAIL),
        created_by=staff,
    )
    return user


def figures(office):
    rows = statistics.starter_rows(office, EVERYTHING)
    return {
        "programme": statistics.programme_counts([office], EVERYTHING),
        "consultations": statistics.consultation_totals(office, EVERYTHING),
        "per_starter": sorted((row.meetings, row.minutes, row.accompaniments) for row in rows),
    }


def rows_with(text):
    """(model label or table, pk) of every row in the database holding ``text`` anywhere."""
    tables = {model._meta.db_table: model for model in apps.get_models(include_auto_created=True)}
    found = set()
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            columns = [column[0] for column in cursor.description]
            for row in cursor.fetchall():
                if any(text.lower() in str(value).lower() for value in row):
                    model = tables.get(table)
                    if model is None:
                        found.add((table, None))
                    else:
                        pk = row[columns.index(model._meta.pk.column)]
                        found.add((model._meta.label_lower, pk))
    return found


# The registry covers every model --------------------------------------------------------


def test_the_registry_covers_every_model_relation_and_personal_field():
    assert privacy.registry_problems() == []


def test_the_registry_check_fails_for_a_forgotten_model_or_field():
    with isolate_apps("kontaktstelle"):

        class Feedback(models.Model):  # noqa: DJ008
            author = models.ForeignKey(User, on_delete=models.CASCADE)
            phone = models.CharField(max_length=30)

            class Meta:
                app_label = "kontaktstelle"

        class Rating(models.Model):  # noqa: DJ008
            stars = models.PositiveSmallIntegerField()

            class Meta:
                app_label = "kontaktstelle"

        assert privacy.registry_problems([Feedback, Rating]) == [
            "kontaktstelle.feedback: not in the registry",
            "kontaktstelle.rating: not in the registry",
        ]
    with isolate_apps("starters"):

        class Starter(models.Model):  # noqa: DJ008 - the registered name, one more relation
            user = models.OneToOneField(User, on_delete=models.PROTECT)
            buddy = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
            emergency_contact = models.CharField(max_length=100)
            phone = models.CharField(max_length=30)
            status = models.CharField(max_length=20, choices=[("a", "a")])

            class Meta:
                app_label = "starters"

        problems = privacy.registry_problems([Starter])
    assert "starters.starter.buddy: relation to a person without a rule" in problems
    assert "starters.starter.emergency_contact: neither personal nor reviewed" in problems
    assert "starters.starter.towns: no such field" in problems  # the registry is stale
    assert not any(".status:" in problem or ".phone:" in problem for problem in problems)


# Export ---------------------------------------------------------------------------------


def test_export_holds_every_row_that_holds_the_persons_data(world, office):
    planted = rows_with(MARKER)
    assert len(planted) == 18  # every kind of record planted above
    document = json.loads(privacy.export(privacy.Person(office=office, user=world)))
    assert document["format"] == "kontaktstelle-personal-data"
    exported = {(label, row["id"]) for label, rows in document["records"].items() for row in rows}
    assert planted <= exported, planted - exported
    expected = {
        "kontaktstelle.user",
        "kontaktstelle.membership",
        "kontaktstelle.notification",
        "kontaktstelle.invitation",
        "kontaktstelle.consent",
        "kontaktstelle.auditentry",
        "starters.starter",
        "starters.availability",
        "starters.cohortparticipation",
        "starters.attendance",
        "starters.assignment",
        "starters.meetinglog",
        "starters.certificate",
        "groups.inquiry",
        "groups.group",
        "admin.logentry",
        "axes.accesslog",
        "otp_totp.totpdevice",
    }
    assert expected <= set(document["records"])
    starter_row = document["records"]["starters.starter"][0]
    assert starter_row["notes"] == f"Notiz {MARKER}"
    assert len(starter_row["languages"]) == 1  # relations as ids
    # Credentials are never exported; nor the other starter's record.
    text = json.dumps(document)
    assert "password" not in document["records"]["kontaktstelle.user"][0]
    assert "e" * 64 not in text and "f" * 64 not in text
    assert OTHER not in json.dumps(document["records"]["starters.starter"])


def test_export_of_a_visitor_holds_their_requests_consents_and_contacts(office, other_office):
    inquiry = plant_visitor(office, "robin@example.org", MARKER)
    plant_visitor(other_office, "robin@example.org", OTHER)  # another office's records
    person = privacy.find_person(office, "Robin@Example.org")
    assert person.user is None
    document = json.loads(privacy.export(person))
    records = document["records"]
    assert [row["id"] for row in records["groups.inquiry"]] == [inquiry.pk]
    assert [row["inquiry"] for row in records["kontaktstelle.consent"]] == [inquiry.pk]
    assert records["groups.group"][0]["contact_name"] == f"Robin {MARKER}"
    assert OTHER not in json.dumps(document)


def test_a_visitor_is_found_by_phone_however_it_is_written(office):
    inquiry = plant_visitor(office, "", MARKER, phone="0170 / 123-45 67")
    person = privacy.find_person(office, "01701234567")
    document = json.loads(privacy.export(person))
    assert [row["id"] for row in document["records"]["groups.inquiry"]] == [inquiry.pk]


# Erasure --------------------------------------------------------------------------------


def test_after_erasure_the_marker_is_nowhere_and_the_statistics_are_unchanged(
    world, office, office_admin
):
    before = figures(office)
    assert before["programme"]["meetings"] == 4
    assert before["programme"]["volunteer_hours"] == 13.0
    assert before["consultations"]["totals"]["total"] == 1
    others_before = rows_with(OTHER)
    counts_before = {
        model: model.objects.count()
        for model in (MeetingLog, Assignment, Accompaniment, Consultation, Inquiry, Starter)
    }

    privacy.erase(office_admin, privacy.Person(office=office, user=world))

    assert rows_with(MARKER) == set()
    assert figures(office) == before
    assert rows_with(OTHER) == others_before  # the tandem partner's data is untouched
    assert {model: model.objects.count() for model in counts_before} == counts_before
    user = User.objects.get(pk=world.pk)
    assert not user.is_active and not user.has_usable_password()
    assert user.email == f"erased-{user.pk}@erased.invalid" and user.name == ""
    starter = user.starter
    assert starter.status == Starter.Status.RETIRED and starter.capacity == 0
    assert starter.calendar_token_hash == "" and starter.consent_given_on is None
    assert not starter.languages.exists() and not starter.excluded_topics.exists()
    assert not starter.availabilities.exists() and not starter.certificates.exists()
    assert not Invitation.objects.filter(user=user).exists()
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert not Consent.objects.active().exists()
    # The training record stays as anonymous counts.
    assert CohortParticipation.objects.filter(starter=starter).exists()
    entry = AuditEntry.objects.get(action=AuditEntry.Action.PERSONAL_DATA_DELETED)
    assert entry.actor == office_admin and entry.subject == user


def test_erasing_a_visitor_keeps_other_offices_and_counts(office, other_office, office_admin):
    plant_visitor(office, "robin@example.org", MARKER)
    plant_visitor(other_office, "robin@example.org", OTHER)
    before = statistics.consultation_totals(office, EVERYTHING)
    privacy.erase(office_admin, privacy.find_person(office, "robin@example.org"))
    assert rows_with(MARKER) == set()
    assert rows_with(OTHER)  # another office is another controller: its records stay
    inquiry = Inquiry.objects.get(office=office)
    assert inquiry.anonymised_at is not None
    assert statistics.consultation_totals(office, EVERYTHING) == before
    group = Group.objects.get(office=office)
    assert group.contact_route == Group.ContactRoute.OFFICE and group.public_email == ""
    assert Consent.objects.get(inquiry=inquiry).withdrawn_by == office_admin


def test_a_starter_on_a_running_accompaniment_cannot_be_erased(office, office_admin, staff):
    starter = StarterFactory(office=office)
    Starter.objects.filter(pk=starter.pk).update(load=1)
    with pytest.raises(privacy.PrivacyError):
        privacy.erase(office_admin, privacy.Person(office=office, user=starter.user))
    starter.user.refresh_from_db()
    assert starter.user.is_active
    assert not AuditEntry.objects.exists()


def test_nobody_erases_their_own_account(office, office_admin):
    with pytest.raises(privacy.PrivacyError):
        privacy.erase(office_admin, privacy.Person(office=office, user=office_admin))
    office_admin.refresh_from_db()
    assert office_admin.is_active


def test_erasure_is_complete_when_run_twice(world, office, office_admin):
    person = privacy.Person(office=office, user=world)
    privacy.erase(office_admin, person)
    privacy.erase(office_admin, privacy.Person(office=office, user=User.objects.get(pk=world.pk)))
    assert rows_with(MARKER) == set()


# Pages ----------------------------------------------------------------------------------


def test_office_admin_finds_exports_and_erases_a_starter(client, world, office_admin, office):
    client.force_login(office_admin)
    page = client.get(reverse("privacy"))
    assert page.status_code == 200
    account_url = reverse("privacy_account", args=[world.pk])
    assert account_url in page.content.decode()
    # Search by e-mail address (sent by POST) leads to the account.
    response = client.post(reverse("privacy"), {"contact": EMAIL.upper()})
    assert response.status_code == 302 and response.url == account_url
    overview = client.get(account_url)
    assert overview.status_code == 200
    assert {(entry["label"], entry["action"]) for entry in overview.context["summary"]} >= {
        ("kontaktstelle.notification", privacy.DELETE),
        ("starters.meetinglog", privacy.BLANK),
        ("kontaktstelle.membership", privacy.KEEP),
    }

    export = client.post(reverse("privacy_account_export", args=[world.pk]))
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/json")
    assert export["Content-Disposition"].startswith("attachment;")
    assert MARKER in json.loads(export.content)["records"]["starters.starter"][0]["notes"]
    assert AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT, actor=office_admin).exists()

    erase_url = reverse("privacy_account_erase", args=[world.pk])
    confirmation = client.get(erase_url)
    assert confirmation.status_code == 200
    actions = {entry["action"] for entry in confirmation.context["summary"]}
    assert actions == {privacy.DELETE, privacy.BLANK, privacy.KEEP}
    assert User.objects.get(pk=world.pk).is_active  # asking changes nothing
    response = client.post(erase_url)
    assert response.status_code == 302 and response.url == reverse("privacy")
    assert rows_with(MARKER) == set()
    client.logout()
    client.post(reverse("login"), {"username": EMAIL, "password": "correct-horse-battery"})
    assert "_auth_user_id" not in client.session


def test_office_admin_exports_and_erases_a_visitor_after_confirming(client, office_admin, office):
    plant_visitor(office, "robin@example.org", MARKER)
    client.force_login(office_admin)
    response = client.post(reverse("privacy"), {"contact": "robin@example.org"})
    assert response.status_code == 200
    assert response.context["summary"]
    export = client.post(reverse("privacy_visitor_export"), {"contact": "robin@example.org"})
    assert MARKER in export.content.decode()
    confirmation = client.post(reverse("privacy_visitor_erase"), {"contact": "robin@example.org"})
    assert confirmation.status_code == 200
    assert rows_with(MARKER)  # not yet
    response = client.post(
        reverse("privacy_visitor_erase"), {"contact": "robin@example.org", "confirmed": "1"}
    )
    assert response.status_code == 302
    assert rows_with(MARKER) == set()


def test_search_refuses_what_is_neither_address_nor_number(client, office_admin):
    client.force_login(office_admin)
    response = client.post(reverse("privacy"), {"contact": "abc"})
    assert response.status_code == 200
    assert response.context["form"].errors


def test_the_erase_page_refuses_a_starter_still_on_an_accompaniment(client, office_admin, office):
    starter = StarterFactory(office=office)
    Starter.objects.filter(pk=starter.pk).update(load=1)
    client.force_login(office_admin)
    response = client.post(reverse("privacy_account_erase", args=[starter.user.pk]), follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    starter.user.refresh_from_db()
    assert starter.user.is_active


def account_urls(user):
    return [
        ("get", reverse("privacy_account", args=[user.pk])),
        ("post", reverse("privacy_account_export", args=[user.pk])),
        ("get", reverse("privacy_account_erase", args=[user.pk])),
        ("post", reverse("privacy_account_erase", args=[user.pk])),
    ]


def test_another_offices_accounts_answer_404(client, office_admin, other_office_starter):
    client.force_login(office_admin)
    for method, url in account_urls(other_office_starter):
        assert getattr(client, method)(url).status_code == 404, url
    other_office_starter.refresh_from_db()
    assert other_office_starter.is_active


def test_another_offices_visitors_are_not_found(client, office_admin, other_office):
    plant_visitor(other_office, "robin@example.org", OTHER)
    client.force_login(office_admin)
    response = client.post(reverse("privacy"), {"contact": "robin@example.org"})
    assert response.context["summary"] == []
    response = client.post(
        reverse("privacy_visitor_erase"), {"contact": "robin@example.org", "confirmed": "1"}
    )
    assert rows_with(OTHER)


def test_bad_ids_answer_404(client, office_admin):
    client.force_login(office_admin)
    assert client.get(reverse("privacy_account", args=[999999])).status_code == 404


@pytest.mark.parametrize("persona", ["staff", "starter", "coordinator", "other_staff"])
def test_everyone_but_office_admins_gets_403(client, request, persona, world):
    client.force_login(request.getfixturevalue(persona))
    pages = [("get", reverse("privacy")), *account_urls(world)]
    pages += [
        ("post", reverse("privacy_visitor_export")),
        ("post", reverse("privacy_visitor_erase")),
    ]
    for method, url in pages:
        assert getattr(client, method)(url, {"contact": EMAIL}).status_code == 403, url
    assert rows_with(MARKER)


def test_anonymous_visitors_are_sent_to_login(client, world):
    response = client.get(reverse("privacy_account", args=[world.pk]))
    assert response.status_code == 302 and reverse("login") in response.url
