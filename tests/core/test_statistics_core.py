"""Statistics: hand-counted figures, edge cases, bad input, coordinators' view."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from groups.models import Consultation, Group, GroupChange
from kontaktstelle.reports import statistics
from starters.models import Accompaniment, MeetingLog
from tests.factories import GroupFactory, StarterFactory, TopicFactory

D = datetime.date
YEAR = statistics.Period(D(2025, 1, 1), D(2025, 12, 31))
pytestmark = pytest.mark.django_db


def consult(office, held_on, **fields):
    topics = fields.pop("topics", [])
    groups = fields.pop("groups", [])
    consultation = Consultation.objects.create(
        office=office,
        held_on=held_on,
        channel=fields.pop("channel", "phone"),
        asker=fields.pop("asker", "affected"),
        **fields,
    )
    consultation.topics.set(topics)
    consultation.referred_groups.set(groups)
    return consultation


def accompaniment(office, staff, **fields):
    return Accompaniment.objects.create(
        office=office,
        group=fields.pop("group", None) or GroupFactory(office=office),
        kind=fields.pop("kind", "founding"),
        requested_by="Gründerin",
        planned_meetings=fields.pop("planned_meetings", 6),
        responsible=staff,
        **fields,
    )


def test_consultation_figures_are_counted_by_hand(office, other_office, site, staff):
    depression, anxiety = TopicFactory(name="Testthema Eins"), TopicFactory(name="Testthema Zwei")
    a, b = GroupFactory(office=office), GroupFactory(office=office)
    # Two outcomes: referred to two groups and to counselling.
    consult(
        office,
        D(2025, 1, 10),
        topics=[depression],
        groups=[a, b],
        counselling="addiction",
        site=site,
        young=True,
    )
    consult(
        office,
        D(2025, 1, 20),
        topics=[depression, anxiety],
        founding_interest=True,
        channel="email",
    )
    consult(office, D(2025, 3, 5), topics=[depression], information_only=True, asker="relative")
    consult(office, D(2025, 12, 31), topics=[anxiety], groups=[a], site=site)
    consult(office, D(2024, 12, 31), topics=[anxiety], information_only=True)  # before
    consult(office, D(2026, 1, 1), topics=[anxiety], information_only=True)  # after
    consult(other_office, D(2025, 6, 1), topics=[anxiety], information_only=True)  # elsewhere
    figures = statistics.consultation_figures(office, YEAR)
    totals = figures["totals"]
    assert totals["total"] == 4
    assert totals["referred"] == 2  # consultations with a referral to a group
    assert totals["referrals"] == 3  # group referrals in all
    assert totals["counselling"] == 1
    assert totals["founding"] == 1
    assert totals["information"] == 1
    assert totals["young_share"] == 25
    assert figures["top_topics"] == [("Testthema Eins", 3), ("Testthema Zwei", 2)]
    months = dict(figures["by_month"])
    assert months[D(2025, 1, 1)] == 2 and months[D(2025, 3, 1)] == 1
    assert months[D(2025, 12, 1)] == 1 and sum(months.values()) == 4
    assert dict(figures["by_channel"])["E-Mail"] == 1
    assert statistics.consultation_figures(office, YEAR, site)["totals"]["total"] == 2


def test_programme_figures_with_the_new_year_and_a_cancelled_one(office, staff):
    starter, partner = StarterFactory(office=office), StarterFactory(office=office)
    spanning = accompaniment(
        office,
        staff,
        status="completed",
        requested_on=D(2024, 11, 20),
        started_on=D(2024, 12, 10),
        completed_on=D(2025, 1, 20),
        outcome="continues",
        follow_up="still_meets",
        follow_up_on=D(2025, 7, 25),
    )
    cancelled = accompaniment(
        office,
        staff,
        status="cancelled",
        requested_on=D(2025, 2, 1),
        started_on=D(2025, 2, 10),
        completed_on=D(2025, 3, 1),
    )
    accompaniment(office, staff, requested_on=D(2025, 11, 1))  # a request, nothing else
    for day, acc, minutes, who in [
        (D(2024, 12, 10), spanning, 90, [starter]),
        (D(2025, 1, 7), spanning, 120, [starter, partner]),  # tandem: 4 volunteer hours
        (D(2025, 2, 17), cancelled, 60, [partner]),
    ]:
        log = MeetingLog.objects.create(
            accompaniment=acc,
            held_on=day,
            starts_at=datetime.time(18),
            duration_minutes=minutes,
            participants=5,
            logged_by=who[0].user,
        )
        log.accompanied_by.set(who)
    counts = statistics.programme_figures([office], YEAR)["counts"]
    assert counts["requests"] == 2  # the spanning one was asked in 2024
    assert counts["started"] == 1  # only the cancelled one started in 2025
    assert counts["completed"] == 1  # the spanning one, completed in January
    assert counts["cancelled"] == 1
    assert counts["meetings"] == 2
    assert counts["volunteer_hours"] == 5.0  # 2 x 120 min + 60 min
    assert counts["active_starters"] == 2
    assert counts["follow_up_share"] == 100
    assert counts["average_meetings"] == 2.0  # both logs of the completed one
    previous = statistics.programme_figures([office], YEAR.previous_year())["counts"]
    assert previous["started"] == 1 and previous["meetings"] == 1


def test_groups_at_the_end_of_the_period(office):
    GroupFactory(office=office, founded_on=D(2025, 4, 1))  # new, exists
    GroupFactory(office=office, founded_on=None)  # since before records, exists
    GroupFactory(office=office, founded_on=D(2026, 2, 1))  # founded later
    closed_in = GroupFactory(office=office, founded_on=D(2020, 1, 1), status="closed")
    GroupChange.objects.create(
        group=closed_in, action="closed", at=datetime.datetime(2025, 6, 1, 12, tzinfo=datetime.UTC)
    )
    closed_after = GroupFactory(office=office, founded_on=D(2020, 1, 1), status="closed")
    GroupChange.objects.create(
        group=closed_after,
        action="closed",
        at=datetime.datetime(2026, 3, 1, 12, tzinfo=datetime.UTC),
    )
    GroupFactory(office=office, founded_on=D(2020, 1, 1), status=Group.Status.CLOSED)  # unknown
    figures = statistics.group_figures(office, YEAR)
    assert figures["new"] == 1
    assert figures["at_end"] == 3


def test_previous_year_of_a_leap_day():
    period = statistics.Period(D(2024, 2, 29), D(2024, 12, 31)).previous_year()
    assert period.start == D(2023, 2, 28)
    assert list(statistics.Period(D(2024, 11, 5), D(2025, 2, 1)).months()) == [
        (2024, 11),
        (2024, 12),
        (2025, 1),
        (2025, 2),
    ]


@pytest.mark.parametrize(
    "query",
    ["?start=2026-05-01&end=2025-01-01", "?start=1900-01-01&end=2100-01-01", "?start=2025-13-45"],
)
def test_bad_periods_get_a_message_not_an_error(client, staff, query):
    client.force_login(staff)
    response = client.get(reverse("statistics") + query)
    assert response.status_code == 200
    assert response.context["period"].start.month == 1  # the default: this year
    assert response.context["form"].errors


def test_a_site_of_another_office_is_404(client, staff, other_site):
    client.force_login(staff)
    assert client.get(reverse("statistics") + f"?site={other_site.pk}").status_code == 404
    assert client.get(reverse("statistics") + "?site=abc").status_code == 404


def test_roles(client, starter, coordinator, staff):
    url = reverse("statistics")
    assert client.get(url).status_code == 302
    client.force_login(starter)
    assert client.get(url).status_code == 403
    client.force_login(coordinator)
    assert client.get(url).status_code == 403
    assert client.get(reverse("network_overview")).status_code == 200
    client.force_login(staff)
    assert client.get(reverse("network_overview")).status_code == 403


def test_csv_export_has_the_counted_figures(client, office, staff):
    consult(office, D(2025, 5, 5), information_only=True)
    client.force_login(staff)
    response = client.get(
        reverse("statistics") + "?start=2025-01-01&end=2025-12-31&table=by_channel&export=csv"
    )
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[1] == "Telefon;1"


def test_statistics_queries_do_not_grow(client, office, staff):
    client.force_login(staff)
    topic = TopicFactory()
    url = reverse("statistics") + "?start=2025-01-01&end=2025-12-31"

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    consult(office, D(2025, 1, 1), topics=[topic], information_only=True)
    few = queries()
    for n in range(60):
        consult(office, D(2025, 1 + n % 12, 2), topics=[topic], information_only=True)
    assert queries() == few


def test_network_hides_figures_about_fewer_than_three_people(office, other_office, staff):
    rows = [
        {"office": office, "starters": 2, "answered": 5, "still": 4},
        {"office": other_office, "starters": 7, "answered": 1, "still": 0},
    ]
    shown = statistics.suppress_small(rows, ["starters", "answered", "still"])
    # 2 is hidden, and 7 too: otherwise it could be worked out from the sum.
    assert [row["starters"] for row in shown] == [None, None]
    assert [row["answered"] for row in shown] == [None, None]
    assert [row["still"] for row in shown] == [4, 0]
    assert rows[0]["starters"] == 2  # the input is not changed


def test_a_table_asked_for_without_export_shows_the_page(client, staff):
    client.force_login(staff)
    response = client.get(reverse("statistics") + "?table=starters")
    assert response.status_code == 200
    assert "summary" in response.context


def test_one_office_network_hides_its_small_sum_too(client, coordinator, office, staff):
    starter = StarterFactory(office=office)
    acc = accompaniment(office, staff, status="active", started_on=D(2025, 2, 1))
    log = MeetingLog.objects.create(
        accompaniment=acc,
        held_on=D(2025, 3, 1),
        starts_at=datetime.time(18),
        duration_minutes=60,
        participants=4,
        logged_by=starter.user,
    )
    log.accompanied_by.set([starter])
    office.network.offices.exclude(pk=office.pk).delete()
    client.force_login(coordinator)
    response = client.get(reverse("network_overview") + "?start=2025-01-01&end=2025-12-31")
    total = response.context["total"]
    assert response.context["rows"][0]["starters"] is None
    # One volunteer: the network's sum is the office's figure and is hidden like it.
    assert total["starters"] is None and total["hours"] is None
    assert total["meetings"] == 1


def test_exports_never_carry_a_formula(client, office, staff):
    from openpyxl import load_workbook

    topic = TopicFactory(name='=HYPERLINK("http://example.org")')
    consult(office, D(2025, 5, 5), topics=[topic], information_only=True)
    client.force_login(staff)
    url = reverse("statistics") + "?start=2025-01-01&end=2025-12-31&table=top_topics&export="
    lines = client.get(url + "csv").content.decode("utf-8-sig").splitlines()
    assert lines[1] == '"\'=HYPERLINK(""http://example.org"")";1'
    sheet = load_workbook(io.BytesIO(client.get(url + "xlsx").content)).worksheets[0]
    assert (sheet["A2"].value, sheet["A2"].data_type) == (topic.name, "s")
    assert (sheet["B2"].value, sheet["B2"].data_type) == (1, "n")


@pytest.mark.parametrize("query", ["?start=0001-01-01", "?start=9999-01-01&end=9999-12-31"])
def test_far_off_years_get_a_message_not_an_error(client, staff, query):
    client.force_login(staff)
    response = client.get(reverse("statistics") + query)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert response.context["period"].start.year == timezone.localdate().year
