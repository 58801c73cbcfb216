"""The HSDS 3.0 API (``/api/hsds/``): conformance with the HSDS schemas, privacy first,
the parameters of the OpenAPI document, caching headers, CORS and the rate limit."""

import csv
import datetime
import io
import json
import zipfile
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from groups import geo
from groups.api import ids, views
from groups.api import serializers as hsds
from groups.models import Group, MeetingPause, MeetingRule
from groups.search import reindex_groups
from tests.factories import GroupFactory, RoomFactory, SiteFactory, TopicFactory

SCHEMAS = Path(__file__).resolve().parent.parent / "hsds_schemas"
BASE = "https://hsds.invalid/"
# What staff alone may read: it must never be in any answer of the API.
SECRETS = {
    "contact_name": "Erika Geheimname",
    "contact_email": "erika.geheim@example.com",
    "contact_phone": "0170 5550123",
    "internal_notes": "INTERNE-NOTIZ-XYZ",
    "consent_scope": "EINWILLIGUNGSUMFANG-XYZ",
}


def _registry():
    resources = []
    for file in SCHEMAS.glob("*.json"):
        schema = json.loads(file.read_text(encoding="utf-8"))
        resources.append((BASE + file.name, Resource(schema, DRAFT202012)))
    return Registry().with_resources(resources)


REGISTRY = _registry()
OPENAPI = json.loads(views.OPENAPI_FILE.read_text(encoding="utf-8"))


def validate(instance, schema_file):
    schema = {"$ref": BASE + schema_file}
    validator = Draft202012Validator(schema, registry=REGISTRY, format_checker=FormatChecker())
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(instance)]
    assert not errors, (schema_file, errors)


def validate_page(page, item_schema):
    Draft202012Validator(OPENAPI["components"]["schemas"]["Page"]).validate(page)
    assert set(page) == {
        "total_items",
        "total_pages",
        "page_number",
        "size",
        "first_page",
        "last_page",
        "empty",
        "contents",
    }
    assert page["size"] == len(page["contents"])
    for item in page["contents"]:
        validate(item, item_schema)
        known = json.loads((SCHEMAS / item_schema).read_text())["properties"]
        assert set(item) <= set(known), set(item) - set(known)


@pytest.fixture
def world(office, other_office):
    office.email, office.phone = "kiss@example.org", "0551 400"
    office.website, office.introduction = "https://kiss.example.org", "Die KISS Musterstadt."
    office.save()
    site = SiteFactory(office=office, name="Haus der Selbsthilfe", postcode="37073")
    site.city = "Göttingen"
    site.save()
    room = RoomFactory(site=site, name="Raum Linde", step_free=True, hearing_loop=True)
    tinnitus = TopicFactory(name="Tinnitus (HSDS-Test)")
    grief = TopicFactory(name="Trauer (HSDS-Test)")
    common = dict(SECRETS, office=office, topics=[tinnitus])
    in_room = GroupFactory(
        name="Tinnitus Treff",
        listing=Group.Listing.PUBLIC_WITH_PLACE,
        room=room,
        last_confirmed_on=datetime.date(2026, 3, 1),
        languages="Deutsch; Türkisch",
        **common,
    )
    own_place = GroupFactory(
        name="Ohrgeräusche Abendgruppe",
        listing=Group.Listing.PUBLIC_WITH_PLACE,
        street="Weender Straße 5",
        postcode="37085",
        city="Göttingen",
        contact_route=Group.ContactRoute.GROUP_EMAIL,
        public_email="ohr@example.net",
        consent_published_on=datetime.date(2026, 1, 5),
        **common,
    )
    hidden_place = GroupFactory(
        name="Tinnitus ohne Ort",
        listing=Group.Listing.PUBLIC_WITHOUT_PLACE,
        street="Geheimweg 7",
        postcode="37083",
        city="Göttingen",
        public_email="unfreigegeben@example.net",
        public_phone="0551 777888",
        **common,
    )
    unlisted = GroupFactory(
        name="Unsichtbare Tinnitusgruppe",
        listing=Group.Listing.UNLISTED,
        street="Verborgene Gasse 1",
        postcode="37073",
        city="Göttingen",
        **common,
    )
    closed = GroupFactory(
        name="Geschlossene Tinnitusgruppe",
        listing=Group.Listing.PUBLIC_WITH_PLACE,
        status=Group.Status.CLOSED,
        postcode="37073",
        city="Göttingen",
        **common,
    )
    elsewhere = GroupFactory(
        name="Trauercafé Anderswo",
        office=other_office,
        listing=Group.Listing.PUBLIC_WITH_PLACE,
        street="Marktplatz 1",
        postcode="34117",
        city="Kassel",
        topics=[grief],
    )
    MeetingRule.objects.create(
        group=in_room,
        kind=MeetingRule.Kind.MONTHLY,
        weekday=1,
        weeks_of_month="2,4",
        start_time=datetime.time(19),
        end_time=datetime.time(21),
    )
    MeetingRule.objects.create(
        group=own_place,
        kind=MeetingRule.Kind.BIWEEKLY,
        weekday=3,
        start_time=datetime.time(18, 30),
        end_time=datetime.time(20),
        starts_on=datetime.date(2026, 1, 8),
    )
    MeetingPause.objects.create(
        group=own_place, starts_on=timezone.localdate() + datetime.timedelta(days=30)
    )
    groups = [in_room, own_place, hidden_place, unlisted, closed, elsewhere]
    reindex_groups([group.pk for group in groups])
    for group in groups:
        group.refresh_from_db()
    return dict(
        office=office,
        site=site,
        tinnitus=tinnitus,
        grief=grief,
        in_room=in_room,
        own_place=own_place,
        hidden_place=hidden_place,
        unlisted=unlisted,
        closed=closed,
        elsewhere=elsewhere,
    )


def sid(group):
    return ids.numbered("service", group.pk)


def get(client, name, *args, **params):
    response = client.get(reverse(f"hsds:{name}", args=args), params)
    assert response.status_code == 200, (name, params, response.content[:300])
    return response.json()


def service_names(page):
    return [item["name"] for item in page["contents"]]


def every_answer(client, w):
    """(address, body) of every endpoint with each of its parameters, and the package."""
    office_id = ids.numbered("organization", w["office"].pk)
    term = hsds.topic_term_id(w["tinnitus"].name)
    requests = [
        ("index", [], {}),
        ("openapi", [], {}),
        ("services", [], {}),
        ("services", [], {"full": "true"}),
        ("services", [], {"minimal": "true"}),
        ("services", [], {"search": "Tinnitus"}),
        ("services", [], {"search": "Göttingen", "full": "true"}),
        ("services", [], {"taxonomy_term_id": term, "full": "true"}),
        ("services", [], {"organization_id": office_id}),
        ("services", [], {"modified_after": "2000-01-01"}),
        ("organizations", [], {}),
        ("organizations", [], {"full": "true"}),
        ("organization", [office_id], {}),
        ("taxonomies", [], {}),
        ("taxonomy", [hsds.TAXONOMY_ID], {}),
        ("taxonomy_terms", [], {"search": "HSDS-Test"}),
        ("taxonomy_term", [term], {}),
        ("service_at_locations", [], {}),
        ("service_at_locations", [], {"full": "true"}),
        ("service_at_locations", [], {"search": "Tinnitus"}),
        ("service_at_locations", [], {"postcode": "37083"}),
        ("service_at_locations", [], {"postcode": "37073", "proximity": "50000"}),
        ("service_at_locations", [], {"taxonomy_term_id": term}),
    ]
    for group in (w["in_room"], w["own_place"], w["hidden_place"], w["elsewhere"]):
        requests.append(("service", [sid(group)], {}))
    for group in (w["in_room"], w["own_place"]):
        requests.append(
            ("service_at_location", [ids.numbered("service-at-location", group.pk)], {})
        )
    answers = []
    for name, args, params in requests:
        response = client.get(reverse(f"hsds:{name}", args=args), params)
        assert response.status_code == 200, (name, params)
        answers.append((f"{name} {params}", response.content.decode()))
    package = client.get(reverse("hsds:datapackage"))
    assert package.status_code == 200
    with zipfile.ZipFile(io.BytesIO(b"".join(package.streaming_content))) as archive:
        for member in archive.namelist():
            answers.append((member, archive.read(member).decode()))
    return answers


# Conformance


def test_every_endpoint_conforms_to_the_hsds_schemas(client, world):
    w = world
    root = get(client, "index")
    Draft202012Validator(
        OPENAPI["paths"]["/"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    ).validate(root)
    assert root["version"] == "3.0"
    assert root["openapi_url"] == "http://testserver/api/hsds/openapi.json"

    validate_page(get(client, "services"), "service_list.json")
    full = get(client, "services", full="true")
    validate_page(full, "service.json")
    minimal = get(client, "services", minimal="true")
    assert all(set(item) == {"id", "last_modified"} for item in minimal["contents"])
    for group in (w["in_room"], w["own_place"], w["hidden_place"], w["elsewhere"]):
        validate(get(client, "service", sid(group)), "service.json")

    validate_page(get(client, "organizations"), "organization.json")
    validate_page(get(client, "organizations", full="true"), "organization.json")
    office_id = ids.numbered("organization", w["office"].pk)
    organization = get(client, "organization", office_id)
    validate(organization, "organization.json")
    assert organization["locations"][0]["addresses"][0]["postal_code"] == "37073"

    validate_page(get(client, "taxonomies"), "taxonomy.json")
    validate(get(client, "taxonomy", hsds.TAXONOMY_ID), "taxonomy.json")
    terms = get(client, "taxonomy_terms", per_page=200)
    validate_page(terms, "taxonomy_term.json")
    term = hsds.topic_term_id(w["tinnitus"].name)
    validate(get(client, "taxonomy_term", term), "taxonomy_term.json")

    validate_page(get(client, "service_at_locations"), "service_at_location.json")
    validate_page(get(client, "service_at_locations", full="true"), "service_at_location.json")
    at = ids.numbered("service-at-location", w["in_room"].pk)
    validate(get(client, "service_at_location", at), "service_at_location.json")


def test_the_openapi_document_names_our_server_and_version(client, world):
    document = get(client, "openapi")
    assert document["servers"] == [{"url": "http://testserver/api/hsds"}]
    assert document["info"]["version"] == views._version() != ""
    assert "REQUIRED" not in json.dumps(document["info"])
    assert document["info"]["contact"]["email"] == "kiss@example.org"
    assert set(document["paths"]) == set(OPENAPI["paths"])
    licence = (views.OPENAPI_FILE.parent / "LICENSE-HSDS.txt").read_text()
    assert "Creative Commons Attribution Share-Alike 4.0" in licence


def test_a_full_service_maps_the_group(client, world):
    w = world
    service = get(client, "service", sid(w["in_room"]))
    assert service["name"] == "Tinnitus Treff"
    assert service["status"] == "active"
    assert service["assured_date"] == "2026-03-01"
    assert service["url"] == "http://testserver" + w["in_room"].get_public_url()
    assert service["organization_id"] == ids.numbered("organization", w["office"].pk)
    # The office's contact, as the group has no consented contact route of its own.
    assert service["email"] == "kiss@example.org"
    assert [phone["number"] for phone in service["phones"]] == ["0551 400"]
    assert [(lang["name"], lang.get("code")) for lang in service["languages"]] == [
        ("Deutsch", "de"),
        ("Türkisch", "tr"),
    ]
    (attribute,) = service["attributes"]
    assert attribute["taxonomy_term_id"] == hsds.topic_term_id(w["tinnitus"].name)
    assert attribute["taxonomy_term"]["name"] == "Tinnitus (HSDS-Test)"
    (schedule,) = service["schedules"]
    assert (schedule["freq"], schedule["byday"], schedule["interval"]) == ("MONTHLY", "2TU,4TU", 1)
    assert (schedule["opens_at"], schedule["closes_at"]) == ("19:00", "21:00")
    (at,) = service["service_at_locations"]
    assert schedule["service_at_location_id"] == at["id"]
    location = at["location"]
    assert location["id"] == ids.numbered("site", w["site"].pk)
    assert location["addresses"][0]["address_1"] == w["site"].street
    assert (location["latitude"], location["longitude"]) == geo.postcode_centre("37073")
    assert location["accessibility"][0]["location_id"] == location["id"]

    own = get(client, "service", sid(w["own_place"]))
    assert own["email"] == "ohr@example.net"  # consented: its own route
    (biweekly,) = own["schedules"]
    assert (biweekly["freq"], biweekly["interval"], biweekly["byday"]) == ("WEEKLY", 2, "TH")
    assert biweekly["dtstart"] == "2026-01-08"
    pause = timezone.localdate() + datetime.timedelta(days=30)
    assert biweekly["valid_to"] == (pause - datetime.timedelta(days=1)).isoformat()
    assert own["service_at_locations"][0]["location"]["addresses"][0]["postal_code"] == "37085"


def test_ids_are_stable_and_reversible():
    assert ids.numbered("service", 42) == ids.numbered("service", 42)
    assert ids.number("service", ids.numbered("service", 42)) == 42
    assert ids.number("organization", ids.numbered("service", 42)) is None
    assert ids.number("service", "kein-uuid") is None
    assert hsds.topic_term_id("Tinnitus") == hsds.topic_term_id("tinnitus")


# Privacy first


def test_unlisted_and_closed_groups_appear_in_no_endpoint(client, world):
    w = world
    for path, body in every_answer(client, w):
        for group in (w["unlisted"], w["closed"]):
            assert group.name not in body, (path, group.name)
            assert sid(group) not in body, path
            assert ids.numbered("service-at-location", group.pk) not in body, path
        assert "Verborgene Gasse" not in body, path
    for group in (w["unlisted"], w["closed"]):
        response = client.get(reverse("hsds:service", args=[sid(group)]))
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        at = ids.numbered("service-at-location", group.pk)
        assert client.get(reverse("hsds:service_at_location", args=[at])).status_code == 404


def test_nothing_staff_only_appears_anywhere(client, world):
    for path, body in every_answer(client, world):
        for field, secret in SECRETS.items():
            assert secret not in body, (path, field)
        # The group's own address and contact without a consented route stay unpublished.
        assert "unfreigegeben@example.net" not in body, path
        assert "0551 777888" not in body, path


def test_a_group_listed_without_place_has_no_location(client, world):
    w = world
    hidden = w["hidden_place"]
    assert hidden.latitude is not None  # 'near me' knows its postcode area ...
    for path, body in every_answer(client, w):  # ... the API never tells it
        assert "Geheimweg" not in body, path
        assert ids.numbered("location", hidden.pk) not in body, path
        assert ids.numbered("service-at-location", hidden.pk) not in body, path
        assert repr(hidden.latitude) not in body, path
    service = get(client, "service", sid(hidden))
    assert service["service_at_locations"] == []
    assert service["service_areas"][0]["name"] == "Göttingen"  # the town its page shows
    near = get(client, "service_at_locations", postcode="37083", proximity="2000")
    assert hidden.name not in json.dumps(near)


# Parameters


def test_search_finds_public_groups_only(client, world):
    page = get(client, "services", search="Tinnitus")
    assert set(service_names(page)) == {
        "Tinnitus Treff",
        "Ohrgeräusche Abendgruppe",
        "Tinnitus ohne Ort",
    }
    assert page["total_items"] == 3


def test_a_search_without_filters_reads_the_search_terms_alone(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def ranking(**params):
        with CaptureQueriesContext(connection) as captured:
            page = get(client, "services", search="Tinnitus", **params)
        ranked = [
            q["sql"]
            for q in captured.captured_queries
            if "groups_groupsearchterm" in q["sql"] and "COUNT(*)" in q["sql"]
        ]
        return page, ranked[0]

    page, sql = ranking()
    assert page["total_items"] == 3
    assert '"groups_group"' not in sql  # no join: the terms hold only public groups
    office_id = ids.numbered("organization", world["office"].pk)
    page, sql = ranking(organization_id=office_id)
    assert '"groups_group"' in sql  # the office's groups, as the filter admits them
    assert set(service_names(page)) <= {
        "Tinnitus Treff",
        "Ohrgeräusche Abendgruppe",
        "Tinnitus ohne Ort",
    }


def test_taxonomy_term_and_organization_filters(client, world):
    w = world
    grief = hsds.topic_term_id(w["grief"].name)
    assert service_names(get(client, "services", taxonomy_term_id=grief)) == ["Trauercafé Anderswo"]
    area = hsds.category_term_id(w["tinnitus"].category.slug)
    assert len(get(client, "services", taxonomy_term_id=area)["contents"]) == 3
    assert get(client, "services", taxonomy_term_id="unbekannt")["empty"] is True
    other = ids.numbered("organization", w["elsewhere"].office_id)
    assert service_names(get(client, "services", organization_id=other)) == ["Trauercafé Anderswo"]
    assert get(client, "services", taxonomy_id="nope")["empty"] is True


def test_modified_after(client, world):
    w = world
    Group.objects.filter(pk=w["elsewhere"].pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=10)
    )
    since = (timezone.localdate() - datetime.timedelta(days=2)).isoformat()
    names = service_names(get(client, "services", modified_after=since))
    assert "Trauercafé Anderswo" not in names and "Tinnitus Treff" in names
    response = client.get(reverse("hsds:services"), {"modified_after": "gestern"})
    assert response.status_code == 400 and "modified_after" in response.json()["detail"]


def test_paging(client, world):
    first = get(client, "services", per_page=2)
    assert (first["total_items"], first["total_pages"], first["size"]) == (4, 2, 2)
    assert first["first_page"] and not first["last_page"] and not first["empty"]
    second = get(client, "services", per_page=2, page=2)
    assert second["last_page"] and second["size"] == 2
    assert not set(service_names(first)) & set(service_names(second))
    beyond = get(client, "services", per_page=2, page=9)
    assert beyond["contents"] == [] and beyond["last_page"]
    assert client.get(reverse("hsds:services"), {"page": "x"}).status_code == 400
    searched = get(client, "services", search="Tinnitus", per_page=2, page=2)
    assert searched["total_items"] == 3 and searched["size"] == 1


def test_taxonomy_terms_are_the_thesaurus(client, world):
    w = world
    top = get(client, "taxonomy_terms", top_only="true", per_page=200)
    assert top["contents"] and all("parent_id" not in term for term in top["contents"])
    area = hsds.category_term_id(w["tinnitus"].category.slug)
    children = get(client, "taxonomy_terms", parent_id=area)
    assert [term["name"] for term in children["contents"]] == ["Tinnitus (HSDS-Test)"]
    assert get(client, "taxonomy_terms", taxonomy_id="nope")["empty"] is True


def test_postcode_and_proximity(client, world):
    def names(**params):
        page = get(client, "service_at_locations", **params)
        return [item["description"] for item in page["contents"]]

    assert names() == ["Ohrgeräusche Abendgruppe", "Tinnitus Treff", "Trauercafé Anderswo"]
    assert names(postcode="37085") == ["Ohrgeräusche Abendgruppe"]
    assert names(postcode="37073") == ["Tinnitus Treff"]  # its room's site
    # Nearest first: 37073 itself, then 37085 (1.2 km); Kassel (39 km) only from 50 km.
    assert names(postcode="37073", proximity="5000") == [
        "Tinnitus Treff",
        "Ohrgeräusche Abendgruppe",
    ]
    assert names(postcode="37073", proximity="50000")[-1] == "Trauercafé Anderswo"
    assert names(postcode="37073", proximity="50000", search="Trauer") == ["Trauercafé Anderswo"]
    assert (
        client.get(reverse("hsds:service_at_locations"), {"postcode": "00000"}).status_code == 400
    )
    assert client.get(reverse("hsds:service_at_locations"), {"proximity": "10"}).status_code == 400


# HTTP


def test_etag_and_last_modified_answer_304(client, world):
    url = reverse("hsds:services")
    response = client.get(url)
    assert response["ETag"] and response["Last-Modified"]
    assert client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    since = client.get(url, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
    assert since.status_code == 304
    Group.objects.filter(pk=world["in_room"].pk).update(name="Tinnitus Treff neu")
    assert client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 200


def test_cors_for_get_and_only_safe_methods(client, world):
    url = reverse("hsds:services")
    assert client.get(url, HTTP_ORIGIN="https://example.net")["Access-Control-Allow-Origin"] == "*"
    preflight = client.options(url, HTTP_ORIGIN="https://example.net")
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert client.head(url).status_code == 200
    assert client.post(url).status_code == 405
    assert client.delete(url).status_code == 405


def test_rate_limit_answers_429(client, world, monkeypatch):
    monkeypatch.setitem(views.LIMITS, "hsds-api", 2)
    url = reverse("hsds:taxonomies")
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200
    response = client.get(url)
    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response.json()["detail"]


def test_list_queries_do_not_grow_with_groups(client, world):
    def count(name, **params):
        with CaptureQueriesContext(connection) as queries:
            get(client, name, **params)
        return len(queries)

    requests = [
        ("services", {}),
        ("services", {"full": "true"}),
        ("services", {"search": "Tinnitus"}),
        ("service_at_locations", {"full": "true"}),
        ("service_at_locations", {"postcode": "37073", "proximity": "50000"}),
        ("organizations", {"full": "true"}),
    ]
    before = [count(name, **params) for name, params in requests]
    room = RoomFactory(site=world["site"], name="Raum Eiche")
    more = [
        GroupFactory(
            office=world["office"],
            name=f"Tinnitus Runde {n}",
            listing=Group.Listing.PUBLIC_WITH_PLACE,
            room=room,
            topics=[world["tinnitus"]],
        )
        for n in range(8)
    ]
    for group in more:
        MeetingRule.objects.create(
            group=group, weekday=2, start_time=datetime.time(10), end_time=datetime.time(12)
        )
    reindex_groups([group.pk for group in more])
    after = [count(name, **params) for name, params in requests]
    assert before == after
    assert max(after) <= 12, dict(zip([name for name, _ in requests], after, strict=True))


# The data package


def test_the_data_package_holds_the_published_directory(client, world):
    w = world
    response = client.get(reverse("hsds:datapackage"))
    assert response["Content-Type"] == "application/zip"
    assert response["Access-Control-Allow-Origin"] == "*"
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        descriptor = json.loads(archive.read("datapackage.json"))
        tables = {}
        for resource in descriptor["resources"]:
            text = archive.read(resource["path"]).decode("utf-8")
            rows = list(csv.DictReader(io.StringIO(text)))
            columns = [field["name"] for field in resource["schema"]["fields"]]
            assert text.splitlines()[0].split(",") == columns
            known = json.loads((SCHEMAS / f"{resource['name']}.json").read_text())["properties"]
            assert set(columns) <= set(known), resource["name"]
            tables[resource["name"]] = rows
    services = {row["name"]: row for row in tables["service"]}
    assert set(services) == {
        "Tinnitus Treff",
        "Ohrgeräusche Abendgruppe",
        "Tinnitus ohne Ort",
        "Trauercafé Anderswo",
    }
    hidden = sid(w["hidden_place"])
    assert hidden not in {row["service_id"] for row in tables["service_at_location"]}
    assert len(tables["service_at_location"]) == 3
    assert {row["postal_code"] for row in tables["address"]} >= {"37073", "37085", "34117"}
    assert {row["name"] for row in tables["taxonomy_term"]} >= {"Tinnitus (HSDS-Test)"}
    assert {row["byday"] for row in tables["schedule"] if row["byday"]} == {"2TU,4TU", "TH"}
    for row in tables["service"]:
        validate(
            {
                key: value
                for key, value in row.items()
                if value and key not in ("minimum_age", "maximum_age")
            },
            "service_list.json",
        )


def test_the_data_package_has_its_own_rate_limit(client, world, monkeypatch):
    monkeypatch.setitem(views.LIMITS, "hsds-datapackage", 1)
    assert client.get(reverse("hsds:datapackage")).status_code == 200
    assert client.get(reverse("hsds:datapackage")).status_code == 429
    assert client.get(reverse("hsds:services")).status_code == 200
