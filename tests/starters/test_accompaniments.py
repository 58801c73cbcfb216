"""Accompaniments: database invariants, the lifecycle services, querysets and matching.

Every refused change is checked to leave the whole database as it was. The races at
the end need PostgreSQL (CI runs the whole suite on it); SQLite serialises every writer.
"""

import datetime
import threading

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import gettext as _

from groups.models import Group, GroupChange, Inquiry
from kontaktstelle.accounts.models import Membership, User
from starters import services
from starters.forms import AccompanimentForm
from starters.matching import judge
from starters.models import (
    Accompaniment,
    Assignment,
    Availability,
    Language,
    Qualification,
    Starter,
)
from starters.services import StarterError
from starters.services import accompaniments as accompaniment_services
from tests.factories import GroupFactory, StarterFactory, TopicFactory

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)
Kind = Accompaniment.Kind
Status = Accompaniment.Status
Outcome = Accompaniment.Outcome
FollowUp = Accompaniment.FollowUp
State = Assignment.State
TUESDAY = Availability.Weekday.TUESDAY
WEDNESDAY = Availability.Weekday.WEDNESDAY


def qualification(code):
    return Qualification.objects.get(code=code)


def arabic():
    return Language.objects.get(code="ar")


def make_accompaniment(office, responsible, group=None, **fields):
    defaults = {
        "kind": Kind.FOUNDING,
        "requested_by": "Gründerin",
        "planned_meetings": 6,
        "meeting_weekday": TUESDAY,
        "meeting_time": datetime.time(19),
        "meeting_place": "Gruppenraum 1",
    }
    return Accompaniment.objects.create(
        office=office,
        # Groups are matched only with topics (content abstinence).
        group=group or GroupFactory(office=office, topics=[TopicFactory()]),
        responsible=responsible,
        **defaults | fields,
    )


def completed(office, responsible, days_ago=1, **fields):
    values = {
        "status": Status.COMPLETED,
        "started_on": TODAY - (days_ago + 30) * DAY,
        "completed_on": TODAY - days_ago * DAY,
        "outcome": Outcome.CONTINUES,
    }
    return make_accompaniment(office, responsible, **values | fields)


def everything():
    """What a refused change must leave as it was: requests, assignments, loads."""
    return (
        list(Accompaniment.objects.order_by("pk").values()),
        list(Assignment.objects.order_by("pk").values()),
        list(Starter.objects.order_by("pk").values_list("pk", "load", "capacity")),
        list(Group.objects.order_by("pk").values_list("pk", "status")),
        list(Inquiry.objects.order_by("pk").values_list("pk", "status")),
    )


def assert_refused(change, error=StarterError):
    before = everything()
    with pytest.raises(error):
        change()
    assert everything() == before


def fresh(instance):
    instance.refresh_from_db()
    return instance


@pytest.fixture
def topic(db):
    return TopicFactory(name="Trauer (Testthema)")


@pytest.fixture
def room(site):
    return site.rooms.get()


@pytest.fixture
def group(office, topic, room):
    return GroupFactory(
        office=office,
        name="Trauer und Neubeginn",
        status=Group.Status.FOUNDING,
        room=room,
        city="Musterstadt",
        topics=[topic],
    )


@pytest.fixture
def accompaniment(office, staff, group):
    """A founding request: Tuesdays at 19:00 in the site's group room."""
    return make_accompaniment(office, staff, group)


@pytest.fixture
def maria(starter):
    return starter.starter


@pytest.fixture
def thomas(other_starter):
    return other_starter.starter


@pytest.fixture
def ali(other_office_starter):
    return other_office_starter.starter


# Database invariants --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "meetings"),
    [(Kind.FOUNDING, 1), (Kind.FOUNDING, 8), (Kind.IMPULSE, 6), (Kind.CRISIS, 6)],
)
def test_database_accepts_the_published_meeting_limits(office, staff, kind, meetings):
    accompaniment = make_accompaniment(office, staff, kind=kind, planned_meetings=meetings)
    assert fresh(accompaniment).planned_meetings == meetings


@pytest.mark.parametrize(
    ("kind", "meetings"),
    [
        (Kind.FOUNDING, 9),
        (Kind.IMPULSE, 7),
        (Kind.CRISIS, 7),
        (Kind.FOUNDING, 0),
        (Kind.IMPULSE, 0),
        (Kind.CRISIS, 0),
    ],
)
def test_database_refuses_meetings_beyond_the_limits(office, staff, kind, meetings):
    group = GroupFactory(office=office)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_accompaniment(office, staff, group, kind=kind, planned_meetings=meetings)
    assert not Accompaniment.objects.exists()


def test_database_refuses_raising_meetings_of_an_existing_group_past_six(accompaniment):
    accompaniment.kind = Kind.IMPULSE
    accompaniment.planned_meetings = 8
    with pytest.raises(IntegrityError), transaction.atomic():
        accompaniment.save()


@pytest.mark.parametrize(
    "missing",
    [{"completed_on": None}, {"outcome": ""}, {"completed_on": None, "outcome": ""}],
)
def test_database_refuses_completion_without_date_or_outcome(accompaniment, missing):
    values = {"status": Status.COMPLETED, "completed_on": TODAY, "outcome": Outcome.CONTINUES}
    with pytest.raises(IntegrityError), transaction.atomic():
        Accompaniment.objects.filter(pk=accompaniment.pk).update(**values | missing)
    assert fresh(accompaniment).status == Status.REQUESTED
    Accompaniment.objects.filter(pk=accompaniment.pk).update(**values)
    assert fresh(accompaniment).status == Status.COMPLETED


@pytest.mark.parametrize("status", [Status.REQUESTED, Status.ACTIVE, Status.CANCELLED])
def test_database_refuses_a_follow_up_before_completion(accompaniment, status):
    with pytest.raises(IntegrityError), transaction.atomic():
        Accompaniment.objects.filter(pk=accompaniment.pk).update(
            status=status, completed_on=TODAY, follow_up_on=TODAY, follow_up=FollowUp.UNKNOWN
        )
    assert fresh(accompaniment).follow_up_on is None


def test_database_accepts_a_follow_up_after_completion(office, staff):
    accompaniment = completed(office, staff, days_ago=200)
    accompaniment.follow_up_on = TODAY
    accompaniment.follow_up = FollowUp.STILL_MEETS
    accompaniment.save()
    assert fresh(accompaniment).follow_up_on == TODAY


def test_database_refuses_a_second_assignment_of_the_same_starter(staff, accompaniment, maria):
    Assignment.objects.create(accompaniment=accompaniment, starter=maria, offered_by=staff)
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(
            accompaniment=accompaniment, starter=maria, offered_by=staff, state=State.DECLINED
        )
    assert accompaniment.assignments.count() == 1


def test_database_refuses_a_load_above_capacity(maria):
    Starter.objects.filter(pk=maria.pk).update(load=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        Starter.objects.filter(pk=maria.pk).update(load=3)
    assert fresh(maria).load == 2


def test_database_refuses_lowering_capacity_below_the_load(staff, accompaniment, maria):
    services.offer(staff, accompaniment, maria)
    maria.refresh_from_db()
    maria.capacity = 0
    with pytest.raises(IntegrityError), transaction.atomic():
        maria.save()
    assert fresh(maria).capacity == 2
    assert maria.load == 1


# Offer, answer, complete, cancel --------------------------------------------------------


def test_offer_holds_a_place_and_notifies_only_after_commit(
    staff, accompaniment, maria, django_capture_on_commit_callbacks
):
    notified = []
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assignment = services.offer(staff, accompaniment, maria, notify=notified.append)
        assert notified == []
    assert len(callbacks) == 1
    assert notified == [assignment]
    assert fresh(accompaniment).status == Status.OFFERED
    assignment.refresh_from_db()
    assert assignment.state == State.OFFERED
    assert assignment.offered_by == staff
    assert assignment.answered_at is None
    assert fresh(maria).load == 1


def test_a_refused_offer_notifies_nobody(
    staff, accompaniment, ali, django_capture_on_commit_callbacks
):
    notified = []
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert_refused(lambda: services.offer(staff, accompaniment, ali, notify=notified.append))
    assert callbacks == []
    assert notified == []


def test_an_offer_rolled_back_notifies_nobody(
    staff, accompaniment, maria, django_capture_on_commit_callbacks
):
    notified = []
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.offer(staff, accompaniment, maria, notify=notified.append)
        raise RuntimeError("the surrounding request failed")
    assert callbacks == []
    assert notified == []
    assert not Assignment.objects.exists()
    assert fresh(maria).load == 0


def test_requested_offered_active_completed(staff, accompaniment, maria):
    assignment = services.offer(staff, accompaniment, maria)
    assert fresh(accompaniment).status == Status.OFFERED

    services.answer_offer(maria, assignment, accept=True)
    accompaniment.refresh_from_db()
    assignment.refresh_from_db()
    assert accompaniment.status == Status.ACTIVE
    assert accompaniment.started_on == TODAY
    assert assignment.state == State.ACCEPTED
    assert assignment.answered_at is not None
    # The offer took the place; accepting keeps it.
    assert fresh(maria).load == 1

    services.complete(staff, accompaniment, Outcome.CONTINUES, TODAY, note="  läuft  ")
    accompaniment.refresh_from_db()
    assert accompaniment.status == Status.COMPLETED
    assert accompaniment.completed_on == TODAY
    assert accompaniment.outcome == Outcome.CONTINUES
    assert accompaniment.outcome_note == "läuft"
    assert accompaniment.follow_up_due_on == TODAY + datetime.timedelta(days=182)
    assert fresh(assignment).state == State.ENDED
    assert fresh(maria).load == 0


def test_completion_on_the_day_it_started_and_follow_up_on_its_bounds(staff, accompaniment, maria):
    services.answer_offer(maria, services.offer(staff, accompaniment, maria), accept=True)
    Accompaniment.objects.filter(pk=accompaniment.pk).update(started_on=TODAY - 20 * DAY)
    services.complete(staff, accompaniment, Outcome.NEEDS_SUPPORT, TODAY - 20 * DAY)
    assert fresh(accompaniment).completed_on == TODAY - 20 * DAY
    services.record_follow_up(staff, accompaniment, FollowUp.STILL_MEETS, TODAY - 20 * DAY)
    assert fresh(accompaniment).follow_up_on == TODAY - 20 * DAY
    services.record_follow_up(staff, accompaniment, FollowUp.DISSOLVED, TODAY)
    accompaniment.refresh_from_db()
    assert (accompaniment.follow_up_on, accompaniment.follow_up) == (TODAY, FollowUp.DISSOLVED)


def test_completion_withdraws_a_partners_unanswered_offer(staff, accompaniment, maria, thomas):
    services.answer_offer(maria, services.offer(staff, accompaniment, maria), accept=True)
    partner = services.offer(staff, accompaniment, thomas)
    services.complete(staff, accompaniment, Outcome.CONTINUES, TODAY)
    partner.refresh_from_db()
    assert partner.state == State.WITHDRAWN
    assert partner.answered_at is not None
    assert (fresh(maria).load, fresh(thomas).load) == (0, 0)


@pytest.mark.parametrize("stage", ["requested", "offered", "active", "active with open offer"])
def test_cancel_from_every_open_state_frees_the_starters(
    staff, accompaniment, maria, thomas, stage
):
    assignments = []
    if stage != "requested":
        assignments.append(services.offer(staff, accompaniment, maria))
    if stage.startswith("active"):
        services.answer_offer(maria, assignments[0], accept=True)
    if stage == "active with open offer":
        assignments.append(services.offer(staff, accompaniment, thomas))

    services.cancel(staff, accompaniment, reason="  Gruppe hat sich anders organisiert ")

    accompaniment.refresh_from_db()
    assert accompaniment.status == Status.CANCELLED
    assert accompaniment.cancel_reason == "Gruppe hat sich anders organisiert"
    assert accompaniment.completed_on == TODAY
    assert (fresh(maria).load, fresh(thomas).load) == (0, 0)
    expected = {
        "requested": [],
        "offered": [State.WITHDRAWN],
        "active": [State.ENDED],
        "active with open offer": [State.ENDED, State.WITHDRAWN],
    }[stage]
    assert [fresh(assignment).state for assignment in assignments] == expected
    assert not Assignment.objects.current().exists()


def test_declining_the_only_offer_sends_the_request_back_to_matching(staff, accompaniment, maria):
    assignment = services.offer(staff, accompaniment, maria)
    services.answer_offer(maria, assignment, accept=False, reason="  Dienstags Chor  ")
    assignment.refresh_from_db()
    assert assignment.state == State.DECLINED
    assert assignment.decline_reason == "Dienstags Chor"
    assert assignment.answered_at is not None
    assert fresh(accompaniment).status == Status.REQUESTED
    assert fresh(accompaniment).started_on is None
    assert fresh(maria).load == 0


def test_declining_beside_an_open_offer_stays_offered(staff, accompaniment, maria, thomas):
    first = services.offer(staff, accompaniment, maria)
    services.offer(staff, accompaniment, thomas)
    services.answer_offer(maria, first, accept=False)
    assert fresh(accompaniment).status == Status.OFFERED
    assert (fresh(maria).load, fresh(thomas).load) == (0, 1)


def test_declining_beside_an_accepted_partner_stays_active(staff, accompaniment, maria, thomas):
    services.answer_offer(maria, services.offer(staff, accompaniment, maria), accept=True)
    partner = services.offer(staff, accompaniment, thomas)
    services.answer_offer(thomas, partner, accept=False)
    assert fresh(accompaniment).status == Status.ACTIVE
    assert fresh(accompaniment).started_on == TODAY
    assert (fresh(maria).load, fresh(thomas).load) == (1, 0)


def test_a_partner_accepting_later_keeps_the_start_date(staff, accompaniment, maria, thomas):
    first = services.offer(staff, accompaniment, maria)
    second = services.offer(staff, accompaniment, thomas)
    services.answer_offer(maria, first, accept=True)
    Accompaniment.objects.filter(pk=accompaniment.pk).update(started_on=TODAY - 3 * DAY)
    services.answer_offer(thomas, second, accept=True)
    accompaniment.refresh_from_db()
    assert accompaniment.status == Status.ACTIVE
    assert accompaniment.started_on == TODAY - 3 * DAY
    assert (fresh(maria).load, fresh(thomas).load) == (1, 1)


def test_withdrawing_the_only_offer_sends_the_request_back_to_matching(staff, accompaniment, maria):
    assignment = services.offer(staff, accompaniment, maria)
    services.withdraw_offer(staff, assignment)
    assert fresh(assignment).state == State.WITHDRAWN
    assert fresh(accompaniment).status == Status.REQUESTED
    assert fresh(maria).load == 0


def test_withdrawing_beside_an_accepted_partner_stays_active(staff, accompaniment, maria, thomas):
    services.answer_offer(maria, services.offer(staff, accompaniment, maria), accept=True)
    services.withdraw_offer(staff, services.offer(staff, accompaniment, thomas))
    assert fresh(accompaniment).status == Status.ACTIVE
    assert (fresh(maria).load, fresh(thomas).load) == (1, 0)


def test_a_tandem_has_at_most_two_starters(office, staff, accompaniment, maria, thomas):
    services.offer(staff, accompaniment, maria)
    services.answer_offer(thomas, services.offer(staff, accompaniment, thomas), accept=True)
    third = StarterFactory(office=office)
    assert_refused(lambda: services.offer(staff, accompaniment, third))
    assert_refused(
        lambda: services.offer(staff, accompaniment, third, choice_reason="x", suggested=False)
    )
    assert fresh(third).load == 0
    assert accompaniment.assignments.count() == 2


def test_after_a_decline_someone_else_may_be_asked_but_not_the_decliner_again(
    office, staff, accompaniment, maria, thomas
):
    services.offer(staff, accompaniment, maria)
    services.answer_offer(thomas, services.offer(staff, accompaniment, thomas), accept=False)
    assert_refused(lambda: services.offer(staff, accompaniment, thomas))
    third = StarterFactory(office=office)
    services.offer(staff, accompaniment, third)
    assert Assignment.objects.filter(accompaniment=accompaniment).current().count() == 2


def test_someone_not_suggested_can_be_asked_with_a_reason(staff, accompaniment, maria):
    assignment = services.offer(
        staff, accompaniment, maria, choice_reason="  kennt die Gruppe ", suggested=False
    )
    assert fresh(assignment).choice_reason == "kennt die Gruppe"


@pytest.mark.parametrize("reason", ["", "   "])
def test_someone_not_suggested_needs_a_reason(staff, accompaniment, maria, reason):
    assert_refused(
        lambda: services.offer(staff, accompaniment, maria, choice_reason=reason, suggested=False)
    )
    assert fresh(accompaniment).status == Status.REQUESTED


def test_offer_to_a_starter_of_another_office_is_refused(staff, accompaniment, ali):
    assert_refused(lambda: services.offer(staff, accompaniment, ali))
    assert_refused(
        lambda: services.offer(staff, accompaniment, ali, choice_reason="x", suggested=False)
    )
    assert fresh(ali).load == 0


def test_the_same_starter_is_not_asked_twice(staff, accompaniment, maria):
    services.offer(staff, accompaniment, maria)
    assert_refused(lambda: services.offer(staff, accompaniment, maria))
    assert fresh(maria).load == 1


@pytest.mark.parametrize("close", ["cancel", "complete"])
def test_offer_on_a_closed_accompaniment_is_refused(staff, accompaniment, maria, thomas, close):
    services.answer_offer(maria, services.offer(staff, accompaniment, maria), accept=True)
    if close == "cancel":
        services.cancel(staff, accompaniment)
    else:
        services.complete(staff, accompaniment, Outcome.CONTINUES, TODAY)
    assert_refused(lambda: services.offer(staff, accompaniment, thomas))
    assert fresh(thomas).load == 0


def test_a_starter_without_a_free_place_is_not_asked(office, staff, accompaniment, maria):
    maria.capacity = 1
    maria.save()
    services.offer(staff, make_accompaniment(office, staff), maria)
    assert fresh(maria).load == fresh(maria).capacity == 1
    assert_refused(lambda: services.offer(staff, accompaniment, maria))
    nobody = StarterFactory(office=office)
    Starter.objects.filter(pk=nobody.pk).update(capacity=0)
    assert_refused(lambda: services.offer(staff, accompaniment, nobody))


def test_open_offers_count_against_capacity(office, staff, maria):
    """Nobody holds more offered or accepted accompaniments than their capacity."""
    maria.capacity = 1
    maria.save()
    requests = [make_accompaniment(office, staff) for _n in range(3)]
    first = services.offer(staff, requests[0], maria)
    assert_refused(lambda: services.offer(staff, requests[1], maria))
    assert_refused(
        lambda: services.offer(staff, requests[2], maria, choice_reason="x", suggested=False)
    )
    assert Assignment.objects.filter(starter=maria).count() == 1
    assert fresh(maria).load == 1
    services.answer_offer(maria, first, accept=False)
    services.offer(staff, requests[1], maria)
    assert fresh(maria).load == 1


def test_accepting_uses_the_place_the_offer_holds(staff, accompaniment, maria):
    """At load == capacity an accept is fine: the offer itself holds the place."""
    maria.capacity = 1
    maria.save()
    assignment = services.offer(staff, accompaniment, maria)
    assert fresh(maria).load == maria.capacity
    services.answer_offer(maria, assignment, accept=True)
    assert fresh(assignment).state == State.ACCEPTED
    assert fresh(maria).load == 1


def test_a_cancelled_accompaniment_cannot_be_completed(staff, accompaniment, maria):
    services.answer_offer(maria, services.offer(staff, accompaniment, maria), accept=True)
    services.cancel(staff, accompaniment)
    assert_refused(lambda: services.complete(staff, accompaniment, Outcome.CONTINUES, TODAY))
    assert fresh(accompaniment).status == Status.CANCELLED
    assert fresh(maria).load == 0


@pytest.mark.parametrize("offered", [False, True])
def test_only_an_active_accompaniment_can_be_completed(staff, accompaniment, maria, offered):
    if offered:
        services.offer(staff, accompaniment, maria)
    assert_refused(lambda: services.complete(staff, accompaniment, Outcome.CONTINUES, TODAY))
    assert fresh(accompaniment).status == (Status.OFFERED if offered else Status.REQUESTED)
    assert fresh(maria).load == (1 if offered else 0)


@pytest.mark.parametrize("close", ["cancel", "complete"])
def test_a_closed_accompaniment_cannot_be_cancelled(staff, accompaniment, maria, close):
    services.answer_offer(maria, services.offer(staff, accompaniment, maria), accept=True)
    if close == "cancel":
        services.cancel(staff, accompaniment)
    else:
        services.complete(staff, accompaniment, Outcome.CONTINUES, TODAY)
    assert_refused(lambda: services.cancel(staff, accompaniment, reason="noch einmal"))
    closed = {"cancel": Status.CANCELLED, "complete": Status.COMPLETED}[close]
    assert fresh(accompaniment).status == closed
    assert fresh(accompaniment).cancel_reason == ""


def test_an_offer_is_accepted_once(staff, accompaniment, maria):
    assignment = services.offer(staff, accompaniment, maria)
    services.answer_offer(maria, assignment, accept=True)
    assert_refused(lambda: services.answer_offer(maria, assignment, accept=True))
    assert_refused(lambda: services.answer_offer(maria, assignment, accept=False))
    assert fresh(assignment).state == State.ACCEPTED
    assert fresh(maria).load == 1


def test_a_declined_offer_cannot_be_accepted_afterwards(staff, accompaniment, maria):
    assignment = services.offer(staff, accompaniment, maria)
    services.answer_offer(maria, assignment, accept=False)
    assert_refused(lambda: services.answer_offer(maria, assignment, accept=True))
    assert fresh(maria).load == 0
    assert fresh(accompaniment).status == Status.REQUESTED


@pytest.mark.parametrize("accept", [True, False])
def test_nobody_answers_someone_elses_offer(staff, accompaniment, maria, thomas, ali, accept):
    assignment = services.offer(staff, accompaniment, maria)
    for intruder in (thomas, ali):
        assert_refused(
            lambda intruder=intruder: services.answer_offer(intruder, assignment, accept=accept),
            Assignment.DoesNotExist,
        )
    assert fresh(assignment).state == State.OFFERED
    assert fresh(accompaniment).status == Status.OFFERED
    assert (fresh(maria).load, fresh(thomas).load, fresh(ali).load) == (1, 0, 0)


def test_a_withdrawn_offer_cannot_be_accepted(staff, accompaniment, maria):
    assignment = services.offer(staff, accompaniment, maria)
    services.withdraw_offer(staff, assignment)
    assert_refused(lambda: services.answer_offer(maria, assignment, accept=True))
    assert fresh(accompaniment).status == Status.REQUESTED
    assert fresh(maria).load == 0


def test_an_offer_of_a_cancelled_accompaniment_cannot_be_accepted(staff, accompaniment, maria):
    assignment = services.offer(staff, accompaniment, maria)
    services.cancel(staff, accompaniment)
    assert_refused(lambda: services.answer_offer(maria, assignment, accept=True))
    assert fresh(accompaniment).status == Status.CANCELLED
    assert fresh(maria).load == 0


@pytest.mark.parametrize("answer", [True, False])
def test_only_an_unanswered_offer_can_be_withdrawn(staff, accompaniment, maria, answer):
    assignment = services.offer(staff, accompaniment, maria)
    services.answer_offer(maria, assignment, accept=answer)
    assert_refused(lambda: services.withdraw_offer(staff, assignment))
    assert fresh(maria).load == (1 if answer else 0)


def test_completion_date_in_the_future_or_before_the_start_is_refused(staff, accompaniment, maria):
    services.answer_offer(maria, services.offer(staff, accompaniment, maria), accept=True)
    Accompaniment.objects.filter(pk=accompaniment.pk).update(started_on=TODAY - 10 * DAY)
    for completed_on in (TODAY + DAY, TODAY - 11 * DAY):
        assert_refused(
            lambda completed_on=completed_on: services.complete(
                staff, accompaniment, Outcome.CONTINUES, completed_on
            )
        )
    assert fresh(accompaniment).status == Status.ACTIVE
    assert fresh(maria).load == 1


def test_a_follow_up_before_completion_is_refused(staff, accompaniment, maria):
    assert_refused(
        lambda: services.record_follow_up(staff, accompaniment, FollowUp.STILL_MEETS, TODAY)
    )
    services.answer_offer(maria, services.offer(staff, accompaniment, maria), accept=True)
    assert_refused(
        lambda: services.record_follow_up(staff, accompaniment, FollowUp.STILL_MEETS, TODAY)
    )
    services.cancel(staff, accompaniment)
    assert_refused(
        lambda: services.record_follow_up(staff, accompaniment, FollowUp.STILL_MEETS, TODAY)
    )


@pytest.mark.parametrize("followed_up_on", [TODAY - 201 * DAY, TODAY + DAY])
def test_a_follow_up_outside_end_and_today_is_refused(office, staff, followed_up_on):
    accompaniment = completed(office, staff, days_ago=200)
    assert_refused(
        lambda: services.record_follow_up(
            staff, accompaniment, FollowUp.STILL_MEETS, followed_up_on
        )
    )
    assert fresh(accompaniment).follow_up == ""


# From a founding interest ---------------------------------------------------------------


def make_inquiry(office, kind=Inquiry.Kind.FOUNDING_INTEREST, topic="Trauer nach Suizid"):
    return Inquiry.objects.create(
        office=office,
        kind=kind,
        name="Sabine Interessiert",
        email="interesse@example.net",
        topic=topic,
        consent_at=timezone.now(),
    )


def test_a_founding_interest_becomes_an_unlisted_group_being_founded(office, staff):
    inquiry = make_inquiry(office)
    group = services.create_founding_group(staff, inquiry)
    group.refresh_from_db()
    assert group.office == office
    assert group.status == Group.Status.FOUNDING
    assert group.listing == Group.Listing.UNLISTED
    # "being founded" is the group's status, shown as a badge, never part of its name.
    assert group.name == _("Self-help group %(topic)s") % {"topic": "Trauer nach Suizid"}
    assert group.slug.startswith("trauer-nach-suizid-gruendung")
    assert fresh(inquiry).status == Inquiry.Status.DONE
    assert list(GroupChange.objects.filter(group=group).values_list("user", "action")) == [
        (staff.pk, GroupChange.Action.CREATED)
    ]


def test_a_founding_interest_without_topic_gets_a_plain_name(office, staff):
    group = services.create_founding_group(staff, make_inquiry(office, topic="  "))
    assert group.name == _("New group")
    assert group.status == Group.Status.FOUNDING


def test_a_contact_request_does_not_become_a_group(office, staff):
    inquiry = make_inquiry(office, kind=Inquiry.Kind.CONTACT_REQUEST)
    assert_refused(lambda: services.create_founding_group(staff, inquiry))
    assert not Group.objects.exists()
    assert fresh(inquiry).status == Inquiry.Status.NEW


def test_a_founding_interest_becomes_one_group_only(office, staff):
    inquiry = make_inquiry(office)
    services.create_founding_group(staff, inquiry)
    assert_refused(lambda: services.create_founding_group(staff, inquiry))
    assert Group.objects.count() == 1


def test_another_offices_founding_interest_does_not_exist_for_staff(staff, other_office):
    inquiry = make_inquiry(other_office)
    assert_refused(lambda: services.create_founding_group(staff, inquiry), Inquiry.DoesNotExist)
    assert not Group.objects.exists()


def test_create_accompaniment_records_the_request_in_the_own_office(office, staff, group):
    inquiry = make_inquiry(office)
    migration = qualification("migration")
    form = AccompanimentForm(
        data={
            "group": group.pk,
            "kind": Kind.FOUNDING,
            "requested_by": "Gründerin",
            "requested_on": TODAY,
            "meeting_weekday": TUESDAY,
            "meeting_time": "19:00",
            "language": arabic().pk,
            "needs": [migration.pk],
            "planned_meetings": services.default_planned_meetings(Kind.FOUNDING),
            "responsible": staff.pk,
        },
        office=office,
    )
    assert form.is_valid(), form.errors
    accompaniment = services.create_accompaniment(staff, form, inquiry=inquiry)
    accompaniment.refresh_from_db()
    assert accompaniment.office == office
    assert accompaniment.inquiry == inquiry
    assert accompaniment.status == Status.REQUESTED
    assert accompaniment.planned_meetings == 6
    assert list(accompaniment.needs.all()) == [migration]


# Querysets ------------------------------------------------------------------------------


def test_open_lists_requested_offered_and_active(office, staff):
    open_ones = {make_accompaniment(office, staff, status=s) for s in Status.open_states()}
    completed(office, staff)
    make_accompaniment(office, staff, status=Status.CANCELLED, completed_on=TODAY)
    assert set(Accompaniment.objects.open()) == open_ones
    assert len(open_ones) == 3


def test_follow_up_overdue_six_months_after_completion(office, staff):
    today = datetime.date(2026, 9, 15)
    overdue = completed(office, staff, days_ago=0, completed_on=today - 183 * DAY)
    due_today = completed(office, staff, days_ago=0, completed_on=today - 182 * DAY)
    completed(office, staff, days_ago=0, completed_on=today - 100 * DAY)
    completed(
        office,
        staff,
        days_ago=0,
        completed_on=today - 300 * DAY,
        follow_up_on=today - 10 * DAY,
        follow_up=FollowUp.STILL_MEETS,
    )
    make_accompaniment(office, staff, status=Status.CANCELLED, completed_on=today - 300 * DAY)
    assert set(Accompaniment.objects.follow_up_overdue(today=today)) == {overdue, due_today}
    assert set(Accompaniment.objects.follow_up_overdue(today=today - DAY)) == {overdue}


def test_at_planned_end_lists_active_accompaniments_whose_end_has_come(office, staff):
    today = datetime.date(2026, 9, 15)
    ends_today = make_accompaniment(office, staff, status=Status.ACTIVE, planned_end=today)
    ended = make_accompaniment(office, staff, status=Status.ACTIVE, planned_end=today - DAY)
    make_accompaniment(office, staff, status=Status.ACTIVE, planned_end=today + DAY)
    make_accompaniment(office, staff, status=Status.ACTIVE)
    make_accompaniment(office, staff, status=Status.OFFERED, planned_end=today - DAY)
    completed(office, staff, planned_end=today - DAY)
    assert set(Accompaniment.objects.at_planned_end(today=today)) == {ends_today, ended}


def test_current_assignments_are_open_offers_and_accepted_ones_of_open_requests(office, staff):
    current = []
    for status in Status.open_states():
        accompaniment = make_accompaniment(office, staff, status=status)
        for state in State:
            assignment = Assignment.objects.create(
                accompaniment=accompaniment,
                starter=StarterFactory(office=office),
                offered_by=staff,
                state=state,
            )
            if state in (State.OFFERED, State.ACCEPTED):
                current.append(assignment)
    closed = completed(office, staff)
    for state in (State.OFFERED, State.ACCEPTED, State.ENDED):
        Assignment.objects.create(
            accompaniment=closed,
            starter=StarterFactory(office=office),
            offered_by=staff,
            state=state,
        )
    assert set(Assignment.objects.current()) == set(current)
    assert len(current) == 6


def test_unanswered_since_lists_old_open_offers(office, staff, accompaniment):
    now = timezone.now()

    def assignment(state, days_ago):
        return Assignment.objects.create(
            accompaniment=accompaniment,
            starter=StarterFactory(office=office),
            offered_by=staff,
            state=state,
            offered_at=now - datetime.timedelta(days=days_ago),
        )

    old = assignment(State.OFFERED, 4)
    assignment(State.OFFERED, 1)
    assignment(State.ACCEPTED, 10)
    assignment(State.DECLINED, 10)
    assert list(Assignment.objects.unanswered_since(now - datetime.timedelta(days=3))) == [old]


# Matching: hard conditions ---------------------------------------------------------------


def able(office, **fields):
    """A starter suggested for a founding request, unless ``fields`` say otherwise."""
    qualifications = fields.pop("qualifications", [qualification("founding")])
    return StarterFactory(office=office, qualifications=qualifications, **fields)


def judged(accompaniment):
    """The candidates of a freshly loaded accompaniment, by starter."""
    candidates = judge(Accompaniment.objects.get(pk=accompaniment.pk))
    return {candidate.starter.pk: candidate for candidate in candidates}


FRESH = _("no accompaniment in the last 12 months")


def test_an_able_starter_is_suggested(office, accompaniment):
    starter = able(office)
    candidate = judged(accompaniment)[starter.pk]
    assert candidate.suggested
    assert candidate.obstacles == []
    assert candidate.reasons == [FRESH]
    assert candidate.score == 2


@pytest.mark.parametrize("status", [Starter.Status.PAUSED, Starter.Status.IN_TRAINING])
def test_a_starter_who_is_not_active_is_listed_with_the_status(office, accompaniment, status):
    starter = able(office, status=status)
    candidate = judged(accompaniment)[starter.pk]
    assert not candidate.suggested
    assert candidate.obstacles == [_("status: %(status)s") % {"status": status.label}]


def test_a_starter_without_capacity_has_no_free_place(office, accompaniment):
    starter = able(office, capacity=0)
    assert judged(accompaniment)[starter.pk].obstacles == [_("no free place")]


def test_a_starter_whose_places_are_taken_by_offers_has_no_free_place(office, staff, accompaniment):
    starter = able(office, capacity=1)
    services.offer(staff, make_accompaniment(office, staff), starter)
    candidate = judged(accompaniment)[starter.pk]
    assert candidate.obstacles == [_("no free place")]
    assert not candidate.suggested


def test_a_starter_with_one_free_place_left_is_suggested(office, staff, accompaniment):
    starter = able(office, capacity=2)
    services.offer(staff, make_accompaniment(office, staff), starter)
    assert judged(accompaniment)[starter.pk].suggested


def test_a_starter_personally_affected_by_the_groups_topic(office, accompaniment, topic):
    affected = able(office)
    affected.excluded_topics.add(topic)
    unaffected = able(office)
    unaffected.excluded_topics.add(TopicFactory(name="Sucht (Testthema)"))
    candidates = judged(accompaniment)
    assert candidates[affected.pk].obstacles == [
        _("personally affected: %(topics)s") % {"topics": "Trauer (Testthema)"}
    ]
    assert candidates[unaffected.pk].obstacles == []


@pytest.mark.parametrize(
    ("kind", "needed", "other"),
    [
        (Kind.FOUNDING, "founding", "impulse"),
        (Kind.IMPULSE, "impulse", "founding"),
        (Kind.CRISIS, "impulse", "founding"),
    ],
)
def test_the_kind_needs_its_qualification(office, staff, group, kind, needed, other):
    accompaniment = make_accompaniment(office, staff, group, kind=kind, planned_meetings=3)
    lacking = able(office, qualifications=[qualification(other)])
    qualified = able(office, qualifications=[qualification(needed)])
    candidates = judged(accompaniment)
    assert candidates[lacking.pk].obstacles == [
        _("lacks: %(qualifications)s") % {"qualifications": qualification(needed).name}
    ]
    assert candidates[qualified.pk].obstacles == []


def test_the_qualifications_the_request_needs(office, accompaniment):
    migration, founding = qualification("migration"), qualification("founding")
    accompaniment.needs.add(migration)
    without = able(office)
    with_it = able(office, qualifications=[founding, migration])
    neither = able(office, qualifications=[])
    candidates = judged(accompaniment)
    lacks = _("lacks: %(qualifications)s")
    assert candidates[without.pk].obstacles == [lacks % {"qualifications": migration.name}]
    assert candidates[with_it.pk].obstacles == []
    both = ", ".join(sorted([migration.name, founding.name]))
    assert candidates[neither.pk].obstacles == [lacks % {"qualifications": both}]


def test_the_language_the_group_needs(office, accompaniment):
    accompaniment.language = arabic()
    accompaniment.save()
    silent = able(office)
    speaker = able(office)
    speaker.languages.add(arabic())
    candidates = judged(accompaniment)
    assert candidates[silent.pk].obstacles == [
        _("does not speak %(language)s") % {"language": "Arabisch"}
    ]
    assert candidates[speaker.pk].obstacles == []


def test_every_obstacle_is_named(office, accompaniment, topic):
    accompaniment.language = arabic()
    accompaniment.save()
    starter = able(office, status=Starter.Status.PAUSED, capacity=0, qualifications=[])
    starter.excluded_topics.add(topic)
    assert judged(accompaniment)[starter.pk].obstacles == [
        _("status: %(status)s") % {"status": Starter.Status.PAUSED.label},
        _("no free place"),
        _("personally affected: %(topics)s") % {"topics": "Trauer (Testthema)"},
        _("lacks: %(qualifications)s") % {"qualifications": qualification("founding").name},
        _("does not speak %(language)s") % {"language": "Arabisch"},
    ]


def test_retired_starters_those_asked_and_other_offices_are_not_listed(
    office, other_office, staff, accompaniment, maria, thomas, ali
):
    listed = able(office)
    able(office, status=Starter.Status.RETIRED)
    able(other_office)
    services.offer(staff, accompaniment, maria)
    services.answer_offer(thomas, services.offer(staff, accompaniment, thomas), accept=False)
    assert set(judged(accompaniment)) == {listed.pk}
    assert ali.pk not in judged(accompaniment)


# Matching: what scores -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("weekday", "starts", "ends", "matches"),
    [
        (TUESDAY, 18, 21, True),
        (TUESDAY, 19, 20, True),
        (TUESDAY, 17, 19, False),
        (TUESDAY, 20, 22, False),
        (WEDNESDAY, 18, 21, False),
    ],
)
def test_availability_at_the_meeting_time(office, accompaniment, weekday, starts, ends, matches):
    starter = able(office)
    slot = Availability.objects.create(
        starter=starter,
        weekday=weekday,
        starts_at=datetime.time(starts),
        ends_at=datetime.time(ends),
    )
    candidate = judged(accompaniment)[starter.pk]
    if matches:
        assert candidate.score == 5
        assert candidate.reasons == [
            _("available at the meeting time (%(slot)s)") % {"slot": slot},
            FRESH,
        ]
    else:
        assert candidate.score == 2
        assert candidate.reasons == [FRESH]


def test_availability_counts_once_and_any_slot_of_the_day_without_a_time(office, accompaniment):
    starter = able(office)
    for starts in (9, 18):
        Availability.objects.create(
            starter=starter,
            weekday=TUESDAY,
            starts_at=datetime.time(starts),
            ends_at=datetime.time(starts + 3),
        )
    assert judged(accompaniment)[starter.pk].score == 5
    Accompaniment.objects.filter(pk=accompaniment.pk).update(meeting_time=None)
    assert judged(accompaniment)[starter.pk].score == 5
    Accompaniment.objects.filter(pk=accompaniment.pk).update(meeting_weekday=None)
    assert judged(accompaniment)[starter.pk].score == 2


def test_reaching_the_site_or_the_town(office, accompaniment, site, other_site):
    by_site = able(office)
    by_site.sites.add(site)
    by_town = able(office, towns="Altstadt,  musterstadt ")
    by_both = able(office, towns="Musterstadt")
    by_both.sites.add(site)
    elsewhere = able(office, towns="Anderswo")
    elsewhere.sites.add(other_site)
    candidates = judged(accompaniment)
    assert candidates[by_site.pk].reasons == [_("reaches the meeting place"), FRESH]
    assert candidates[by_town.pk].reasons == [
        _("reaches %(town)s") % {"town": "Musterstadt"},
        FRESH,
    ]
    assert candidates[by_both.pk].reasons == [_("reaches the meeting place"), FRESH]
    assert [candidates[s.pk].score for s in (by_site, by_town, by_both, elsewhere)] == [4, 4, 4, 2]


def history(office, staff, starters, kind=Kind.IMPULSE, days_ago=30, **fields):
    """A past accompaniment; ``starters`` maps each starter to their assignment's state."""
    values = {
        "status": Status.COMPLETED,
        "started_on": TODAY - (days_ago + 10) * DAY,
        "completed_on": TODAY - days_ago * DAY,
        "outcome": Outcome.CONTINUES,
    }
    if fields.get("status") == Status.CANCELLED:
        values["outcome"] = ""
    accompaniment = make_accompaniment(
        office, staff, kind=kind, planned_meetings=3, **values | fields
    )
    offered_at = timezone.now() - datetime.timedelta(days=days_ago + 10)
    for starter, state in starters.items():
        Assignment.objects.create(
            accompaniment=accompaniment,
            starter=starter,
            offered_by=staff,
            state=state,
            offered_at=offered_at,
        )
    return accompaniment


def test_experience_with_this_kind_scores_up_to_two(office, staff, accompaniment):
    once, thrice, other_kind, cancelled = (able(office) for _n in range(4))
    history(office, staff, {once: State.ENDED}, kind=Kind.FOUNDING, days_ago=500)
    for _n in range(3):
        history(office, staff, {thrice: State.ENDED}, kind=Kind.FOUNDING, days_ago=500)
    history(office, staff, {other_kind: State.ENDED}, kind=Kind.IMPULSE, days_ago=500)
    history(office, staff, {cancelled: State.ENDED}, Kind.FOUNDING, 500, status=Status.CANCELLED)
    experienced = _("%(count)s completed accompaniments of this kind")
    candidates = judged(accompaniment)
    assert candidates[once.pk].reasons == [experienced % {"count": 1}, FRESH]
    assert candidates[once.pk].score == 3
    assert candidates[thrice.pk].reasons == [experienced % {"count": 3}, FRESH]
    assert candidates[thrice.pk].score == 4
    assert candidates[other_kind.pk].reasons == [FRESH]
    assert candidates[cancelled.pk].reasons == [FRESH]


def test_fairness_favours_who_had_few_accompaniments_this_year(office, staff, accompaniment):
    rested, once, twice, long_ago, only_asked = (able(office) for _n in range(5))
    history(office, staff, {once: State.ENDED})
    history(office, staff, {twice: State.ENDED})
    running = make_accompaniment(
        office, staff, status=Status.ACTIVE, kind=Kind.IMPULSE, planned_meetings=3
    )
    Assignment.objects.create(
        accompaniment=running,
        starter=twice,
        offered_by=staff,
        state=State.ACCEPTED,
    )
    history(office, staff, {long_ago: State.ENDED}, days_ago=400)
    history(office, staff, {only_asked: State.DECLINED})
    history(office, staff, {only_asked: State.WITHDRAWN})
    candidates = judged(accompaniment)
    one = _("one accompaniment in the last 12 months")
    assert (candidates[rested.pk].score, candidates[rested.pk].reasons) == (2, [FRESH])
    assert (candidates[once.pk].score, candidates[once.pk].reasons) == (1, [one])
    assert (candidates[twice.pk].score, candidates[twice.pk].reasons) == (0, [])
    assert (candidates[long_ago.pk].score, candidates[long_ago.pk].reasons) == (2, [FRESH])
    assert (candidates[only_asked.pk].score, candidates[only_asked.pk].reasons) == (2, [FRESH])


TANDEM = _("worked well in a tandem with the starter already asked")


def test_a_partner_from_a_tandem_that_worked_scores_one(office, staff, accompaniment, maria):
    partner, after_dissolved, stranger = (able(office) for _n in range(3))
    history(office, staff, {maria: State.ENDED, partner: State.ENDED}, days_ago=500)
    history(
        office,
        staff,
        {maria: State.ENDED, after_dissolved: State.ENDED},
        days_ago=500,
        outcome=Outcome.DISSOLVED,
    )
    services.offer(staff, accompaniment, maria)
    candidates = judged(accompaniment)
    assert candidates[partner.pk].reasons == [FRESH, TANDEM]
    assert candidates[partner.pk].score == 3
    assert candidates[after_dissolved.pk].reasons == [FRESH]
    assert candidates[stranger.pk].reasons == [FRESH]


def test_declining_an_offer_is_not_working_in_a_tandem(office, staff, accompaniment, maria):
    """Only who was on the completed accompaniment with the starter asked is a partner."""
    decliner, withdrawn = able(office), able(office)
    history(
        office,
        staff,
        {maria: State.ENDED, decliner: State.DECLINED, withdrawn: State.WITHDRAWN},
        days_ago=500,
    )
    services.offer(staff, accompaniment, maria)
    candidates = judged(accompaniment)
    assert candidates[decliner.pk].reasons == [FRESH]
    assert candidates[withdrawn.pk].reasons == [FRESH]
    assert candidates[decliner.pk].score == candidates[withdrawn.pk].score == 2


def test_suggestions_first_then_by_score_then_by_name(office, staff, accompaniment, site):
    def tuesday_evening(starter):
        Availability.objects.create(
            starter=starter,
            weekday=TUESDAY,
            starts_at=datetime.time(18),
            ends_at=datetime.time(21),
        )
        return starter

    anna = tuesday_evening(able(office, user_name="Anna Ahrens"))
    anna.sites.add(site)
    able(office, user_name="Bernd Bauer", towns="Musterstadt")
    able(office, user_name="Dora Dietz")
    able(office, user_name="Clara Chen")
    emil = able(office, user_name="Emil Engel")
    history(office, staff, {emil: State.ENDED})
    frida = tuesday_evening(able(office, user_name="Frida Fuchs", status=Starter.Status.PAUSED))
    frida.sites.add(site)
    tuesday_evening(able(office, user_name="Gustav Graf", qualifications=[]))
    able(office, user_name="Aaron Alt", capacity=0)

    candidates = judge(Accompaniment.objects.get(pk=accompaniment.pk))

    assert [(c.starter.name, c.score, c.suggested) for c in candidates] == [
        ("Anna Ahrens", 7, True),
        ("Bernd Bauer", 4, True),
        ("Clara Chen", 2, True),
        ("Dora Dietz", 2, True),
        ("Emil Engel", 1, True),
        ("Frida Fuchs", 7, False),
        ("Gustav Graf", 5, False),
        ("Aaron Alt", 2, False),
    ]


# Matching: queries ----------------------------------------------------------------------


def equipped(starter, site, topic, language):
    """Give a starter one of everything the matching looks at."""
    starter.languages.add(language)
    starter.sites.add(site)
    starter.excluded_topics.add(topic)
    Availability.objects.create(
        starter=starter, weekday=TUESDAY, starts_at=datetime.time(18), ends_at=datetime.time(21)
    )
    Availability.objects.create(
        starter=starter, weekday=WEDNESDAY, starts_at=datetime.time(9), ends_at=datetime.time(12)
    )
    return starter


@pytest.fixture
def demanding(office, staff, accompaniment, maria, site):
    """A request needing a language and a qualification, with someone already asked."""
    accompaniment.language = arabic()
    accompaniment.save()
    accompaniment.needs.add(qualification("migration"))
    services.offer(staff, accompaniment, maria)
    return accompaniment


def queries_of_judge(accompaniment):
    loaded = Accompaniment.objects.get(pk=accompaniment.pk)
    with CaptureQueriesContext(connection) as context:
        candidates = judge(loaded)
    return len(context.captured_queries), candidates


def add_equipped(office, staff, count, site, qualifications):
    other_topic, added = TopicFactory(), []
    for _n in range(count):
        starter = equipped(
            StarterFactory(office=office, qualifications=qualifications),
            site,
            other_topic,
            arabic(),
        )
        history(office, staff, {starter: State.ENDED}, kind=Kind.FOUNDING)
        added.append(starter)
    return added


def test_judge_needs_the_same_queries_for_3_or_60_starters(
    office, staff, demanding, site, maria, django_assert_num_queries
):
    qualifications = [qualification("founding"), qualification("migration")]
    partner = add_equipped(office, staff, 3, site, qualifications)[0]
    history(office, staff, {maria: State.ENDED, partner: State.ENDED})
    few, candidates = queries_of_judge(demanding)
    assert len(candidates) == 3
    assert any(TANDEM in candidate.reasons for candidate in candidates)

    add_equipped(office, staff, 57, site, qualifications)
    loaded = Accompaniment.objects.get(pk=demanding.pk)
    with django_assert_num_queries(few):
        candidates = judge(loaded)
    assert len(candidates) == 60
    assert all(candidate.suggested for candidate in candidates)


def test_judge_needs_the_same_queries_for_5000_starters(
    office, other_office, staff, demanding, site
):
    qualifications = [qualification("founding"), qualification("migration")]
    add_equipped(office, staff, 3, site, qualifications)
    few, _candidates = queries_of_judge(demanding)

    users = User.objects.bulk_create(
        User(email=f"masse{n}@example.org", name=f"Masse {n:04}") for n in range(4997)
    )
    starters = Starter.objects.bulk_create(
        Starter(
            office=office,
            user=user,
            status=Starter.Status.ACTIVE,
            capacity=n % 3,
        )
        for n, user in enumerate(users)
    )
    Membership.objects.bulk_create(
        Membership(user=user, office=office, role=Membership.Role.STARTER) for user in users
    )
    language, other_topic = arabic(), TopicFactory()
    through = Starter.qualifications.through
    through.objects.bulk_create(
        through(starter=starter, qualification=granted)
        for starter in starters
        for granted in qualifications
    )
    for relation, target in [
        (Starter.languages, {"language": language}),
        (Starter.sites, {"site": site}),
        (Starter.excluded_topics, {"topic": other_topic}),
    ]:
        relation.through.objects.bulk_create(
            relation.through(starter=starter, **target) for starter in starters
        )
    Availability.objects.bulk_create(
        Availability(
            starter=starter,
            weekday=n % 7,
            starts_at=datetime.time(17),
            ends_at=datetime.time(21),
        )
        for n, starter in enumerate(starters)
    )
    for _n in range(3):
        StarterFactory(office=other_office, qualifications=qualifications)

    many, candidates = queries_of_judge(demanding)
    assert many == few
    assert len(candidates) == 5000
    suggested = [c for c in candidates if c.suggested]
    assert len(suggested) == 3 + len([n for n in range(4997) if n % 3])
    assert candidates[: len(suggested)] == suggested


# Races (PostgreSQL) ----------------------------------------------------------------------

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite serialises all writers, so nothing can race",
)


def at_once(**calls):
    """Run each call in its own thread, released at the same moment; name -> result."""
    barrier = threading.Barrier(len(calls))
    outcomes = {}

    def run(name, call):
        try:
            barrier.wait(timeout=10)
            outcomes[name] = call()
        except Exception as error:
            outcomes[name] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(name, call), name=name) for name, call in calls.items()
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread hangs"
    return outcomes


def split(outcomes):
    done = [o for o in outcomes.values() if not isinstance(o, Exception)]
    refused = [o for o in outcomes.values() if isinstance(o, StarterError)]
    other = [o for o in outcomes.values() if isinstance(o, Exception) and o not in refused]
    assert other == [], f"errors other than a refusal: {other!r}"
    return done, refused


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_staff_offering_at_once_never_exceed_capacity(office, staff, office_admin):
    for round_ in range(5):
        starter = StarterFactory(office=office, capacity=1)
        first, second = make_accompaniment(office, staff), make_accompaniment(office, staff)

        def offering(acting, accompaniment, starter=starter):
            return lambda: services.offer(
                acting,
                Accompaniment.objects.get(pk=accompaniment.pk),
                Starter.objects.get(pk=starter.pk),
            )

        done, refused = split(
            at_once(staff=offering(staff, first), admin=offering(office_admin, second))
        )
        assert (len(done), len(refused)) == (1, 1), round_
        assert fresh(starter).load == 1
        assert Assignment.objects.filter(starter=starter).count() == 1


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_staff_offering_the_last_tandem_place_at_once(office, staff, office_admin):
    accompaniment = make_accompaniment(office, staff)
    services.offer(staff, accompaniment, StarterFactory(office=office))
    hanna, jonas = StarterFactory(office=office), StarterFactory(office=office)
    done, refused = split(
        at_once(
            staff=lambda: services.offer(staff, accompaniment, Starter.objects.get(pk=hanna.pk)),
            admin=lambda: services.offer(
                office_admin, accompaniment, Starter.objects.get(pk=jonas.pk)
            ),
        )
    )
    assert (len(done), len(refused)) == (1, 1)
    assert accompaniment.assignments.current().count() == 2
    assert fresh(hanna).load + fresh(jonas).load == 1


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_double_click_accepts_once(office, staff):
    starter = StarterFactory(office=office, capacity=1)
    assignment = services.offer(staff, make_accompaniment(office, staff), starter)

    def accept():
        return services.answer_offer(
            Starter.objects.get(pk=starter.pk), Assignment(pk=assignment.pk), accept=True
        )

    done, refused = split(at_once(first=accept, second=accept))
    assert (len(done), len(refused)) == (1, 1)
    assert fresh(assignment).state == State.ACCEPTED
    assert fresh(starter).load == 1


def lock_order(monkeypatch, first, second):
    """Let thread ``first`` hold its assignment while thread ``second`` locks the request.

    Both then go on; a starter answering while staff close the accompaniment can meet
    exactly like this in production.
    """
    assignment_held, request_held = threading.Event(), threading.Event()
    lock = accompaniment_services._lock

    def ordered_lock(accompaniment):
        name = threading.current_thread().name
        if name == first:
            assignment_held.set()
            request_held.wait(timeout=5)
        locked = lock(accompaniment)
        if name == second:
            request_held.set()
            assignment_held.wait(timeout=5)
        return locked

    monkeypatch.setattr(accompaniment_services, "_lock", ordered_lock)


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_accepting_while_staff_cancel_is_one_or_the_other(office, staff, monkeypatch):
    starter = StarterFactory(office=office)
    accompaniment = make_accompaniment(office, staff)
    assignment = services.offer(staff, accompaniment, starter)
    lock_order(monkeypatch, "answer", "cancel")

    done, _refused = split(
        at_once(
            answer=lambda: services.answer_offer(
                Starter.objects.get(pk=starter.pk), Assignment(pk=assignment.pk), accept=True
            ),
            cancel=lambda: services.cancel(staff, Accompaniment(pk=accompaniment.pk)),
        )
    )
    assert len(done) >= 1
    assert fresh(accompaniment).status == Status.CANCELLED
    assert fresh(assignment).state in (State.WITHDRAWN, State.ENDED)
    assert fresh(starter).load == 0


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_withdrawing_while_staff_complete_is_one_or_the_other(office, staff, monkeypatch):
    maria, thomas = StarterFactory(office=office), StarterFactory(office=office)
    accompaniment = make_accompaniment(office, staff)
    services.answer_offer(maria, services.offer(staff, accompaniment, maria), accept=True)
    partner = services.offer(staff, accompaniment, thomas)
    lock_order(monkeypatch, "withdraw", "complete")

    done, _refused = split(
        at_once(
            withdraw=lambda: services.withdraw_offer(staff, Assignment(pk=partner.pk)),
            complete=lambda: services.complete(
                staff, Accompaniment(pk=accompaniment.pk), Outcome.CONTINUES, TODAY
            ),
        )
    )
    assert len(done) >= 1
    assert fresh(accompaniment).status == Status.COMPLETED
    assert fresh(partner).state == State.WITHDRAWN
    assert (fresh(maria).load, fresh(thomas).load) == (0, 0)
