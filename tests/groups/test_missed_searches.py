"""Searches without result (issue 20): counted by words and month only, listed for staff
from three searches on, turned into a synonym or dismissed in one click, deleted after
the retention period."""

import datetime
import logging
from unittest import mock

import pytest
from django.db import DatabaseError, connection
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from groups import missed_searches, services
from groups.missed_searches import normalise, record
from groups.models import Group, MissedSearch, Synonym
from groups.search import reindex_groups
from kontaktstelle.privacy.retention import apply_retention
from tests.core.test_settings import STRONG_KEY
from tests.factories import GroupFactory, TopicFactory
from tests.processes import run_at_once

URL = reverse("groups:missed_searches")
TODAY = timezone.localdate()
THIS_MONTH = TODAY.replace(day=1)


def months_ago(count):
    """The first day of the month ``count`` months before this one."""
    year, month = divmod(THIS_MONTH.year * 12 + THIS_MONTH.month - 1 - count, 12)
    return datetime.date(year, month + 1, 1)


def missed(office, query, count, month=THIS_MONTH):
    return MissedSearch.objects.create(office=office, query=query, month=month, count=count)


@pytest.fixture
def public(settings, office):
    settings.PUBLIC_OFFICE_SLUG = office.slug
    return office


@pytest.fixture
def grief(db):
    return TopicFactory(name="Testthema Trauer")


@pytest.fixture
def group(office, grief):
    group = GroupFactory(
        office=office,
        name="Trauercafé am Markt",
        description="Wir treffen uns einmal im Monat.",
        topics=[grief],
        listing=Group.Listing.PUBLIC_WITH_PLACE,
    )
    reindex_groups([group.pk])
    return group


# Normalisation ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Trauer Kind", "kind trauer"),
        ("  kind   TRAUER ", "kind trauer"),
        ("Kind, Trauer!", "kind trauer"),
        ("trauer kind trauer", "kind trauer"),
        ("Ängste", "aengste"),
        ("Aengste", "aengste"),
        ("Ich suche eine Gruppe für Trauer", "trauer"),
        ("Typ-1-Diabetes", "typ-1-diabetes"),
        ("ME/CFS", "me/cfs"),
        ("Trisomie 21", "trisomie"),
    ],
)
def test_normalise_folds_sorts_and_drops_stop_words(query, expected):
    assert normalise(query) == expected


@pytest.mark.parametrize(
    "query", ["", "   ", "a", "ä", "12345", "1 2 3", "?!", "--- ...", "a 1", "Selbsthilfegruppe"]
)
def test_normalise_ignores_what_is_too_short_or_has_no_letters(query):
    assert normalise(query) == ""


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Trauer max.muster@example.org", "trauer"),
        ("bitte an sam@example.net schreiben", "schreiben"),
        ("Rückruf 0171 1234567", "rueckruf"),
        ("Angst +49 (0)30 123456", "angst"),
        ("Angst 030/1234-56", "angst"),
        ("Sucht tel:01701234567", "sucht"),
        ("Depression 12345 Musterstadt", "depression musterstadt"),
        ("geb. 01.02.1980 Trauer", "geb trauer"),
        ("Angst https://example.org/profil/sam www.example.org", "angst"),
        ("sam@example.org", ""),
        ("0171 1234567", ""),
    ],
)
def test_normalise_drops_what_may_be_personal_data(query, expected):
    assert normalise(query) == expected


def test_normalise_clips_to_the_field_without_cutting_a_word():
    query = " ".join(f"{letter * 30}" for letter in "abcdefghijkl")
    normalised = normalise(query)
    assert len(normalised) <= 200
    assert normalised.split() == [letter * 30 for letter in "abcdef"]
    assert len(normalise("x" * 70 + " trauer")) <= 200  # a 70-letter "word" is junk
    assert normalise("x" * 70 + " trauer") == "trauer"


# Recording ----------------------------------------------------------------------------


def test_one_row_per_office_query_and_month(office, other_office):
    record(office, "Trauer Kind")
    record(office, "kind trauer")
    record(other_office, "Kind Trauer")
    with mock.patch("groups.missed_searches.timezone.localdate", return_value=TODAY):
        record(office, "Trauer, Kind")
    rows = MissedSearch.objects.order_by("office", "month")
    assert [(row.office, row.query, row.month, row.count) for row in rows] == [
        (office, "kind trauer", THIS_MONTH, 3),
        (other_office, "kind trauer", THIS_MONTH, 1),
    ]
    next_month = months_ago(-1) + datetime.timedelta(days=14)
    with mock.patch("groups.missed_searches.timezone.localdate", return_value=next_month):
        record(office, "Trauer Kind")
    assert MissedSearch.objects.filter(office=office).count() == 2
    assert MissedSearch.objects.get(office=office, month=months_ago(-1)).count == 1


def test_nothing_personal_is_stored(office):
    record(office, "Trauer sam@example.org 0171 1234567")
    record(office, "sam@example.org")
    record(office, "0171 1234567")
    record(office, "a")
    assert list(MissedSearch.objects.values_list("query", "count")) == [("trauer", 1)]
    row = MissedSearch.objects.get()
    # Only these fields exist: no address, no session, no time finer than the month.
    assert {field.name for field in MissedSearch._meta.concrete_fields} == {
        "id",
        "office",
        "query",
        "month",
        "count",
    }
    assert row.month.day == 1


def test_a_row_created_at_the_same_moment_is_counted_up(office):
    """Another request creates the row between our UPDATE (0 rows) and our INSERT: the
    INSERT fails in its savepoint and the UPDATE is repeated."""
    missed(office, "trauer", 1)
    update = QuerySet.update
    calls = []

    def first_update_misses(queryset, **kwargs):
        calls.append(kwargs)
        return 0 if len(calls) == 1 else update(queryset, **kwargs)

    with mock.patch.object(QuerySet, "update", first_update_misses):
        record(office, "Trauer")
    assert len(calls) == 2
    assert MissedSearch.objects.get().count == 2


RECORD_AT_ONCE = """
import sys, time
import django
django.setup()
from django.db import connection
from groups import missed_searches, services
from kontaktstelle.offices.models import Office
office = Office.objects.get(slug="musterstadt")
connection.ensure_connection()
time.sleep(max(0.0, float(sys.argv[1]) - time.time()))
for _ in range(20):
    missed_searches.record(office, "Trauer Kind")
"""


@pytest.mark.django_db(transaction=True)
def test_two_servers_counting_at_once_lose_nothing(office):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite cannot run two writing processes at once")
    run_at_once(RECORD_AT_ONCE, {"DJANGO_SECRET_KEY": STRONG_KEY}, count=3)
    assert MissedSearch.objects.get().count == 60


def test_directory_counts_searches_without_result_only(client, public, group):
    assert client.get("/gruppen/", {"q": "Trauer"}).status_code == 200  # found
    client.get("/gruppen/")  # no query
    client.get("/gruppen/", {"q": "Verwaiste Eltern"})
    client.get("/gruppen/", {"q": "eltern verwaiste"})
    client.get("/gruppen/", {"q": "Gibtsnicht", "format": "online"})  # a filter emptied it
    assert list(MissedSearch.objects.values_list("office", "query", "count")) == [
        (public.pk, "eltern verwaiste", 2)
    ]


def test_a_failing_database_write_does_not_break_the_directory(client, public, group, caplog):
    with (
        mock.patch.object(missed_searches, "_count", side_effect=DatabaseError("disk full")),
        caplog.at_level(logging.WARNING, logger="groups.missed_searches"),
    ):
        response = client.get("/gruppen/", {"q": "Gibtsnicht"})
    assert response.status_code == 200
    assert "could not be counted" in caplog.text
    assert "Gibtsnicht" not in caplog.text and "gibtsnicht" not in caplog.text
    assert not MissedSearch.objects.exists()
    # The connection is still usable: the next search is counted.
    client.get("/gruppen/", {"q": "Gibtsnicht"})
    assert MissedSearch.objects.get().count == 1


# The staff page -----------------------------------------------------------------------


def test_staff_see_queries_asked_three_times_most_asked_first(client, staff, office):
    missed(office, "kind trauer", 2, months_ago(1))
    missed(office, "kind trauer", 1)  # three over two months
    missed(office, "fatigue", 5)
    missed(office, "einmal", 2)  # below the threshold
    missed(office, "veraltet", 9, months_ago(14))  # past the retention period
    client.force_login(staff)
    response = client.get(URL)
    assert response.status_code == 200
    assert [(row["query"], row["asked"]) for row in response.context["searches"]] == [
        ("fatigue", 5),
        ("kind trauer", 3),
    ]
    content = response.content.decode()
    assert "einmal" not in content and "veraltet" not in content


def test_another_offices_searches_are_never_shown(client, staff, office, other_office):
    missed(other_office, "fremdwort", 7)
    missed(office, "fremdwort", 1)
    client.force_login(staff)
    response = client.get(URL)
    assert list(response.context["searches"]) == []
    assert "fremdwort" not in response.content.decode()


def test_starters_and_visitors_are_refused(client, starter, coordinator):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    for user in (starter, coordinator):
        client.force_login(user)
        assert client.get(URL).status_code == 403
        assert client.post(URL, {"query": "x", "dismiss": "1"}).status_code == 403


def test_topics_page_links_to_it(client, staff):
    client.force_login(staff)
    assert f'href="{URL}"' in client.get(reverse("groups:topic_list")).content.decode()


def test_topics_partly_matching_the_words_are_suggested_first(client, staff, office, grief):
    missed(office, "trauerfall", 3)
    client.force_login(staff)
    response = client.get(URL)
    ((_search, form),) = response.context["rows"]
    assert form["term"].value() == "trauerfall"
    label, suggested = form.fields["topic"].choices[1]
    assert label in ("Passende Themen", "Suggested topics")
    assert (grief.pk, grief.name) in suggested
    assert form["topic"].value() == suggested[0][0]  # the best one is chosen
    assert "Trauma" not in {name for _pk, name in suggested}


def test_one_click_adds_a_synonym_and_the_directory_finds_the_group(
    client, staff, public, group, grief, other_office
):
    missed(public, "eltern verwaiste", 2, months_ago(1))
    missed(other_office, "eltern verwaiste", 4)
    # The third time this office's directory is asked: now it is listed.
    assert client.get("/gruppen/", {"q": "Verwaiste Eltern"}).context["groups"] == []
    client.force_login(staff)
    assert [row["query"] for row in client.get(URL).context["searches"]] == ["eltern verwaiste"]
    response = client.post(
        URL,
        {"query": "eltern verwaiste", "topic": grief.pk, "term": "Verwaiste Eltern"},
        follow=True,
    )
    assert response.redirect_chain == [(URL, 302)]
    assert "Verwaiste Eltern" in response.content.decode()  # the message says so
    assert list(response.context["searches"]) == []
    assert Synonym.objects.get(term="Verwaiste Eltern").topic == grief
    # Only this office's rows are resolved.
    assert list(MissedSearch.objects.values_list("office", flat=True)) == [other_office.pk]

    client.logout()
    assert client.get("/gruppen/", {"q": "verwaiste eltern"}).context["groups"] == [group]
    assert MissedSearch.objects.filter(office=public).count() == 0  # found: not counted


def test_an_existing_synonym_is_an_error_and_the_query_stays(client, staff, office, grief):
    Synonym.objects.create(topic=grief, term="Trauerfall")
    missed(office, "trauerfall", 3)
    client.force_login(staff)
    response = client.post(URL, {"query": "trauerfall", "topic": grief.pk, "term": "trauerfall"})
    assert response.status_code == 200
    ((_search, form),) = response.context["rows"]
    assert form.errors  # shown at the query's card, with what was chosen
    assert form["term"].value() == "trauerfall"
    assert Synonym.objects.filter(topic=grief).count() == 1
    assert MissedSearch.objects.get().count == 3


def test_dismiss_forgets_the_query_for_the_own_office_only(client, staff, office, other_office):
    missed(office, "quatsch", 2, months_ago(2))
    missed(office, "quatsch", 2)
    missed(office, "fatigue", 3)
    missed(other_office, "quatsch", 3)
    client.force_login(staff)
    response = client.post(URL, {"query": "quatsch", "dismiss": "1"}, follow=True)
    assert [row["query"] for row in response.context["searches"]] == ["fatigue"]
    assert not MissedSearch.objects.filter(office=office, query="quatsch").exists()
    assert MissedSearch.objects.filter(office=other_office, query="quatsch").exists()
    assert not Synonym.objects.filter(term="quatsch").exists()


def test_query_count_does_not_grow_with_the_rows(
    client, staff, office, django_assert_max_num_queries
):
    client.force_login(staff)
    for number in range(3):
        missed(office, f"wort{number}", 3)
    with django_assert_max_num_queries(12) as few:
        client.get(URL)
    for number in range(3, 20):
        missed(office, f"wort{number}", 3)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(URL)
    assert len(response.context["rows"]) == 20


# Retention ----------------------------------------------------------------------------


def deleted_by_retention():
    by_rule = {rule.apply.__name__: count for rule, count in apply_retention()}
    return by_rule["missed_search_counts"]


def test_counts_are_deleted_after_thirteen_months(office):
    kept = [
        missed(office, "jetzt", 1),
        missed(office, "vor einem jahr", 1, months_ago(12)),
    ]
    old = [missed(office, "zu alt", 1, months_ago(14)), missed(office, "uralt", 1, months_ago(30))]
    assert deleted_by_retention() == len(old)
    assert set(MissedSearch.objects.all()) == set(kept)
    assert deleted_by_retention() == 0  # a second run changes nothing


def test_retention_period_comes_from_the_settings(office, settings):
    row = missed(office, "vor zwei monaten", 1, months_ago(2))
    settings.RETENTION_DAYS = settings.RETENTION_DAYS | {"missed_search": 31}
    apply_retention()
    assert not MissedSearch.objects.filter(pk=row.pk).exists()


def test_the_service_refuses_a_synonym_the_topic_has_in_another_case(staff, grief):
    services.add_synonym(staff, grief, "Trauerfall")
    with pytest.raises(services.GroupError):
        services.add_synonym(staff, grief, " TRAUERFALL ")
    assert Synonym.objects.filter(topic=grief).count() == 1
