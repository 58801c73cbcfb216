"""Staff pages of group records: list, detail, create, edit, close, history."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import override

from groups.models import Group, GroupChange, MeetingRule
from tests.factories import GroupFactory, RoomFactory, TopicFactory


@pytest.fixture
def topic(db):
    return TopicFactory(name="Testthema Migräne")


@pytest.fixture
def group(office, topic):
    return GroupFactory(
        office=office,
        name="Migräne-Treff",
        topics=[topic],
        contact_name="Erika Muster",
        contact_email="erika@example.org",
        internal_notes="Trifft sich im Sommer seltener.",
        last_confirmed_on=timezone.localdate(),
    )


@pytest.fixture
def other_group(other_office):
    return GroupFactory(office=other_office, name="Fremde Gruppe")


def form_data(**overrides):
    data = {
        "name": "Trauercafé",
        "description": "Für Menschen, die einen nahen Menschen verloren haben.",
        "audience": "both",
        "age_group": "all",
        "languages": "Deutsch; Türkisch",
        "format": "in_person",
        "status": "active",
        "accepts_new_members": "yes",
        "schedule": "jeden 1. Montag, 18 Uhr",
        "listing": "public_with_place",
        # Published without a recorded consent: staff confirm it (issue 19).
        "publish_without_consent": "on",
        "contact_route": "office",
        "street": "Lindenstraße 1",
        "postcode": "12345",
        "city": "Musterstadt",
    }
    data.update(overrides)
    return data


def test_list_shows_own_groups_only(client, staff, group, other_group):
    client.force_login(staff)
    response = client.get(reverse("groups:group_list"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Migräne-Treff" in content
    assert "Fremde Gruppe" not in content
    assert "1 Gruppe" in content


def test_list_hides_closed_groups_unless_asked(client, staff, office):
    GroupFactory(office=office, name="Geschlossene Gruppe", status=Group.Status.CLOSED)
    client.force_login(staff)
    assert "Geschlossene Gruppe" not in client.get(reverse("groups:group_list")).content.decode()
    response = client.get(reverse("groups:group_list"), {"status": "closed"})
    assert "Geschlossene Gruppe" in response.content.decode()


def test_list_filters_by_overdue_confirmation(client, staff, office, group):
    old = timezone.localdate() - datetime.timedelta(days=400)
    GroupFactory(office=office, name="Lange nicht bestätigt", last_confirmed_on=old)
    client.force_login(staff)
    content = client.get(reverse("groups:group_list"), {"overdue": "on"}).content.decode()
    assert "Lange nicht bestätigt" in content
    assert "überfällig" in content
    assert "Migräne-Treff" not in content


def test_list_ignores_invalid_filter_values(client, staff, group):
    client.force_login(staff)
    response = client.get(reverse("groups:group_list"), {"status": "<x>", "category": "abc"})
    assert response.status_code == 200
    assert "Migräne-Treff" in response.content.decode()


def test_list_query_count_does_not_grow(client, staff, office, django_assert_max_num_queries):
    topics = TopicFactory.create_batch(3)
    for _ in range(15):
        GroupFactory(office=office, topics=topics, room=RoomFactory(site__office=office))
    client.force_login(staff)
    # +1: the menu's count of new requests in the inbox (issue 19), on every staff page.
    with django_assert_max_num_queries(9):
        assert client.get(reverse("groups:group_list")).status_code == 200


@pytest.mark.parametrize("persona", ["starter", "coordinator"])
def test_group_pages_refuse_other_roles(client, request, persona, group):
    client.force_login(request.getfixturevalue(persona))
    for url in [
        reverse("groups:group_list"),
        reverse("groups:group_create"),
        group.get_absolute_url(),
        reverse("groups:group_update", args=[group.pk]),
        reverse("groups:group_close", args=[group.pk]),
    ]:
        assert client.get(url).status_code == 403, url


def test_group_pages_send_anonymous_to_login(client, group):
    response = client.get(group.get_absolute_url())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_detail_shows_staff_only_data(client, staff, group):
    client.force_login(staff)
    content = client.get(group.get_absolute_url()).content.decode()
    assert "Erika Muster" in content
    assert "Trifft sich im Sommer seltener." in content
    assert "Testthema Migräne" in content


def test_detail_shows_the_meeting_rules_or_asks_for_them(client, staff, group):
    client.force_login(staff)
    schedule_url = reverse("groups:group_schedule", args=[group.pk])
    rule = MeetingRule.objects.create(
        group=group,
        kind="monthly",
        weekday=1,
        weeks_of_month="2,4",
        start_time=datetime.time(19),
        end_time=datetime.time(21),
    )
    with override("de"):
        described = rule.describe()
    content = client.get(group.get_absolute_url()).content.decode()
    assert escape(described) in content
    rule.delete()
    Group.objects.filter(pk=group.pk).update(schedule="")
    content = client.get(group.get_absolute_url()).content.decode()
    assert f'<a href="{schedule_url}">Treffzeiten eintragen</a>' in content


@pytest.mark.parametrize("name", ["group_detail", "group_update", "group_close"])
def test_other_offices_group_is_404(client, staff, other_group, name):
    client.force_login(staff)
    assert client.get(reverse(f"groups:{name}", args=[other_group.pk])).status_code == 404
    assert client.post(reverse(f"groups:{name}", args=[other_group.pk])).status_code in (404, 405)
    other_group.refresh_from_db()
    assert other_group.status == Group.Status.ACTIVE


def test_bad_id_is_404(client, staff):
    client.force_login(staff)
    assert client.get(reverse("groups:group_detail", args=[987654])).status_code == 404


def test_create_group(client, staff, office, topic):
    client.force_login(staff)
    response = client.post(reverse("groups:group_create"), form_data(topics=[topic.pk]))
    group = Group.objects.get(name="Trauercafé")
    assert response.status_code == 302
    # On to its meeting times: the rules are entered there, not on the group form.
    assert response["Location"] == reverse("groups:group_schedule", args=[group.pk])
    assert group.office == office
    assert group.slug == "trauercafe"
    assert list(group.topics.all()) == [topic]
    assert group.language_list() == ["Deutsch", "Türkisch"]
    change = group.changes.get()
    assert change.action == GroupChange.Action.CREATED and change.user == staff


def test_create_group_slug_is_unique_across_offices(client, staff, other_office):
    GroupFactory(office=other_office, name="Trauercafé", slug="trauercafe")
    client.force_login(staff)
    client.post(reverse("groups:group_create"), form_data())
    assert Group.objects.filter(office=staff.office).get().slug == "trauercafe-2"


def test_create_rejects_room_of_another_office(client, staff, other_site):
    room = RoomFactory(site=other_site)
    client.force_login(staff)
    response = client.post(
        reverse("groups:group_create"), form_data(room=room.pk, street="", postcode="", city="")
    )
    assert response.status_code == 200
    assert not Group.objects.exists()


def test_create_rejects_own_contact_without_consent(client, staff):
    client.force_login(staff)
    response = client.post(
        reverse("groups:group_create"),
        form_data(contact_route="group_email", public_email="gruppe@example.org"),
    )
    assert response.status_code == 200
    assert "nur mit ihrer Einwilligung" in response.content.decode()
    assert not Group.objects.exists()


def test_create_rejects_room_and_address_together(client, staff, site):
    client.force_login(staff)
    room = site.rooms.get()
    response = client.post(reverse("groups:group_create"), form_data(room=room.pk))
    assert response.status_code == 200
    assert "entweder einen Raum" in response.content.decode()
    assert not Group.objects.exists()


def test_edit_group_records_changed_fields(client, staff, group):
    client.force_login(staff)
    data = form_data(name="Migräne-Treff", topics=[t.pk for t in group.topics.all()])
    data["accepts_new_members"] = "waiting_list"
    response = client.post(reverse("groups:group_update", args=[group.pk]), data)
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.accepts_new_members == Group.NewMembers.WAITING_LIST
    change = group.changes.filter(action=GroupChange.Action.CHANGED).get()
    assert "Neue Mitglieder" in change.fields
    detail = client.get(group.get_absolute_url()).content.decode()
    assert "Neue Mitglieder" in detail and "Jonas Berger" in detail


def test_close_asks_first_then_closes(client, staff, group):
    client.force_login(staff)
    confirm = client.get(reverse("groups:group_close", args=[group.pk]))
    assert confirm.status_code == 200
    assert "nichts wird gelöscht" in confirm.content.decode()
    group.refresh_from_db()
    assert group.status == Group.Status.ACTIVE
    response = client.post(reverse("groups:group_close", args=[group.pk]))
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.status == Group.Status.CLOSED
    assert group.changes.filter(action=GroupChange.Action.CLOSED).exists()
    again = client.post(reverse("groups:group_close", args=[group.pk]), follow=True)
    assert "bereits geschlossen" in again.content.decode()
    assert group.changes.filter(action=GroupChange.Action.CLOSED).count() == 1


def test_confirmation_overdue_flag(office):
    today = timezone.localdate()
    assert GroupFactory(
        office=office, last_confirmed_on=None, created_days_ago=800
    ).confirmation_overdue
    assert GroupFactory(
        office=office, last_confirmed_on=today - datetime.timedelta(days=366)
    ).confirmation_overdue
    assert not GroupFactory(
        office=office, last_confirmed_on=today - datetime.timedelta(days=30)
    ).confirmation_overdue


def test_accessibility_comes_from_the_room(office, site):
    room = site.rooms.get()
    room.accessible_toilet = True
    room.save()
    in_room = GroupFactory(office=office, room=room, step_free=False)
    at_address = GroupFactory(office=office, step_free=True)
    assert in_room.accessibility() == (True, True, False)
    assert at_address.accessibility() == (True, False, False)
    assert set(Group.objects.accessible()) == {in_room, at_address}


def test_public_queryset_excludes_unlisted_and_closed(office):
    shown = GroupFactory(office=office, listing=Group.Listing.PUBLIC_WITHOUT_PLACE)
    GroupFactory(office=office, listing=Group.Listing.UNLISTED)
    GroupFactory(office=office, status=Group.Status.CLOSED)
    assert list(Group.objects.public()) == [shown]


def test_staff_add_a_topic_and_a_synonym_that_makes_groups_findable(client, staff, office):
    from groups.models import Synonym, Topic, TopicCategory
    from groups.search import ranked_group_ids, reindex_groups

    client.force_login(staff)
    category = TopicCategory.objects.order_by("pk").first()
    response = client.post(
        reverse("groups:topic_list"),
        {"topic-category": category.pk, "topic-name": "Testthema Lipome"},
    )
    assert response.status_code == 302
    topic = Topic.objects.get(name="Testthema Lipome")
    group = GroupFactory(office=office, name="Knoten unter der Haut", topics=[topic])
    reindex_groups([group.pk])
    assert ranked_group_ids(Group.objects.public(), "Fettgeschwulst") == []
    response = client.post(
        reverse("groups:topic_list"), {"synonym-topic": topic.pk, "synonym-term": "Fettgeschwulst"}
    )
    assert response.status_code == 302
    assert Synonym.objects.filter(topic=topic, term="Fettgeschwulst").exists()
    assert ranked_group_ids(Group.objects.public(), "Fettgeschwulst") == [group.pk]


def test_adding_a_duplicate_topic_is_refused(client, staff):
    from groups.models import Topic, TopicCategory

    client.force_login(staff)
    category = TopicCategory.objects.order_by("pk").first()
    response = client.post(
        reverse("groups:topic_list"), {"topic-category": category.pk, "topic-name": "DEPRESSION"}
    )
    assert response.status_code == 200
    assert "Ein Thema mit diesem Namen gibt es bereits." in response.content.decode()
    assert Topic.objects.filter(name__iexact="depression").count() == 1


def test_topic_list_query_count_is_flat(client, staff, django_assert_max_num_queries):
    client.force_login(staff)
    # +1: the menu's count of new requests in the inbox (issue 19), on every staff page.
    with django_assert_max_num_queries(9):
        assert client.get(reverse("groups:topic_list")).status_code == 200


@pytest.mark.parametrize("persona", ["starter", "coordinator"])
def test_topic_list_refuses_other_roles(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("groups:topic_list")).status_code == 403


def test_publishing_without_a_recorded_consent_asks_for_confirmation(client, staff, office):
    client.force_login(staff)
    data = form_data()
    del data["publish_without_consent"]
    response = client.post(reverse("groups:group_create"), data)
    assert response.status_code == 200
    assert response.context["form"].has_error("publish_without_consent")
    assert "Es ist keine Einwilligung der Gruppe" in response.content.decode()
    assert not Group.objects.exists()
    with_consent = form_data(consent_published_on=timezone.localdate().isoformat())
    del with_consent["publish_without_consent"]
    assert client.post(reverse("groups:group_create"), with_consent).status_code == 302
    unlisted = form_data(name="Anonyme Gruppe", listing="unlisted")
    del unlisted["publish_without_consent"]
    assert client.post(reverse("groups:group_create"), unlisted).status_code == 302


def test_editing_a_group_already_public_asks_nothing(client, staff, office):
    group = GroupFactory(office=office, listing=Group.Listing.PUBLIC_WITH_PLACE)
    client.force_login(staff)
    data = form_data(name="Neuer Name")
    del data["publish_without_consent"]
    response = client.post(reverse("groups:group_update", args=[group.pk]), data)
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.name == "Neuer Name"


def test_the_staff_page_links_the_public_page_of_a_public_group(client, staff, office):
    public = GroupFactory(office=office, listing=Group.Listing.PUBLIC_WITH_PLACE)
    unlisted = GroupFactory(office=office, listing=Group.Listing.UNLISTED)
    client.force_login(staff)
    assert public.get_public_url() in client.get(public.get_absolute_url()).content.decode()
    assert unlisted.get_public_url() not in client.get(unlisted.get_absolute_url()).content.decode()
