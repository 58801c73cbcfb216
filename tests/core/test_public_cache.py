"""The cache of public pages: what is kept, for whom, and when it is forgotten."""

import datetime
import re

import pytest
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.middleware.csrf import _unmask_cipher_token, get_token
from django.test import Client, RequestFactory
from django.urls import reverse

from groups.models import Group, Inquiry, Synonym
from groups.search import reindex_groups
from groups.services import close_group
from kontaktstelle.web import cache_versions, public_cache
from tests.factories import GroupFactory, TopicFactory

DIRECTORY = reverse("groups:directory")
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 300


@pytest.fixture
def group(office):
    group = GroupFactory(office=office, name="Trauercafé am Markt")
    reindex_groups([group.pk])
    return group


def warm(path, data=None):
    """Ask for a page twice, as two visitors: from then on it comes from the cache."""
    for _ in range(2):
        Client().get(path, data)


def test_a_page_is_kept_from_its_second_request_on(client, group):
    request = RequestFactory().get(DIRECTORY, {"q": "Trauercafé"})
    client.get(DIRECTORY, {"q": "Trauercafé"})
    assert cache.get(public_cache._key(request)) is None  # a one-off leaves a marker only
    client.get(DIRECTORY, {"q": "Trauercafé"})
    assert cache.get(public_cache._key(request)) is not None


def test_a_repeated_search_is_served_with_only_the_version_read(
    client, group, django_assert_num_queries
):
    # One primary-key read of the version, which lives in the database so that a cache
    # that missed an invalidation while it was down cannot serve a stale page (issue 16).
    warm(DIRECTORY, {"q": "Trauercafé"})
    first = client.get(DIRECTORY, {"q": "Trauercafé"})
    assert "Trauercafé am Markt" in first.content.decode()
    with django_assert_num_queries(1) as captured:
        again = client.get(DIRECTORY, {"q": "Trauercafé"})
    assert "kontaktstelle_cacheversion" in captured.captured_queries[0]["sql"]
    assert again.status_code == 200
    # The same page, but for the token in the footer's form, which is masked anew.
    assert TOKEN.sub("", again.content.decode()) == TOKEN.sub("", first.content.decode())
    # The headers are the site's own, as on any page (policy, language).
    assert again["Content-Security-Policy"] == first["Content-Security-Policy"]
    assert again["Content-Language"] == "de"


def test_another_query_is_another_page(client, group, office):
    other = GroupFactory(office=office, name="Angehörige psychisch Kranker")
    reindex_groups([other.pk])
    client.get(DIRECTORY, {"q": "Trauercafé"})
    content = client.get(DIRECTORY, {"q": "Angehörige"}).content.decode()
    assert "Angehörige psychisch Kranker" in content
    assert "Trauercafé am Markt" not in content


def test_closing_a_group_removes_it_at_once(client, group, staff):
    warm(DIRECTORY)
    assert "Trauercafé am Markt" in client.get(DIRECTORY).content.decode()
    close_group(staff, group)
    assert "Trauercafé am Markt" not in client.get(DIRECTORY).content.decode()


def test_a_new_group_appears_at_once(client, group, office):
    warm(DIRECTORY, {"q": "Tinnitus"})
    new = GroupFactory(office=office, name="Tinnitus-Gesprächskreis")
    reindex_groups([new.pk])
    assert "Tinnitus-Gesprächskreis" in client.get(DIRECTORY, {"q": "Tinnitus"}).content.decode()


def test_a_renamed_topic_and_a_new_synonym_reach_the_pages(client, office):
    topic = TopicFactory(name="Ohrgeräusche (Testthema)")
    group = GroupFactory(office=office, name="Gesprächskreis Nord", topics=[topic])
    reindex_groups([group.pk])
    warm(DIRECTORY)
    assert "Ohrgeräusche (Testthema)" in client.get(DIRECTORY).content.decode()
    topic.name = "Klingeln (Testthema)"
    topic.save()
    content = client.get(DIRECTORY).content.decode()
    assert "Klingeln (Testthema)" in content
    assert "Ohrgeräusche (Testthema)" not in content
    warm(DIRECTORY, {"q": "Pfeifen"})
    assert "Gesprächskreis Nord" not in client.get(DIRECTORY, {"q": "Pfeifen"}).content.decode()
    Synonym.objects.create(topic=topic, term="Pfeifen im Ohr")
    assert "Gesprächskreis Nord" in client.get(DIRECTORY, {"q": "Pfeifen"}).content.decode()


def test_a_changed_office_reaches_the_pages(client, office):
    # With nothing found, the directory names the office to ask.
    warm(DIRECTORY, {"q": "Nichtsdergleichen"})
    assert office.name in client.get(DIRECTORY, {"q": "Nichtsdergleichen"}).content.decode()
    office.name = "KISS Neustadt"
    office.save()
    assert "KISS Neustadt" in client.get(DIRECTORY, {"q": "Nichtsdergleichen"}).content.decode()


def test_the_version_moves_with_the_change_and_not_without_it(db):
    before = cache_versions.current(public_cache.VERSION_NAME)
    with pytest.raises(RuntimeError), transaction.atomic():
        public_cache.invalidate()
        raise RuntimeError("the change is rolled back")
    assert cache_versions.current(public_cache.VERSION_NAME) == before
    public_cache.invalidate()
    assert cache_versions.current(public_cache.VERSION_NAME) == before + 1


def test_each_language_has_its_own_page(client, group):
    warm(DIRECTORY)
    german = client.get(DIRECTORY).content.decode()
    client.cookies["django_language"] = "en"
    english = client.get(DIRECTORY).content.decode()
    assert '<html lang="de">' in german
    assert '<html lang="en">' in english


def test_logged_in_users_get_their_own_page(client, group, staff):
    warm(DIRECTORY)  # cached for visitors
    client.force_login(staff)
    response = client.get(DIRECTORY)
    assert "Log out" in response.content.decode() or "Abmelden" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    # Not stored either: the next visitor does not get the staff member's menu.
    visitor = Client().get(DIRECTORY).content.decode()
    assert "Abmelden" not in visitor
    assert str(staff) not in visitor


def test_a_waiting_notice_is_never_skipped(client, group, django_assert_max_num_queries):
    warm(DIRECTORY)
    client.cookies[CookieStorage.cookie_name] = "pending"
    with django_assert_max_num_queries(50) as captured:
        client.get(DIRECTORY)
    assert len(captured.captured_queries) > 0  # rendered, not taken from the cache


@pytest.mark.parametrize(("seconds", "fresh"), [(0, True), (300, False)])
def test_the_cache_can_be_turned_off(client, group, settings, seconds, fresh):
    settings.PUBLIC_PAGE_CACHE_SECONDS = seconds
    warm(DIRECTORY)
    # A change behind the app's back (no signal): only an uncached page shows it.
    Group.objects.filter(pk=group.pk).update(name="Trauercafé im Park")
    assert ("Trauercafé im Park" in client.get(DIRECTORY).content.decode()) is fresh


@pytest.mark.parametrize(
    ("view", "stored"),
    [
        (lambda request: HttpResponse("plain"), True),
        (lambda request: HttpResponse("not found", status=404), False),
        (lambda request: _with_cookie(HttpResponse("cookie")), False),
    ],
    ids=["plain", "not-found", "sets-cookie"],
)
def test_only_pages_alike_for_every_visitor_are_kept(db, view, stored):
    calls = []

    def counting(request):
        calls.append(request)
        return view(request)

    cached = public_cache.cache_public_page(counting)
    for _ in range(3):
        cached(RequestFactory().get("/gruppen/"))
    assert len(calls) == (2 if stored else 3)  # kept from the second request on


def test_each_visitor_gets_their_own_token_in_a_cached_form(db):
    def form(request):
        return HttpResponse(
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{get_token(request)}">'
        )

    cached = public_cache.cache_public_page(form)
    cached(RequestFactory().get("/gruppen/x/"))
    first, second = RequestFactory().get("/gruppen/x/"), RequestFactory().get("/gruppen/x/")
    first_page = cached(first).content.decode()
    second_page = cached(second).content.decode()  # from the cache
    stored = cache.get(public_cache._key(second))[1]
    assert b"csrfmiddlewaretoken" in stored
    assert first.META["CSRF_COOKIE"] not in stored.decode("latin-1")
    for request, page in ((first, first_page), (second, second_page)):
        token = page.split('value="')[1].split('"')[0]
        # A token masked from the visitor's own secret, which their cookie will carry.
        assert _unmask_cipher_token(token) == request.META["CSRF_COOKIE"]
        assert request.META["CSRF_COOKIE_NEEDS_UPDATE"]
    assert first.META["CSRF_COOKIE"] != second.META["CSRF_COOKIE"]


def test_posts_are_never_cached(db):
    calls = []
    cached = public_cache.cache_public_page(lambda request: calls.append(1) or HttpResponse("x"))
    for _ in range(3):
        cached(RequestFactory().post("/gruppen/"))
    assert len(calls) == 3


def _with_cookie(response):
    response.set_cookie("visited", "1")
    return response


def test_forms_on_cached_pages_keep_their_csrf_protection(group):
    warm(DIRECTORY)
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get(DIRECTORY)  # from the cache
    token = page.content.decode().split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    refused = Client(enforce_csrf_checks=True).post(
        reverse("set_language"), {"language": "en", "next": DIRECTORY}
    )
    assert refused.status_code == 403  # no cookie, no token: refused as before
    response = visitor.post(
        reverse("set_language"),
        {"language": "en", "next": DIRECTORY, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert response["Location"] == DIRECTORY
    assert '<html lang="en">' in visitor.get(DIRECTORY).content.decode()


def test_a_cached_group_page_takes_a_contact_request(group):
    url = group.get_public_url()
    warm(url)
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get(url).content.decode()  # from the cache
    token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    response = visitor.post(
        url,
        {
            "name": "Kim",
            "email": "kim@example.org",
            "message": "Ich möchte gern einmal vorbeikommen.",
            "consent": "on",
            "csrfmiddlewaretoken": token,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Inquiry.objects.filter(group=group, email="kim@example.org").exists()


def test_erasing_a_person_removes_their_contact_data_from_cached_pages(
    client, office, office_admin
):
    from kontaktstelle import privacy

    group = GroupFactory(
        office=office,
        name="Gruppe mit eigener Adresse",
        consent_published_on=datetime.date(2026, 1, 5),
        contact_route=Group.ContactRoute.GROUP_EMAIL,
        public_email="robin@example.org",
    )
    warm(group.get_public_url())
    assert "robin@example.org" in client.get(group.get_public_url()).content.decode()
    privacy.erase(office_admin, privacy.find_person(office, "robin@example.org"))
    assert "robin@example.org" not in client.get(group.get_public_url()).content.decode()


def test_a_search_without_result_is_never_kept_so_every_one_is_counted(client, group, office):
    from groups.models import MissedSearch

    missed = RequestFactory().get(DIRECTORY, {"q": "Xylophonbau"})
    for _ in range(4):
        assert client.get(DIRECTORY, {"q": "Xylophonbau"}).status_code == 200
    assert MissedSearch.objects.get(office=office).count == 4
    assert cache.get(public_cache._key(missed)) is None
    warm(DIRECTORY, {"q": "Trauercafé"})  # a search with results is kept as before
    found = RequestFactory().get(DIRECTORY, {"q": "Trauercafé"})
    assert cache.get(public_cache._key(found)) is not None
