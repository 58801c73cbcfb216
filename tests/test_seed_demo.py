import pytest
from django.core.management import CommandError, call_command

from groups.models import Group, GroupSearchTerm
from kontaktstelle.management.commands.seed_demo import DEMO_PASSWORD
from kontaktstelle.models import Membership, Office, Room, Site, User


def snapshot():
    return {
        "offices": list(Office.objects.values_list("slug", "name").order_by("slug")),
        "sites": Site.objects.count(),
        "rooms": Room.objects.count(),
        "users": list(User.objects.values_list("email", "password").order_by("email")),
        "memberships": Membership.objects.count(),
        "groups": list(Group.objects.values_list("slug", "updated_at").order_by("slug")),
        "search_terms": GroupSearchTerm.objects.count(),
    }


@pytest.mark.django_db
def test_seed_demo_builds_a_believable_office_and_a_second_one(settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    main = Office.objects.get(slug="musterstadt")
    assert main.sites.count() == 3
    assert Room.objects.filter(site__office=main).count() >= 3
    roles = Membership.objects.filter(office=main)
    assert roles.filter(role=Membership.Role.OFFICE_ADMIN).count() == 1
    assert roles.filter(role=Membership.Role.STAFF).count() == 2
    assert roles.filter(role=Membership.Role.STARTER).count() == 5
    assert Membership.objects.filter(role=Membership.Role.COORDINATOR).count() == 1
    assert Office.objects.count() == 2
    groups = Group.objects.filter(office=main)
    assert groups.count() >= 100
    assert groups.filter(listing=Group.Listing.UNLISTED).exists()
    assert groups.filter(status=Group.Status.FOUNDING).exists()
    assert Group.objects.filter(office__slug="beispielkreis").exists()
    assert GroupSearchTerm.objects.filter(group__office=main).exists()
    user = User.objects.get(email="fachkraft@kiss-musterstadt.example")
    assert user.check_password(DEMO_PASSWORD)
    output = capsys.readouterr().out
    assert "fachkraft@kiss-musterstadt.example" in output
    assert DEMO_PASSWORD in output


@pytest.mark.django_db
def test_seed_demo_twice_changes_nothing(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    before = snapshot()
    call_command("seed_demo")
    assert snapshot() == before


@pytest.mark.django_db
def test_seed_demo_refuses_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="Debug is off"):
        call_command("seed_demo")
    assert not Office.objects.exists()


@pytest.mark.django_db
def test_seed_demo_force_runs_with_debug_off(settings):
    settings.DEBUG = False
    call_command("seed_demo", "--force")
    assert Office.objects.count() == 2


@pytest.mark.django_db
def test_every_demo_topic_is_in_the_shipped_thesaurus():
    from groups.demo import GROUPS, SECOND_OFFICE, UNLISTED, resolve_topics

    for name, topics, *_rest in [*GROUPS, *UNLISTED, *SECOND_OFFICE]:
        assert len(resolve_topics(topics)) == len(topics), (name, topics)


@pytest.mark.django_db
def test_the_shipped_thesaurus_is_loaded_by_migrate():
    from groups.models import Synonym, Topic, TopicCategory

    assert Topic.objects.count() >= 150
    assert TopicCategory.objects.count() >= 8
    assert Synonym.objects.filter(topic__name="Drogenabhängigkeit", term="Drogen").exists()
