"""Hostile input: random and malicious data in every form and query parameter.

The demo data is crawled as each role (following the links and forms the pages offer,
a few pages per URL pattern), every form found is submitted with values drawn by
Hypothesis (markup, SQL fragments, control characters, huge and odd numbers, dates that
do not exist, very long text, lists where one value is expected), and every query
parameter seen is fed the same. No answer may be a server error, and afterwards no page
may contain a submitted payload as live markup.
"""

import os
import re
from collections import defaultdict
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import Resolver404, resolve
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kontaktstelle.accounts.models import Membership, User

pytestmark = pytest.mark.django_db

# Markup that would run if a page put it out unescaped; searched for afterwards.
PAYLOADS = [
    "<script>fuzzmark()</script>",
    '"><svg onload=fuzzmark()>',
    "'><img src=x onerror=fuzzmark()>",
    "javascript:fuzzmark()",
]
LIVE_MARKUP = re.compile(r"<script>fuzzmark|<svg onload=fuzzmark|<img src=x onerror=fuzzmark")
NASTY = [
    *PAYLOADS,
    "' OR 1=1 --",
    "'; DROP TABLE groups_group; --",
    "%00",
    "\x00",
    "\u202e\u0000\ufeff",
    "../../etc/passwd",
    "{{ 7*7 }}{% debug %}",
    '=HYPERLINK("http://example.org")',
    "-1",
    "0",
    "99999999999999999999999",
    "-2147483649",
    "1e309",
    "NaN",
    "2025-02-30",
    "31.12.99999",
    "9999-12-31",
    "0001-01-01",
    "25:61",
    "",
    " ",
    "ä" * 5000,
]
PAGES_PER_PATTERN = 2
# Never followed: they end the crawl's session or are no pages.
SKIPPED = {"logout", "set_language", "healthz"}

values = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=60),
    st.integers(min_value=-(2**63), max_value=2**63).map(str),
    st.dates().map(str),
)


class Forms(HTMLParser):
    """The links and forms of a page: action, method and field names (with options)."""

    def __init__(self):
        super().__init__()
        self.links, self.forms = [], []
        self._form = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "form":
            self._form = {
                "action": attrs.get("action") or "",
                "method": (attrs.get("method") or "get").lower(),
                "fields": defaultdict(set),
                "files": set(),
            }
            self.forms.append(self._form)
        elif self._form is not None and tag in ("input", "select", "textarea", "button"):
            name = attrs.get("name")
            if not name or name == "csrfmiddlewaretoken":
                return
            if attrs.get("type") == "file":
                self._form["files"].add(name)
            else:
                self._form["fields"][name].add(attrs.get("value") or "")
        elif self._form is not None and tag == "option" and self._form["fields"]:
            last = list(self._form["fields"])[-1]
            self._form["fields"][last].add(attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def url_name(path):
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return None
    return match.view_name


def crawl(client, start):
    """Pages, forms and query parameters reachable from ``start`` by links and forms."""
    seen_per_name, queue, visited = defaultdict(int), [start, "/"], set()
    forms, queries = [], defaultdict(set)
    while queue:
        url = queue.pop(0)
        path = urlsplit(url).path
        name = url_name(url)
        if url in visited or name is None or name in SKIPPED or name.startswith("admin:"):
            continue
        if seen_per_name[name] >= PAGES_PER_PATTERN:
            continue
        visited.add(url)
        seen_per_name[name] += 1
        response = client.get(url)
        assert response.status_code < 500, url
        if response.status_code in (301, 302) and response["Location"].startswith("/"):
            queue.append(response["Location"])
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        parser = Forms()
        parser.feed(response.content.decode())
        for href in parser.links:
            target = urljoin(url, href)
            parts = urlsplit(target)
            if parts.scheme in ("", "http") and parts.netloc in ("", "testserver"):
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
                for key, _value in parse_qsl(parts.query):
                    queries[parts.path].add(key)
        for form in parser.forms:
            action = urljoin(path, form["action"]) if form["action"] else path
            forms.append({**form, "action": action})
            if form["method"] == "get":
                queries[action].update(form["fields"])
    return visited, forms, queries


def personas():
    office_users = Membership.objects.filter(office__slug="musterstadt").select_related("user")
    by_role = {}
    for membership in office_users.order_by("pk"):
        by_role.setdefault(membership.role, membership.user)
    coordinator = User.objects.get(membership__role=Membership.Role.COORDINATOR)
    return {
        "anonymous": None,
        "starter": by_role[Membership.Role.STARTER],
        "staff": by_role[Membership.Role.STAFF],
        "office_admin": by_role[Membership.Role.OFFICE_ADMIN],
        "coordinator": coordinator,
    }


def client_for(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


# Random examples where a developer runs it (new ones each time); in CI the same
# examples every run, so a submission is judged on what was run before it.
FUZZ = settings(
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
    derandomize=os.environ.get("CI") == "true",
)


def submit_fuzzed(form, user):
    """Submit the form a few times with drawn values (and random bytes as files)."""
    names, files = sorted(form["fields"]), sorted(form["files"])

    @settings(FUZZ, max_examples=6)
    @given(data=st.data())
    def submit(data):
        payload = {}
        for name in names:
            choices = sorted(form["fields"][name])
            strategy = st.one_of(values, st.sampled_from(choices)) if choices else values
            payload[name] = data.draw(st.lists(strategy, min_size=1, max_size=2))
        for name in files:
            payload[name] = SimpleUploadedFile(
                data.draw(st.sampled_from(["a.csv", "a.xlsx", "a.exe"])),
                data.draw(st.binary(max_size=300)),
            )
        client = client_for(user)
        send = client.post if form["method"] == "post" else client.get
        response = send(form["action"], payload)
        assert response.status_code < 500, (form["action"], payload)

    submit()


def query_fuzzed(path, keys, user):
    """Open the page a few times with drawn values in its query parameters."""

    @settings(FUZZ, max_examples=4)
    @given(params=st.fixed_dictionaries({key: values for key in sorted(keys)}))
    def query(params):
        response = client_for(user).get(f"{path}?{urlencode(params)}")
        assert response.status_code < 500, (path, params)

    query()


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)
    settings.DEBUG = False


def test_no_form_or_query_parameter_makes_a_server_error_or_stored_markup(demo):
    found = {}
    for role, user in personas().items():
        found[role] = crawl(client_for(user), "/weiter/" if user else "/")
    visited_names = {url_name(url) for visited, _f, _q in found.values() for url in visited}
    # The crawl reaches the app's pages: the directory, staff lists, the own area, network.
    for name in [
        "groups:directory",
        "groups:group_list",
        "groups:consultations",
        "starters:starter_list",
        "starters:accompaniment_list",
        "starters:home",
        "starters:own_log_create",
        "statistics",
        "network_overview",
    ]:
        assert name in visited_names, name
    posted = set()

    for role, (_visited, forms, queries) in found.items():
        user = personas()[role]

        for form in forms:
            key = (form["method"], url_name(form["action"]))
            if key in posted or key[1] in SKIPPED:
                continue
            posted.add(key)
            submit_fuzzed(form, user)

        for path, keys in queries.items():
            if url_name(path) in SKIPPED:
                continue
            query_fuzzed(path, keys, user)

    pages = sum(len(visited) for visited, _f, _q in found.values())
    print(f"\nhostile input: {len(posted)} forms and {pages} pages as {len(found)} roles")
    assert len(posted) >= 30  # the forms of the app, each filled in several times
    for role, user in personas().items():
        client = client_for(user)
        for url in found[role][0]:
            response = client.get(url)
            assert response.status_code < 500, url
            if response.status_code == 200:
                assert not LIVE_MARKUP.search(response.content.decode(errors="replace")), url
