import datetime

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from groups.models import Group, GroupSearchTerm
from kontaktstelle.accounts.models import Membership, User
from kontaktstelle.consent.models import Consent
from kontaktstelle.management.commands.seed_demo import DEMO_PASSWORD
from kontaktstelle.offices.models import Office, Room, Site
from starters.models import (
    Attendance,
    Availability,
    CohortParticipation,
    Qualification,
    Starter,
    TrainingCohort,
    TrainingEvent,
)


def snapshot():
    return {
        "offices": list(Office.objects.values_list("slug", "name").order_by("slug")),
        "sites": Site.objects.count(),
        "rooms": Room.objects.count(),
        "users": list(User.objects.values_list("email", "password").order_by("email")),
        "memberships": Membership.objects.count(),
        "groups": list(Group.objects.values_list("slug", "updated_at").order_by("slug")),
        "search_terms": GroupSearchTerm.objects.count(),
        "starters": list(
            Starter.objects.values_list("user__email", "status", "updated_at").order_by("pk")
        ),
        "qualifications": Starter.qualifications.through.objects.count(),
        "availabilities": Availability.objects.count(),
        "cohorts": list(TrainingCohort.objects.values_list("name", "starts_on").order_by("pk")),
        "participations": CohortParticipation.objects.count(),
        "events": list(TrainingEvent.objects.values_list("title", "date").order_by("pk")),
        "attendances": Attendance.objects.count(),
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
    # Every starter's role comes with a profile: the five demo logins and the others.
    assert roles.filter(role=Membership.Role.STARTER).count() == main.starters.count() >= 15
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
def test_seed_demo_adds_starters_cohorts_and_a_year_of_training(settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    today = timezone.localdate()
    starters = Starter.objects.all()
    assert 20 <= starters.count() <= 30
    assert set(starters.values_list("status", flat=True)) == set(Starter.Status.values)
    assert (
        starters.filter(office__slug="musterstadt").count()
        > starters.filter(office__slug="beispielkreis").count()
    )
    for email in [f"igs{n}@kiss-musterstadt.example" for n in range(1, 6)]:
        assert Starter.objects.filter(user__email=email, office__slug="musterstadt").exists()
    assert Starter.objects.filter(user__email="igs@selbsthilfe-beispielkreis.example").exists()
    for starter in starters.select_related("user__membership"):
        assert starter.user.membership.role == Membership.Role.STARTER
        assert starter.user.membership.office_id == starter.office_id
        assert 1 <= starter.availabilities.count() <= 3
        assert starter.languages.filter(code="de").exists()
        trained = starter.qualifications.filter(code=Qualification.Code.FOUNDING).exists()
        assert trained == (starter.status != Starter.Status.IN_TRAINING), starter
        if starter.status != Starter.Status.IN_TRAINING:
            assert starter.agreement_signed_on and starter.consent_given_on, starter
        # Each consent date has the record that proves it.
        records = Consent.objects.filter(starter=starter, withdrawn_at__isnull=True)
        assert records.count() == (1 if starter.consent_given_on else 0), starter
    new_user = User.objects.get(email="ayse.kaya@igs.example")
    assert new_user.check_password(DEMO_PASSWORD)
    assert starters.filter(status=Starter.Status.PAUSED, paused_until__isnull=False).exists()
    assert starters.filter(status=Starter.Status.PAUSED, paused_until__isnull=True).exists()
    assert starters.filter(excluded_topics__isnull=False).exists()

    assert TrainingCohort.objects.count() == 2
    participations = CohortParticipation.objects.all()
    assert (
        participations.filter(completed_on__isnull=False).count()
        > participations.filter(
            completed_on__isnull=True, cohort__starts_on__lt=today - datetime.timedelta(days=365)
        ).count()
    )
    assert not participations.filter(completed_on__gt=today).exists()
    for participation in participations.filter(completed_on__isnull=False):
        for qualification in participation.cohort.grants.all():
            assert participation.starter.qualifications.filter(pk=qualification.pk).exists()
    assert participations.filter(
        completed_on__isnull=True, starter__status=Starter.Status.IN_TRAINING
    ).exists()

    events = TrainingEvent.objects.all()
    year_ago = today - datetime.timedelta(days=365)
    past = events.filter(date__lte=today)
    assert not events.filter(date__lte=year_ago).exists()
    assert past.filter(date__lt=today - datetime.timedelta(days=300)).exists()
    assert set(past.values_list("kind", flat=True)) == set(TrainingEvent.Kind.values)
    assert not Attendance.objects.filter(event__date__gt=today).exists()
    assert Attendance.objects.count() >= 50
    for attendance in Attendance.objects.filter(event__grants__isnull=False).distinct():
        for qualification in attendance.event.grants.all():
            assert attendance.starter.qualifications.filter(pk=qualification.pk).exists()
    assert 2 <= Starter.objects.exchange_overdue().count() <= 5
    assert "Starters: " in capsys.readouterr().out


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
    from kontaktstelle.demo.groups import GROUPS, SECOND_OFFICE, UNLISTED, resolve_topics

    for name, topics, *_rest in [*GROUPS, *UNLISTED, *SECOND_OFFICE]:
        assert len(resolve_topics(topics)) == len(topics), (name, topics)


@pytest.mark.django_db
def test_the_shipped_thesaurus_is_loaded_by_migrate():
    from groups.models import Synonym, Topic, TopicCategory

    assert Topic.objects.count() >= 150
    assert TopicCategory.objects.count() >= 8
    assert Synonym.objects.filter(topic__name="Drogenabhängigkeit", term="Drogen").exists()
