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


def test_every_public_group_is_indexed_as_reindex_groups_indexes_it(tiny):
    groups = list(Group.objects.order_by("pk").values_list("pk", flat=True))
    public = set(Group.objects.public().values_list("pk", flat=True))
    assert 0 < len(public) < len(groups)
    assert set(GroupSearchTerm.objects.values_list("group", flat=True)) == public

    def terms(pk):
        fields = ("term", "weight", "audience", "format", "sort_name", "step_free")
        return set(GroupSearchTerm.objects.filter(group=pk).values_list(*fields))

    some = groups[:40]
    generated = {pk: terms(pk) for pk in some}
    # Among them: step-free by their room and by their own access, and topic areas.
    rows = set().union(*generated.values())
    indexed = Group.objects.filter(pk__in=set(some) & public)
    assert indexed.filter(room__step_free=True).exists()
    assert indexed.filter(room=None, step_free=True).exists()
    assert any(term.startswith("bereich:") and weight == 0 for term, weight, *_ in rows)
    reindex_groups(some)  # the app's own way, from the rows in the database
    assert {pk: terms(pk) for pk in some} == generated


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
            row("directory (uncached)", "directory", "small", 10.0, 4),
            row("directory (uncached)", "directory", "large", 25.0, 4),
            row("network view", "network", "small", 10.0, 7),
            row("network view", "network", "large", 90.0, 7),
            row("network view, slow", "network", "large", 110.0, 7),
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
    # A first-time search: under 20 ms (p95 40 ms) and growing at most twice.
    assert large["directory (uncached)"]["misses"] == [
        "median ≥ 20 ms",
        "p95 ≥ 40 ms",
        "grows 2.5x",
    ]
    # The network view: under 100 ms at large, whatever it grows (its input grows).
    assert large["network view"]["misses"] == []
    assert large["network view, slow"]["misses"] == ["median ≥ 100 ms"]
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


def test_the_pages_of_round_two_are_measured_with_the_data_they_need(tiny, settings):
    from groups.models import Inquiry, Verification
    from groups.verification import due_groups

    settings.ROOT_URLCONF = "tests.bench.urls"
    settings.PUBLIC_PAGE_CACHE_SECONDS = 300  # as tests.bench.settings has it
    subjects = measure.find_subjects()
    office = subjects.office
    # Every office has open requests in its inbox and data checks in every state.
    for each in Office.objects.all():
        assert Inquiry.objects.for_office(each).filter(status=Inquiry.Status.NEW).exists()
        checks = Verification.objects.for_office(each)
        assert checks.to_review().exists()
        assert checks.unanswered().exists()
        assert checks.waiting().exclude(pk__in=checks.unanswered().values("pk")).exists()
    assert due_groups().filter(office=office, contact_email="").exists()  # to call
    names = {
        "group calendar feed (iCalendar)",
        "HSDS API: services modified after",
        "staff: inbox",
        "staff: data check queue",
        "staff: data check, an answer to review",
        "directory: near me, postcode + 25 km",
    }
    chosen = [page for page in measure.pages(subjects) if page.name in names]
    assert {page.name for page in chosen} == names
    rows = measure.measure(chosen, measure.clients(subjects), requests=2, warmups=1)
    queries = {row["page"]: row["queries"] for row in rows}
    # The near-me search is served from the page cache; uncached it searches.
    assert queries["directory: near me, postcode + 25 km"] == 1
    assert queries["directory: near me, postcode + 25 km (uncached)"] > 1
    for name in names - {"directory: near me, postcode + 25 km"}:
        assert queries[name] > 0, name


def test_the_realistic_requests_are_many_distinct_and_the_same_on_every_run(tiny):
    from django.http import QueryDict

    from groups.forms.public import DirectoryFilterForm
    from tests.bench import workload

    src = workload.sources()
    directory = workload.directory_paths(src, 2_000)
    assert len(set(directory)) == 2_000
    assert directory == workload.directory_paths(workload.sources(), 2_000)
    for path in directory[:200]:
        query = QueryDict(path.partition("?")[2])
        form = DirectoryFilterForm(query)
        assert form.is_valid(), (path, form.errors)
        assert set(query) <= set(form.fields) | {"page"}
    near = workload.near_me_paths(src, 500)
    assert len(set(near)) == 500
    assert all("near=" in path and "radius=" in path for path in near)
    api = workload.api_paths(src, 300)
    assert len(set(api)) == 300


def test_zipf_draws_make_about_the_first_time_share_asked_for():
    from tests.bench import workload

    assert workload.population_for(1_000, 50_000) == workload.MIN_POPULATION
    draws = 6_000
    size = workload.population_for(draws, 50_000)
    assert size > workload.MIN_POPULATION
    assert abs(workload.expected_first_share(size, draws) - workload.FIRST_TIME) < 0.01
    pools = {
        "directory": [f"/gruppen/?q={n}" for n in range(50_000)],
        "group": [f"/gruppen/g{n}/" for n in range(50_000)],
    }
    sequence = workload.sequence(pools, workload.MIX, 10_000)
    shares = sequence.shares()
    assert 0.27 < shares["all"]["first_time_share"] < 0.33
    assert 0.57 < shares["directory"]["requests"] / 10_000 < 0.63
    assert sequence.populations["directory"] >= workload.MIN_POPULATION
    assert sequence.paths[0] == workload.sequence(pools, workload.MIX, 10_000).paths[0]
    # First and second requests are not served from the page cache.
    small = workload.Sequence(paths=["/a", "/b", "/a", "/a"], kinds=["x"] * 4, populations={})
    assert small.shares()["all"] == {
        "requests": 4,
        "first_time": 2,
        "rendered": 3,
        "distinct": 2,
        "first_time_share": 0.5,
        "rendered_share": 0.75,
    }
    assert small.shares(2)["all"]["first_time_share"] == 1.0


def test_the_realistic_run_s_script_and_table():
    script = http.sequence_script("var/bench/paths.txt", 2, "/bench/minimal/", forwarded=True)
    assert 'local threads = 2\nlocal file = "var/bench/paths.txt"' in script
    assert "wrk.thread:stop()" in script
    assert '"X-Forwarded-For"' in script and "local forwarded = true" in script

    def run(rps, p95, errors=0, sequence=None):
        result = {"requests_per_s": rps, "p50_ms": 1.0, "p90_ms": 2.0, "p95_ms": p95}
        result |= {"p99_ms": 9.0, "errors": errors}
        if sequence:
            result |= {"sequence": sequence, "ratio": round(rps / 1000, 3)}
        return result

    shares = {
        "all": {"first_time_share": 0.301, "rendered_share": 0.45},
        "directory": {"requests": 600, "distinct": 200, "first_time_share": 0.333},
    }
    sequence = {"populations": {"directory": 2_400}, "zipf_exponent": 1.0, "shares": shares}
    results = {
        "workers": 5,
        "connections": 32,
        "duration_s": 60,
        "database": "kontaktstelle_bench_large",
        "ratio": 0.5,
        "runs": {
            "minimal view": run(1000.0, 5.0),
            report.REALISTIC["run"]: run(200.0, 140.0, sequence=sequence),
        },
    }
    text = report.http_table(results)
    assert "30.1%" in text and "45.0%" in text
    assert "200 distinct of 2,400, 33.3% first-time" in text
    assert "p95 ≥ 100 ms; throughput below 0.25 of the minimal view's" in text
