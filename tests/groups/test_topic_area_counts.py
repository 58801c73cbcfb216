"""A topic area's groups are listed off the search terms' index (issue 23): the same
groups in the same order as read from the groups, also after rooms and topics change."""

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from groups.forms.public import DirectoryFilterForm
from groups.models import Group, GroupSearchTerm
from groups.search import FACET, Ranking, ranked_group_ids, reindex_groups, topic_area_term
from tests.factories import (
    GroupFactory,
    RoomFactory,
    SiteFactory,
    TopicCategoryFactory,
    TopicFactory,
)

PUBLIC = Group.Listing.PUBLIC_WITH_PLACE
# Names whose order depends on case, umlauts and ties (then the id decides).
NAMES = ["Ängste", "aktiv leben", "Zwänge", "über Wasser", "Über Wasser", "Gleich", "Gleich"]


@pytest.fixture
def areas(office):
    """Two topic areas; groups in step-free and other rooms, with and without their own
    step-free access, in every format, some not public."""
    first, second = TopicCategoryFactory(), TopicCategoryFactory()
    topics = [TopicFactory(category=first), TopicFactory(category=first)]
    topics.append(TopicFactory(category=second))
    site = SiteFactory(office=office)
    rooms = [RoomFactory(site=site, step_free=True), RoomFactory(site=site, step_free=False)]
    groups = []
    combinations = itertools.product(
        [[topics[0]], [topics[0], topics[1]], [topics[1], topics[2]], [topics[2]]],
        [None, *rooms],
        [False, True],
        Group.Format.values,
    )
    for number, (group_topics, room, own_step_free, format) in enumerate(combinations):
        groups.append(
            GroupFactory(
                office=office,
                name=NAMES[number % len(NAMES)],
                topics=group_topics,
                room=room,
                step_free=own_step_free,
                format=format,
                listing=Group.Listing.UNLISTED if number % 7 == 3 else PUBLIC,
                status=Group.Status.CLOSED if number % 11 == 5 else Group.Status.ACTIVE,
            )
        )
    reindex_groups([group.pk for group in groups])
    return {"categories": [first, second], "topics": topics, "rooms": rooms, "groups": groups}


def listed(category, format=None, step_free=False):
    """The ids the directory lists for these filters, read from the groups."""
    data = {"category": category.slug, "stelle": "alle"}
    if format:
        data["format"] = format
    if step_free:
        data["accessible"] = "on"
    form = DirectoryFilterForm(data)
    return list(
        form.filter(Group.objects.public()).order_by("name", "pk").values_list("pk", flat=True)
    )


def every_listing(categories):
    for category, format, step_free in itertools.product(
        categories, [None, *Group.Format.values], [False, True]
    ):
        ranking = Ranking.in_topic_area(category.pk, format, step_free)
        yield (category, format, step_free), [pk for pk, _total in ranking.rows()]


def test_a_topic_area_is_listed_as_read_from_the_groups(areas):
    listings = dict(every_listing(areas["categories"]))
    assert listings == {key: listed(*key) for key in listings}
    # Not trivially: the filters narrow, and a group with two topics of one area is
    # listed once.
    first = areas["categories"][0]
    everyone, step_free = listings[(first, None, False)], listings[(first, None, True)]
    assert len(everyone) == len(set(everyone)) > len(step_free) > 0
    assert len(everyone) > len(listings[(first, Group.Format.ONLINE, False)]) > 0
    assert GroupSearchTerm.objects.filter(term=topic_area_term(first.pk), weight=FACET).exists()
    ranking = Ranking.in_topic_area(first.pk)
    assert ranking.rows(2, 3) == [(pk, len(everyone)) for pk in everyone[2:5]]


def test_no_query_finds_a_topic_area_s_term(areas):
    category = areas["categories"][0]
    assert ranked_group_ids(None, topic_area_term(category.pk)) == []
    assert ranked_group_ids(None, f"bereich {category.pk}") == []


def test_the_listings_follow_rooms_and_topic_areas(areas):
    first, second = areas["categories"]
    step_free_room, other_room = areas["rooms"]

    def same():
        listings = dict(every_listing(areas["categories"]))
        assert listings == {key: listed(*key) for key in listings}
        return {key: len(ids) for key, ids in listings.items()}

    before = same()
    other_room.step_free = True  # saved in the admin
    other_room.save()
    assert same()[(first, None, True)] > before[(first, None, True)]
    step_free_room.delete()  # its groups meet nowhere now: their own access counts
    same()
    moved = areas["topics"][1]
    moved.category = second
    moved.save()
    assert same()[(second, None, False)] > before[(second, None, False)]
    renamed = areas["topics"][2]
    renamed.name = "Umbenanntes Thema"
    renamed.save()
    having = set(Group.objects.public().filter(topics=renamed).values_list("pk", flat=True))
    assert set(ranked_group_ids(None, "Umbenanntes Thema")) == having != set()
    areas["topics"][0].delete()  # its groups without another topic leave the area
    assert same()[(first, None, False)] < before[(first, None, False)]


@pytest.mark.parametrize(
    "other",
    [
        {"weekday": "0"},  # Monday: a filter although it reads as 0
        {"place": "Muster"},
        {"language": "Deutsch"},
        {"relatives": "on"},
        {"young": "on"},
        {"open_to_new": "on"},
        {"daytime": "abends"},
    ],
)
def test_other_filters_are_listed_from_the_groups(areas, other):
    category = areas["categories"][0]
    form = DirectoryFilterForm({"category": category.slug, "stelle": "alle", **other})
    assert form.topic_area_filters() is None


def test_an_office_s_directory_is_listed_from_the_groups(areas, office):
    category = areas["categories"][0]
    assert (
        DirectoryFilterForm({"category": category.slug, "stelle": office.slug}).topic_area_filters()
        is None
    )
    across = DirectoryFilterForm({"category": category.slug, "stelle": "alle", "accessible": "on"})
    assert across.topic_area_filters() == (category.pk, None, True)


def test_the_directory_lists_a_topic_area_off_the_terms(client, areas):
    category = areas["categories"][0]
    params = {"category": category.slug, "stelle": "alle", "accessible": "on"}
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("groups:directory"), params)
    assert response.status_code == 200
    expected = listed(category, step_free=True)
    assert response.context["found_count"] == len(expected) > 20  # more than a page
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"]]
    assert len(counts) == 1 and "groups_groupsearchterm" in counts[0]
    content = response.content.decode()
    first = Group.objects.get(pk=expected[0])
    assert first.name in content and reverse("groups:public_group", args=[first.slug]) in content
    # The pages together list exactly those groups, in the same order.
    shown = []
    for number in range(1, response.context["page_obj"].paginator.num_pages + 1):
        page = client.get(reverse("groups:directory"), {**params, "page": number})
        shown += [group.pk for group in page.context["groups"]]
    assert shown == expected
    # A page past the last is the last one, as everywhere in the directory.
    last = response.context["page_obj"].paginator.num_pages
    past = client.get(reverse("groups:directory"), {**params, "page": 99})
    assert [group.pk for group in past.context["groups"]] == expected[(last - 1) * 20 :]


def test_a_topic_area_costs_the_same_queries_for_more_groups(
    client, areas, office, django_assert_max_num_queries
):
    category = areas["categories"][0]
    params = {"category": category.slug, "stelle": "alle"}
    with CaptureQueriesContext(connection) as few:
        before = client.get(reverse("groups:directory"), params).context["found_count"]
    more = [GroupFactory(office=office, topics=[areas["topics"][0]]) for _ in range(30)]
    reindex_groups([group.pk for group in more])
    with django_assert_max_num_queries(len(few)):
        after = client.get(reverse("groups:directory"), params).context["found_count"]
    assert after == before + 30


def test_monday_alone_is_a_filter_and_opens_the_more_filters(client, db):
    form = DirectoryFilterForm({"weekday": "0"})
    assert form.has_filters and form.has_more_filters
    assert not DirectoryFilterForm({"q": "x", "stelle": "alle", "radius": "25"}).has_filters
    response = client.get(reverse("groups:directory"), {"weekday": "0"})
    assert "<details open>" in response.content.decode()


def test_an_empty_topic_area_lists_nothing_and_offers_the_office(client, areas, office):
    empty = TopicCategoryFactory(name="Leerer Bereich")
    response = client.get(reverse("groups:directory"), {"category": empty.slug, "stelle": "alle"})
    assert response.status_code == 200
    assert response.context["found_count"] == 0 and response.context["groups"] == []
    assert Ranking.in_topic_area(empty.pk).rows() == []
