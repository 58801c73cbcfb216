"""The audit trail: its rules, the request ID, each hook, and the office admin's page."""

import datetime
import re

import pytest
from django.core import mail
from django.db import transaction
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone

from groups.models import Inquiry
from kontaktstelle.accounts.models import Membership, User
from kontaktstelle.audit import services as audit
from kontaktstelle.audit.models import AuditEntry, AuditEntryError
from kontaktstelle.web.request_id import HEADER
from starters import services
from starters.forms import StarterForm
from starters.models import Starter
from tests.factories import PASSWORD, StarterFactory, member
from tests.starters.test_starters_models import availability_data, starter_form_data

Action = AuditEntry.Action


def only_entry(**filters):
    entries = list(AuditEntry.objects.filter(**filters))
    assert len(entries) == 1, entries
    return entries[0]


def entry_at(office, when, action=Action.EXPORT, label="export.csv"):
    """An entry written at a given time (the helper always writes "now")."""
    return AuditEntry.objects.create(at=when, office=office, action=action, target_label=label)


def aware(year, month, day, hour=12):
    return timezone.make_aware(datetime.datetime(year, month, day, hour))


# The model's rules ---------------------------------------------------------------


def test_an_entry_cannot_be_changed_or_deleted(staff, office):
    entry = audit.record(staff, Action.EXPORT, target="gruppen.csv")
    entry.target_label = "something else"
    with pytest.raises(AuditEntryError):
        entry.save()
    with pytest.raises(AuditEntryError):
        entry.delete()
    with pytest.raises(AuditEntryError):
        AuditEntry.objects.filter(pk=entry.pk).update(target_label="something else")
    with pytest.raises(AuditEntryError):
        AuditEntry.objects.all().delete()
    with pytest.raises(AuditEntryError), transaction.atomic():
        AuditEntry.objects.bulk_update([entry], ["target_label"])
    entry.refresh_from_db()
    assert entry.target_label == "gruppen.csv"
    assert AuditEntry.objects.count() == 1


def test_record_copies_labels_and_finds_the_office(staff, starter, office):
    entry = audit.record(staff, Action.PERSONAL_DATA_CHANGED, target=starter.starter)
    assert entry.actor == staff
    assert entry.actor_label == "Jonas Berger (fachkraft@example.org)"
    assert entry.office == office
    assert entry.target_type.model_class() is Starter
    assert entry.target_id == str(starter.starter.pk)
    assert entry.target_label == "Maria Schneider"
    assert entry.subject == starter
    assert entry.request_id == ""  # written outside a request
    assert entry.ip_address is None


def test_anonymise_person_removes_their_name_and_ip_but_keeps_the_entries(
    staff, starter, other_starter, office
):
    acted = AuditEntry.objects.create(
        actor=starter,
        actor_label="Maria Schneider (igs@example.org)",
        office=office,
        action=Action.PERSONAL_DATA_CHANGED,
        target_label="Maria Schneider",
        subject=starter,
        fields=["Telefon"],
        ip_address="192.0.2.7",
        request_id="a" * 32,
    )
    about = audit.record(staff, Action.PERSONAL_DATA_CHANGED, target=starter.starter)
    unrelated = audit.record(staff, Action.PERSONAL_DATA_CHANGED, target=other_starter.starter)

    assert AuditEntry.anonymise_person(starter) == 2

    acted.refresh_from_db()
    assert (acted.actor_label, acted.target_label, acted.ip_address) == ("", "", None)
    assert acted.anonymised_at is not None
    assert acted.fields == ["Telefon"]
    assert acted.request_id == "a" * 32
    about.refresh_from_db()
    assert about.target_label == ""
    assert about.actor_label == "Jonas Berger (fachkraft@example.org)"
    unrelated.refresh_from_db()
    assert unrelated.target_label == "Thomas Weber"
    assert unrelated.anonymised_at is None
    assert AuditEntry.objects.count() == 3


def test_deleting_a_person_keeps_the_entries_with_their_labels(staff, other_starter, office):
    entry = audit.record(staff, Action.PERSONAL_DATA_CHANGED, target=other_starter.starter)
    staff.delete()
    entry.refresh_from_db()
    assert entry.actor is None
    assert entry.actor_label == "Jonas Berger (fachkraft@example.org)"


def test_an_office_with_entries_cannot_be_deleted(staff, office):
    audit.record(staff, Action.EXPORT, target="gruppen.csv")
    with pytest.raises(ProtectedError):
        office.delete()


# The request ID -------------------------------------------------------------------


def test_every_response_carries_a_request_id(client, db):
    first = client.get(reverse("home"))[HEADER]
    second = client.get(reverse("login"))[HEADER]
    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert re.fullmatch(r"[0-9a-f]{32}", second)
    assert first != second


@pytest.mark.parametrize(
    ("incoming", "kept"),
    [
        ("proxy-7f3a9c1e.42", True),
        ("0123456789abcdef0123456789abcdef", True),
        ("short", False),
        ("with space and more", False),
        ("line\r\nX-Evil: 1", False),
        ("x" * 65, False),
    ],
)
def test_an_incoming_request_id_is_kept_only_when_well_formed(client, db, incoming, kept):
    response = client.get(reverse("home"), headers={HEADER: incoming})
    assert (response[HEADER] == incoming) is kept
    assert re.fullmatch(r"[A-Za-z0-9._-]{8,64}", response[HEADER])


# Hooks: exports -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("table", "export"),
    [("by_channel", "csv"), ("summary", "xlsx"), ("starters", "csv"), ("starters", "xlsx")],
)
def test_a_statistics_export_writes_one_entry(client, staff, office, table, export):
    client.force_login(staff)
    response = client.get(
        reverse("statistics"),
        {"start": "2025-01-01", "end": "2025-12-31", "table": table, "export": export},
    )
    assert response.status_code == 200
    entry = only_entry()
    assert entry.action == Action.EXPORT
    assert entry.actor == staff
    assert entry.office == office
    assert entry.target_label == f"{table}-2025-01-01-2025-12-31.{export}"
    assert entry.request_id == response[HEADER]
    assert entry.ip_address == "127.0.0.1"


def test_the_statistics_page_itself_writes_no_entry(client, staff):
    client.force_login(staff)
    assert client.get(reverse("statistics")).status_code == 200
    assert not AuditEntry.objects.exists()


def test_a_refused_export_writes_no_entry(client, staff):
    client.force_login(staff)
    response = client.get(reverse("statistics"), {"table": "nonsense", "export": "csv"})
    assert response.status_code == 404
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_group_export_writes_one_entry(client, office_admin, office, fmt):
    client.force_login(office_admin)
    response = client.get(reverse("groups:group_export"), {"format": fmt})
    assert response.status_code == 200
    entry = only_entry()
    assert (entry.action, entry.actor, entry.office) == (Action.EXPORT, office_admin, office)
    assert entry.target_label == f"gruppen.{fmt}"
    assert entry.request_id == response[HEADER]


def test_an_incoming_request_id_ends_up_in_the_entry(client, staff):
    client.force_login(staff)
    response = client.get(reverse("groups:group_export"), headers={HEADER: "from-the-proxy-0001"})
    assert only_entry().request_id == response[HEADER] == "from-the-proxy-0001"


# Hooks: starters' personal data ------------------------------------------------------


def staff_form_data(**values):
    """The staff's profile form as a browser posts it: choices left alone keep their default."""
    defaults = {
        name: field.initial
        for name, field in StarterForm.base_fields.items()
        if isinstance(field.initial, str)
    }
    return defaults | starter_form_data(**values)


@pytest.fixture
def profile(office):
    return StarterFactory(office=office, user_name="Hanna Kraus", user__email="hanna@example.org")


def test_staff_editing_a_profile_names_the_changed_fields_not_the_values(
    client, staff, office, profile
):
    client.force_login(staff)
    payload = staff_form_data(
        name="Hanna Kraus", email=profile.user.email, phone="0171 999888", notes="Vertraulich"
    ) | availability_data([(2, "18:00", "20:00")])
    response = client.post(reverse("starters:starter_update", args=[profile.pk]), payload)
    assert response.status_code == 302
    entry = only_entry()
    labels = StarterForm(office=office).fields
    assert entry.action == Action.PERSONAL_DATA_CHANGED
    assert (entry.actor, entry.office, entry.subject) == (staff, office, profile.user)
    assert entry.target_label == "Hanna Kraus"
    assert entry.fields == [
        str(labels["phone"].label),
        str(labels["notes"].label),
        str(Starter.availabilities.rel.related_model._meta.verbose_name),
    ]
    recorded = " ".join([entry.target_label, *entry.fields])
    assert "0171 999888" not in recorded
    assert "Vertraulich" not in recorded
    assert entry.request_id == response[HEADER]


def test_saving_an_unchanged_profile_writes_no_entry(client, staff, profile):
    client.force_login(staff)
    payload = staff_form_data(
        name="Hanna Kraus", email=profile.user.email, capacity=str(profile.capacity)
    ) | availability_data([])
    response = client.post(reverse("starters:starter_update", args=[profile.pk]), payload)
    assert response.status_code == 302
    assert not AuditEntry.objects.exists()


def test_a_starter_editing_their_own_profile_is_the_actor(client, starter, office):
    client.force_login(starter)
    payload = {"name": "Maria Schneider", "phone": "0171 2345678", "capacity": "2"}
    client.post(reverse("starters:own_profile"), payload | availability_data([]))
    entry = only_entry()
    assert (entry.actor, entry.subject, entry.office) == (starter, starter, office)
    assert len(entry.fields) == 1
    assert "0171" not in entry.fields[0]


def test_adding_a_starter_records_the_new_account(
    client, staff, office, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    payload = starter_form_data(email="neu@example.org") | availability_data([])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("starters:starter_create"), payload)
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    user = User.objects.get(email="neu@example.org")
    entry = only_entry()
    assert (entry.action, entry.actor, entry.subject, entry.office) == (
        Action.ACCOUNT_CREATED,
        staff,
        user,
        office,
    )


def test_closing_a_founding_interest_is_audited_without_the_visitors_name(staff, office):
    inquiry = Inquiry.objects.create(
        office=office,
        kind=Inquiry.Kind.FOUNDING_INTEREST,
        name="Sabine Interessiert",
        email="interesse@example.net",
        topic="Trauer",
        consent_at=timezone.now(),
    )
    services.create_founding_group(staff, inquiry)
    entry = only_entry(action=Action.PERSONAL_DATA_CHANGED)
    assert (entry.actor, entry.office, entry.subject) == (staff, office, None)
    assert entry.target_type.model_class() is Inquiry
    assert entry.target_id == str(inquiry.pk)
    assert "Sabine" not in entry.target_label
    assert str(inquiry.pk) in entry.target_label
    assert entry.fields == [str(Inquiry._meta.get_field("status").verbose_name)]


# Hooks: user accounts in the admin ------------------------------------------------------


def user_change_payload(user, **overrides):
    membership = user.membership
    data = {
        "email": user.email,
        "name": user.name,
        "is_active": "on",
        "membership-TOTAL_FORMS": "1",
        "membership-INITIAL_FORMS": "1",
        "membership-MIN_NUM_FORMS": "1",
        "membership-MAX_NUM_FORMS": "1",
        "membership-0-id": str(membership.pk),
        "membership-0-user": str(user.pk),
        "membership-0-role": membership.role,
    }
    data |= overrides
    return {key: value for key, value in data.items() if value is not None}


def change_user(client, user, **overrides):
    response = client.post(
        reverse("admin:kontaktstelle_user_change", args=[user.pk]),
        user_change_payload(user, **overrides),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    return response


def test_a_role_change_in_the_admin_is_a_change_of_permissions(client, office_admin, staff, office):
    client.force_login(office_admin)
    response = change_user(client, staff, **{"membership-0-role": "office_admin"})
    staff.membership.refresh_from_db()
    assert staff.membership.role == Membership.Role.OFFICE_ADMIN
    entry = only_entry()
    assert entry.action == Action.PERMISSIONS_CHANGED
    assert (entry.actor, entry.subject, entry.office) == (office_admin, staff, office)
    assert entry.fields == ["Rolle"]
    assert entry.request_id == response[HEADER]


def test_deactivating_an_account_in_the_admin(client, office_admin, staff):
    client.force_login(office_admin)
    change_user(client, staff, is_active=None)
    entry = only_entry()
    assert entry.action == Action.ACCOUNT_DEACTIVATED
    assert entry.subject == staff


def test_changing_name_and_address_in_the_admin_is_personal_data(client, office_admin, staff):
    client.force_login(office_admin)
    change_user(client, staff, name="Jonas Neu", email="jonas@example.org")
    entry = only_entry()
    assert entry.action == Action.PERSONAL_DATA_CHANGED
    assert sorted(entry.fields) == ["E-Mail-Adresse", "Name"]
    assert not {"Jonas Neu", "jonas@example.org", "Jonas Berger"} & set(entry.fields)


def test_saving_an_unchanged_user_in_the_admin_writes_no_entry(client, office_admin, staff):
    client.force_login(office_admin)
    change_user(client, staff)
    assert not AuditEntry.objects.exists()


def test_creating_a_user_in_the_admin(client, office_admin, office):
    client.force_login(office_admin)
    response = client.post(
        reverse("admin:kontaktstelle_user_add"),
        {
            "email": "neu@example.org",
            "name": "Neue Fachkraft",
            "usable_password": "false",
            "membership-TOTAL_FORMS": "1",
            "membership-INITIAL_FORMS": "0",
            "membership-MIN_NUM_FORMS": "1",
            "membership-MAX_NUM_FORMS": "1",
            "membership-0-role": "staff",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    entry = only_entry()
    assert entry.action == Action.ACCOUNT_CREATED
    assert (entry.actor, entry.office) == (office_admin, office)
    assert entry.subject == User.objects.get(email="neu@example.org")


def test_deleting_a_user_in_the_admin(client, office_admin, staff, office):
    client.force_login(office_admin)
    response = client.post(
        reverse("admin:kontaktstelle_user_delete", args=[staff.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not User.objects.filter(pk=staff.pk).exists()
    entry = only_entry()
    assert entry.action == Action.PERSONAL_DATA_DELETED
    assert (entry.actor, entry.office, entry.subject) == (office_admin, office, None)
    assert entry.target_label == "Jonas Berger (fachkraft@example.org)"


def test_deleting_users_in_bulk_in_the_admin(client, office_admin, staff, office):
    colleague = member(Membership.Role.STAFF, office=office, email="kollegin@example.org", name="")
    client.force_login(office_admin)
    response = client.post(
        reverse("admin:kontaktstelle_user_changelist"),
        {"action": "delete_selected", "_selected_action": [staff.pk, colleague.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not User.objects.filter(pk__in=[staff.pk, colleague.pk]).exists()
    entries = AuditEntry.objects.filter(action=Action.PERSONAL_DATA_DELETED)
    assert sorted(entries.values_list("target_label", flat=True)) == [
        "Jonas Berger (fachkraft@example.org)",
        "kollegin@example.org",
    ]
    assert set(entries.values_list("office", flat=True)) == {office.pk}


def test_the_admin_shows_the_trail_to_operators_read_only(client, office, staff, office_admin):
    entry = audit.record(staff, Action.EXPORT, target="gruppen.csv")
    operator = User.objects.create_superuser(email="betrieb@example.org", password=PASSWORD)
    client.force_login(operator)
    changelist = client.get(reverse("admin:kontaktstelle_auditentry_changelist"))
    assert changelist.status_code == 200
    assert "gruppen.csv" in changelist.content.decode()
    assert 'value="delete_selected"' not in changelist.content.decode()
    change = client.get(reverse("admin:kontaktstelle_auditentry_change", args=[entry.pk]))
    assert change.status_code == 200
    assert 'name="_save"' not in change.content.decode()
    assert client.get(reverse("admin:kontaktstelle_auditentry_add")).status_code == 403
    delete_url = reverse("admin:kontaktstelle_auditentry_delete", args=[entry.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    client.force_login(office_admin)
    assert client.get(reverse("admin:kontaktstelle_auditentry_changelist")).status_code == 403
    assert AuditEntry.objects.count() == 1


# The office admin's page ---------------------------------------------------------------


def test_office_admin_sees_their_office_entries_newest_first(
    client, office_admin, staff, office, other_staff
):
    entry_at(office, aware(2026, 3, 1), label="alt.csv")
    entry_at(office, aware(2026, 3, 5), label="neu.csv")
    audit.record(other_staff, Action.EXPORT, target="fremd.csv")
    client.force_login(office_admin)
    response = client.get(reverse("audit_log"))
    assert response.status_code == 200
    content = response.content.decode()
    assert content.index("neu.csv") < content.index("alt.csv")
    assert "fremd.csv" not in content
    assert [e.target_label for e in response.context["entries"]] == ["neu.csv", "alt.csv"]


def test_other_office_admin_sees_none_of_this_offices_entries(client, staff, other_office_admin):
    audit.record(staff, Action.EXPORT, target="gruppen.csv")
    client.force_login(other_office_admin)
    response = client.get(reverse("audit_log"))
    assert response.status_code == 200
    assert list(response.context["entries"]) == []
    assert "gruppen.csv" not in response.content.decode()


@pytest.mark.parametrize("persona", ["staff", "starter", "coordinator"])
def test_the_page_refuses_other_roles(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("audit_log")).status_code == 403


def test_anonymous_visitors_go_to_login(client, db):
    response = client.get(reverse("audit_log"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_page_offers_no_way_to_change_an_entry(client, office_admin, staff):
    audit.record(staff, Action.EXPORT, target="gruppen.csv")
    client.force_login(office_admin)
    content = client.get(reverse("audit_log")).content.decode()
    # The only forms that post are the layout's: log out and choose the language.
    actions = re.findall(r'<form[^>]*method="post"[^>]*>', content)
    assert len(actions) == 2
    assert all(reverse("logout") in f or reverse("set_language") in f for f in actions)
    assert client.post(reverse("audit_log")).status_code == 405
    assert AuditEntry.objects.count() == 1


def test_filter_by_action(client, office_admin, office):
    entry_at(office, aware(2026, 3, 1), label="export.csv")
    entry_at(office, aware(2026, 3, 2), Action.PERMISSIONS_CHANGED, label="Jonas Berger")
    client.force_login(office_admin)
    response = client.get(reverse("audit_log"), {"action": Action.PERMISSIONS_CHANGED})
    assert [e.target_label for e in response.context["entries"]] == ["Jonas Berger"]


def test_filter_by_period_takes_whole_local_days(client, office_admin, office):
    berlin = timezone.get_default_timezone()
    for label, moment in [
        ("before", datetime.datetime(2026, 2, 28, 23, 59, tzinfo=berlin)),
        ("first", datetime.datetime(2026, 3, 1, 0, 0, tzinfo=berlin)),
        ("last", datetime.datetime(2026, 3, 31, 23, 59, tzinfo=berlin)),
        ("after", datetime.datetime(2026, 4, 1, 0, 0, tzinfo=berlin)),
    ]:
        entry_at(office, moment, label=label)
    client.force_login(office_admin)
    response = client.get(reverse("audit_log"), {"start": "2026-03-01", "end": "2026-03-31"})
    assert [e.target_label for e in response.context["entries"]] == ["last", "first"]


def test_an_inverted_period_is_an_error_and_filters_nothing(client, office_admin, office):
    entry_at(office, aware(2026, 3, 1))
    client.force_login(office_admin)
    response = client.get(reverse("audit_log"), {"start": "2026-04-01", "end": "2026-03-01"})
    assert response.status_code == 200
    assert len(response.context["entries"]) == 1
    assert "alert-danger" in response.content.decode()


@pytest.mark.parametrize(("start", "end"), [("0001-01-01", ""), ("", "9999-12-31")])
def test_far_off_dates_are_an_error_and_filter_nothing(client, office_admin, office, start, end):
    entry_at(office, aware(2026, 3, 1))
    client.force_login(office_admin)
    response = client.get(reverse("audit_log"), {"start": start, "end": end})
    assert response.status_code == 200
    assert len(response.context["entries"]) == 1
    assert response.context["filter_form"].errors


def test_the_page_is_paginated_and_keeps_the_filter(client, office_admin, office):
    for day in range(1, 28):
        for hour in (9, 11):
            entry_at(office, aware(2026, 2, day, hour))
    client.force_login(office_admin)
    first = client.get(reverse("audit_log"), {"action": Action.EXPORT})
    assert len(first.context["entries"]) == 50
    assert "action=export&amp;page=2" in first.content.decode()
    second = client.get(reverse("audit_log"), {"action": Action.EXPORT, "page": 2})
    assert len(second.context["entries"]) == 4


@pytest.mark.parametrize("count", [1, 50])
def test_the_page_makes_the_same_queries_for_few_and_many_entries(
    client, office_admin, staff, starter, office, django_assert_max_num_queries, count
):
    for _ in range(count):
        audit.record(staff, Action.PERSONAL_DATA_CHANGED, target=starter.starter, changes=["x"])
    client.force_login(office_admin)
    # +1: the menu's count of new requests in the inbox (issue 19), on every staff page.
    with django_assert_max_num_queries(7):
        response = client.get(reverse("audit_log"))
    assert len(response.context["entries"]) == count


def test_the_user_menu_links_the_page_for_office_admins_only(client, office_admin, staff):
    client.force_login(office_admin)
    assert reverse("audit_log") in client.get(reverse("dashboard")).content.decode()
    client.force_login(staff)
    assert reverse("audit_log") not in client.get(reverse("dashboard")).content.decode()
