"""Every public page says in its meta description what it shows, as a search engine reads it
(issue 20); pages behind a one-time link are kept out of search engines."""

from html.parser import HTMLParser

from django.urls import reverse

from groups.models import Group
from tests.factories import GroupFactory, RoomFactory, TopicFactory


class Meta(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and attrs.get("name"):
            self.tags.setdefault(attrs["name"], []).append(attrs.get("content", ""))


def meta(response):
    parser = Meta()
    parser.feed(response.content.decode())
    return parser.tags


def description(response):
    (content,) = meta(response)["description"]
    return content


def test_a_group_page_describes_the_group_with_topics_and_town(client, office):
    group = GroupFactory(
        office=office,
        name="Trauercafé Lindenhof",
        topics=[TopicFactory(name="Verlust (Test)"), TopicFactory(name="Abschied (Test)")],
        city="Musterstadt",
        street="Geheimweg 7",
        listing=Group.Listing.PUBLIC_WITHOUT_PLACE,
        format=Group.Format.IN_PERSON,
        audience=Group.Audience.RELATIVES,
    )
    text = description(client.get(group.get_public_url()))
    assert text.startswith("Trauercafé Lindenhof: Selbsthilfegruppe zu ")
    assert "Verlust (Test)" in text and "Abschied (Test)" in text
    assert "in Musterstadt" in text
    assert "vor Ort" in text and "Angehörige" in text
    assert office.name in text
    assert "Geheimweg" not in text  # only what the page shows: no address without place


def test_a_group_meeting_in_a_room_is_placed_in_the_sites_town(client, office, site):
    group = GroupFactory(
        office=office,
        room=RoomFactory(site=site),
        city="",
        listing=Group.Listing.PUBLIC_WITH_PLACE,
    )
    assert f"in {site.city}" in description(client.get(group.get_public_url()))


def test_an_online_group_without_town_says_online(client, office):
    group = GroupFactory(office=office, format=Group.Format.ONLINE, city="")
    text = description(client.get(group.get_public_url()))
    assert "online" in text and " in " not in text.split("(")[0]


def test_the_home_page_describes_the_office(client, office):
    assert office.name in description(client.get(reverse("office_public", args=[office.slug])))


def test_every_public_page_has_one_description(client, office):
    group = GroupFactory(office=office)
    for url in (
        reverse("home"),
        reverse("groups:directory"),
        reverse("groups:founding_groups"),
        reverse("groups:founding_interest"),
        group.get_public_url(),
    ):
        text = description(client.get(url))
        assert 40 <= len(text) <= 300, (url, text)


def test_one_time_link_pages_are_not_indexed(client, db):
    response = client.get(reverse("groups:self_service", args=["unbekannt"]))
    assert meta(response)["robots"] == ["noindex, nofollow"]
    assert "robots" not in meta(client.get(reverse("groups:directory")))
