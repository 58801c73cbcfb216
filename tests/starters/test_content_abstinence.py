"""Content abstinence as a hard rule (issue 17): a starter personally affected by a topic
of the group is never suggested, offered, paired in a tandem or let accept, whatever
path is taken and whatever reason is typed; a group without topics cannot be matched.
"""

import importlib
import re

import pytest
from django.apps import apps
from django.db import transaction
from django.urls import reverse

from groups.models import Group, Inquiry, Synonym, Topic
from kontaktstelle.notifications.models import Notification
from starters import services
from starters.matching import judge
from starters.models import Accompaniment, Assignment
from starters.services import StarterError
from starters.signals import flag_conflicts
from tests.factories import GroupFactory, StarterFactory, TopicFactory
from tests.starters.test_accompaniments import (
    assert_refused,
    at_once,
    fresh,
    make_accompaniment,
    make_inquiry,
    needs_postgresql,
    split,
)

AFFECTED = "ist von einem Thema dieser Gruppe persönlich betroffen (Tinnitus)"


def thesaurus_topic(name):
    """A topic of the shipped German thesaurus."""
    return Topic.objects.get(name=name)


@pytest.fixture
def tinnitus(db):
    topic = thesaurus_topic("Tinnitus")
    assert Synonym.objects.filter(topic=topic, term="Ohrgeräusche").exists()
    return topic


@pytest.fixture
def group(office, tinnitus):
    return GroupFactory(office=office, name="Tinnitus-Gruppe", topics=[tinnitus])


@pytest.fixture
def accompaniment(office, staff, group):
    return make_accompaniment(office, staff, group)


@pytest.fixture
def affected(office, tinnitus):
    starter = StarterFactory(office=office, user_name="Petra Betroffen")
    starter.excluded_topics.add(tinnitus)
    return starter


@pytest.fixture
def free(office):
    return StarterFactory(office=office, user_name="Frieda Frei")


# A founding interest carries its topic into the group --------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tinnitus", ["Tinnitus"]),
        ("tinnitus ", ["Tinnitus"]),
        ("Ohrgeräusche", ["Tinnitus"]),  # a synonym
        ("Tinnitus, Schwerhörigkeit", ["Schwerhörigkeit", "Tinnitus"]),
        ("Tinnitus und Schwerhörigkeit", ["Schwerhörigkeit", "Tinnitus"]),
        ("Etwas ganz anderes", []),
    ],
)
def test_the_topic_of_a_founding_interest_becomes_the_groups_topics(
    office, staff, tinnitus, text, expected
):
    group = services.create_founding_group(staff, make_inquiry(office, topic=text))
    assert sorted(group.topics.values_list("name", flat=True)) == expected
    assert group.status == Group.Status.FOUNDING
    assert "Gründung" not in group.name and "founded" not in group.name


def test_the_request_form_carries_the_founders_name(client, staff, office, tinnitus):
    inquiry = make_inquiry(office, topic="Tinnitus")
    client.force_login(staff)
    response = client.post(reverse("starters:accompaniment_from_inquiry", args=[inquiry.pk]))
    group = Group.objects.get()
    assert list(group.topics.all()) == [tinnitus]
    form = client.get(response.url).context["form"]
    assert form.initial["requested_by"] == "Sabine Interessiert"
    assert form.initial["group"] == group


# Matching and offering: never, whatever the reason ------------------------------------


def test_an_affected_starter_is_not_suggested_and_not_offered_in_the_form(
    client, staff, accompaniment, affected, free
):
    candidates = {c.starter: c for c in judge(accompaniment)}
    assert not candidates[affected].suggested
    assert candidates[affected].affected == ["Tinnitus"]
    client.force_login(staff)
    page = client.get(accompaniment.get_absolute_url())
    choices = [value for value, _label in page.context["offer_form"].fields["starter"].choices]
    assert affected.pk not in choices
    assert free.pk in choices


def test_an_affected_starter_cannot_be_offered_by_typing_a_reason(
    client, staff, accompaniment, affected
):
    client.force_login(staff)
    response = client.post(
        accompaniment.get_absolute_url(),
        {"starter": affected.pk, "choice_reason": "Sie kennt die Gründerin"},
    )
    assert response.status_code == 200
    assert f"{affected.name} {AFFECTED}" in response.content.decode()
    assert not Assignment.objects.exists()


@pytest.mark.parametrize("suggested", [True, False])
def test_the_service_refuses_an_affected_starter_on_every_path(
    staff, accompaniment, affected, suggested
):
    with pytest.raises(StarterError, match=re.escape(AFFECTED)):
        services.offer(staff, accompaniment, affected, "Sie kennt die Gründerin", suggested)
    assert_refused(
        lambda: services.offer(staff, accompaniment, affected, "Grund", suggested=suggested)
    )


def test_an_affected_tandem_partner_is_refused(staff, accompaniment, affected, free):
    services.answer_offer(free, services.offer(staff, accompaniment, free), accept=True)
    assert_refused(lambda: services.offer(staff, accompaniment, affected, "Tandem", False))
    assert list(accompaniment.assignments.values_list("starter", flat=True)) == [free.pk]


def test_a_group_without_topics_cannot_be_matched(client, office, staff, free):
    accompaniment = make_accompaniment(office, staff, GroupFactory(office=office, name="Neu"))
    with pytest.raises(StarterError, match="hat noch keine Themen"):
        services.offer(staff, accompaniment, free)
    assert_refused(lambda: services.offer(staff, accompaniment, free))
    client.force_login(staff)
    page = client.get(accompaniment.get_absolute_url()).content.decode()
    assert "Zuerst die Themen der Gruppe" in page
    assert reverse("groups:group_update", args=[accompaniment.group.pk]) in page
    assert "Angebot senden" not in page


# Topics that change while an offer is open --------------------------------------------


def test_a_topic_added_after_the_offer_blocks_accepting_and_tells_staff(
    office, staff, django_capture_on_commit_callbacks
):
    tinnitus, grief = thesaurus_topic("Tinnitus"), thesaurus_topic("Trauer")
    group = GroupFactory(office=office, topics=[grief])
    accompaniment = make_accompaniment(office, staff, group)
    starter = StarterFactory(office=office, user_name="Petra Betroffen")
    starter.excluded_topics.add(tinnitus)
    assignment = services.offer(staff, accompaniment, starter)
    with django_capture_on_commit_callbacks(execute=True):
        group.topics.add(tinnitus)
    flagged = Notification.objects.get(user=staff, kind=Notification.Kind.TOPIC_CONFLICT)
    assert "Petra Betroffen" in flagged.subject
    assert "Tinnitus" in flagged.body
    assert flagged.url == accompaniment.get_absolute_url()
    with pytest.raises(StarterError, match="persönlich betroffen"):
        services.answer_offer(starter, assignment, accept=True)
    assert fresh(assignment).state == Assignment.State.OFFERED
    assert flag_conflicts(group) == 0  # told once


def test_a_topic_added_while_accompanying_tells_staff(
    office, staff, django_capture_on_commit_callbacks
):
    tinnitus, grief = thesaurus_topic("Tinnitus"), thesaurus_topic("Trauer")
    group = GroupFactory(office=office, topics=[grief])
    accompaniment = make_accompaniment(office, staff, group)
    starter = StarterFactory(office=office)
    services.answer_offer(starter, services.offer(staff, accompaniment, starter), accept=True)
    unaffected = StarterFactory(office=office)
    with django_capture_on_commit_callbacks(execute=True):
        group.topics.add(tinnitus)  # affects nobody yet
    assert not Notification.objects.filter(kind=Notification.Kind.TOPIC_CONFLICT).exists()
    starter.excluded_topics.add(tinnitus)
    with django_capture_on_commit_callbacks(execute=True):
        tinnitus.groups.add(GroupFactory(office=office))  # the reverse side, another group
        group.topics.add(thesaurus_topic("Schwerhörigkeit"))
    assert Notification.objects.filter(kind=Notification.Kind.TOPIC_CONFLICT).count() == 1
    assert unaffected.pk not in Notification.objects.values_list("user", flat=True)


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_accepting_while_a_topic_is_added_never_leaves_an_unflagged_conflict(office, staff):
    for round_ in range(5):
        tinnitus, grief = TopicFactory(), TopicFactory()
        group = GroupFactory(office=office, topics=[grief])
        accompaniment = make_accompaniment(office, staff, group)
        starter = StarterFactory(office=office)
        starter.excluded_topics.add(tinnitus)
        assignment = services.offer(staff, accompaniment, starter)

        def add_topic(group=group, topic=tinnitus):
            with transaction.atomic():
                Group.objects.get(pk=group.pk).topics.add(topic)

        outcomes = at_once(
            accept=lambda a=assignment, s=starter: services.answer_offer(s, a, accept=True),
            topic=add_topic,
        )
        split(outcomes)  # nothing but refusals went wrong
        accepted = fresh(assignment).state == Assignment.State.ACCEPTED
        flagged = Notification.objects.filter(
            user=staff,
            kind=Notification.Kind.TOPIC_CONFLICT,
            key__startswith=f"conflict:{assignment.pk}:",
        ).exists()
        # Either the acceptance was refused, or staff were told of the conflict.
        assert not accepted or flagged, round_
        assert fresh(accompaniment).status in (
            Accompaniment.Status.OFFERED,
            Accompaniment.Status.ACTIVE,
        )


# Names of groups being founded ---------------------------------------------------------


def test_the_migration_takes_the_status_out_of_the_names(office):
    founding = GroupFactory(office=office, name="Selbsthilfegruppe Tinnitus (in Gründung)")
    english = GroupFactory(office=office, name="Self-help group Tinnitus (being founded)")
    other = GroupFactory(office=office, name="Eltern (in Gründung) und mehr")
    migration = importlib.import_module("groups.migrations.0008_founding_names_without_status")
    migration.strip_status_from_names(apps, None)
    assert fresh(founding).name == "Selbsthilfegruppe Tinnitus"
    assert fresh(english).name == "Self-help group Tinnitus"
    assert fresh(other).name == "Eltern (in Gründung) und mehr"


def test_inquiry_kind_is_checked_first(office, staff):
    inquiry = make_inquiry(office, kind=Inquiry.Kind.CONTACT_REQUEST)
    assert_refused(lambda: services.create_founding_group(staff, inquiry))
