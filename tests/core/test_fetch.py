"""One way to fetch (issue 18): ``for_user`` on what a volunteer owns, and ``fetch``."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from kontaktstelle.web.fetch import fetch
from starters import services
from starters.models import Assignment, Certificate, CohortParticipation
from tests.factories import GroupFactory, TopicFactory, TrainingCohortFactory
from tests.starters.test_accompaniments import make_accompaniment


@pytest.fixture
def assignment(office, staff, starter):
    accompaniment = make_accompaniment(
        office, staff, GroupFactory(office=office, topics=[TopicFactory()])
    )
    return services.offer(staff, accompaniment, starter.starter)


def test_an_assignment_is_seen_by_its_starter_and_its_offices_staff(
    assignment, staff, starter, other_starter, other_staff
):
    assert list(Assignment.objects.for_user(staff)) == [assignment]
    assert list(Assignment.objects.for_user(starter)) == [assignment]
    assert not Assignment.objects.for_user(other_starter).exists()
    assert not Assignment.objects.for_user(other_staff).exists()
    assert not Assignment.objects.for_user(AnonymousUser()).exists()


def test_a_certificate_is_seen_by_its_starter_and_its_offices_staff(
    staff, starter, other_starter, other_staff, coordinator
):
    certificate = services.request_certificate(starter.starter, *services.year_bounds())
    assert list(Certificate.objects.for_user(starter)) == [certificate]
    assert list(Certificate.objects.for_user(staff)) == [certificate]
    for outsider in (other_starter, other_staff, coordinator):
        assert not Certificate.objects.for_user(outsider).exists()


def test_a_participation_is_seen_by_its_offices_staff_only(office, staff, starter, other_staff):
    participation = CohortParticipation.objects.create(
        cohort=TrainingCohortFactory(office=office), starter=starter.starter
    )
    assert list(CohortParticipation.objects.for_user(staff)) == [participation]
    assert not CohortParticipation.objects.for_user(other_staff).exists()
    assert not CohortParticipation.objects.for_user(starter).exists()


def test_fetch_answers_404_outside_and_the_object_inside(assignment, starter, other_starter):
    assert fetch(Assignment.objects, starter, pk=assignment.pk) == assignment
    with pytest.raises(Http404):
        fetch(Assignment.objects, other_starter, pk=assignment.pk)
    with pytest.raises(Http404):
        fetch(Assignment.objects, starter, pk=assignment.pk + 1000)


def test_accounts_are_seen_by_their_offices_staff_and_by_themselves(
    staff, starter, other_staff, other_starter, coordinator
):
    from kontaktstelle.models import User

    assert set(User.objects.for_user(staff)) == {staff, starter, other_starter}
    assert list(User.objects.for_user(starter)) == [starter]
    assert staff not in User.objects.for_user(other_staff)
    assert list(User.objects.for_user(coordinator)) == [coordinator]
    assert not User.objects.for_user(AnonymousUser()).exists()
