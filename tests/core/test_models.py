import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from kontaktstelle.accounts.models import Membership, User
from kontaktstelle.offices.models import Room, Site
from tests.factories import PASSWORD, RoomFactory, SiteFactory, UserFactory

Role = Membership.Role


@pytest.mark.django_db
def test_email_is_unique_regardless_of_case():
    UserFactory(email="anna@example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user(email="ANNA@example.org")
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_email_case_variant_fails_model_validation_with_german_message():
    UserFactory(email="anna@example.org")
    user = User(email="ANNA@example.org")
    with pytest.raises(ValidationError) as excinfo:
        user.validate_constraints()
    assert "Es gibt bereits ein Konto mit dieser E-Mail-Adresse." in str(excinfo.value)


@pytest.mark.django_db
def test_login_lookup_ignores_case():
    user = UserFactory(email="anna@example.org")
    assert User.objects.get_by_natural_key("ANNA@EXAMPLE.ORG") == user
    assert user.check_password(PASSWORD)


@pytest.mark.django_db
def test_create_user_normalises_domain_and_requires_email():
    user = User.objects.create_user(email="Bernd@EXAMPLE.org", password="x" * 12)
    assert user.email == "Bernd@example.org"
    with pytest.raises(ValueError):
        User.objects.create_user(email="", password="x" * 12)


@pytest.mark.django_db
def test_role_properties(staff, office_admin, starter, coordinator, office):
    assert staff.is_office_staff and not staff.is_office_admin
    assert office_admin.is_office_staff and office_admin.is_office_admin
    assert starter.is_starter and not starter.is_office_staff
    assert coordinator.is_coordinator and coordinator.office is None
    assert staff.office == office
    assert UserFactory().role is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "with_office", "with_network"),
    [
        (Role.STAFF, False, True),
        (Role.STAFF, True, True),
        (Role.STARTER, False, False),
        (Role.COORDINATOR, True, False),
        (Role.COORDINATOR, False, False),
    ],
)
def test_membership_scope_must_match_role(role, with_office, with_network, office, network):
    user = UserFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            user=user,
            role=role,
            office=office if with_office else None,
            network=network if with_network else None,
        )


@pytest.mark.django_db
def test_a_user_has_at_most_one_membership(staff, other_office):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=staff, role=Role.STAFF, office=other_office)


@pytest.mark.django_db
def test_room_needs_a_seat(site):
    with pytest.raises(IntegrityError), transaction.atomic():
        RoomFactory(site=site, capacity=0)


@pytest.mark.django_db
def test_site_names_are_unique_per_office_only(office, other_office):
    SiteFactory(office=office, name="Mitte")
    SiteFactory(office=other_office, name="Mitte")
    with pytest.raises(IntegrityError), transaction.atomic():
        SiteFactory(office=office, name="Mitte")


@pytest.mark.django_db
def test_for_user_scopes_sites_and_rooms_to_the_users_office(
    site, other_site, staff, other_staff, starter, coordinator
):
    RoomFactory(site=other_site)
    assert list(Site.objects.for_user(staff)) == [site]
    assert list(Site.objects.for_user(other_staff)) == [other_site]
    assert set(Room.objects.for_user(staff)) == set(site.rooms.all())
    assert not Site.objects.for_user(starter).exists()
    assert not Site.objects.for_user(coordinator).exists()


def test_string_representations(db, site):
    room = site.rooms.get()
    assert str(site) == "Standort Mitte"
    assert str(room) == "Gruppenraum 1 (Standort Mitte)"
    assert site.opening_hours_lines == ["Mo 9–12 Uhr", "Do 14–18 Uhr"]
