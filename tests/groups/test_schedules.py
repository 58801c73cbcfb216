"""Structured schedules: occurrence maths, next dates, the iCalendar feed, room conflicts,
the staff's schedule page, the room plan and the directory's weekday/time filter."""

import datetime
import threading

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext as _
from icalendar import Calendar

from groups import schedules, scheduling
from groups.models import Group, GroupChange, MeetingDate, MeetingPause, MeetingRule
from tests.factories import GroupFactory, RoomFactory, SiteFactory

D = datetime.date
T = datetime.time
TUESDAY, FRIDAY, MONDAY = 1, 4, 0


SEVEN_PM, NINE_PM = T(19), T(21)
JANUARY_FIRST, MARCH_END = D(2027, 1, 1), D(2027, 3, 31)


def rule(group, kind="weekly", weekday=TUESDAY, start=SEVEN_PM, end=NINE_PM, **fields):
    fields.setdefault("starts_on", D(2027, 1, 1))
    return MeetingRule.objects.create(
        group=group,
        kind=kind,
        weekday=None if kind == "dates" else weekday,
        start_time=start,
        end_time=end,
        **fields,
    )


def days(rules, pauses=(), start=JANUARY_FIRST, end=MARCH_END):
    return [item.day for item in schedules.occurrences(rules, list(pauses), start, end)]


@pytest.fixture
def group(office, site):
    return GroupFactory(
        office=office,
        name="Trauercafé",
        slug="trauercafe",
        room=site.rooms.get(),
        listing=Group.Listing.PUBLIC_WITH_PLACE,
    )


# Occurrence maths --------------------------------------------------------------------


def test_second_and_fourth_tuesday(group):
    monthly = rule(group, "monthly", weeks_of_month="2,4")
    assert days([monthly], end=D(2027, 2, 28)) == [
        D(2027, 1, 12),
        D(2027, 1, 26),
        D(2027, 2, 9),
        D(2027, 2, 23),
    ]


def test_last_friday_of_the_month(group):
    last = rule(group, "monthly", weekday=FRIDAY, weeks_of_month="-1")
    assert days([last]) == [D(2027, 1, 29), D(2027, 2, 26), D(2027, 3, 26)]


def test_weeks_of_month_are_validated(group):
    from django.core.exceptions import ValidationError

    bad = MeetingRule(
        group=group,
        kind="monthly",
        weekday=1,
        weeks_of_month="2,5",
        start_time=T(19),
        end_time=T(21),
    )
    with pytest.raises(ValidationError) as error:
        bad.full_clean()
    assert "weeks_of_month" in error.value.message_dict
    bad.weeks_of_month = "4, 2, 2"
    bad.full_clean()
    assert bad.weeks_of_month == "2,4"


def test_every_two_weeks_counts_from_its_anchor(group):
    # Anchored on Wednesday 6 January: the first Tuesday on or after it is the 12th.
    biweekly = rule(group, "biweekly", starts_on=D(2027, 1, 6))
    assert days([biweekly], end=D(2027, 2, 28)) == [
        D(2027, 1, 12),
        D(2027, 1, 26),
        D(2027, 2, 9),
        D(2027, 2, 23),
    ]
    # Asked from a later start the rhythm stays on the anchor's weeks.
    assert days([biweekly], start=D(2027, 2, 1), end=D(2027, 2, 28)) == [
        D(2027, 2, 9),
        D(2027, 2, 23),
    ]


def test_irregular_dates(group):
    listed = rule(group, "dates")
    for day in (D(2027, 3, 5), D(2027, 1, 20), D(2026, 12, 1)):
        MeetingDate.objects.create(rule=listed, date=day)
    listed = MeetingRule.objects.prefetch_related("dates").get(pk=listed.pk)
    assert days([listed]) == [D(2027, 1, 20), D(2027, 3, 5)]


def test_weekly_starts_on_its_first_day(group):
    weekly = rule(group, starts_on=D(2027, 1, 15))
    assert days([weekly], end=D(2027, 1, 31)) == [D(2027, 1, 19), D(2027, 1, 26)]


def test_pauses_with_an_end_and_until_further_notice(group):
    weekly = rule(group)
    summer = MeetingPause(group=group, starts_on=D(2027, 1, 10), ends_on=D(2027, 1, 24))
    assert days([weekly], [summer], end=D(2027, 1, 31)) == [D(2027, 1, 5), D(2027, 1, 26)]
    open_ended = MeetingPause(group=group, starts_on=D(2027, 1, 13))
    assert days([weekly], [open_ended], end=D(2027, 3, 31)) == [D(2027, 1, 5), D(2027, 1, 12)]


def test_a_daylight_saving_change_keeps_the_local_time(group):
    # Clocks go forward on Sunday 28 March 2027: 19:00 stays 19:00 in Berlin.
    weekly = rule(group, weekday=MONDAY)
    before, after = schedules.occurrences([weekly], [], D(2027, 3, 22), D(2027, 3, 29))
    assert (before.starts_at.hour, after.starts_at.hour) == (19, 19)
    utc = datetime.UTC
    assert before.starts_at.astimezone(utc).hour == 18
    assert after.starts_at.astimezone(utc).hour == 17
    assert after.ends_at - after.starts_at == datetime.timedelta(hours=2)


def test_end_must_be_after_start(group):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        rule(group, start=T(19), end=T(18))


def test_describe_reads_as_a_rhythm(group):
    monthly = rule(group, "monthly", weeks_of_month="2,4")
    last = rule(group, "monthly", weekday=FRIDAY, weeks_of_month="-1")
    with translation.override("en"):
        assert monthly.describe() == "on the 2nd and 4th Tuesday of the month, 19:00–21:00"
        assert last.describe() == "on the last Friday of the month, 19:00–21:00"


# Next dates and the public page ---------------------------------------------------------


def berlin(day, hour=12):
    return datetime.datetime.combine(day, T(hour), tzinfo=schedules.BERLIN)


def test_next_three_dates(group):
    rule(group, "monthly", weeks_of_month="2,4")
    now = berlin(D(2027, 1, 12), hour=20)  # during the meeting of the 12th: still shown
    found = schedules.next_dates(group, now=now)
    assert [item.day for item in found] == [D(2027, 1, 12), D(2027, 1, 26), D(2027, 2, 9)]
    later = berlin(D(2027, 1, 12), hour=22)
    assert schedules.next_dates(group, now=later)[0].day == D(2027, 1, 26)


def test_public_page_shows_next_dates_and_the_feed_link(
    client, group, django_assert_max_num_queries
):
    rule(group, starts_on=timezone.localdate())
    with django_assert_max_num_queries(12):
        response = client.get(group.get_public_url())
    body = response.content.decode()
    assert _("Next dates") in body
    assert body.count("<li>") >= 3
    assert reverse("groups:group_calendar", args=[group.slug]) in body
    assert escape(group.meeting_rules.get().describe()) in body
    assert group.schedule in body  # the free text stays as a note


def test_public_page_queries_do_not_grow_with_rules(client, group, django_assert_max_num_queries):
    for weekday in range(7):
        listed = rule(group, "dates", start=T(10 + weekday), end=T(11 + weekday))
        MeetingDate.objects.create(
            rule=listed, date=timezone.localdate() + datetime.timedelta(weekday)
        )
        rule(group, weekday=weekday, start=T(18), end=T(19), starts_on=timezone.localdate())
    MeetingPause.objects.create(group=group, starts_on=D(2030, 1, 1), ends_on=D(2030, 2, 1))
    with django_assert_max_num_queries(12):
        client.get(group.get_public_url())


def test_public_page_says_pause(client, group):
    rule(group)
    MeetingPause.objects.create(group=group, starts_on=timezone.localdate(), reason="Sommerpause")
    body = client.get(group.get_public_url()).content.decode()
    assert _("Pause until further notice") in body
    assert "Sommerpause" in body


# iCalendar -------------------------------------------------------------------------------


def feed(client, group):
    response = client.get(reverse("groups:group_calendar", args=[group.slug]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return response.content.decode()


def test_feed_has_rrule_exdate_and_tzid(client, group):
    rule(group, "monthly", weeks_of_month="2,4", starts_on=D(2027, 1, 1))
    MeetingPause.objects.create(group=group, starts_on=D(2027, 7, 1), ends_on=D(2027, 8, 31))
    text = feed(client, group)
    unfolded = text.replace("\r\n ", "")
    assert "RRULE:FREQ=MONTHLY;BYDAY=2TU,4TU" in unfolded
    assert "DTSTART;TZID=Europe/Berlin:20270112T190000" in unfolded
    assert (
        "EXDATE;TZID=Europe/Berlin:20270713T190000,20270727T190000,20270810T190000,20270824T190000"
        in unfolded
    )
    assert "BEGIN:VTIMEZONE" in text and "TZID:Europe/Berlin" in text
    assert "LOCATION:Standort Mitte" in unfolded
    calendar = Calendar.from_ical(text)
    assert [event["summary"] for event in calendar.walk("VEVENT")] == ["Trauercafé"]


def test_feed_of_every_two_weeks_and_until_further_notice(client, group):
    rule(group, "biweekly", starts_on=D(2027, 1, 6))
    MeetingPause.objects.create(group=group, starts_on=D(2027, 5, 1))
    unfolded = feed(client, group).replace("\r\n ", "")
    assert "RRULE:FREQ=WEEKLY;UNTIL=20270430T190000Z;INTERVAL=2;BYDAY=TU" in unfolded or (
        "INTERVAL=2" in unfolded and "UNTIL=20270430T190000Z" in unfolded
    )


def test_feed_lists_irregular_dates_as_events(client, group):
    listed = rule(group, "dates")
    MeetingDate.objects.create(rule=listed, date=D(2027, 2, 3))
    MeetingDate.objects.create(rule=listed, date=D(2027, 3, 3))
    calendar = Calendar.from_ical(feed(client, group))
    assert len(calendar.walk("VEVENT")) == 2


def test_feed_has_no_place_for_groups_listed_without_one(client, group):
    group.listing = Group.Listing.PUBLIC_WITHOUT_PLACE
    group.save()
    rule(group)
    text = feed(client, group)
    assert "LOCATION" not in text
    assert "Standort Mitte" not in text


@pytest.mark.parametrize(
    "change",
    [{"listing": Group.Listing.UNLISTED}, {"status": Group.Status.CLOSED}],
)
def test_no_feed_for_unlisted_or_closed_groups(client, group, change):
    rule(group)
    Group.objects.filter(pk=group.pk).update(**change)
    response = client.get(reverse("groups:group_calendar", args=[group.slug]))
    assert response.status_code == 404


# Room conflicts --------------------------------------------------------------------------


@pytest.fixture
def neighbour(office, group):
    return GroupFactory(office=office, name="Angehörige Sucht", room=group.room)


def unsaved(group, **fields):
    values = dict(kind="weekly", weekday=TUESDAY, start_time=T(20), end_time=T(22))
    values.update(fields)
    return MeetingRule(**values)


def test_a_conflicting_rule_is_refused_and_nothing_saved(staff, group, neighbour):
    rule(group, starts_on=timezone.localdate())
    count = MeetingRule.objects.count()
    with pytest.raises(scheduling.RoomTaken) as error:
        scheduling.add_rule(staff, neighbour, unsaved(neighbour))
    assert "Trauercafé" in str(error.value)
    assert "Gruppenraum 1" in str(error.value)
    assert MeetingRule.objects.count() == count
    assert not GroupChange.objects.filter(group=neighbour).exists()


def test_no_conflict_another_time_day_room_or_week(staff, group, neighbour, site):
    rule(group, starts_on=timezone.localdate())
    scheduling.add_rule(staff, neighbour, unsaved(neighbour, start_time=T(21), end_time=T(22)))
    scheduling.add_rule(staff, neighbour, unsaved(neighbour, weekday=3))
    other_room = RoomFactory(site=site, name="Gruppenraum 2")
    scheduling.add_rule(staff, neighbour, unsaved(neighbour, room=other_room))
    assert neighbour.meeting_rules.count() == 3


def test_monthly_rules_on_other_weeks_do_not_clash(staff, group, neighbour):
    rule(group, "monthly", weeks_of_month="1,3", starts_on=timezone.localdate())
    scheduling.add_rule(staff, neighbour, unsaved(neighbour, kind="monthly", weeks_of_month="2,4"))
    with pytest.raises(scheduling.RoomTaken):
        scheduling.add_rule(staff, neighbour, unsaved(neighbour, kind="weekly"))


def test_a_group_paused_until_further_notice_frees_its_room(staff, group, neighbour):
    rule(group, starts_on=timezone.localdate())
    MeetingPause.objects.create(group=group, starts_on=timezone.localdate())
    scheduling.add_rule(staff, neighbour, unsaved(neighbour))


def test_listed_dates_clash_on_the_same_day(staff, group, neighbour):
    today = timezone.localdate()
    tuesday = today + datetime.timedelta(days=(TUESDAY - today.weekday()) % 7 + 7)
    rule(group, starts_on=today)
    with pytest.raises(scheduling.RoomTaken):
        scheduling.add_rule(
            staff, neighbour, unsaved(neighbour, kind="dates", weekday=None), [tuesday]
        )
    scheduling.add_rule(
        staff,
        neighbour,
        unsaved(neighbour, kind="dates", weekday=None),
        [tuesday + datetime.timedelta(1)],
    )


@pytest.mark.django_db(transaction=True)
def test_two_saves_at_once_cannot_both_take_the_slot(office, site, staff):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL; SQLite serialises writers anyway")
    room = site.rooms.get()
    first, second = (GroupFactory(office=office, room=room) for _ in range(2))
    barrier = threading.Barrier(2)
    outcomes = []

    def save(group):
        from django.db import connections

        try:
            barrier.wait()
            scheduling.add_rule(staff, group, unsaved(group))
            outcomes.append("saved")
        except scheduling.RoomTaken:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(group,)) for group in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "saved"]
    assert MeetingRule.objects.count() == 1


def test_the_service_locks_the_room(staff, group, neighbour, django_capture_on_commit_callbacks):
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        scheduling.add_rule(staff, neighbour, unsaved(neighbour, weekday=5))
    if connection.features.has_select_for_update:
        assert any("FOR UPDATE" in query["sql"] for query in queries.captured_queries)


def test_a_group_given_an_occupied_room_is_refused(staff, group, office, site):
    from groups.forms import GroupForm
    from tests.system.test_access_matrix import form_data

    rule(group, starts_on=timezone.localdate())
    elsewhere = RoomFactory(site=site, name="Gruppenraum 2")
    mover = GroupFactory(office=office, name="Umzügler", room=elsewhere, city="")
    rule(mover, start=T(20), end=T(22), starts_on=timezone.localdate())
    data = form_data(GroupForm(instance=mover, office=office), room=str(group.room.pk))
    form = GroupForm(data, instance=mover, office=office)
    assert not form.is_valid()
    assert "Trauercafé" in " ".join(form.errors["room"])
    # Another time: the move is fine.
    MeetingRule.objects.filter(group=mover).update(start_time=T(21, 30), end_time=T(22))
    MeetingRule.objects.filter(group=group).update(end_time=T(21))
    assert GroupForm(data, instance=mover, office=office).is_valid()


# The data migration ------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_migration_makes_weekly_rules_from_weekday_and_time(office):
    from django.db.migrations.executor import MigrationExecutor

    before = [("groups", "0013_thesaurus_round_two")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("groups", "Group").objects
    timed = old.create(
        office_id=office.pk,
        name="Mit Zeit",
        slug="mit-zeit",
        weekday=1,
        start_time=T(19),
        schedule="jeden Dienstag, 19 Uhr (außer in den Ferien)",
    )
    late = old.create(office_id=office.pk, name="Spät", slug="spaet", weekday=4, start_time=T(23))
    old.create(office_id=office.pk, name="Ohne Zeit", slug="ohne-zeit", schedule="nach Absprache")
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    rules = list(MeetingRule.objects.order_by("group__name"))
    assert [(r.group_id, r.kind, r.weekday, r.start_time, r.end_time) for r in rules] == [
        (timed.pk, "weekly", 1, T(19), T(21)),
        (late.pk, "weekly", 4, T(23), T(23, 59)),
    ]
    assert Group.objects.get(pk=timed.pk).schedule == "jeden Dienstag, 19 Uhr (außer in den Ferien)"


# The staff's schedule page -----------------------------------------------------------------


def schedule_url(group):
    return reverse("groups:group_schedule", args=[group.pk])


def rule_data(**overrides):
    data = {
        "action": "rule",
        "rule-kind": "monthly",
        "rule-weekday": "1",
        "rule-weeks_of_month": "2,4",
        "rule-start_time": "19:00",
        "rule-end_time": "21:00",
        "rule-starts_on": timezone.localdate().isoformat(),
        "rule-note": "",
        "rule-dates": "",
        "rule-room": "",
    }
    data.update(overrides)
    return data


def test_staff_add_a_rule(client, staff, group):
    client.force_login(staff)
    response = client.post(schedule_url(group), rule_data())
    assert response.status_code == 302
    added = group.meeting_rules.get()
    assert (added.kind, added.weeks_of_month) == ("monthly", "2,4")
    assert GroupChange.objects.filter(group=group, action="changed").exists()
    page = client.get(schedule_url(group)).content.decode()
    assert escape(added.describe()) in page


def test_staff_add_irregular_dates_and_more_dates(client, staff, group):
    client.force_login(staff)
    response = client.post(
        schedule_url(group),
        rule_data(
            **{"rule-kind": "dates", "rule-weekday": "", "rule-dates": "14.01.2027\n3.2.2027"}
        ),
    )
    assert response.status_code == 302
    added = group.meeting_rules.get()
    assert added.weekday is None
    assert list(added.dates.values_list("date", flat=True)) == [D(2027, 1, 14), D(2027, 2, 3)]
    client.post(
        schedule_url(group), {"action": "dates", "rule": added.pk, "dates-dates": "01.03.2027"}
    )
    assert added.dates.count() == 3


def test_a_bad_rule_shows_errors(client, staff, group):
    client.force_login(staff)
    response = client.post(schedule_url(group), rule_data(**{"rule-end_time": "18:00"}))
    assert response.status_code == 400
    assert (
        "Das Ende muss nach dem Beginn liegen." in response.content.decode()
        or response.context["rule_form"].errors
    )
    assert not group.meeting_rules.exists()


def test_a_conflict_is_refused_on_the_page(client, staff, group, office):
    rule(group, starts_on=timezone.localdate())
    neighbour = GroupFactory(office=office, name="Nachbarn", room=group.room)
    client.force_login(staff)
    response = client.post(
        schedule_url(neighbour), rule_data(**{"rule-kind": "weekly", "rule-start_time": "20:00"})
    )
    assert response.status_code == 400
    assert "Trauercafé" in response.content.decode()
    assert not neighbour.meeting_rules.exists()


def test_staff_add_and_delete_a_pause_with_confirmation(client, staff, group):
    client.force_login(staff)
    client.post(
        schedule_url(group),
        {"action": "pause", "pause-starts_on": "2027-07-01", "pause-ends_on": "2027-08-31"},
    )
    pause = group.meeting_pauses.get()
    delete = reverse("groups:group_schedule_delete", args=[group.pk, "pause", pause.pk])
    confirm = client.get(delete)
    assert confirm.status_code == 200
    assert group.meeting_pauses.exists()  # asking deletes nothing
    assert client.post(delete).status_code == 302
    assert not group.meeting_pauses.exists()


def test_staff_delete_a_rule_and_a_date(client, staff, group):
    weekly = rule(group)
    listed = rule(group, "dates")
    day = MeetingDate.objects.create(rule=listed, date=D(2027, 1, 1))
    client.force_login(staff)
    client.post(reverse("groups:group_schedule_delete", args=[group.pk, "datum", day.pk]))
    client.post(reverse("groups:group_schedule_delete", args=[group.pk, "regel", weekly.pk]))
    assert list(group.meeting_rules.all()) == [listed]
    assert not listed.dates.exists()


@pytest.mark.parametrize("persona", ["staff", "office_admin"])
def test_schedule_page_works_for_the_office(client, group, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(schedule_url(group)).status_code == 200


def test_schedule_page_of_another_offices_group_is_404(client, other_staff, group):
    client.force_login(other_staff)
    assert client.get(schedule_url(group)).status_code == 404
    assert client.post(schedule_url(group), rule_data()).status_code == 404
    assert not group.meeting_rules.exists()


def test_delete_of_another_groups_item_is_404(client, staff, group, office):
    stranger = GroupFactory(office=office)
    pause = MeetingPause.objects.create(group=stranger, starts_on=D(2027, 1, 1))
    client.force_login(staff)
    url = reverse("groups:group_schedule_delete", args=[group.pk, "pause", pause.pk])
    assert client.post(url).status_code == 404
    bad_kind = reverse("groups:group_schedule_delete", args=[group.pk, "etwas", pause.pk])
    assert client.get(bad_kind).status_code == 404
    assert MeetingPause.objects.filter(pk=pause.pk).exists()


def test_schedule_page_for_starters_is_403_and_visitors_log_in(client, starter, group):
    assert client.get(schedule_url(group)).status_code == 302
    client.force_login(starter)
    assert client.get(schedule_url(group)).status_code == 403


def test_schedule_page_bad_id_is_404(client, staff):
    client.force_login(staff)
    assert client.get(reverse("groups:group_schedule", args=[999999])).status_code == 404


def test_group_page_links_to_the_schedule(client, staff, group):
    client.force_login(staff)
    assert schedule_url(group) in client.get(group.get_absolute_url()).content.decode()


# The room plan -------------------------------------------------------------------------------


def plan_url(site, week=None):
    url = reverse("room_plan", args=[site.pk])
    return f"{url}?woche={week}" if week else url


def test_room_plan_shows_the_week(client, staff, group, site, office):
    room2 = RoomFactory(site=site, name="Gruppenraum 2", step_free=True, hearing_loop=True)
    rule(group, "monthly", weeks_of_month="2", starts_on=D(2027, 1, 1))
    other = GroupFactory(office=office, name="Selbsthilfe Depression")
    rule(other, weekday=3, start=T(10), end=T(12), room=room2)
    paused = GroupFactory(office=office, name="Gruppe in Pause", room=room2)
    rule(paused, weekday=3, start=T(18), end=T(20))
    MeetingPause.objects.create(group=paused, starts_on=D(2027, 1, 1))
    client.force_login(staff)
    body = client.get(plan_url(site, "2027-01-13")).content.decode()
    assert "11.01.2027" in body and "17.01.2027" in body
    assert "Trauercafé" in body and "Selbsthilfe Depression" in body
    assert "Gruppe in Pause" not in body
    assert _("hearing loop") in body
    assert "19:00–21:00" in body
    # Another week: the 2nd Tuesday is not in it.
    assert "Trauercafé" not in client.get(plan_url(site, "2027-01-18")).content.decode()


def test_room_plan_queries_do_not_grow_with_groups(
    client, staff, site, office, django_assert_max_num_queries
):
    room = site.rooms.get()
    for number in range(30):
        grp = GroupFactory(office=office, room=room if number % 2 else None)
        listed = rule(grp, "dates", room=None if number % 2 else room)
        MeetingDate.objects.create(rule=listed, date=D(2027, 1, 12))
        MeetingPause.objects.create(group=grp, starts_on=D(2030, 1, 1))
    client.force_login(staff)
    with django_assert_max_num_queries(14):
        response = client.get(plan_url(site, "2027-01-11"))
    assert response.status_code == 200


def test_room_plan_of_another_office_is_404(client, other_staff, site):
    client.force_login(other_staff)
    assert client.get(plan_url(site)).status_code == 404


def test_site_page_links_to_the_room_plan(client, staff, site):
    client.force_login(staff)
    assert plan_url(site) in client.get(site.get_absolute_url()).content.decode()


def test_room_plan_of_a_site_without_rooms(client, staff, office):
    empty = SiteFactory(office=office, name="Leer")
    client.force_login(staff)
    assert client.get(plan_url(empty)).status_code == 200


# The directory's filter -------------------------------------------------------------------------


def test_filter_by_weekday_and_time_of_day(client, office, site):
    morning = GroupFactory(
        office=office, name="Frühstückstreff", listing=Group.Listing.PUBLIC_WITH_PLACE
    )
    rule(morning, weekday=MONDAY, start=T(9, 30), end=T(11))
    afternoon = GroupFactory(
        office=office, name="Kaffeerunde", listing=Group.Listing.PUBLIC_WITH_PLACE
    )
    rule(afternoon, weekday=MONDAY, start=T(15), end=T(17))
    evening = GroupFactory(
        office=office, name="Abendgruppe", listing=Group.Listing.PUBLIC_WITH_PLACE
    )
    rule(evening, weekday=TUESDAY, start=T(19), end=T(21))
    GroupFactory(office=office, name="Ohne Regel", listing=Group.Listing.PUBLIC_WITH_PLACE)

    def names(**query):
        response = client.get(reverse("groups:directory"), {"stelle": "alle", **query})
        return sorted(group.name for group in response.context["groups"])

    assert names(weekday="0") == ["Frühstückstreff", "Kaffeerunde"]
    assert names(daytime="vormittags") == ["Frühstückstreff"]
    assert names(daytime="nachmittags") == ["Kaffeerunde"]
    assert names(daytime="abends") == ["Abendgruppe"]
    assert names(weekday="0", daytime="abends") == []
    assert "Ohne Regel" in names()
    assert "Ohne Regel" in names(weekday="9")  # an invalid value is ignored


@pytest.mark.parametrize("week", ["2027-02-31", "9999-12-31", "0001-01-01", "kaputt", ""])
def test_room_plan_shows_this_week_for_a_bad_week(client, staff, site, week):
    client.force_login(staff)
    response = client.get(reverse("room_plan", args=[site.pk]), {"woche": week})
    assert response.status_code == 200
