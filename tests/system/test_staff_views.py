"""Role and office checks of the logged-in areas: works / outsider 404 / wrong role 403 /
anonymous to login / bad id."""

import pytest
from django.urls import reverse

from tests.factories import RoomFactory, SiteFactory, StarterFactory


def assert_redirects_to_login(response):
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_dashboard_works_for_staff(client, staff, site, other_site):
    client.force_login(staff)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Übersicht" in content
    assert "KISS Musterstadt" in content
    assert "Standort Mitte" in content
    assert "Standort Anderswo" not in content


def test_dashboard_works_for_office_admin_with_admin_link(client, office_admin, site):
    client.force_login(office_admin)
    content = client.get(reverse("dashboard")).content.decode()
    assert reverse("admin:index") in content


def test_dashboard_of_other_office_shows_only_their_sites(client, other_staff, site, other_site):
    client.force_login(other_staff)
    content = client.get(reverse("dashboard")).content.decode()
    assert "Standort Anderswo" in content
    assert "Standort Mitte" not in content


@pytest.mark.parametrize("persona", ["starter", "coordinator"])
def test_dashboard_refuses_other_roles(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("dashboard")).status_code == 403


def test_dashboard_anonymous_goes_to_login(client, db):
    assert_redirects_to_login(client.get(reverse("dashboard")))


def test_dashboard_query_count_does_not_grow_with_sites(
    client, staff, office, django_assert_max_num_queries
):
    client.force_login(staff)
    for _ in range(10):
        RoomFactory(site=SiteFactory(office=office))
        StarterFactory(office=office)
    # session, user, membership, sites, group counts, new inquiries, starter counts,
    # certificates to sign off, accompaniment counts, unanswered offers
    # +1: the menu's count of new requests in the inbox (issue 19), on every staff page.
    with django_assert_max_num_queries(14):
        assert client.get(reverse("dashboard")).status_code == 200


def test_site_detail_works(client, staff, site):
    client.force_login(staff)
    response = client.get(site.get_absolute_url())
    assert response.status_code == 200
    content = response.content.decode()
    assert "Gruppenraum 1" in content
    assert "stufenlos" in content.lower()


def test_site_detail_of_another_office_is_404(client, staff, other_site):
    client.force_login(staff)
    assert client.get(other_site.get_absolute_url()).status_code == 404


def test_site_detail_bad_id_is_404(client, staff):
    client.force_login(staff)
    assert client.get(reverse("site_detail", args=[999999])).status_code == 404


@pytest.mark.parametrize("persona", ["starter", "coordinator"])
def test_site_detail_refuses_other_roles(client, request, persona, site):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(site.get_absolute_url()).status_code == 403


def test_site_detail_anonymous_goes_to_login(client, site):
    assert_redirects_to_login(client.get(site.get_absolute_url()))


def test_starter_area(client, starter):
    client.force_login(starter)
    response = client.get(reverse("starters:home"))
    assert response.status_code == 200
    assert "Maria Schneider" in response.content.decode()
    assert "KISS Musterstadt" in response.content.decode()


@pytest.mark.parametrize("persona", ["staff", "office_admin", "coordinator"])
def test_starter_area_refuses_other_roles(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("starters:home")).status_code == 403


def test_network_overview_shows_aggregates_of_the_network(
    client, coordinator, site, other_site, staff
):
    client.force_login(coordinator)
    response = client.get(reverse("network_overview"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "KISS Musterstadt" in content
    assert "Selbsthilfebüro Anderswo" in content
    # Anonymous figures only: no staff names or e-mail addresses.
    assert staff.email not in content
    assert staff.name not in content


@pytest.mark.parametrize("persona", ["staff", "office_admin", "starter"])
def test_network_overview_refuses_other_roles(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("network_overview")).status_code == 403


def test_navigation_follows_the_role(client, staff, starter):
    client.force_login(staff)
    content = client.get(reverse("dashboard")).content.decode()
    assert reverse("starters:home") not in content
    assert reverse("admin:index") not in content
    client.force_login(starter)
    content = client.get(reverse("starters:home")).content.decode()
    assert "Mein Bereich" in content
    assert reverse("dashboard") not in content
