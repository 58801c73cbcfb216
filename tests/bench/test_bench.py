"""The benchmark (`make bench`) at a tiny scale: the generator makes what it promises,
search index included, and the harness measures real pages as their personas.

On whichever database the suite runs on: the generator writes with COPY on PostgreSQL
and with executemany elsewhere, so CI's two runs cover both ways.
"""

import json

import pytest
from django.urls import NoReverseMatch, reverse

from groups import geo
from groups.models import Group, GroupSearchTerm
from groups.search import reindex_groups
from kontaktstelle.accounts.models import Membership
from kontaktstelle.offices.models import Office
from starters.models import Accompaniment, Assignment, Starter
from tests.bench import generate, http, measure, report
from tests.bench.generate import SCALES, split

TINY = SCALES["tiny"]


@pytest.fixture
def tiny(db):
    return generate.generate(TINY)


def test_the_generator_makes_the_counts_of_its_scale(tiny):
    for model, count in TINY.expected().items():
        assert model.objects.count() == count, model
    assert generate.has_expected_counts(TINY)
    assert tiny["rows"]["groups_group"] == TINY.groups
    assert Membership.objects.filter(role=Membership.Role.COORDINATOR).count() == TINY.networks


def test_every_group_is_indexed_as_reindex_groups_indexes_it(tiny):
    groups = list(Group.objects.order_by("pk").values_list("pk", flat=True))
    assert set(GroupSearchTerm.objects.values_list("group", flat=True)) == set(groups)

    def terms(pk):
        return set(GroupSearchTerm.objects.filter(group=pk).values_list("term", "weight"))

    generated = {pk: terms(pk) for pk in groups[:10]}
    reindex_groups(groups[:10])  # the app's own way, from the rows in the database
    assert {pk: terms(pk) for pk in groups[:10]} == generated


def test_every_group_is_placed_as_locate_groups_places_it(tiny):
    placed = Group.objects.filter(latitude__isnull=False)
    assert placed.count() > TINY.groups // 2
    assert not placed.filter(format=Group.Format.ONLINE).exists()
    assert geo.locate_groups() == 0  # the app's own way changes nothing


def test_the_data_keeps_the_app_s_rules(tiny):
    for starter in Starter.objects.all():
        current = Assignment.objects.current().filter(starter=starter).count()
        assert starter.load == current <= starter.capacity
    # Every office has open requests to match, one of them with an offer out.
    for office in Office.objects.all():
        assert Accompaniment.objects.for_office(office).open().exists()
    assert Accompaniment.objects.filter(status=Accompaniment.Status.OFFERED).exists()
    # New rows get ids after the generated ones.
    group = Group.objects.create(office=Office.objects.first(), name="Neu", slug="neu-bench")
    assert group.pk > max(Group.objects.exclude(pk=group.pk).values_list("pk", flat=True))


def test_a_database_without_the_data_is_not_taken_for_generated(db):
    assert not generate.has_expected_counts(TINY)
    assert generate.is_empty()


def test_split_shares_out_exactly():
    assert split(10, [1, 1, 1]) == [4, 3, 3]
    assert sum(split(1_000_000, [0.5, 1.3, 0.9, 1.1])) == 1_000_000


def test_the_baseline_view_is_only_in_the_benchmark_urlconf(settings):
    with pytest.raises(NoReverseMatch):
        reverse("bench_minimal")
    settings.ROOT_URLCONF = "tests.bench.urls"
    assert reverse("bench_minimal") == "/bench/minimal/"


def test_measure_times_the_pages_as_their_personas(tiny, settings):
    settings.ROOT_URLCONF = "tests.bench.urls"
    settings.PUBLIC_PAGE_CACHE_SECONDS = 300  # as tests.bench.settings has it
    subjects = measure.find_subjects()
    pages = measure.pages(subjects)
    kinds = {page.kind for page in pages}
    assert {"baseline", "directory", "group", "matching", "statistics", "network"} <= kinds
    chosen = [page for page in pages if page.kind in ("baseline", "directory", "matching")][:3]
    chosen += [page for page in pages if page.kind in ("starter", "network")]
    rows = measure.measure(chosen, measure.clients(subjects), requests=3, warmups=1)
    # The directory's pages come from the page cache, and are timed uncached as well.
    names = [page.name for page in chosen]
    expected = [*names[:2], f"{names[1]} (uncached)", names[2], f"{names[2]} (uncached)"]
    assert [row["page"] for row in rows] == expected + names[3:]
    baseline, *others = rows
    assert baseline["x_baseline"] == 1.0
    assert baseline["queries"] == 0  # a visitor's request to a view without queries
    for row in rows:
        assert 0 < row["min_ms"] <= row["median_ms"] <= row["p95_ms"]
        assert row["requests"] == 3
    for row in others:
        served_from_cache = row["kind"] == "directory" and "(uncached)" not in row["page"]
        if served_from_cache:
            assert row["queries"] == 1  # the page version, kept in the database (issue 16)
            continue
        assert row["queries"] > 0
        assert row["slowest_queries"][0]["sql"]
        assert row["x_baseline"] >= 1.0


def test_the_report_flags_missed_targets_and_growth():
    def row(page, kind, scale, median, queries):
        return {
            "page": page,
            "kind": kind,
            "scale": scale,
            "median_ms": median,
            "p95_ms": median * 2,
            "queries": queries,
            "x_baseline": median,
        }

    rows = report.evaluate(
        [
            row("baseline", "baseline", "small", 1.0, 0),
            row("baseline", "baseline", "large", 1.0, 0),
            row("directory", "directory", "small", 10.0, 4),
            row("directory", "directory", "large", 60.0, 5),
            row("group page", "group", "small", 5.0, 2),
            row("group page", "group", "large", 6.0, 2),
        ]
    )
    large = {r["page"]: r for r in rows if r["scale"] == "large"}
    assert large["directory"]["growth"] == 6.0
    assert large["directory"]["misses"] == [
        "median ≥ 50 ms",
        "grows 6.0x",
        "queries 4 → 5",
    ]
    assert large["group page"]["misses"] == []
    text = report.table(rows)
    assert text.splitlines()[1].startswith("baseline")
    assert "6.0x" in text


def test_the_load_run_reads_wrk_s_done_hook():
    raw = {
        "requests": 6000,
        "duration_us": 60_000_000,
        "bytes": 1,
        "connect": 0,
        "read": 2,
        "write": 0,
        "status": 3,
        "timeout": 1,
        "p50_us": 20_000,
        "p90_us": 40_000,
        "p95_us": 50_500,
        "p99_us": 90_000,
        "mean_us": 25_000.0,
        "max_us": 120_000,
    }
    run = http.parse_wrk("Running 1m test\nBENCH_JSON " + json.dumps(raw) + "\n")
    assert run["requests_per_s"] == 100.0
    assert run["errors"] == 6
    assert run["p95_ms"] == 50.5
    script = http.lua_script(["/gruppen/?q=Depression", "/gruppen/x/"])
    assert '"/gruppen/?q=Depression",' in script
    assert "latency:percentile(95)" in script


def test_every_group_has_a_valid_meeting_rule_and_the_room_plan_is_measured(tiny, settings):
    from groups.models import MeetingPause, MeetingRule

    assert MeetingRule.objects.count() == TINY.groups
    for rule in MeetingRule.objects.all()[:60]:
        rule.full_clean()
    for pause in MeetingPause.objects.all():
        pause.full_clean()
    settings.ROOT_URLCONF = "tests.bench.urls"
    subjects = measure.find_subjects()
    (plan,) = [page for page in measure.pages(subjects) if page.kind == "room_plan"]
    (row,) = measure.measure([plan], measure.clients(subjects), requests=2, warmups=1)
    assert row["queries"] > 0
