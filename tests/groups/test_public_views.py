from unittest import mock

import pytest
from django.db import OperationalError
from django.urls import reverse

from tests.factories import SiteFactory


def test_home_shows_office_sites_and_search_box(client, office, site, other_site, settings):
    settings.PUBLIC_OFFICE_SLUG = ""
    response = client.get("/")
    assert response.status_code == 200
    content = response.content.decode()
    assert '<html lang="de">' in content
    assert "KISS Musterstadt" in content
    assert "Standort Mitte" in content
    assert "Lindenstraße 1" in content
    assert "Do 14–18 Uhr" in content
    assert 'action="/gruppen/"' in content
    # Only the office's own sites.
    assert "Standort Anderswo" not in content


def test_home_shows_the_configured_public_office(
    client, office, other_office, other_site, settings
):
    settings.PUBLIC_OFFICE_SLUG = "anderswo"
    response = client.get("/")
    assert "Selbsthilfebüro Anderswo" in response.content.decode()
    assert "Standort Anderswo" in response.content.decode()


def test_office_public_page_and_unknown_slug(client, other_office, other_site):
    assert client.get(reverse("office_public", args=["anderswo"])).status_code == 200
    assert client.get(reverse("office_public", args=["gibt-es-nicht"])).status_code == 404


def test_home_without_any_office_still_works(client, db):
    response = client.get("/")
    assert response.status_code == 200
    assert "Selbsthilfe-Kontaktstelle" in response.content.decode()


def test_home_query_count_does_not_grow_with_sites(client, office, django_assert_max_num_queries):
    for _ in range(8):
        SiteFactory(office=office)
    with django_assert_max_num_queries(2):
        assert client.get("/").status_code == 200


def test_home_is_german_even_for_english_browsers(client, office):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "Wo Sie uns finden" in response.content.decode()


def test_english_when_chosen(client, office):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    content = client.get("/").content.decode()
    assert '<html lang="en">' in content
    assert "Where to find us" in content


def test_directory_keeps_the_query_in_the_search_box(client, db):
    response = client.get(reverse("groups:directory"), {"q": "Depression"})
    assert response.status_code == 200
    assert 'value="Depression"' in response.content.decode()


def test_healthz_ok(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"


def test_healthz_answers_503_when_the_database_is_down(client, db):
    with mock.patch(
        "django.db.backends.utils.CursorWrapper.execute",
        side_effect=OperationalError("connection refused"),
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.content == b"database unavailable\n"


def test_unknown_page_is_a_german_404(client, staff):
    for logged_in in (False, True):
        if logged_in:
            client.force_login(staff)
        response = client.get("/gibt-es-nicht/")
        assert response.status_code == 404
        assert "Seite nicht gefunden" in response.content.decode()


@pytest.mark.parametrize("url", ["/", "/gruppen/", "/anmelden/", "/passwort/vergessen/"])
def test_public_pages_have_security_headers(client, db, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
