"""Accompaniments: the staff pages, the offer to a starter and the starter's answer.

Works / other office 404 / wrong role 403 / anonymous to login for every staff URL; bad
input changes nothing; the starter sees what they need and never the group's private
contact data; the dashboard counts.
"""

import datetime

import pytest
from django.conf import settings
from django.contrib.messages import constants, get_messages
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from groups.models import Group, Inquiry, MeetingRule
from kontaktstelle.notifications.models import Notification
from starters import services
from starters.models import Accompaniment, Assignment, Availability, Language, Qualification
from tests.factories import GroupFactory, StarterFactory, TopicFactory

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)
Status = Accompaniment.Status
State = Assignment.State
PRIVATE = ("Erika Privatperson", "erika.privat@example.net", "0170 5550123", "Streit im Vorstand")


def qualification(code):
    return Qualification.objects.get(code=code)


def make_accompaniment(office, responsible, group=None, **fields):
    defaults = {
        "kind": Accompaniment.Kind.FOUNDING,
        "requested_by": "Gründerin",
        "planned_meetings": 6,
        "meeting_weekday": Availability.Weekday.TUESDAY,
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
    return make_accompaniment(
        office,
        responsible,
        status=Status.COMPLETED,
        started_on=TODAY - (days_ago + 30) * DAY,
        completed_on=TODAY - days_ago * DAY,
        outcome=Accompaniment.Outcome.CONTINUES,
        **fields,
    )


def cancelled(office, responsible):
    return make_accompaniment(office, responsible, status=Status.CANCELLED, completed_on=TODAY)


def message_levels(response):
    return [message.level for message in get_messages(response.wsgi_request)]


def make_inquiry(office, kind=Inquiry.Kind.FOUNDING_INTEREST):
    return Inquiry.objects.create(
        office=office,
        kind=kind,
        name="Sabine Interessiert",
        email="interesse@example.net",
        topic="Trauer nach Suizid",
        consent_at=timezone.now(),
    )


@pytest.fixture
def group(office):
    """A group with contact data only staff may see."""
    return GroupFactory(
        office=office,
        name="Trauer und Neubeginn",
        status=Group.Status.FOUNDING,
        topics=[TopicFactory(name="Trauer (Testthema)")],
        contact_name=PRIVATE[0],
        contact_email=PRIVATE[1],
        contact_phone=PRIVATE[2],
        internal_notes=f"Nur intern: {PRIVATE[3]}",
    )


@pytest.fixture
def accompaniment(office, staff, group):
    return make_accompaniment(office, staff, group)


@pytest.fixture
def suggested(office):
    """A starter the matching suggests for a founding accompaniment."""
    return StarterFactory(
        office=office, user_name="Hanna Kraus", qualifications=[qualification("founding")]
    )


@pytest.fixture
def maria(starter):
    """The starter persona's profile, qualified for founding accompaniments."""
    profile = starter.starter
    profile.qualifications.add(qualification("founding"))
    return profile


@pytest.fixture
def offer(staff, accompaniment, maria):
    """An offer to Maria, not answered yet."""
    return services.offer(staff, accompaniment, maria)


@pytest.fixture
def active(staff, accompaniment, maria, offer):
    """The accompaniment, accepted by Maria today."""
    services.answer_offer(maria, offer, accept=True)
    accompaniment.refresh_from_db()
    return accompaniment


def load(profile):
    profile.refresh_from_db()
    return profile.load


# Access ------------------------------------------------------------------------------


def object_requests(accompaniment, assignment, inquiry):
    """Every staff URL that names an object of the office, with its method and data."""
    pk = accompaniment.pk
    detail = reverse("starters:accompaniment_detail", args=[pk])
    update = reverse("starters:accompaniment_update", args=[pk])
    cancel = reverse("starters:accompaniment_cancel", args=[pk])

    def action(name):
        return reverse("starters:accompaniment_action", args=[pk, name])

    return [
        ("get", detail, {}),
        ("post", detail, {"starter": assignment.starter_id}),
        ("get", update, {}),
        ("post", update, create_payload(accompaniment.group, accompaniment.responsible)),
        ("get", cancel, {}),
        ("post", cancel, {"reason": "x"}),
        ("post", action("complete"), {"outcome": "continues", "completed_on": TODAY}),
        ("post", action("follow-up"), {"result": "still_meets", "followed_up_on": TODAY}),
        ("post", action("withdraw"), {"assignment": assignment.pk}),
        ("post", reverse("starters:accompaniment_from_inquiry", args=[inquiry.pk]), {}),
    ]


def all_requests(accompaniment, assignment, inquiry):
    return [
        ("get", reverse("starters:accompaniment_list"), {}),
        ("get", reverse("starters:accompaniment_create"), {}),
        ("post", reverse("starters:accompaniment_create"), {}),
        *object_requests(accompaniment, assignment, inquiry),
    ]


@pytest.fixture
def inquiry(office):
    return make_inquiry(office)


def assert_nothing_changed(accompaniment, assignment, inquiry):
    accompaniment.refresh_from_db()
    assignment.refresh_from_db()
    inquiry.refresh_from_db()
    assert accompaniment.status == Status.OFFERED
    assert accompaniment.planned_meetings == 6
    assert accompaniment.needs.count() == 0
    assert accompaniment.cancel_reason == ""
    assert assignment.state == State.OFFERED
    assert inquiry.status == Inquiry.Status.NEW
    assert Accompaniment.objects.count() == 1
    assert Group.objects.count() == 1


def test_anonymous_visitors_are_sent_to_login(client, accompaniment, offer, inquiry):
    for method, url, data in all_requests(accompaniment, offer, inquiry):
        response = getattr(client, method)(url, data)
        assert response.status_code == 302, (method, url)
        assert response.url.startswith(reverse("login")), (method, url)
    assert_nothing_changed(accompaniment, offer, inquiry)


@pytest.mark.parametrize("persona", ["starter", "other_starter", "coordinator"])
def test_other_roles_get_403(client, request, persona, accompaniment, offer, inquiry):
    client.force_login(request.getfixturevalue(persona))
    for method, url, data in all_requests(accompaniment, offer, inquiry):
        assert getattr(client, method)(url, data).status_code == 403, (method, url)
    assert_nothing_changed(accompaniment, offer, inquiry)


def test_other_offices_staff_get_404_and_change_nothing(
    client, other_staff, other_office_admin, accompaniment, offer, inquiry
):
    for user in (other_staff, other_office_admin):
        client.force_login(user)
        for method, url, data in object_requests(accompaniment, offer, inquiry):
            assert getattr(client, method)(url, data).status_code == 404, (method, url)
    assert_nothing_changed(accompaniment, offer, inquiry)
    assert len(mail.outbox) == 0


def test_other_offices_staff_cannot_complete_or_follow_up(
    client, other_staff, office, staff, active, offer
):
    done = completed(office, staff, days_ago=190)
    client.force_login(other_staff)
    for accompaniment, action, data in [
        (active, "complete", {"outcome": "continues", "completed_on": TODAY.isoformat()}),
        (done, "follow-up", {"result": "still_meets", "followed_up_on": TODAY.isoformat()}),
    ]:
        url = reverse("starters:accompaniment_action", args=[accompaniment.pk, action])
        assert client.post(url, data).status_code == 404
    active.refresh_from_db()
    done.refresh_from_db()
    assert active.status == Status.ACTIVE
    assert (done.follow_up, done.follow_up_on) == ("", None)


def test_every_page_works_for_staff_and_office_admin(
    client, staff, office_admin, accompaniment, offer
):
    urls = [
        reverse("starters:accompaniment_list"),
        reverse("starters:accompaniment_create"),
        reverse("starters:accompaniment_detail", args=[accompaniment.pk]),
        reverse("starters:accompaniment_update", args=[accompaniment.pk]),
        reverse("starters:accompaniment_cancel", args=[accompaniment.pk]),
    ]
    for user in (staff, office_admin):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 200, url


def test_office_admin_acts_like_staff(client, office_admin, accompaniment, offer, maria):
    client.force_login(office_admin)
    response = client.post(
        reverse("starters:accompaniment_action", args=[accompaniment.pk, "withdraw"]),
        {"assignment": offer.pk},
    )
    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.state == State.WITHDRAWN
    assert load(maria) == 0


def test_bad_ids_answer_404(client, staff):
    client.force_login(staff)
    for name in ("accompaniment_detail", "accompaniment_update", "accompaniment_cancel"):
        assert client.get(reverse(f"starters:{name}", args=[987654])).status_code == 404
    url = reverse("starters:accompaniment_action", args=[987654, "complete"])
    assert client.post(url).status_code == 404
    url = reverse("starters:accompaniment_from_inquiry", args=[987654])
    assert client.post(url).status_code == 404


def test_from_inquiry_is_post_only(client, staff, inquiry):
    client.force_login(staff)
    url = reverse("starters:accompaniment_from_inquiry", args=[inquiry.pk])
    assert client.get(url).status_code == 405
    assert not Group.objects.exists()


# List --------------------------------------------------------------------------------


@pytest.fixture
def listed(office, staff, other_office, other_staff):
    """Accompaniments in every state, and one of another office."""
    return {
        "newest": make_accompaniment(office, staff, requested_on=TODAY),
        "oldest": make_accompaniment(office, staff, requested_on=TODAY - 20 * DAY),
        "active": make_accompaniment(
            office, staff, requested_on=TODAY - 5 * DAY, status=Status.ACTIVE, started_on=TODAY
        ),
        "completed": completed(office, staff),
        "cancelled": cancelled(office, staff),
        "foreign": make_accompaniment(other_office, other_staff, requested_on=TODAY - 30 * DAY),
    }


def test_list_shows_open_requests_oldest_first(client, staff, listed):
    client.force_login(staff)
    response = client.get(reverse("starters:accompaniment_list"))
    assert response.status_code == 200
    assert response.context["status"] == "open"
    assert list(response.context["accompaniments"]) == [
        listed["oldest"],
        listed["active"],
        listed["newest"],
    ]


@pytest.mark.parametrize(
    "status, expected",
    [
        ("completed", ["completed"]),
        ("cancelled", ["cancelled"]),
        ("active", ["active"]),
        ("requested", ["newest", "oldest"]),
        ("nonsense", ["oldest", "active", "newest"]),
    ],
)
def test_list_filters_by_status(client, staff, listed, status, expected):
    client.force_login(staff)
    response = client.get(reverse("starters:accompaniment_list"), {"status": status})
    assert response.status_code == 200
    assert list(response.context["accompaniments"]) == [listed[key] for key in expected]
    assert response.context["status"] == (status if status != "nonsense" else "open")


def test_list_does_not_show_other_offices(client, other_staff, listed):
    client.force_login(other_staff)
    response = client.get(reverse("starters:accompaniment_list"))
    assert list(response.context["accompaniments"]) == [listed["foreign"]]


@pytest.mark.parametrize("count", [5, 30])
def test_list_query_count_does_not_grow(
    client, staff, office, count, django_assert_max_num_queries
):
    starters = [StarterFactory(office=office) for _ in range(3)]
    for index in range(count):
        accompaniment = make_accompaniment(office, staff, requested_on=TODAY - index * DAY)
        for starter, state in zip(
            starters, [State.OFFERED, State.ACCEPTED, State.DECLINED], strict=True
        ):
            Assignment.objects.create(
                accompaniment=accompaniment, starter=starter, state=state, offered_by=staff
            )
    client.force_login(staff)
    # session, user, membership, office, count, page, assignments with their starters;
    # one to spare
    with django_assert_max_num_queries(8):
        response = client.get(reverse("starters:accompaniment_list"))
    assert len(response.context["accompaniments"]) == count
    names = {starter.name for starter in starters[:2]}
    content = response.content.decode()
    assert all(name in content for name in names)
    assert starters[2].name not in content  # declined offers are not listed


# Create and edit -----------------------------------------------------------------------


def create_payload(group, responsible, **overrides):
    return {
        "group": group.pk,
        "kind": "founding",
        "requested_by": "Gründerin",
        "requested_on": TODAY.isoformat(),
        "meeting_weekday": "1",
        "meeting_time": "19:00",
        "meeting_place": "Gruppenraum 1",
        "needs": [qualification("migration").pk],
        "planned_meetings": "6",
        "responsible": responsible.pk,
    } | overrides


def test_create_form_is_prefilled_from_the_group(client, staff, office, site):
    room = site.rooms.get()
    group = GroupFactory(office=office, room=room)
    MeetingRule.objects.create(  # listed dates come after the rules on a weekday
        group=group, kind="dates", start_time=datetime.time(9), end_time=datetime.time(10)
    )
    MeetingRule.objects.create(
        group=group, weekday=3, start_time=datetime.time(18, 30), end_time=datetime.time(20)
    )
    client.force_login(staff)
    response = client.get(reverse("starters:accompaniment_create"), {"group": group.pk})
    assert response.status_code == 200
    initial = response.context["form"].initial
    assert initial["group"] == group
    assert initial["kind"] == Accompaniment.Kind.IMPULSE  # the group exists already
    assert initial["planned_meetings"] == 3
    assert initial["meeting_weekday"] == 3
    assert initial["meeting_time"] == datetime.time(18, 30)
    assert initial["meeting_place"] == str(room)
    assert initial["responsible"] == staff


def test_create_form_for_a_group_being_founded(client, staff, group):
    client.force_login(staff)
    response = client.get(reverse("starters:accompaniment_create"), {"group": group.pk})
    initial = response.context["form"].initial
    assert initial["kind"] == Accompaniment.Kind.FOUNDING
    assert initial["planned_meetings"] == 6
    # No rule yet: the day and time are agreed later; the place is the group's town.
    assert (initial["meeting_weekday"], initial["meeting_time"]) == (None, None)
    assert initial["meeting_place"] == group.city


def test_create_form_ignores_another_offices_group(client, staff, other_office):
    foreign = GroupFactory(office=other_office)
    client.force_login(staff)
    response = client.get(reverse("starters:accompaniment_create"), {"group": foreign.pk})
    assert response.status_code == 200
    assert "group" not in response.context["form"].initial
    assert foreign not in response.context["form"].fields["group"].queryset


@pytest.mark.parametrize("persona", ["staff", "office_admin"])
def test_create_records_the_request_in_the_own_office(
    client, request, persona, office, staff, group
):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    response = client.post(reverse("starters:accompaniment_create"), create_payload(group, staff))
    accompaniment = Accompaniment.objects.get()
    assert response.status_code == 302
    assert response.url == accompaniment.get_absolute_url()
    assert accompaniment.office == office
    assert accompaniment.group == group
    assert accompaniment.status == Status.REQUESTED
    assert accompaniment.responsible == staff
    assert accompaniment.planned_meetings == 6
    assert accompaniment.inquiry is None
    assert list(accompaniment.needs.all()) == [qualification("migration")]


@pytest.mark.parametrize(
    "bad, field",
    [
        ("founding_9_meetings", "planned_meetings"),
        ("impulse_7_meetings", "planned_meetings"),
        ("no_meetings", "planned_meetings"),
        ("foreign_group", "group"),
        ("closed_group", "group"),
        ("foreign_responsible", "responsible"),
        ("starter_responsible", "responsible"),
        ("foreign_qualification", "needs"),
        ("no_requester", "requested_by"),
    ],
)
def test_bad_create_input_changes_nothing(
    client, staff, office, other_office, other_staff, starter, group, bad, field
):
    foreign_qualification = Qualification.objects.create(office=other_office, name="Geheim")
    overrides = {
        "founding_9_meetings": {"kind": "founding", "planned_meetings": "9"},
        "impulse_7_meetings": {"kind": "impulse", "planned_meetings": "7"},
        "no_meetings": {"planned_meetings": "0"},
        "foreign_group": {"group": GroupFactory(office=other_office).pk},
        "closed_group": {"group": GroupFactory(office=office, status=Group.Status.CLOSED).pk},
        "foreign_responsible": {"responsible": other_staff.pk},
        "starter_responsible": {"responsible": starter.pk},
        "foreign_qualification": {"needs": [foreign_qualification.pk]},
        "no_requester": {"requested_by": ""},
    }[bad]
    client.force_login(staff)
    response = client.post(
        reverse("starters:accompaniment_create"), create_payload(group, staff) | overrides
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    assert not Accompaniment.objects.exists()


def test_the_limits_themselves_are_accepted(client, staff, group):
    client.force_login(staff)
    for kind, meetings in (("founding", "8"), ("impulse", "6"), ("crisis", "6")):
        payload = create_payload(group, staff, kind=kind, planned_meetings=meetings)
        assert client.post(reverse("starters:accompaniment_create"), payload).status_code == 302
    assert sorted(Accompaniment.objects.values_list("planned_meetings", flat=True)) == [6, 6, 8]


def test_edit_an_open_request(client, staff, office_admin, accompaniment, group):
    client.force_login(staff)
    response = client.post(
        reverse("starters:accompaniment_update", args=[accompaniment.pk]),
        create_payload(group, office_admin, planned_meetings="8", meeting_place="Café Mitte"),
    )
    assert response.status_code == 302
    assert response.url == accompaniment.get_absolute_url()
    accompaniment.refresh_from_db()
    assert accompaniment.planned_meetings == 8
    assert accompaniment.meeting_place == "Café Mitte"
    assert accompaniment.responsible == office_admin


def test_bad_edit_changes_nothing(client, staff, accompaniment, group):
    client.force_login(staff)
    response = client.post(
        reverse("starters:accompaniment_update", args=[accompaniment.pk]),
        create_payload(group, staff, kind="impulse", planned_meetings="7"),
    )
    assert response.status_code == 200
    assert "planned_meetings" in response.context["form"].errors
    accompaniment.refresh_from_db()
    assert (accompaniment.kind, accompaniment.planned_meetings) == ("founding", 6)


@pytest.mark.parametrize("closed", [completed, cancelled])
def test_edit_of_a_closed_accompaniment_is_refused(client, staff, office, group, closed):
    accompaniment = closed(office, staff)
    before = Accompaniment.objects.values().get(pk=accompaniment.pk)
    client.force_login(staff)
    response = client.post(
        reverse("starters:accompaniment_update", args=[accompaniment.pk]),
        create_payload(group, staff, planned_meetings="2", requested_by="Neu"),
    )
    assert response.status_code == 302
    assert response.url == accompaniment.get_absolute_url()
    assert message_levels(response) == [constants.ERROR]
    assert Accompaniment.objects.values().get(pk=accompaniment.pk) == before


# From a founding interest ---------------------------------------------------------------


def test_founding_interest_becomes_a_group_and_a_request(client, staff, office, inquiry):
    client.force_login(staff)
    response = client.post(reverse("starters:accompaniment_from_inquiry", args=[inquiry.pk]))
    group = Group.objects.get()
    assert group.office == office
    assert group.status == Group.Status.FOUNDING
    assert group.listing == Group.Listing.UNLISTED
    assert "Trauer nach Suizid" in group.name
    create_url = reverse("starters:accompaniment_create")
    assert response.status_code == 302
    assert response.url == f"{create_url}?group={group.pk}&inquiry={inquiry.pk}"
    assert message_levels(response) == [constants.SUCCESS]
    inquiry.refresh_from_db()
    assert inquiry.status == Inquiry.Status.DONE

    response = client.get(response.url)
    assert response.context["form"].initial["group"] == group
    assert response.context["form"].initial["kind"] == Accompaniment.Kind.FOUNDING

    response = client.post(
        f"{create_url}?group={group.pk}&inquiry={inquiry.pk}", create_payload(group, staff)
    )
    assert response.status_code == 302
    assert Accompaniment.objects.get().inquiry == inquiry


def test_a_second_click_on_the_same_interest_creates_no_second_group(client, staff, inquiry):
    client.force_login(staff)
    url = reverse("starters:accompaniment_from_inquiry", args=[inquiry.pk])
    client.post(url)
    response = client.post(url)  # a double submit, or the back button
    assert response.status_code in (302, 404)
    assert Group.objects.count() == 1


def test_contact_request_does_not_become_a_group(client, staff, office):
    contact_request = make_inquiry(office, kind=Inquiry.Kind.CONTACT_REQUEST)
    client.force_login(staff)
    response = client.post(
        reverse("starters:accompaniment_from_inquiry", args=[contact_request.pk])
    )
    assert response.status_code == 302
    assert response.url == reverse("groups:inbox")
    assert message_levels(response) == [constants.ERROR]
    assert not Group.objects.exists()
    assert not Accompaniment.objects.exists()
    contact_request.refresh_from_db()
    assert contact_request.status == Inquiry.Status.NEW


def test_another_offices_interest_answers_404(client, staff, other_office):
    foreign = make_inquiry(other_office)
    client.force_login(staff)
    response = client.post(reverse("starters:accompaniment_from_inquiry", args=[foreign.pk]))
    assert response.status_code == 404
    assert not Group.objects.exists()
    foreign.refresh_from_db()
    assert foreign.status == Inquiry.Status.NEW


def test_create_ignores_another_offices_inquiry(client, staff, group, other_office):
    foreign = make_inquiry(other_office)
    client.force_login(staff)
    url = f"{reverse('starters:accompaniment_create')}?group={group.pk}&inquiry={foreign.pk}"
    assert client.post(url, create_payload(group, staff)).status_code == 302
    assert Accompaniment.objects.get().inquiry is None


# Detail and suggestions -------------------------------------------------------------------


def test_detail_suggests_starters_of_the_office_only(
    client, staff, accompaniment, suggested, other_starter, other_office
):
    StarterFactory(
        office=other_office, user_name="Ali Fremd", qualifications=[qualification("founding")]
    )
    client.force_login(staff)
    response = client.get(accompaniment.get_absolute_url())
    assert response.status_code == 200
    candidates = response.context["candidates"]
    assert [c.starter.name for c in candidates if c.suggested] == ["Hanna Kraus"]
    # Without the founding qualification: listed with the obstacle, not suggested.
    assert [c.starter.name for c in candidates if not c.suggested] == ["Thomas Weber"]
    assert response.context["can_offer"]
    content = response.content.decode()
    assert "Hanna Kraus" in content
    assert "Ali Fremd" not in content
    assert "Trauer und Neubeginn" in content


def test_detail_of_a_completed_accompaniment_has_no_suggestions(client, staff, office, suggested):
    accompaniment = completed(office, staff)
    client.force_login(staff)
    response = client.get(accompaniment.get_absolute_url())
    assert response.status_code == 200
    assert response.context["candidates"] == []
    assert not response.context["can_offer"]
    assert "Hanna Kraus" not in response.content.decode()


@pytest.mark.parametrize("count", [5, 40])
def test_detail_query_count_does_not_grow(
    client, staff, office, site, accompaniment, count, django_assert_max_num_queries
):
    founding = qualification("founding")
    german = Language.objects.get(code="de")
    for index in range(count):
        profile = StarterFactory(office=office, qualifications=[founding], towns="Musterstadt")
        profile.languages.add(german)
        profile.sites.add(site)
        Availability.objects.create(
            starter=profile,
            weekday=index % 7,
            starts_at=datetime.time(18),
            ends_at=datetime.time(21),
        )
    for profile in list(accompaniment.office.starters.all())[:2]:
        services.offer(staff, accompaniment, profile)
    client.force_login(staff)
    # session, user, membership, office; the accompaniment, its needs, topics and offers;
    # matching: kind qualification, who is on it, partners, office, starters and their
    # qualifications, languages, excluded topics, sites, availabilities; two to spare
    with django_assert_max_num_queries(20):
        response = client.get(accompaniment.get_absolute_url())
    assert response.status_code == 200
    assert len(response.context["candidates"]) == count - 2


# Offer -------------------------------------------------------------------------------------


def offer_url(accompaniment):
    return reverse("starters:accompaniment_detail", args=[accompaniment.pk])


def test_offer_to_a_suggested_starter_emails_them_the_link(
    client, staff, accompaniment, maria, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(offer_url(accompaniment), {"starter": maria.pk})
    assert response.status_code == 302
    assert response.url == accompaniment.get_absolute_url()
    assignment = Assignment.objects.get()
    assert (assignment.starter, assignment.state, assignment.offered_by) == (
        maria,
        State.OFFERED,
        staff,
    )
    accompaniment.refresh_from_db()
    assert accompaniment.status == Status.OFFERED
    assert load(maria) == 1

    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["igs@example.org"]
    own_offer = reverse("starters:own_offer", args=[assignment.pk])
    assert f"{settings.SITE_URL}{own_offer}" in email.body
    assert "Trauer und Neubeginn" in email.subject + email.body
    for private in PRIVATE:
        assert private not in email.subject
        assert private not in email.body
    notification = Notification.objects.get(user=maria.user)
    assert notification.kind == Notification.Kind.OFFER
    assert notification.url == own_offer
    assert notification.emailed_at is not None


def test_offer_to_someone_not_suggested_needs_a_reason(
    client, staff, accompaniment, other_starter, django_capture_on_commit_callbacks
):
    profile = other_starter.starter  # lacks the founding qualification
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(offer_url(accompaniment), {"starter": profile.pk})
    assert response.status_code == 200
    assert list(response.context["offer_form"].errors) == ["choice_reason"]
    assert not Assignment.objects.exists()
    assert load(profile) == 0
    assert len(mail.outbox) == 0

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            offer_url(accompaniment),
            {"starter": profile.pk, "choice_reason": "Kennt die Gründerin aus dem Stadtteil"},
        )
    assert response.status_code == 302
    assignment = Assignment.objects.get()
    assert assignment.starter == profile
    assert assignment.choice_reason == "Kennt die Gründerin aus dem Stadtteil"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["igs2@example.org"]


def test_offer_to_a_starter_of_another_office_is_refused(
    client, staff, accompaniment, other_office_starter, django_capture_on_commit_callbacks
):
    profile = other_office_starter.starter
    profile.qualifications.add(qualification("founding"))
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            offer_url(accompaniment), {"starter": profile.pk, "choice_reason": "bitte"}
        )
    assert response.status_code == 200
    errors = response.context["offer_form"].errors.as_data()
    assert [error.code for error in errors["starter"]] == ["invalid_choice"]
    assert not Assignment.objects.exists()
    assert load(profile) == 0
    assert len(mail.outbox) == 0
    accompaniment.refresh_from_db()
    assert accompaniment.status == Status.REQUESTED


def test_a_third_starter_is_refused(
    client, staff, office, accompaniment, suggested, maria, django_capture_on_commit_callbacks
):
    services.offer(staff, accompaniment, suggested)
    services.offer(staff, accompaniment, maria)
    third = StarterFactory(office=office, qualifications=[qualification("founding")])
    client.force_login(staff)
    assert not client.get(offer_url(accompaniment)).context["can_offer"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(offer_url(accompaniment), {"starter": third.pk})
    assert response.status_code == 302
    assert message_levels(response) == [constants.ERROR]
    assert Assignment.objects.count() == 2
    assert not Assignment.objects.filter(starter=third).exists()
    assert load(third) == 0
    assert len(mail.outbox) == 0


def test_the_same_starter_is_not_asked_twice(client, staff, accompaniment, maria, offer):
    client.force_login(staff)
    response = client.post(offer_url(accompaniment), {"starter": maria.pk})
    assert response.status_code == 200  # no longer among the candidates
    assert "starter" in response.context["offer_form"].errors
    assert Assignment.objects.count() == 1
    assert load(maria) == 1


def test_offer_on_a_closed_accompaniment_is_refused(client, staff, office, maria):
    accompaniment = cancelled(office, staff)
    client.force_login(staff)
    response = client.post(offer_url(accompaniment), {"starter": maria.pk})
    assert response.status_code == 200
    assert "starter" in response.context["offer_form"].errors
    assert not Assignment.objects.exists()


# The starter's side --------------------------------------------------------------------


def test_starter_sees_what_they_need_but_no_private_contact(client, starter, offer):
    client.force_login(starter)
    response = client.get(reverse("starters:own_offer", args=[offer.pk]))
    assert response.status_code == 200
    assert response.context["assignment"] == offer
    content = response.content.decode()
    with translation.override(settings.LANGUAGE_CODE):
        tuesday = str(Availability.Weekday.TUESDAY.label)
    for needed in ("Trauer und Neubeginn", tuesday, "19:00", "Gruppenraum 1"):
        assert needed in content, needed
    for private in PRIVATE:
        assert private not in content, private


def test_another_starters_offer_answers_404(client, other_starter, other_office_starter, offer):
    for user in (other_starter, other_office_starter):
        client.force_login(user)
        url = reverse("starters:own_offer", args=[offer.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {"answer": "accept"}).status_code == 404
    offer.refresh_from_db()
    assert offer.state == State.OFFERED


@pytest.mark.parametrize("persona", ["staff", "office_admin", "coordinator"])
def test_other_roles_cannot_open_an_offer(client, request, persona, offer):
    client.force_login(request.getfixturevalue(persona))
    url = reverse("starters:own_offer", args=[offer.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"answer": "accept"}).status_code == 403
    offer.refresh_from_db()
    assert offer.state == State.OFFERED


def test_anonymous_offer_goes_to_login(client, offer):
    response = client.get(reverse("starters:own_offer", args=[offer.pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_starter_accepts_once(client, starter, maria, offer, accompaniment):
    client.force_login(starter)
    url = reverse("starters:own_offer", args=[offer.pk])
    response = client.post(url, {"answer": "accept"})
    assert response.status_code == 302
    assert response.url == reverse("starters:home")
    offer.refresh_from_db()
    accompaniment.refresh_from_db()
    assert offer.state == State.ACCEPTED
    assert offer.answered_at is not None
    assert accompaniment.status == Status.ACTIVE
    assert accompaniment.started_on == TODAY
    assert load(maria) == 1

    answered_at = offer.answered_at
    response = client.post(url, {"answer": "accept"})
    assert response.status_code == 302
    assert response.url == url
    assert message_levels(response)[-1] == constants.ERROR  # after the first one's thanks
    offer.refresh_from_db()
    assert (offer.state, offer.answered_at) == (State.ACCEPTED, answered_at)
    assert load(maria) == 1
    # After accepting, the offer page still works (now with the meetings).
    assert client.get(url).status_code == 200


def test_starter_declines_with_a_reason(client, starter, maria, offer, accompaniment):
    client.force_login(starter)
    response = client.post(
        reverse("starters:own_offer", args=[offer.pk]),
        {"answer": "decline", "reason": "Dienstags habe ich Chorprobe"},
    )
    assert response.status_code == 302
    assert response.url == reverse("starters:home")
    offer.refresh_from_db()
    accompaniment.refresh_from_db()
    assert offer.state == State.DECLINED
    assert offer.decline_reason == "Dienstags habe ich Chorprobe"
    assert accompaniment.status == Status.REQUESTED
    assert load(maria) == 0


def test_own_home_lists_only_own_offers(
    client, starter, staff, office, other_starter, maria, offer
):
    other_group = GroupFactory(
        office=office, name="Angehörige nach Schlaganfall", topics=[TopicFactory()]
    )
    other_offer = services.offer(
        staff, make_accompaniment(office, staff, other_group), other_starter.starter
    )
    client.force_login(starter)
    response = client.get(reverse("starters:home"))
    assert response.status_code == 200
    assert list(response.context["assignments"]) == [offer]
    content = response.content.decode()
    assert "Trauer und Neubeginn" in content
    assert reverse("starters:own_offer", args=[offer.pk]) in content
    assert "Angehörige nach Schlaganfall" not in content
    assert reverse("starters:own_offer", args=[other_offer.pk]) not in content


# Actions ---------------------------------------------------------------------------------


def action_url(accompaniment, action):
    return reverse("starters:accompaniment_action", args=[accompaniment.pk, action])


def test_complete_an_active_accompaniment(client, staff, active, offer, maria):
    client.force_login(staff)
    assert client.get(active.get_absolute_url()).status_code == 200
    response = client.post(
        action_url(active, "complete"),
        {"outcome": "continues", "completed_on": TODAY.isoformat(), "note": "trifft sich weiter"},
    )
    assert response.status_code == 302
    assert response.url == active.get_absolute_url()
    assert message_levels(response) == [constants.SUCCESS]
    active.refresh_from_db()
    assert active.status == Status.COMPLETED
    assert active.outcome == Accompaniment.Outcome.CONTINUES
    assert active.outcome_note == "trifft sich weiter"
    assert active.completed_on == TODAY
    offer.refresh_from_db()
    assert offer.state == State.ENDED
    assert load(maria) == 0


@pytest.mark.parametrize(
    "data",
    [
        {"outcome": "continues", "completed_on": (TODAY + DAY).isoformat()},
        {"outcome": "continues", "completed_on": (TODAY - DAY).isoformat()},  # before start
        {"outcome": "", "completed_on": TODAY.isoformat()},
        {"outcome": "continues", "completed_on": "kein Datum"},
    ],
)
def test_bad_completion_changes_nothing(client, staff, active, offer, maria, data):
    client.force_login(staff)
    response = client.post(action_url(active, "complete"), data)
    assert response.status_code == 302
    assert message_levels(response) == [constants.ERROR]
    active.refresh_from_db()
    assert active.status == Status.ACTIVE
    assert active.completed_on is None
    assert active.outcome == ""
    offer.refresh_from_db()
    assert offer.state == State.ACCEPTED
    assert load(maria) == 1


def test_a_cancelled_accompaniment_cannot_be_completed(client, staff, office):
    accompaniment = cancelled(office, staff)
    client.force_login(staff)
    response = client.post(
        action_url(accompaniment, "complete"),
        {"outcome": "continues", "completed_on": TODAY.isoformat()},
    )
    assert response.status_code == 302
    assert message_levels(response) == [constants.ERROR]
    accompaniment.refresh_from_db()
    assert accompaniment.status == Status.CANCELLED
    assert accompaniment.outcome == ""


def test_follow_up_after_completion(client, staff, office):
    accompaniment = completed(office, staff, days_ago=190)
    client.force_login(staff)
    response = client.post(
        action_url(accompaniment, "follow-up"),
        {"result": "still_meets", "followed_up_on": TODAY.isoformat()},
    )
    assert response.status_code == 302
    assert message_levels(response) == [constants.SUCCESS]
    accompaniment.refresh_from_db()
    assert accompaniment.follow_up == Accompaniment.FollowUp.STILL_MEETS
    assert accompaniment.follow_up_on == TODAY


@pytest.mark.parametrize(
    "followed_up_on",
    [TODAY + DAY, TODAY - 200 * DAY],  # in the future; before the end
)
def test_follow_up_outside_its_dates_is_refused(client, staff, office, followed_up_on):
    accompaniment = completed(office, staff, days_ago=190)
    client.force_login(staff)
    response = client.post(
        action_url(accompaniment, "follow-up"),
        {"result": "still_meets", "followed_up_on": followed_up_on.isoformat()},
    )
    assert message_levels(response) == [constants.ERROR]
    accompaniment.refresh_from_db()
    assert (accompaniment.follow_up, accompaniment.follow_up_on) == ("", None)


def test_follow_up_before_completion_is_refused(client, staff, active):
    client.force_login(staff)
    response = client.post(
        action_url(active, "follow-up"),
        {"result": "still_meets", "followed_up_on": TODAY.isoformat()},
    )
    assert response.status_code == 302
    assert message_levels(response) == [constants.ERROR]
    active.refresh_from_db()
    assert active.status == Status.ACTIVE
    assert (active.follow_up, active.follow_up_on) == ("", None)


def test_withdraw_an_unanswered_offer(client, staff, accompaniment, offer, maria):
    client.force_login(staff)
    response = client.post(action_url(accompaniment, "withdraw"), {"assignment": offer.pk})
    assert response.status_code == 302
    assert message_levels(response) == [constants.SUCCESS]
    offer.refresh_from_db()
    accompaniment.refresh_from_db()
    assert offer.state == State.WITHDRAWN
    assert accompaniment.status == Status.REQUESTED
    assert load(maria) == 0


def test_an_accepted_offer_cannot_be_withdrawn(client, staff, active, offer, maria):
    client.force_login(staff)
    response = client.post(action_url(active, "withdraw"), {"assignment": offer.pk})
    assert message_levels(response) == [constants.ERROR]
    offer.refresh_from_db()
    assert offer.state == State.ACCEPTED
    assert load(maria) == 1


def test_withdraw_needs_an_offer_of_this_accompaniment(client, staff, office, offer):
    other = make_accompaniment(office, staff)
    client.force_login(staff)
    response = client.post(action_url(other, "withdraw"), {"assignment": offer.pk})
    assert response.status_code == 404
    offer.refresh_from_db()
    assert offer.state == State.OFFERED


def test_unknown_action_changes_nothing(client, staff, active):
    client.force_login(staff)
    response = client.post(action_url(active, "loeschen"))
    assert response.status_code == 302
    assert message_levels(response) == [constants.ERROR]
    assert Accompaniment.objects.get().status == Status.ACTIVE


def test_actions_are_post_only(client, staff, active):
    client.force_login(staff)
    assert client.get(action_url(active, "complete")).status_code == 405


def test_cancel_asks_first_then_cancels(client, staff, accompaniment, offer, maria):
    client.force_login(staff)
    url = reverse("starters:accompaniment_cancel", args=[accompaniment.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["accompaniment"] == accompaniment
    accompaniment.refresh_from_db()
    assert accompaniment.status == Status.OFFERED

    response = client.post(url, {"reason": "Die Gruppe hat sich anders entschieden"})
    assert response.status_code == 302
    assert response.url == accompaniment.get_absolute_url()
    assert message_levels(response) == [constants.SUCCESS]
    accompaniment.refresh_from_db()
    assert accompaniment.status == Status.CANCELLED
    assert accompaniment.cancel_reason == "Die Gruppe hat sich anders entschieden"
    assert accompaniment.completed_on == TODAY
    offer.refresh_from_db()
    assert offer.state == State.WITHDRAWN
    assert load(maria) == 0


def test_a_completed_accompaniment_cannot_be_cancelled(client, staff, office):
    accompaniment = completed(office, staff)
    client.force_login(staff)
    response = client.post(reverse("starters:accompaniment_cancel", args=[accompaniment.pk]))
    assert response.status_code == 302
    assert message_levels(response) == [constants.ERROR]
    accompaniment.refresh_from_db()
    assert accompaniment.status == Status.COMPLETED
    assert accompaniment.cancel_reason == ""


# Dashboard --------------------------------------------------------------------------------


def test_dashboard_counts_accompaniments(client, staff, office, other_office, other_staff):
    profile = StarterFactory(office=office)
    now = timezone.now()

    def offered(office, responsible, offered_at):
        accompaniment = make_accompaniment(office, responsible, status=Status.OFFERED)
        Assignment.objects.create(
            accompaniment=accompaniment,
            starter=profile if office == profile.office else StarterFactory(office=office),
            offered_by=responsible,
            offered_at=offered_at,
        )

    make_accompaniment(office, staff)
    make_accompaniment(office, staff)
    offered(office, staff, now - 4 * DAY)  # stale
    offered(office, staff, now - datetime.timedelta(hours=2))
    make_accompaniment(office, staff, status=Status.ACTIVE, started_on=TODAY - 60 * DAY)
    make_accompaniment(
        office, staff, status=Status.ACTIVE, started_on=TODAY - 60 * DAY, planned_end=TODAY
    )
    completed(office, staff, days_ago=200)  # follow-up overdue
    completed(
        office,
        staff,
        days_ago=200,
        follow_up=Accompaniment.FollowUp.STILL_MEETS,
        follow_up_on=TODAY - 10 * DAY,
    )
    completed(office, staff, days_ago=10)
    cancelled(office, staff)
    # Another office's figures are not counted.
    make_accompaniment(other_office, other_staff)
    offered(other_office, other_staff, now - 10 * DAY)
    completed(other_office, other_staff, days_ago=300)

    client.force_login(staff)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    counts = response.context["accompaniment_counts"]
    assert {
        key: counts[key]
        for key in ("requested", "offered", "active", "at_end", "follow_up", "stale_offers")
    } == {
        "requested": 2,
        "offered": 2,
        "active": 2,
        "at_end": 1,
        "follow_up": 1,
        "stale_offers": 1,
    }


def test_dashboard_of_an_empty_office(client, staff):
    client.force_login(staff)
    counts = client.get(reverse("dashboard")).context["accompaniment_counts"]
    assert (counts["requested"], counts["offered"], counts["stale_offers"]) == (0, 0, 0)
