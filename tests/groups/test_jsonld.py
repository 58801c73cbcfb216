"""schema.org JSON-LD on public group pages: parsed from the page, field by field what
the page shows, and nothing staff-only."""

import datetime
import json
import re

import pytest
from django.urls import reverse

from groups import structured_data
from groups.models import Group, MeetingRule
from tests.factories import GroupFactory, RoomFactory, TopicFactory

SCRIPT = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)
STAFF_ONLY = {
    "contact_name": "Erika Geheim",
    "contact_email": "erika.geheim@example.org",
    "contact_phone": "0170 999999",
    "internal_notes": "Nur intern: Streit in der Gruppe",
}


def json_ld(response):
    """The page's one JSON-LD block, parsed."""
    assert response.status_code == 200
    blocks = SCRIPT.findall(response.content.decode())
    assert len(blocks) == 1
    return json.loads(blocks[0])


def visible_text(response):
    """The page without its JSON-LD block: what a visitor reads."""
    return SCRIPT.sub("", response.content.decode())


@pytest.fixture
def topics(db):
    return [TopicFactory(name="Kaktusfreunde"), TopicFactory(name="Angstbewältigung")]


def test_a_group_without_place_shows_its_town_only(client, office, topics):
    group = GroupFactory(
        office=office,
        name="Angst & Mut <Nord>",
        topics=topics,
        description="Wir sprechen über Ängste.",
        listing=Group.Listing.PUBLIC_WITHOUT_PLACE,
        street="Geheimweg 7",
        postcode="54321",
        city="Musterstadt",
        audience=Group.Audience.BOTH,
        age_group=Group.AgeGroup.YOUNG,
        languages="Deutsch; Türkisch",
        schedule="Bitte vorher anrufen",
        **STAFF_ONLY,
    )
    MeetingRule.objects.create(
        group=group,
        kind=MeetingRule.Kind.WEEKLY,
        weekday=MeetingRule.Weekday.TUESDAY,
        start_time=datetime.time(19, 0),
        end_time=datetime.time(21, 0),
        starts_on=datetime.date(2026, 1, 1),
    )
    response = client.get(group.get_public_url())
    data = json_ld(response)
    page = visible_text(response)

    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Organization"
    assert data["name"] == "Angst & Mut <Nord>"
    assert "Angst &amp; Mut &lt;Nord&gt;" in page
    assert data["url"] == f"http://testserver{group.get_public_url()}"
    assert data["description"] == "Wir sprechen über Ängste."
    assert data["knowsAbout"] == ["Angstbewältigung", "Kaktusfreunde"]
    assert data["keywords"] == "Angstbewältigung, Kaktusfreunde"
    assert "Angstbewältigung, Kaktusfreunde" in page
    assert data["audience"]["@type"] == "PeopleAudience"
    for part in data["audience"]["audienceType"].split(", ", 1):
        assert part in page
    assert data["knowsLanguage"] == ["Deutsch", "Türkisch"]
    assert "Deutsch, Türkisch" in page
    # The town, as the page shows it; not the street the page keeps back
    assert data["address"] == {"@type": "PostalAddress", "addressLocality": "Musterstadt"}
    assert "Geheimweg" not in response.content.decode()
    assert "54321" not in response.content.decode()
    event = data["event"]
    assert event["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    when, note = event["description"].split("; ")
    assert when in page and "19:00–21:00" in when
    assert note == "Bitte vorher anrufen" and note in page
    assert event["eventSchedule"] == {
        "@type": "Schedule",
        "repeatFrequency": "P1W",
        "byDay": "https://schema.org/Tuesday",
        "startTime": "19:00",
        "endTime": "21:00",
        "scheduleTimezone": "Europe/Berlin",
    }
    assert event["location"] == {"@type": "Place", "address": data["address"]}
    # The next dates the page lists, in the same order, without a place
    dates = event["subEvent"]
    assert len(dates) == 3
    for date in dates:
        start = datetime.datetime.fromisoformat(date["startDate"])
        assert start.weekday() == 1 and start.strftime("%H:%M") == "19:00"
        assert date["endDate"].endswith("21:00+01:00") or date["endDate"].endswith("21:00+02:00")
        assert "location" not in date
        assert start.strftime("%Y") in page
    assert "email" not in data and "telephone" not in data


def test_nothing_staff_only_reaches_the_data(client, office, topics):
    group = GroupFactory(office=office, topics=topics, **STAFF_ONLY)
    text = json.dumps(json_ld(client.get(group.get_public_url())), ensure_ascii=False)
    for value in STAFF_ONLY.values():
        assert value not in text
    assert "Erika" not in text and "Streit" not in text


def test_monthly_and_biweekly_rules_and_single_dates(client, office):
    group = GroupFactory(office=office, schedule="")
    for kind, weekday, weeks in [
        (MeetingRule.Kind.MONTHLY, MeetingRule.Weekday.MONDAY, "2,-1"),
        (MeetingRule.Kind.BIWEEKLY, MeetingRule.Weekday.FRIDAY, ""),
        (MeetingRule.Kind.DATES, None, ""),
    ]:
        MeetingRule.objects.create(
            group=group,
            kind=kind,
            weekday=weekday,
            weeks_of_month=weeks,
            start_time=datetime.time(18, 30),
            end_time=datetime.time(20, 0),
            starts_on=datetime.date(2026, 1, 2),
        )
    response = client.get(group.get_public_url())
    event = json_ld(response)["event"]
    assert [schedule["repeatFrequency"] for schedule in event["eventSchedule"]] == [
        "P1M",
        "P2W",
    ]
    assert event["eventSchedule"][0]["byMonthWeek"] == [2, -1]
    assert event["eventSchedule"][1]["byDay"] == "https://schema.org/Friday"
    for line in event["description"].split("; "):
        assert line in visible_text(response)


def test_a_group_listed_with_its_room_shows_the_sites_address(client, office, site):
    room = RoomFactory(site=site, name="Raum Blau")
    group = GroupFactory(
        office=office, listing=Group.Listing.PUBLIC_WITH_PLACE, room=room, city="Woanders"
    )
    response = client.get(group.get_public_url())
    data = json_ld(response)
    address = {
        "@type": "PostalAddress",
        "streetAddress": site.street,
        "postalCode": site.postcode,
        "addressLocality": site.city,
    }
    assert data["address"] == address
    assert f"{site.name}, {site.street}, {site.postcode} {site.city}" in visible_text(response)
    assert data["event"]["location"] == {"@type": "Place", "address": address, "name": site.name}


def test_a_group_with_its_own_place(client, office):
    group = GroupFactory(
        office=office,
        listing=Group.Listing.PUBLIC_WITH_PLACE,
        street="Marktplatz 3",
        postcode="12345",
        city="Musterstadt",
        format=Group.Format.HYBRID,
    )
    response = client.get(group.get_public_url())
    data = json_ld(response)
    assert data["address"]["streetAddress"] == "Marktplatz 3"
    assert "Marktplatz 3, 12345 Musterstadt" in visible_text(response)
    assert data["event"]["eventAttendanceMode"] == "https://schema.org/MixedEventAttendanceMode"


def test_an_online_group_with_its_own_email(client, office):
    group = GroupFactory(
        office=office,
        format=Group.Format.ONLINE,
        city="",
        schedule="",
        contact_route=Group.ContactRoute.GROUP_EMAIL,
        public_email="gruppe@example.org",
        consent_published_on=datetime.date(2026, 1, 5),
    )
    response = client.get(group.get_public_url())
    data = json_ld(response)
    assert "address" not in data
    assert data["event"] == {
        "@type": "Event",
        "name": group.name,
        "eventAttendanceMode": "https://schema.org/OnlineEventAttendanceMode",
        "location": {"@type": "VirtualLocation"},
    }
    assert data["email"] == "gruppe@example.org"
    assert "gruppe@example.org" in visible_text(response)
    assert "knowsAbout" not in data


def test_unlisted_and_closed_groups_have_no_page_and_no_data(client, office):
    for group in (
        GroupFactory(office=office, listing=Group.Listing.UNLISTED),
        GroupFactory(office=office, status=Group.Status.CLOSED),
    ):
        response = client.get(group.get_public_url())
        assert response.status_code == 404
        assert "ld+json" not in response.content.decode()
    directory = client.get(reverse("groups:directory")).content.decode()
    assert "ld+json" not in directory


def test_the_block_cannot_break_out_of_its_script_element():
    text = structured_data.as_json_ld({"name": "</script><script>alert(1)</script> & Co"})
    assert text.count("</script>") == 1
    assert json.loads(SCRIPT.search(text).group(1))["name"] == (
        "</script><script>alert(1)</script> & Co"
    )


def test_the_csp_is_unchanged_on_group_pages(client, office):
    group = GroupFactory(office=office)
    policy = client.get(group.get_public_url()).headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in policy
    assert "frame-ancestors 'none'" in policy
