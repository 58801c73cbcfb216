"""Timing the key pages through Django's full request cycle, as the people who use them.

Each page is requested with ``django.test.Client`` (every middleware, the session in
the database, templates rendered), logged in as its persona: a visitor, the staff
member of office 0 (with a confirmed authenticator, as staff must have), its starter
with the longest history, the coordinator of its network. First a few warm-up
requests (caches, connection), then N timed ones; the SQL queries are counted on one
more request, so that capturing them does not slow the timed ones.

The public page cache is on, as in production: a directory page asked again comes from
it. Each page it serves is timed a second time as "(uncached)", with the cache emptied
before every request, which is what the first visitor of a search waits for.

On PostgreSQL, the two slowest SELECTs of each page are run once more with
``EXPLAIN (ANALYZE, BUFFERS)``, for whoever optimises the page.
"""

import datetime
import re
import statistics
import time
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from groups.models import Group, TopicCategory, Verification
from kontaktstelle.accounts.models import Membership, User
from kontaktstelle.offices.models import Office
from kontaktstelle.web import public_cache
from starters.models import Accompaniment, Starter
from tests.bench import BenchError

SLOW_WARMUP_SECONDS = 0.5  # pages slower than this are timed fewer times
EXPLAINED = 2  # slowest queries per page shown with their plan


@dataclass(frozen=True)
class Page:
    name: str  # as in the table; the same at every scale
    kind: str  # what the targets are for (``report.TARGETS``)
    persona: str  # visitor, staff, starter or coordinator
    path: str
    uncached: bool = False  # timed with the public page cache emptied before each request


@dataclass(frozen=True)
class Subjects:
    """The people and records of office 0 that the pages are about."""

    office: Office
    staff: User
    starter: User
    coordinator: User
    group: Group
    accompaniment: Accompaniment
    check: Verification  # an answer of the yearly data check waiting for review
    category: TopicCategory
    year: int


def find_subjects():
    office = Office.objects.order_by("pk").first()
    if office is None:
        raise BenchError("No office: generate the data first.")
    staff = User.objects.filter(membership__role=Membership.Role.STAFF, membership__office=office)
    starter = (
        Starter.objects.filter(office=office)
        .annotate(n=Count("assignments"))
        .order_by("-n", "pk")
        .select_related("user")
        .first()
    )
    coordinator = User.objects.filter(
        membership__role=Membership.Role.COORDINATOR, membership__network=office.network_id
    )
    group = (
        Group.objects.public()
        .filter(office=office, room__isnull=False)
        .annotate(n=Count("topics"))
        .order_by("-n", "pk")
        .first()
    )
    # A request with an offer out (a tandem partner is sought): matching does its most.
    accompaniment = (
        Accompaniment.objects.for_office(office)
        .open()
        .exclude(status=Accompaniment.Status.ACTIVE)
        .order_by("status", "pk")  # "offered" before "requested"
        .first()
    )
    check = (
        Verification.objects.for_office(office).to_review().order_by("answered_at", "pk").first()
    )
    found = {
        "staff": staff.order_by("pk").first(),
        "starter": starter and starter.user,
        "coordinator": coordinator.order_by("pk").first(),
        "group": group,
        "accompaniment": accompaniment,
        "check": check,
    }
    missing = [name for name, value in found.items() if value is None]
    if missing:
        raise BenchError(f"Office {office} has no {', '.join(missing)}: regenerate the data.")
    return Subjects(
        office=office,
        category=TopicCategory.objects.get(slug="psychische-gesundheit"),
        year=timezone.localdate().year - 1,  # the last complete year of the data
        **found,
    )


def pages(subjects):
    """The key pages of the issue "Performance at national scale", baseline first."""
    site = subjects.office.sites.order_by("pk").first()
    town = site.city

    def directory(**query):
        return reverse("groups:directory") + ("?" + urlencode(query) if query else "")

    year = f"?start={subjects.year}-01-01&end={subjects.year}-12-31"
    # What a harvester asks for: the entries changed in the last quarter.
    changed_since = timezone.localdate() - datetime.timedelta(days=90)
    group_slug = {"slug": subjects.group.slug}
    staff_filter = urlencode({"status": "active", "category": subjects.category.pk})
    return [
        Page("baseline: minimal view", "baseline", "visitor", reverse("bench_minimal")),
        Page("directory: first page", "directory", "visitor", directory()),
        Page("directory: Depression", "directory", "visitor", directory(q="Depression")),
        Page(
            "directory: Angst junge Erwachsene",
            "directory",
            "visitor",
            directory(q="Angst junge Erwachsene"),
        ),
        Page(
            "directory: Alkohol + town", "directory", "visitor", directory(q="Alkohol", place=town)
        ),
        Page("directory: Diabetis (typo)", "directory", "visitor", directory(q="Diabetis")),
        Page(
            "directory: category + step-free",
            "directory",
            "visitor",
            directory(category="sucht", accessible="on"),
        ),
        Page(
            "directory: Trauer, online",
            "directory",
            "visitor",
            directory(q="Trauer", format="online"),
        ),
        Page(
            "directory: near me, postcode + 25 km",
            "directory",
            "visitor",
            directory(near=site.postcode, radius=25),
        ),
        Page(
            "group page",
            "group",
            "visitor",
            reverse("groups:public_group", kwargs=group_slug),
        ),
        Page(
            "group calendar feed (iCalendar)",
            "calendar",
            "visitor",
            reverse("groups:group_calendar", kwargs=group_slug),
        ),
        Page("HSDS API: services, page 1", "api", "visitor", reverse("hsds:services")),
        Page(
            "HSDS API: services modified after",
            "api",
            "visitor",
            f"{reverse('hsds:services')}?{urlencode({'modified_after': changed_since})}",
        ),
        Page(
            "staff: group list, filtered",
            "staff_list",
            "staff",
            f"{reverse('groups:group_list')}?{staff_filter}",
        ),
        Page(
            "staff: room plan of a site",
            "room_plan",
            "staff",
            reverse("room_plan", kwargs={"pk": site.pk}),
        ),
        Page("staff: inbox", "inbox", "staff", reverse("groups:inbox")),
        Page(
            "staff: data check queue",
            "verification",
            "staff",
            reverse("groups:verification_queue"),
        ),
        Page(
            "staff: data check, an answer to review",
            "verification",
            "staff",
            reverse("groups:verification_review", kwargs={"pk": subjects.check.pk}),
        ),
        Page(
            "matching suggestions",
            "matching",
            "staff",
            reverse("starters:accompaniment_detail", kwargs={"pk": subjects.accompaniment.pk}),
        ),
        Page("starter: own area", "starter", "starter", reverse("starters:home")),
        Page("statistics of a year", "statistics", "staff", reverse("statistics") + year),
        Page(
            "network view of a year", "network", "coordinator", reverse("network_overview") + year
        ),
    ]


def clients(subjects):
    """A client per persona, logged in as in production."""
    visitor = Client()
    staff = Client()
    staff.force_login(subjects.staff)
    # Staff must use two-factor login: their session is verified by a confirmed
    # authenticator, which the OTP middleware loads on every request.
    device, _created = TOTPDevice.objects.get_or_create(
        user=subjects.staff, name="Benchmark", defaults={"confirmed": True}
    )
    session = staff.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    starter = Client()
    starter.force_login(subjects.starter)
    coordinator = Client()
    coordinator.force_login(subjects.coordinator)
    return {"visitor": visitor, "staff": staff, "starter": starter, "coordinator": coordinator}


def with_uncached(page_list):
    """Each page, and after each page that the public page cache serves, the same page
    timed as its first visitor gets it (``Page.uncached``): the work the cache saves."""
    result = []
    for page in page_list:
        result.append(page)
        view = resolve(page.path.split("?")[0]).func
        if page.persona == "visitor" and getattr(view, "caches_public_page", False):
            result.append(replace(page, name=f"{page.name} (uncached)", uncached=True))
    return result


def measure(page_list, clients, requests=30, warmups=3, explain=True):
    """One row of timings, query count and slowest queries per page."""
    rows = []
    for page in with_uncached(page_list):
        client = clients[page.persona]
        warm = [_timed(client, page) for _ in range(max(1, warmups))]
        count = requests if statistics.median(warm) < SLOW_WARMUP_SECONDS else max(5, requests // 3)
        times = [_timed(client, page) for _ in range(count)]
        timer = _QueryTimer()
        with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(timer):
            _timed(client, page)
        slowest = sorted(timer.queries, key=lambda query: -query["ms"])[:5]
        row = {
            "page": page.name,
            "kind": page.kind,
            "persona": page.persona,
            "path": page.path,
            "requests": count,
            "median_ms": round(1000 * statistics.median(times), 2),
            "p95_ms": round(1000 * percentile(times, 95), 2),
            "min_ms": round(1000 * min(times), 2),
            "queries": len(captured.captured_queries),
            # Time in the database on that request; the rest of the page is Python.
            "sql_ms": round(sum(query["ms"] for query in timer.queries), 2),
            "slowest_queries": slowest,
        }
        if explain and connection.vendor == "postgresql":
            row["plans"] = [_explain(q) for q in row["slowest_queries"][:EXPLAINED]]
        rows.append(row)
    baseline = next((row["median_ms"] for row in rows if row["kind"] == "baseline"), None)
    for row in rows:
        row["x_baseline"] = round(row["median_ms"] / baseline, 1) if baseline else None
    return rows


def percentile(values, share):
    """The ``share``-th percentile, interpolated between the nearest ranks."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * share / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _timed(client, page):
    if page.uncached:
        public_cache.invalidate()  # not timed: the next request computes the page
    started = time.perf_counter()
    response = client.get(page.path)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise BenchError(f"{page.name} ({page.path}) answered HTTP {response.status_code}.")
    return elapsed


class _QueryTimer:
    """An execute wrapper that times each query to the microsecond (the debug cursor
    rounds to milliseconds) and keeps it as sent, parameters filled in."""

    def __init__(self):
        self.queries = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = time.perf_counter() - started
            sent = connection.ops.last_executed_query(context["cursor"], sql, params)
            self.queries.append({"ms": round(1000 * elapsed, 3), "sql": sent})


# Querysets read with .iterator() (a form's choices) come through a server-side cursor.
_CURSOR = re.compile(r"^DECLARE \S+ NO SCROLL CURSOR (?:WITH|WITHOUT) HOLD FOR ", re.IGNORECASE)


def _explain(query):
    sql = _CURSOR.sub("", query["sql"].lstrip())
    if not sql.upper().startswith("SELECT"):
        return {**query, "plan": "(not a SELECT: not run again)"}
    with connection.cursor() as cursor:
        # The query as the page sent it, captured a moment ago.
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        plan = "\n".join(line for (line,) in cursor.fetchall())
    return {**query, "plan": plan}


def context():
    """Facts about this run that the numbers depend on."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if connection.vendor == "postgresql" else "SELECT 1")
        version = cursor.fetchone()[0]
    return {
        "database": connection.vendor,
        "database_version": version,
        "cache": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1],
        "debug": settings.DEBUG,
        "measured_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }
