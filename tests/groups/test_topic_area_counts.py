"""A topic area's groups are counted off the search terms' index (issue 23): the same
number as the groups the directory lists, also after rooms, topics and groups change."""

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from groups.forms.public import DirectoryFilterForm
from groups.models import Group, GroupSearchTerm
from groups.search import FACET, category_term, count_in_topic_area, reindex_groups
from tests.factories import (
    GroupFactory,
    RoomFactory,
    SiteFactory,
    TopicCategoryFactory,
    TopicFactory,
)

PUBLIC = Group.Listing.PUBLIC_WITH_PLACE


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
    """What the directory lists for these filters, counted by reading the groups."""
    data = {"category": category.slug, "stelle": "alle"}
    if format:
        data["format"] = format
    if step_free:
        data["accessible"] = "on"
    form = DirectoryFilterForm(data)
    return form.filter(Group.objects.public()).count()


def every_count(categories):
    for category, format, step_free in itertools.product(
        categories, [None, *Group.Format.values], [False, True]
    ):
        yield (category, format, step_free), count_in_topic_area(category, format, step_free)


def test_a_topic_area_is_counted_as_the_directory_lists_it(areas):
    counted = dict(every_count(areas["categories"]))
    assert counted == {key: listed(*key) for key in counted}
    # Not trivially: the filters narrow, and a group with two topics of one area counts once.
    first = areas["categories"][0]
    assert counted[(first, None, False)] > counted[(first, None, True)] > 0
    assert counted[(first, None, False)] > counted[(first, Group.Format.ONLINE, False)] > 0
    assert GroupSearchTerm.objects.filter(term=category_term(first.pk), weight=FACET).exists()


def test_no_query_finds_a_topic_area_s_term(areas):
    from groups.search import ranked_group_ids

    category = areas["categories"][0]
    assert ranked_group_ids(None, category_term(category.pk)) == []
    assert ranked_group_ids(None, f"bereich {category.pk}") == []


def test_the_counts_follow_rooms_and_topic_areas(areas):
    first, second = areas["categories"]
    step_free_room, other_room = areas["rooms"]

    def same():
        counted = dict(every_count(areas["categories"]))
        assert counted == {key: listed(*key) for key in counted}
        return counted

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
def test_other_filters_are_counted_by_reading_the_groups(areas, other):
    category = areas["categories"][0]
    form = DirectoryFilterForm({"category": category.slug, "stelle": "alle", **other})
    assert form.topic_area_filters() is None


def test_an_office_s_directory_is_counted_by_reading_the_groups(areas, office):
    category = areas["categories"][0]
    assert (
        DirectoryFilterForm({"category": category.slug, "stelle": office.slug}).topic_area_filters()
        is None
    )
    across = DirectoryFilterForm({"category": category.slug, "stelle": "alle", "accessible": "on"})
    assert across.topic_area_filters() == (category, None, True)


def test_the_directory_counts_a_topic_area_off_the_terms(client, areas):
    category = areas["categories"][0]
    params = {"category": category.slug, "stelle": "alle", "accessible": "on"}
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("groups:directory"), params)
    assert response.status_code == 200
    expected = listed(category, step_free=True)
    assert response.context["found_count"] == expected
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"]]
    assert len(counts) == 1 and "groups_groupsearchterm" in counts[0]
    # Every page together lists exactly the counted groups.
    shown = set()
    for number in range(1, response.context["page_obj"].paginator.num_pages + 1):
        page = client.get(reverse("groups:directory"), {**params, "page": number})
        shown |= {group.pk for group in page.context["groups"]}
    assert len(shown) == expected


def test_monday_alone_is_a_filter_and_opens_the_more_filters(client, db):
    form = DirectoryFilterForm({"weekday": "0"})
    assert form.has_filters and form.has_more_filters
    assert not DirectoryFilterForm({"q": "x", "stelle": "alle", "radius": "25"}).has_filters
    response = client.get(reverse("groups:directory"), {"weekday": "0"})
    assert "<details open>" in response.content.decode()
