"""Meeting logs, their correction, progress, the calendar feed and the notification list."""

import datetime
import hashlib
import urllib.parse
from decimal import Decimal

import pytest
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from kontaktstelle.notifications.models import Notification
from starters import services
from starters.forms import MeetingLogForm
from starters.models import Accompaniment, Assignment, MeetingLog
from tests.factories import GroupFactory, StarterFactory

ICS_TYPE = "text/calendar"
UTC = datetime.UTC
MONDAY = 0


def today():
    return timezone.localdate()


def days(n):
    return datetime.timedelta(days=n)


def make_accompaniment(
    responsible,
    *starters,
    kind=Accompaniment.Kind.FOUNDING,
    planned=6,
    started_on=None,
    weekday=None,
    meeting_time=datetime.time(18),
    status=Accompaniment.Status.ACTIVE,
    confirmed_on=None,
    **fields,
):
    """A running accompaniment of the responsible staff's office with accepted starters."""
    office = responsible.office
    accompaniment = Accompaniment.objects.create(
        office=office,
        group=GroupFactory(office=office, last_confirmed_on=confirmed_on or today()),
        kind=kind,
        status=status,
        requested_by="Gründerin der Gruppe",
        meeting_weekday=weekday,
        meeting_time=meeting_time,
        meeting_place="Gruppenraum 1",
        planned_meetings=planned,
        responsible=responsible,
        started_on=started_on or today() - days(60),
        **fields,
    )
    for user in starters:
        Assignment.objects.create(
            accompaniment=accompaniment,
            starter=user.starter,
            state=Assignment.State.ACCEPTED,
            offered_by=responsible,
            answered_at=timezone.now(),
        )
    return accompaniment


def assignment_of(accompaniment, user):
    return Assignment.objects.get(accompaniment=accompaniment, starter__user=user)


def add_log(accompaniment, held_on, *by, starts_at=datetime.time(18), duration=90, **fields):
    """A log written by the first of ``by``, who all accompanied the meeting."""
    fields.setdefault("participants", 8)
    log = MeetingLog.objects.create(
        accompaniment=accompaniment,
        held_on=held_on,
        starts_at=starts_at,
        duration_minutes=duration,
        logged_by=by[0],
        **fields,
    )
    log.accompanied_by.set([user.starter for user in by])
    return log


def log_payload(**overrides):
    data = {
        "held_on": today().isoformat(),
        "starts_at": "18:00",
        "duration_minutes": "90",
        "participants": "8",
        "newcomers": "1",
        "worked_on": ["rules", "structure"],
        "process_note": "Die Gruppe findet ihre Form.",
        "travel_km": "4.5",
        "travel_costs": "3.20",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def accompaniment(staff, starter):
    return make_accompaniment(staff, starter)


@pytest.fixture
def tandem(staff, starter, other_starter):
    return make_accompaniment(staff, starter, other_starter)


def create_url(accompaniment, user):
    return reverse("starters:own_log_create", kwargs={"pk": assignment_of(accompaniment, user).pk})


def offer_url(accompaniment, user):
    return reverse("starters:own_offer", kwargs={"pk": assignment_of(accompaniment, user).pk})


# Model and database ------------------------------------------------------------------


def db_refuses(accompaniment, user, **fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        add_log(accompaniment, fields.pop("held_on", today()), user, **fields)


def test_one_log_per_accompaniment_and_day(accompaniment, starter, staff):
    add_log(accompaniment, today(), starter)
    db_refuses(accompaniment, starter, held_on=today())
    other = make_accompaniment(staff, starter)
    add_log(other, today(), starter)
    assert MeetingLog.objects.count() == 2


def test_database_refuses_impossible_values(accompaniment, starter):
    db_refuses(accompaniment, starter, duration=481)
    db_refuses(accompaniment, starter, duration=0)
    db_refuses(accompaniment, starter, participants=3, newcomers=4)
    db_refuses(accompaniment, starter, travel_km=Decimal("-0.1"))
    db_refuses(accompaniment, starter, travel_costs=Decimal("-0.01"))
    assert not MeetingLog.objects.exists()
    add_log(
        accompaniment,
        today(),
        starter,
        duration=480,
        participants=4,
        newcomers=4,
        travel_km=Decimal(0),
        travel_costs=Decimal(0),
    )


def test_starter_may_edit_for_fourteen_days(accompaniment, starter):
    log = add_log(accompaniment, today(), starter)
    created = timezone.localdate(log.created_at)
    assert log.starter_may_edit(created + days(14))
    assert not log.starter_may_edit(created + days(15))


# Form ----------------------------------------------------------------------------------


def log_form(accompaniment, **overrides):
    return MeetingLogForm(log_payload(**overrides), accompaniment=accompaniment)


def test_the_valid_payload_is_valid(accompaniment):
    form = log_form(accompaniment)
    assert form.is_valid(), form.errors


def test_meeting_date_at_most_tomorrow(accompaniment):
    assert log_form(accompaniment, held_on=(today() + days(1)).isoformat()).is_valid()
    form = log_form(accompaniment, held_on=(today() + days(2)).isoformat())
    assert not form.is_valid()
    assert form.has_error("held_on", "future")


def test_meeting_date_not_before_the_start(accompaniment):
    started = accompaniment.started_on
    assert log_form(accompaniment, held_on=started.isoformat()).is_valid()
    form = log_form(accompaniment, held_on=(started - days(1)).isoformat())
    assert form.has_error("held_on", "before_start")


def test_duration_at_most_eight_hours(accompaniment):
    assert log_form(accompaniment, duration_minutes="480").is_valid()
    form = log_form(accompaniment, duration_minutes="481")
    assert form.has_error("duration_minutes", "max_value")
    assert log_form(accompaniment, duration_minutes="0").has_error("duration_minutes", "min_value")


def test_newcomers_within_participants(accompaniment):
    assert log_form(accompaniment, participants="5", newcomers="5").is_valid()
    form = log_form(accompaniment, participants="5", newcomers="6")
    assert form.has_error("newcomers", "newcomers")


@pytest.mark.parametrize("offset", [0, -1])
def test_next_meeting_after_this_one(accompaniment, offset):
    held_on = today() - days(7)
    form = log_form(
        accompaniment,
        held_on=held_on.isoformat(),
        next_meeting_on=(held_on + days(offset)).isoformat(),
    )
    assert form.has_error("next_meeting_on", "next_before")
    later = log_form(
        accompaniment, held_on=held_on.isoformat(), next_meeting_on=today().isoformat()
    )
    assert later.is_valid()


def test_process_note_at_most_500_characters(accompaniment):
    assert log_form(accompaniment, process_note="x" * 500).is_valid()
    assert log_form(accompaniment, process_note="x" * 501).has_error("process_note", "max_length")


def test_negative_travel_values_refused(accompaniment):
    assert log_form(accompaniment, travel_km="-1").has_error("travel_km", "min_value")
    assert log_form(accompaniment, travel_costs="-0.50").has_error("travel_costs", "min_value")


def test_partner_present_only_offered_for_a_tandem(accompaniment, tandem):
    assert "partner_present" not in MeetingLogForm(accompaniment=accompaniment).fields
    assert "partner_present" in MeetingLogForm(accompaniment=tandem, tandem=True).fields


# Logging through the view ----------------------------------------------------------------


def test_starter_logs_a_meeting(client, starter, accompaniment):
    client.force_login(starter)
    url = create_url(accompaniment, starter)
    assert client.get(url).status_code == 200
    response = client.post(url, log_payload())
    assert response.status_code == 302
    assert response.url == offer_url(accompaniment, starter)
    log = MeetingLog.objects.get()
    assert log.accompaniment == accompaniment
    assert log.logged_by == starter
    assert list(log.accompanied_by.all()) == [starter.starter]
    assert log.held_on == today()
    assert log.worked_on == ["rules", "structure"]
    assert log.travel_costs == Decimal("3.20")
    assert not log.wants_talk
    assert not Notification.objects.exists()


def test_bad_input_is_shown_again_and_changes_nothing(client, starter, accompaniment):
    client.force_login(starter)
    response = client.post(
        create_url(accompaniment, starter),
        log_payload(held_on=(today() + days(2)).isoformat(), newcomers="20"),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.has_error("held_on", "future")
    assert form.has_error("newcomers", "newcomers")
    assert not MeetingLog.objects.exists()


def test_double_submit_creates_one_log(
    client, starter, staff, accompaniment, django_capture_on_commit_callbacks
):
    client.force_login(starter)
    url = create_url(accompaniment, starter)
    payload = log_payload(wants_talk="on")
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url, payload)
        second = client.post(url, payload)
    assert first.status_code == 302
    assert second.status_code == 302
    assert second.url == offer_url(accompaniment, starter)
    assert MeetingLog.objects.count() == 1
    assert Notification.objects.filter(kind=Notification.Kind.TALK).count() == 1
    assert len(mail.outbox) == 1


def test_tandem_partner_present_accompanied_both(client, starter, other_starter, tandem):
    client.force_login(starter)
    response = client.post(create_url(tandem, starter), log_payload(partner_present="on"))
    assert response.status_code == 302
    log = MeetingLog.objects.get()
    assert set(log.accompanied_by.all()) == {starter.starter, other_starter.starter}


def test_tandem_partner_absent_accompanied_only_the_logger(client, starter, other_starter, tandem):
    client.force_login(other_starter)
    response = client.post(create_url(tandem, other_starter), log_payload())
    assert response.status_code == 302
    log = MeetingLog.objects.get()
    assert list(log.accompanied_by.all()) == [other_starter.starter]
    assert log.logged_by == other_starter


def test_another_starter_cannot_log_on_someone_elses_assignment(
    client, starter, other_starter, other_office_starter, accompaniment
):
    url = create_url(accompaniment, starter)
    for intruder in (other_starter, other_office_starter):
        client.force_login(intruder)
        assert client.get(url).status_code == 404
        assert client.post(url, log_payload()).status_code == 404
    assert not MeetingLog.objects.exists()


def test_a_declined_or_offered_assignment_cannot_log(client, staff, other_starter, accompaniment):
    assignment = Assignment.objects.create(
        accompaniment=accompaniment,
        starter=other_starter.starter,
        state=Assignment.State.OFFERED,
        offered_by=staff,
    )
    client.force_login(other_starter)
    url = reverse("starters:own_log_create", kwargs={"pk": assignment.pk})
    assert client.post(url, log_payload()).status_code == 404
    assignment.state = Assignment.State.DECLINED
    assignment.save()
    assert client.post(url, log_payload()).status_code == 404
    assert not MeetingLog.objects.exists()


def test_a_cancelled_accompaniment_takes_no_new_logs(client, starter, accompaniment):
    accompaniment.status = Accompaniment.Status.CANCELLED
    accompaniment.completed_on = today()
    accompaniment.save()
    client.force_login(starter)
    url = create_url(accompaniment, starter)
    assert client.get(url).status_code == 302
    response = client.post(url, log_payload())
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not MeetingLog.objects.exists()


def own_urls(accompaniment, user):
    pk = assignment_of(accompaniment, user).pk
    return [
        reverse("starters:own_log_create", kwargs={"pk": pk}),
        reverse("starters:own_meeting_ics", kwargs={"pk": pk, "date": today().isoformat()}),
        reverse("starters:own_calendar"),
    ]


@pytest.mark.parametrize("persona", ["staff", "office_admin", "coordinator"])
def test_other_roles_get_403_on_own_pages(client, request, persona, starter, accompaniment):
    add_log(accompaniment, today(), starter)
    client.force_login(request.getfixturevalue(persona))
    for url in own_urls(accompaniment, starter):
        assert client.get(url).status_code == 403, url
        assert client.post(url, log_payload() | {"action": "new"}).status_code == 403, url
    assert MeetingLog.objects.count() == 1


def test_anonymous_visitors_are_sent_to_login(client, starter, accompaniment):
    log = add_log(accompaniment, today(), starter)
    urls = [
        *own_urls(accompaniment, starter),
        reverse("starters:own_log_edit", kwargs={"pk": log.pk}),
        reverse("starters:log_edit", kwargs={"pk": log.pk}),
        reverse("notifications"),
    ]
    for url in urls:
        for response in (client.get(url), client.post(url, log_payload())):
            assert response.status_code == 302, url
            assert response.url.startswith(reverse("login")), url
    assert MeetingLog.objects.count() == 1


# Talk wish ------------------------------------------------------------------------------


def test_wish_to_talk_alerts_staff_until_done(
    client, starter, staff, other_staff, accompaniment, django_capture_on_commit_callbacks
):
    client.force_login(starter)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(create_url(accompaniment, starter), log_payload(wants_talk="on"))
    assert response.status_code == 302
    log = MeetingLog.objects.get()
    assert log.wants_talk
    notification = Notification.objects.get()
    assert notification.user == staff
    assert notification.kind == Notification.Kind.TALK
    assert notification.key == f"talk:{log.pk}"
    assert notification.url == accompaniment.get_absolute_url()
    assert notification.emailed_at is not None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [staff.email]
    assert accompaniment.get_absolute_url() in mail.outbox[0].body

    client.force_login(staff)
    talks = client.get(reverse("dashboard")).context["accompaniment_counts"]["talks"]
    assert list(talks) == [log]
    assert client.get(notification.url).status_code == 200

    # Another office's staff cannot mark it done.
    action = reverse(
        "starters:accompaniment_action", kwargs={"pk": accompaniment.pk, "action": "talk-done"}
    )
    client.force_login(other_staff)
    assert client.post(action, {"log": log.pk}).status_code == 404
    log.refresh_from_db()
    assert log.talk_done_at is None

    client.force_login(staff)
    assert client.post(action, {"log": log.pk}).status_code == 302
    log.refresh_from_db()
    assert log.talk_done_at is not None
    assert not client.get(reverse("dashboard")).context["accompaniment_counts"]["talks"]


def test_dashboard_lists_running_accompaniments_with_their_logs(client, staff, starter):
    accompaniment = make_accompaniment(staff, starter)
    add_log(accompaniment, today() - days(14), starter)
    add_log(accompaniment, today() - days(7), starter)
    client.force_login(staff)
    running = client.get(reverse("dashboard")).context["accompaniment_counts"]["running"]
    assert [(a.pk, a.logged) for a in running] == [(accompaniment.pk, 2)]


# Correction ------------------------------------------------------------------------------


def edit_payload(log, **overrides):
    return log_payload(held_on=log.held_on.isoformat(), **overrides)


def test_starter_corrects_own_log_within_14_days(client, starter, accompaniment):
    log = add_log(accompaniment, today() - days(2), starter)
    client.force_login(starter)
    url = reverse("starters:own_log_edit", kwargs={"pk": log.pk})
    assert client.get(url).status_code == 200
    response = client.post(url, edit_payload(log, participants="11"))
    assert response.status_code == 302
    assert response.url == offer_url(accompaniment, starter)
    log.refresh_from_db()
    assert log.participants == 11


def test_after_14_days_only_staff_correct(client, starter, staff, accompaniment):
    log = add_log(accompaniment, today() - days(15), starter)
    MeetingLog.objects.filter(pk=log.pk).update(created_at=timezone.now() - days(15))
    client.force_login(starter)
    url = reverse("starters:own_log_edit", kwargs={"pk": log.pk})
    for response in (client.get(url), client.post(url, edit_payload(log, participants="11"))):
        assert response.status_code == 302
        assert response.url == offer_url(accompaniment, starter)
    log.refresh_from_db()
    assert log.participants == 8

    client.force_login(staff)
    url = reverse("starters:log_edit", kwargs={"pk": log.pk})
    assert client.get(url).status_code == 200
    response = client.post(url, edit_payload(log, participants="12"))
    assert response.status_code == 302
    assert response.url == accompaniment.get_absolute_url()
    log.refresh_from_db()
    assert log.participants == 12


def test_correction_to_an_already_logged_day_is_refused(client, starter, accompaniment):
    first = add_log(accompaniment, today() - days(7), starter)
    second = add_log(accompaniment, today() - days(3), starter)
    client.force_login(starter)
    url = reverse("starters:own_log_edit", kwargs={"pk": second.pk})
    response = client.post(url, edit_payload(first))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    second.refresh_from_db()
    assert second.held_on == today() - days(3)


def test_asking_for_a_talk_in_a_correction_alerts_staff_once(
    client, starter, staff, accompaniment, django_capture_on_commit_callbacks
):
    log = add_log(accompaniment, today() - days(2), starter)
    client.force_login(starter)
    url = reverse("starters:own_log_edit", kwargs={"pk": log.pk})
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, edit_payload(log, wants_talk="on")).status_code == 302
        assert client.post(url, edit_payload(log, wants_talk="on")).status_code == 302
    assert list(Notification.objects.values_list("user", "kind", "key")) == [
        (staff.pk, Notification.Kind.TALK, f"talk:{log.pk}")
    ]
    assert len(mail.outbox) == 1


def test_logs_stay_visible_after_completion(client, starter, staff, accompaniment):
    log = add_log(accompaniment, today() - days(2), starter)
    services.complete(staff, accompaniment, Accompaniment.Outcome.CONTINUES, today())
    assert assignment_of(accompaniment, starter).state == Assignment.State.ENDED
    client.force_login(starter)
    context = client.get(offer_url(accompaniment, starter)).context
    assert context["logs"] == [log]
    assert context["next_meeting"] is None
    assert client.get(reverse("starters:own_log_edit", kwargs={"pk": log.pk})).status_code == 200


def test_tandem_partner_sees_the_log_others_do_not(
    client, starter, other_starter, staff, other_staff, office, tandem
):
    log = add_log(tandem, today() - days(1), starter)
    client.force_login(other_starter)
    response = client.get(offer_url(tandem, other_starter))
    assert response.status_code == 200
    assert response.context["logs"] == [log]
    assert client.get(reverse("starters:own_log_edit", kwargs={"pk": log.pk})).status_code == 200

    # A third starter of the same office is not on it.
    outsider = StarterFactory(office=office).user
    client.force_login(outsider)
    assert client.get(offer_url(tandem, starter)).status_code == 404
    assert client.get(offer_url(tandem, other_starter)).status_code == 404
    assert client.get(reverse("starters:own_log_edit", kwargs={"pk": log.pk})).status_code == 404
    assert (
        client.post(
            reverse("starters:own_log_edit", kwargs={"pk": log.pk}),
            edit_payload(log, participants="1"),
        ).status_code
        == 404
    )

    client.force_login(other_staff)
    for name in ("starters:log_edit", "starters:own_log_edit"):
        url = reverse(name, kwargs={"pk": log.pk})
        assert client.get(url).status_code == 404
        assert client.post(url, edit_payload(log, participants="1")).status_code == 404
    log.refresh_from_db()
    assert log.participants == 8


def test_staff_detail_shows_the_logs(client, staff, starter, accompaniment):
    log = add_log(accompaniment, today() - days(1), starter)
    client.force_login(staff)
    response = client.get(accompaniment.get_absolute_url())
    assert response.status_code == 200
    assert response.context["logs"] == [log]
    assert response.context["logs"][0].editable


# Progress and extension ------------------------------------------------------------------


def test_offer_page_shows_progress(client, starter, staff):
    accompaniment = make_accompaniment(staff, starter, planned=3)
    client.force_login(starter)
    url = offer_url(accompaniment, starter)
    add_log(accompaniment, today() - days(21), starter)
    context = client.get(url).context
    assert (context["logged"], context["progress"], context["plan_reached"]) == (1, 33, False)
    add_log(accompaniment, today() - days(14), starter)
    add_log(accompaniment, today() - days(7), starter)
    context = client.get(url).context
    assert (context["logged"], context["progress"], context["plan_reached"]) == (3, 100, True)


def test_plan_reached_message_after_the_last_planned_meeting(client, starter, staff):
    accompaniment = make_accompaniment(staff, starter, planned=1)
    client.force_login(starter)
    response = client.post(create_url(accompaniment, starter), log_payload(), follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["success", "warning"]


def extend(client, accompaniment, **data):
    url = reverse(
        "starters:accompaniment_action", kwargs={"pk": accompaniment.pk, "action": "extend"}
    )
    return client.post(url, data)


def test_staff_extend_the_plan_with_a_reason(client, staff, starter):
    accompaniment = make_accompaniment(staff, starter, planned=6)
    client.force_login(staff)
    response = extend(client, accompaniment, planned_meetings="8", reason="Gruppe braucht Zeit")
    assert response.status_code == 302
    accompaniment.refresh_from_db()
    assert accompaniment.planned_meetings == 8
    assert accompaniment.extension_reason == "Gruppe braucht Zeit"


@pytest.mark.parametrize(
    ("kind", "planned", "data"),
    [
        ("founding", 6, {"planned_meetings": "9", "reason": "mehr"}),
        ("impulse", 3, {"planned_meetings": "7", "reason": "mehr"}),
        ("founding", 6, {"planned_meetings": "7", "reason": ""}),
        ("founding", 6, {"planned_meetings": "7", "reason": "   "}),
        ("founding", 6, {"planned_meetings": "6", "reason": "gleich"}),
        ("founding", 6, {"planned_meetings": "5", "reason": "weniger"}),
        ("founding", 6, {"planned_meetings": "", "reason": "ohne Zahl"}),
    ],
)
def test_bad_extensions_change_nothing(client, staff, starter, kind, planned, data):
    accompaniment = make_accompaniment(staff, starter, kind=kind, planned=planned)
    client.force_login(staff)
    response = extend(client, accompaniment, **data)
    assert response.status_code == 302
    accompaniment.refresh_from_db()
    assert accompaniment.planned_meetings == planned
    assert accompaniment.extension_reason == ""


def test_other_office_cannot_extend(client, staff, other_staff, starter):
    accompaniment = make_accompaniment(staff, starter, planned=6)
    client.force_login(other_staff)
    assert extend(client, accompaniment, planned_meetings="7", reason="x").status_code == 404
    accompaniment.refresh_from_db()
    assert accompaniment.planned_meetings == 6


def test_activity_summary_counts_logged_meetings_in_the_period(staff, starter, other_starter):
    tandem = make_accompaniment(
        staff, starter, other_starter, started_on=datetime.date(2025, 12, 1)
    )
    start, end = datetime.date(2026, 1, 1), datetime.date(2026, 6, 30)
    add_log(tandem, datetime.date(2025, 12, 31), starter, other_starter, duration=60)
    add_log(tandem, datetime.date(2026, 1, 1), starter, other_starter, duration=90)
    add_log(tandem, datetime.date(2026, 3, 5), starter, duration=120)
    add_log(tandem, datetime.date(2026, 4, 2), other_starter, duration=60)
    add_log(tandem, datetime.date(2026, 6, 30), starter, other_starter, duration=60)
    add_log(tandem, datetime.date(2026, 7, 1), starter, duration=60)
    summary = services.activity_summary(starter.starter, start, end)
    assert summary["meetings"] == 3
    assert summary["meeting_hours"] == "4.5"
    assert summary["accompaniments"] == 1
    partner = services.activity_summary(other_starter.starter, start, end)
    assert partner["meetings"] == 3
    assert partner["meeting_hours"] == "3.5"


# Calendar ---------------------------------------------------------------------------------


def new_feed_url(client):
    response = client.post(reverse("starters:own_calendar"), {"action": "new"}, follow=True)
    assert response.redirect_chain == [(reverse("starters:own_calendar"), 302)]
    feed_url = response.context["feed_url"]
    # Shown once: a reload of the page no longer shows the link.
    assert client.get(reverse("starters:own_calendar")).context["feed_url"] is None
    assert feed_url.startswith("http://testserver/")
    return urllib.parse.urlsplit(feed_url).path


def parse(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith(ICS_TYPE)
    return Calendar.from_ical(response.content)


def events(cal):
    return {event.decoded("dtstart").date(): event for event in cal.walk("VEVENT")}


def utc(event, name="dtstart"):
    return event.decoded(name).astimezone(UTC).replace(tzinfo=None)


@pytest.fixture
def year_of_logs(staff, starter):
    """Logs of an ended accompaniment in summer, winter and on both DST changes."""
    accompaniment = make_accompaniment(staff, starter, started_on=datetime.date(2026, 3, 1))
    for day in (
        datetime.date(2026, 3, 29),
        datetime.date(2026, 7, 16),
        datetime.date(2026, 10, 25),
        datetime.date(2026, 12, 17),
    ):
        add_log(accompaniment, day, starter, starts_at=datetime.time(18), duration=90)
    return accompaniment


def test_calendar_feed_has_berlin_times(client, starter, year_of_logs):
    client.force_login(starter)
    path = new_feed_url(client)
    client.logout()
    cal = parse(client.get(path))
    timezones = cal.walk("VTIMEZONE")
    assert [str(tz["TZID"]) for tz in timezones] == ["Europe/Berlin"]
    found = events(cal)
    expected_utc = {
        datetime.date(2026, 3, 29): datetime.datetime(2026, 3, 29, 16),  # CEST since 2:00
        datetime.date(2026, 7, 16): datetime.datetime(2026, 7, 16, 16),
        datetime.date(2026, 10, 25): datetime.datetime(2026, 10, 25, 17),  # CET since 3:00
        datetime.date(2026, 12, 17): datetime.datetime(2026, 12, 17, 17),
    }
    assert set(found) == set(expected_utc)
    for day, start in expected_utc.items():
        event = found[day]
        assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
        assert event.decoded("dtstart").replace(tzinfo=None) == datetime.datetime.combine(
            day, datetime.time(18)
        )
        assert utc(event) == start
        assert utc(event, "dtend") == start + datetime.timedelta(minutes=90)
        assert str(event["UID"]) == f"meeting-{year_of_logs.pk}-{day:%Y%m%d}@kontaktstelle"
        assert str(event["LOCATION"]) == "Gruppenraum 1"


def test_calendar_feed_has_the_next_meeting_and_only_own_meetings(
    client, starter, other_starter, staff
):
    thursday = 3
    own = make_accompaniment(staff, starter, weekday=thursday)
    add_log(own, today() - days(14), starter)
    foreign = make_accompaniment(staff, other_starter, started_on=datetime.date(2026, 1, 1))
    add_log(foreign, datetime.date(2026, 2, 5), other_starter)
    client.force_login(starter)
    path = new_feed_url(client)
    found = events(parse(client.get(path)))
    upcoming = [day for day in found if day >= today()]
    assert len(found) == 2
    assert today() - days(14) in found
    assert len(upcoming) == 1
    assert upcoming[0].weekday() == thursday
    assert upcoming[0] - today() < datetime.timedelta(days=7)
    assert datetime.date(2026, 2, 5) not in found


def test_calendar_feed_query_count_does_not_grow(
    client, staff, starter, django_assert_max_num_queries
):
    client.force_login(starter)
    path = new_feed_url(client)
    client.logout()
    first = make_accompaniment(staff, starter, weekday=MONDAY)
    add_log(first, today() - days(7), starter)
    with CaptureQueriesContext(connection) as few:
        assert len(parse(client.get(path)).walk("VEVENT")) == 2
    for n in range(2, 6):
        accompaniment = make_accompaniment(staff, starter, weekday=MONDAY)
        for week in range(1, n):
            add_log(accompaniment, today() - days(7 * week), starter)
    with django_assert_max_num_queries(len(few)):
        assert len(parse(client.get(path)).walk("VEVENT")) == 2 + sum(range(2, 6))


def test_only_the_hash_of_the_calendar_token_is_stored(client, starter):
    client.force_login(starter)
    path = new_feed_url(client)
    token = path.rsplit("/", 1)[1].removesuffix(".ics")
    profile = starter.starter
    profile.refresh_from_db()
    assert profile.calendar_token_hash
    assert token not in profile.calendar_token_hash
    assert profile.calendar_token_hash == hashlib.sha256(token.encode()).hexdigest()


def test_revoked_and_replaced_links_stop_working(client, starter, year_of_logs):
    client.force_login(starter)
    first = new_feed_url(client)
    second = new_feed_url(client)
    assert first != second
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
    response = client.post(reverse("starters:own_calendar"), {"action": "revoke"})
    assert response.status_code == 302
    assert client.get(second).status_code == 404
    profile = starter.starter
    profile.refresh_from_db()
    assert profile.calendar_token_hash == ""


def test_unknown_calendar_token_is_404(client, starter):
    assert client.get(reverse("starters:calendar_feed", kwargs={"token": "x"})).status_code == 404
    assert client.get("/kalender/.ics").status_code == 404


def test_single_meeting_download(client, starter, other_starter, year_of_logs):
    pk = assignment_of(year_of_logs, starter).pk
    client.force_login(starter)
    url = reverse("starters:own_meeting_ics", kwargs={"pk": pk, "date": "2026-07-16"})
    response = client.get(url)
    assert response["Content-Disposition"].startswith("attachment")
    cal = parse(response)
    (event,) = cal.walk("VEVENT")
    assert utc(event) == datetime.datetime(2026, 7, 16, 16)
    for date in ("2026-07-17", "2026-13-45", "kein-datum"):
        url = reverse("starters:own_meeting_ics", kwargs={"pk": pk, "date": date})
        assert client.get(url).status_code == 404, date

    client.force_login(other_starter)
    url = reverse("starters:own_meeting_ics", kwargs={"pk": pk, "date": "2026-07-16"})
    assert client.get(url).status_code == 404


def test_next_meeting_download(client, starter, staff):
    accompaniment = make_accompaniment(staff, starter, weekday=today().weekday())
    client.force_login(starter)
    context = client.get(offer_url(accompaniment, starter)).context
    assert context["next_meeting"] == today()
    url = reverse(
        "starters:own_meeting_ics",
        kwargs={"pk": assignment_of(accompaniment, starter).pk, "date": today().isoformat()},
    )
    (event,) = parse(client.get(url)).walk("VEVENT")
    assert event.decoded("dtstart").date() == today()


# Notification list ------------------------------------------------------------------------


def make_notifications(user, count, kind=Notification.Kind.OFFER):
    return Notification.objects.bulk_create(
        Notification(
            user=user,
            kind=kind,
            key=f"test:{user.pk}:{n}",
            subject=f"Betreff {n}",
            body="Text",
            url=reverse("starters:home"),
        )
        for n in range(count)
    )


def test_notification_list_shows_own_and_marks_them_read(client, starter, other_starter):
    make_notifications(starter, 3)
    make_notifications(other_starter, 2)
    client.force_login(starter)
    response = client.get(reverse("notifications"))
    assert response.status_code == 200
    shown = list(response.context["notifications"])
    assert {n.user_id for n in shown} == {starter.pk}
    assert len(shown) == 3
    assert response.context["unread_ids"] == {n.pk for n in shown}
    assert not Notification.objects.filter(user=starter, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=other_starter, read_at__isnull=True).count() == 2
    again = client.get(reverse("notifications"))
    assert again.context["unread_ids"] == set()


def test_notification_list_query_count_does_not_grow(client, staff, django_assert_max_num_queries):
    client.force_login(staff)
    make_notifications(staff, 5)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("notifications")).status_code == 200
    assert len(few) <= 12
    Notification.objects.all().delete()
    make_notifications(staff, 40)
    with django_assert_max_num_queries(len(few)):
        response = client.get(reverse("notifications"))
    assert response.status_code == 200
    assert len(response.context["notifications"]) == 30
