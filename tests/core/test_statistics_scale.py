"""Statistics at a big office's scale: 50,000 consultations and 100,000 meeting logs in a
year answer in the same number of queries as a handful of rows, on PostgreSQL. How long
they take is measured by ``make bench`` ("statistics of a year"), not asserted here: a
test's timing depends on the machine it runs on.

The rows are made by ``INSERT ... SELECT generate_series`` so the test takes seconds;
it needs PostgreSQL (CI runs the suite on it too).
"""

import statistics as stats
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from groups.models import Consultation
from starters.models import Accompaniment, MeetingLog
from tests.factories import GroupFactory, SiteFactory, StarterFactory, TopicFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="generate_series: PostgreSQL only"
    ),
]

CONSULTATIONS = 50_000
ACCOMPANIMENTS = 20_000
LOGS_EACH = 5  # 100,000 meeting logs in the year


def table(model):
    return connection.ops.quote_name(model._meta.db_table)


def fill(office, staff, sites, topics, groups, starters):
    """The big year 2025, in a handful of SQL statements."""
    site_ids = [site.pk for site in sites]
    topic_ids = [topic.pk for topic in topics]
    group_ids = [group.pk for group in groups]
    starter_ids = [starter.pk for starter in starters]
    channels = [value for value, _label in Consultation.Channel.choices]
    askers = [value for value, _label in Consultation.Asker.choices]
    counselling = ["", "", "", *[value for value, _label in Consultation.Counselling.choices]]
    kinds = [value for value, _label in Accompaniment.Kind.choices]
    outcomes = [value for value, _label in Accompaniment.Outcome.choices]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table(Consultation)} (office_id, site_id, held_on, channel, asker,
                young, counselling, founding_interest, information_only, created_at)
            SELECT %(office)s, (%(sites)s::bigint[])[1 + n %% cardinality(%(sites)s::bigint[])],
                date '2025-01-01' + n %% 365,
                (%(channels)s::text[])[1 + n %% 5], (%(askers)s::text[])[1 + n %% 4],
                n %% 7 = 0, (%(counselling)s::text[])[1 + n %% 10], n %% 40 = 0,
                n %% 3 = 0 AND n %% 10 < 3 AND n %% 40 <> 0, now()
            FROM generate_series(1, %(n)s) AS n
            """,
            {
                "office": office.pk,
                "sites": site_ids,
                "channels": channels,
                "askers": askers,
                "counselling": counselling,
                "n": CONSULTATIONS,
            },
        )
        # One or two topics each, and a referral for every second one.
        cursor.execute(
            f"""
            INSERT INTO {table(Consultation.topics.through)} (consultation_id, topic_id)
            SELECT c.id, (%(topics)s::bigint[])[1 + (c.id * 7) %% cardinality(%(topics)s::bigint[])]
            FROM {table(Consultation)} c WHERE c.office_id = %(office)s
            UNION ALL
            SELECT c.id, (%(topics)s::bigint[])[1 + (c.id * 7 + 1) %% cardinality(%(topics)s::bigint[])]
            FROM {table(Consultation)} c WHERE c.office_id = %(office)s AND c.id %% 2 = 0
            """,  # noqa: E501
            {"topics": topic_ids, "office": office.pk},
        )
        cursor.execute(
            f"""
            INSERT INTO {table(Consultation.referred_groups.through)} (consultation_id, group_id)
            SELECT c.id, (%(groups)s::bigint[])[1 + c.id %% cardinality(%(groups)s::bigint[])]
            FROM {table(Consultation)} c
            WHERE c.office_id = %(office)s AND c.id %% 2 = 1 AND NOT c.information_only
            """,
            {"groups": group_ids, "office": office.pk},
        )
        cursor.execute(
            f"""
            INSERT INTO {table(Accompaniment)} (office_id, group_id, kind, status, requested_by,
                requested_on, meeting_place, agreement, planned_meetings, extension_reason,
                responsible_id, started_on, completed_on, outcome, outcome_note,
                cancel_reason, follow_up_on, follow_up, created_at)
            SELECT %(office)s, (%(groups)s::bigint[])[1 + n %% cardinality(%(groups)s::bigint[])],
                (%(kinds)s::text[])[1 + n %% 3], 'completed', 'Gruppe',
                date '2024-12-01' + n %% 330, '', '', 5, '', %(staff)s,
                date '2024-12-10' + n %% 330, date '2025-01-20' + n %% 330,
                (%(outcomes)s::text[])[1 + n %% 4], '', '',
                CASE WHEN n %% 2 = 0 THEN date '2025-07-20' + n %% 150 END,
                CASE WHEN n %% 2 = 0 THEN
                    (ARRAY['still_meets', 'still_meets', 'dissolved'])[1 + n %% 3]
                ELSE '' END,
                now()
            FROM generate_series(1, %(n)s) AS n
            """,
            {
                "office": office.pk,
                "groups": group_ids,
                "kinds": kinds,
                "outcomes": outcomes,
                "staff": staff.pk,
                "n": ACCOMPANIMENTS,
            },
        )
        cursor.execute(
            f"""
            INSERT INTO {table(MeetingLog)} (accompaniment_id, held_on, starts_at,
                duration_minutes, participants, newcomers, worked_on, process_note, wants_talk,
                logged_by_id, created_at, updated_at)
            SELECT a.id, date '2025-01-01' + ((a.id + k * 14) %% 360)::int, time '18:00',
                60 + 30 * (k %% 3), 6, 1, '[]'::jsonb, '', false, %(staff)s, now(), now()
            FROM {table(Accompaniment)} a, generate_series(0, %(each)s - 1) AS k
            WHERE a.office_id = %(office)s
            """,
            {"office": office.pk, "staff": staff.pk, "each": LOGS_EACH},
        )
        cursor.execute(
            f"""
            INSERT INTO {table(MeetingLog.accompanied_by.through)} (meetinglog_id, starter_id)
            SELECT m.id, (%(starters)s::bigint[])[1 + m.id %% cardinality(%(starters)s::bigint[])]
            FROM {table(MeetingLog)} m
            UNION ALL
            SELECT m.id, (%(starters)s::bigint[])[1 + (m.id + 1) %% cardinality(%(starters)s::bigint[])]
            FROM {table(MeetingLog)} m WHERE m.id %% 5 = 0
            """,  # noqa: E501
            {"starters": starter_ids},
        )
        cursor.execute("ANALYZE")


def test_a_big_year_answers_in_the_queries_of_a_small_one(client, office, staff):
    sites = [SiteFactory(office=office, name=f"Standort {n}") for n in range(3)]
    topics = [TopicFactory(name=f"Skalenthema {n}") for n in range(40)]
    groups = GroupFactory.create_batch(30, office=office, topics=topics[:3])
    starters = StarterFactory.create_batch(25, office=office)
    client.force_login(staff)
    url = reverse("statistics") + "?start=2025-01-01&end=2025-12-31"

    def timed():
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        elapsed = time.perf_counter() - started
        assert response.status_code == 200
        return elapsed, len(queries), response

    _elapsed, few_queries, _response = timed()
    fill(office, staff, sites, topics, groups, starters)
    assert Consultation.objects.filter(office=office).count() == CONSULTATIONS
    assert MeetingLog.objects.filter(accompaniment__office=office).count() == 100_000

    timed()  # warm the caches of the database
    runs = [timed() for _ in range(3)]
    median = stats.median(elapsed for elapsed, _n, _r in runs)
    _elapsed, queries, response = runs[-1]
    summary = dict((str(row[0]), row[1]) for row in response.context["summary"]["rows"])
    print(f"\nstatistics of a big year: median {median * 1000:.0f} ms, {queries} queries")
    assert summary["Beratungen"] == CONSULTATIONS
    assert summary["Begleitete Treffen"] == 100_000
    assert queries == few_queries  # the number of queries does not grow with the data
