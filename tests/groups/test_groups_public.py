"""Public pages of the directory: group page, contact form, founding pages, privacy."""

import pytest
from django.urls import reverse

from groups.models import Group, Inquiry
from groups.search import reindex_groups
from tests.factories import GroupFactory, TopicFactory


@pytest.fixture
def public_group(office, site):
    group = GroupFactory(
        office=office,
        name="Trauercafé Mitte",
        slug="trauercafe-mitte",
        topics=[TopicFactory(name="Testthema Trauer")],
        listing=Group.Listing.PUBLIC_WITH_PLACE,
        room=site.rooms.get(),
        contact_name="Geheime Ansprechperson",
        contact_email="geheim@example.org",
        internal_notes="Interne Notiz",
    )
    reindex_groups([group.pk])
    return group


def contact_data(**overrides):
    data = {
        "name": "Sam",
        "email": "sam@example.org",
        "phone": "",
        "message": "Ich würde gern einmal vorbeikommen.",
        "consent": "on",
        "website": "",
    }
    data.update(overrides)
    return data


def test_group_page_shows_public_data_only(client, public_group):
    response = client.get(public_group.get_public_url())
    assert response.status_code == 200
    content = response.content.decode()
    assert "Trauercafé Mitte" in content
    assert "Standort Mitte" in content  # listed with meeting place
    assert "Testthema Trauer" in content
    for secret in ("Geheime Ansprechperson", "geheim@example.org", "Interne Notiz"):
        assert secret not in content


def test_group_without_meeting_place_never_shows_the_address(client, office, site):
    group = GroupFactory(
        office=office,
        listing=Group.Listing.PUBLIC_WITHOUT_PLACE,
        street="Geheimweg 7",
        city="Musterstadt",
    )
    content = client.get(group.get_public_url()).content.decode()
    assert "Geheimweg 7" not in content
    assert "Treffpunkt erfahren Sie über die Kontaktstelle" in content
    in_room = GroupFactory(
        office=office, listing=Group.Listing.PUBLIC_WITHOUT_PLACE, room=site.rooms.get()
    )
    content = client.get(in_room.get_public_url()).content.decode()
    assert site.street not in content.split("<main")[1].split("Wo Sie uns")[0]


@pytest.mark.parametrize(
    "overrides",
    [{"listing": Group.Listing.UNLISTED}, {"status": Group.Status.CLOSED}],
)
def test_unlisted_or_closed_group_page_is_404(client, office, overrides):
    group = GroupFactory(office=office, **overrides)
    assert client.get(group.get_public_url()).status_code == 404
    assert client.post(group.get_public_url(), contact_data()).status_code == 404
    assert not Inquiry.objects.exists()


def test_contact_request_lands_in_the_inbox_of_the_groups_office(
    client, public_group, staff, other_staff
):
    response = client.post(public_group.get_public_url(), contact_data())
    assert response.status_code == 302
    assert response["Location"] == reverse("groups:thanks")
    inquiry = Inquiry.objects.get()
    assert inquiry.office == public_group.office
    assert inquiry.group == public_group
    assert inquiry.kind == Inquiry.Kind.CONTACT_REQUEST
    assert inquiry.consent_at is not None
    client.force_login(staff)
    inbox = client.get(reverse("groups:inbox")).content.decode()
    assert "sam@example.org" in inbox and "Trauercafé Mitte" in inbox
    client.force_login(other_staff)
    assert "sam@example.org" not in client.get(reverse("groups:inbox")).content.decode()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"consent": ""}, "Bitte stimmen Sie zu"),
        ({"email": "keine-adresse"}, "gültige E-Mail-Adresse"),
        ({"email": "", "phone": ""}, "E-Mail-Adresse oder eine Telefonnummer"),
        ({"name": ""}, "Dieses Feld ist zwingend erforderlich"),
    ],
)
def test_contact_form_rejects_bad_input_and_keeps_what_was_typed(
    client, public_group, overrides, message
):
    response = client.post(public_group.get_public_url(), contact_data(**overrides))
    assert response.status_code == 200
    content = response.content.decode()
    assert message in content
    assert "Ich würde gern einmal vorbeikommen." in content
    assert not Inquiry.objects.exists()


def test_contact_form_honeypot_rejects_bots(client, public_group):
    response = client.post(public_group.get_public_url(), contact_data(website="http://spam"))
    assert response.status_code == 200
    assert not Inquiry.objects.exists()


def test_contact_form_rate_limit(client, public_group):
    for _ in range(5):
        assert client.post(public_group.get_public_url(), contact_data()).status_code == 302
    response = client.post(public_group.get_public_url(), contact_data())
    assert response.status_code == 200
    assert "mehrere Anfragen" in response.content.decode()
    assert Inquiry.objects.count() == 5


def test_founding_interest_lands_in_the_inbox(client, office, site, staff):
    page = client.get(reverse("groups:founding_interest"))
    assert page.status_code == 200
    response = client.post(reverse("groups:founding_interest"), contact_data(topic="Long COVID"))
    assert response.status_code == 302
    inquiry = Inquiry.objects.get()
    assert inquiry.kind == Inquiry.Kind.FOUNDING_INTEREST
    assert inquiry.topic == "Long COVID"
    assert inquiry.office == office


def test_founding_interest_needs_a_topic(client, office):
    response = client.post(reverse("groups:founding_interest"), contact_data(topic=""))
    assert response.status_code == 200
    assert not Inquiry.objects.exists()


def test_founding_groups_page_lists_public_groups_being_founded(client, office):
    GroupFactory(office=office, name="Neu: Long-COVID-Gruppe", status=Group.Status.FOUNDING)
    GroupFactory(
        office=office,
        name="Geheime Gründung",
        status=Group.Status.FOUNDING,
        listing=Group.Listing.UNLISTED,
    )
    GroupFactory(office=office, name="Alte Gruppe")
    content = client.get(reverse("groups:founding_groups")).content.decode()
    assert "Neu: Long-COVID-Gruppe" in content
    assert "Geheime Gründung" not in content
    assert "Alte Gruppe" not in content


def test_directory_lists_only_public_groups(client, office, public_group):
    GroupFactory(office=office, name="Unsichtbar", listing=Group.Listing.UNLISTED)
    GroupFactory(office=office, name="Geschlossen", status=Group.Status.CLOSED)
    content = client.get(reverse("groups:directory")).content.decode()
    assert "Trauercafé Mitte" in content
    assert "Unsichtbar" not in content and "Geschlossen" not in content


def test_directory_query_count_does_not_grow(client, office, django_assert_max_num_queries):
    topics = [TopicFactory(name=f"Testthema Krebs {n}") for n in range(3)]
    groups = [GroupFactory(office=office, topics=topics) for _ in range(25)]
    reindex_groups([group.pk for group in groups])
    with django_assert_max_num_queries(8):
        assert client.get(reverse("groups:directory")).status_code == 200
    with django_assert_max_num_queries(10):
        response = client.get(reverse("groups:directory"), {"q": "Selbsthilfegruppe Krebs"})
        assert response.status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get(groups[0].get_public_url()).status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "<script>alert(1)</script>",
        "'; DROP TABLE groups_group; --",
        "x" * 10_000,
        "\x00\x1f\x7f Trauer",
        "%%%___",
        "Trauer " * 300,
    ],
)
def test_directory_survives_hostile_queries(client, public_group, query):
    response = client.get(reverse("groups:directory"), {"q": query})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"category": "gibt-es-nicht"},
        {"format": "teleport"},
        {"page": "abc"},
        {"page": "99999"},
        {"accessible": "vielleicht", "young": "x" * 500},
        {"place": "y" * 5000},
    ],
)
def test_directory_ignores_invalid_filters(client, public_group, params):
    response = client.get(reverse("groups:directory"), params)
    assert response.status_code == 200


def test_directory_nothing_found_is_kind_and_offers_help(client, office, public_group):
    content = client.get(reverse("groups:directory"), {"q": "Quantenphysik"}).content.decode()
    assert "0 Gruppen gefunden" in content
    assert "Gruppe gründen" in content
    assert office.name in content


def test_print_directory_lists_public_groups_by_category(
    client, office, public_group, django_assert_max_num_queries
):
    GroupFactory(office=office, name="Unsichtbar", listing=Group.Listing.UNLISTED)
    hidden_place = GroupFactory(
        office=office,
        name="Ohne Treffpunkt",
        listing=Group.Listing.PUBLIC_WITHOUT_PLACE,
        street="Geheimweg 7",
        topics=[TopicFactory()],
    )
    for _ in range(10):
        GroupFactory(office=office, topics=[TopicFactory()])
    with django_assert_max_num_queries(5):
        response = client.get(reverse("groups:print_directory"))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Trauercafé Mitte" in content and hidden_place.name in content
    assert public_group.topics.get().category.name in content
    assert "Unsichtbar" not in content
    assert "Geheimweg 7" not in content
    assert 'media="print"' in content
