"""A real Redis that dies, freezes or holds garbage: the site keeps working without it.

The module starts its own ``redis-server`` (Debian's package) on a free port and points
the app's cache at it, with the production backend (``ResilientRedisCache``) and short
timeouts. Redis is then killed (SIGKILL), frozen (SIGSTOP: connections are accepted by
the kernel, but nothing answers) or fed junk under the keys of cached pages. Pages must
still answer with their real content, staff changes must still be saved, a change made
while Redis was away must never be undone by a stale page when it comes back, and the
spam brake of the public forms must still hold.
"""

import logging
import os
import pickle
import shutil
import signal
import socket
import subprocess
import time

import pytest
import redis
from django.core.cache import cache, caches
from django.test import Client, RequestFactory
from django.urls import reverse

from groups.models import Group, Inquiry
from groups.search import reindex_groups
from kontaktstelle.web import cache as resilient_cache
from kontaktstelle.web import public_cache
from tests.factories import GroupFactory

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
DIRECTORY = reverse("groups:directory")
SEARCH = {"q": "Trauercafé"}
NAME = "Trauercafé am Markt"
RETRY_SECONDS = 2
DOWN = "The cache cannot be reached"
BACK = "The cache can be reached again."


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """One redis-server process on a fixed port that a test can kill, freeze and restart."""

    def __init__(self, port, folder):
        self.port = port
        self.folder = folder
        self.process = None
        self.frozen = False

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self):
        """A plain client of our own, with patient timeouts (never used while frozen)."""
        return redis.Redis(port=self.port, socket_timeout=5, socket_connect_timeout=5)

    def start(self):
        log = (self.folder / "redis.log").open("ab")
        self.process = subprocess.Popen(
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
                "--loglevel",
                "warning",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        self.frozen = False
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"redis-server stopped at start:\n{self._log()}")
            try:
                with self.client() as client:
                    if client.ping():
                        return
            except redis.ConnectionError:
                time.sleep(0.05)
        pytest.fail(f"redis-server did not answer PING within 10 s:\n{self._log()}")

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        self.frozen = False

    def freeze(self):
        self.process.send_signal(signal.SIGSTOP)
        self.frozen = True

    def thaw(self):
        if self.frozen and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
        self.frozen = False

    def ensure_running(self):
        self.thaw()
        if self.process is None or self.process.poll() is not None:
            self.start()

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        self.thaw()
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def _log(self):
        path = self.folder / "redis.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory):
    if not os.path.exists(REDIS_SERVER):
        reason = "redis-server is not installed (Debian package redis-server)"
        if os.environ.get("CI") or os.environ.get("KONTAKTSTELLE_REQUIRE_BROWSER"):
            pytest.fail(f"{reason}; CI requires it (.ci/run installs it).")
        pytest.skip(reason)
    server = RedisServer(free_port(), tmp_path_factory.mktemp("redis"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def redis_cache(redis_server, settings):
    """The app's cache is our Redis, through the production backend, for this test."""
    redis_server.ensure_running()
    with redis_server.client() as client:
        client.flushall()
    settings.CACHES = {
        "default": {
            "BACKEND": "kontaktstelle.web.cache.ResilientRedisCache",
            "LOCATION": redis_server.url,
            "OPTIONS": {"socket_connect_timeout": 0.05, "socket_timeout": 0.05},
        }
    }
    settings.PUBLIC_PAGE_CACHE_SECONDS = 300
    settings.KONTAKTSTELLE_CACHE_RETRY_SECONDS = RETRY_SECONDS
    resilient_cache.breaker.reset()
    # The cache handler was rebuilt for the new setting: it really is this Redis.
    assert isinstance(caches["default"], resilient_cache.ResilientRedisCache)
    cache.set("resilience-probe", "here", 60)
    with redis_server.client() as client:
        stored = client.get(cache.make_key("resilience-probe"))
        assert stored is not None, "the app's cache does not write to the test's Redis"
        assert unpickle(stored) == "here"
        client.flushall()
    yield redis_server
    resilient_cache.breaker.reset()
    redis_server.ensure_running()
    with redis_server.client() as client:
        client.flushall()


@pytest.fixture
def group(office):
    group = GroupFactory(office=office, name=NAME)
    reindex_groups([group.pk])
    return group


def warm(path, data=None):
    """Ask for a page twice, as two visitors: from then on it comes from the cache."""
    for _ in range(2):
        assert Client().get(path, data).status_code == 200


def raw_key(path, data=None):
    """The key in Redis under which the page is kept now (the version read from the DB)."""
    return cache.make_key(public_cache._key(RequestFactory().get(path, data)))


def unpickle(stored):
    """What the cache stored under a key, read back from Redis (the cache pickles)."""
    return pickle.loads(stored)  # noqa: S301 - our own Redis, values the app put there


def messages(caplog, text):
    return [record for record in caplog.records if text in record.getMessage()]


def test_a_killed_redis_costs_nothing_but_the_cache(redis_server, group, staff, caplog):
    caplog.set_level(logging.WARNING, logger="kontaktstelle.web.cache")
    url = group.get_public_url()
    warm(DIRECTORY, SEARCH)
    warm(url)
    with redis_server.client() as client:
        assert client.exists(raw_key(DIRECTORY, SEARCH), raw_key(url)) == 2
    redis_server.kill()

    for attempt in range(8):
        if attempt == 4:  # past the breaker's pause: Redis is tried again, and still dead
            time.sleep(RETRY_SECONDS + 0.2)
        search = Client().get(DIRECTORY, SEARCH)
        page = Client().get(url)
        assert search.status_code == 200
        assert page.status_code == 200
        assert NAME in search.content.decode()
        assert NAME in page.content.decode()
    assert resilient_cache.breaker.down

    staff_client = Client()
    staff_client.force_login(staff)
    response = staff_client.post(reverse("groups:group_close", args=[group.pk]))
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.status == Group.Status.CLOSED
    assert NAME not in Client().get(DIRECTORY, SEARCH).content.decode()
    assert Client().get(url).status_code == 404

    down = messages(caplog, DOWN)
    assert len(down) == 1, [record.getMessage() for record in down]
    assert down[0].levelno == logging.WARNING
    assert not messages(caplog, BACK)


def test_a_change_while_redis_is_frozen_is_not_undone_when_it_returns(
    redis_server, group, staff, caplog
):
    caplog.set_level(logging.WARNING, logger="kontaktstelle.web.cache")
    url = group.get_public_url()
    warm(url)
    warm(DIRECTORY, SEARCH)
    stale_keys = [raw_key(url), raw_key(DIRECTORY, SEARCH)]
    with redis_server.client() as client:
        assert client.exists(*stale_keys) == 2
    assert NAME in Client().get(url).content.decode()  # served from Redis

    redis_server.freeze()  # Redis keeps its data, but answers nothing
    try:
        assert NAME in Client().get(url).content.decode()  # rendered: the cache timed out
        assert resilient_cache.breaker.down
        staff_client = Client()
        staff_client.force_login(staff)
        response = staff_client.post(
            reverse("groups:group_update", args=[group.pk]), group_form(name="Trauercafé im Park")
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        group.refresh_from_db()
        assert group.name == "Trauercafé im Park"
    finally:
        redis_server.thaw()
    time.sleep(RETRY_SECONDS + 0.3)  # the breaker lets the next request try Redis again

    # The pages from before the change are still in Redis, under the old version ...
    with redis_server.client() as client:
        for key in stale_keys:
            _content_type, content = unpickle(client.get(key))
            assert NAME.encode() in content
    # ... and are never served again.
    for path, data in [(url, None), (DIRECTORY, SEARCH)]:
        content = Client().get(path, data).content.decode()
        assert "Trauercafé im Park" in content
        assert NAME not in content
    assert len(messages(caplog, BACK)) == 1
    assert not resilient_cache.breaker.down

    # Pages are cached again, under the new version.
    warm(url)
    fresh_key = raw_key(url)
    assert fresh_key not in stale_keys
    with redis_server.client() as client:
        _content_type, content = unpickle(client.get(fresh_key))
    assert "Trauercafé im Park".encode() in content
    assert "Trauercafé im Park" in Client().get(url).content.decode()
    assert len(messages(caplog, DOWN)) == 1


def test_a_frozen_redis_costs_one_timeout_not_one_per_request(redis_server, group, caplog):
    caplog.set_level(logging.WARNING, logger="kontaktstelle.web.cache")
    warm(DIRECTORY, SEARCH)
    connections_before = connections_received(redis_server)
    redis_server.freeze()
    timings = []
    try:
        for _ in range(10):
            started = time.perf_counter()
            response = Client().get(DIRECTORY, SEARCH)
            timings.append(time.perf_counter() - started)
            assert response.status_code == 200
            assert NAME in response.content.decode()
    finally:
        redis_server.thaw()
    assert resilient_cache.breaker.down  # the cache was asked and did not answer
    assert len(messages(caplog, DOWN)) == 1
    # Each timeout drops its connection and the next try opens a new one, which the
    # kernel accepts for the frozen server and Redis counts once it runs again. With the
    # breaker, the cache gave up at its first timeout (on the pooled connection from
    # before the freeze) and tried at most once more after its pause; without it, every
    # cache call of every request would have waited out a timeout on a new connection.
    new_connections = connections_received(redis_server) - connections_before - 1
    assert new_connections <= 1, new_connections
    assert timings[0] < 1, timings
    assert max(timings[1:]) < 0.5, timings


def connections_received(redis_server):
    """Connections Redis has accepted so far (counting the one asking), once settled."""
    with redis_server.client() as client:
        counts = [client.info("stats")["total_connections_received"]]
        while len(counts) < 2 or counts[-1] != counts[-2]:
            time.sleep(0.1)
            counts.append(client.info("stats")["total_connections_received"])
    return counts[-1]


JUNK = {
    "not-a-pickle": b"\x80\x05\x95garbage\xff\xfe<html>Gefaelschte Seite</html>",
    "truncated-pickle": pickle.dumps(("text/html", b"<p>Gefaelschte Seite</p>"))[:-7],
    "empty": b"",
    "a-number": b"42",
    "a-string": pickle.dumps("<p>Gefaelschte Seite</p>"),
    "text-not-bytes": pickle.dumps(("text/html", "<p>Gefaelschte Seite</p>")),
    "wrong-shape": pickle.dumps(["text/html", b"<p>Gefaelschte Seite</p>", 3]),
}


@pytest.mark.parametrize("junk", JUNK.values(), ids=JUNK.keys())
def test_garbage_in_redis_is_a_miss(redis_server, group, junk):
    url = group.get_public_url()
    warm(DIRECTORY, SEARCH)
    warm(url)
    with redis_server.client() as client:
        pages = [key for key in client.scan_iter(match=":1:public-page:*") if b":seen" not in key]
        assert {raw_key(DIRECTORY, SEARCH).encode(), raw_key(url).encode()} <= set(pages)
        for key in pages:
            client.set(key, junk)
    for path, data in [(DIRECTORY, SEARCH), (url, None), (DIRECTORY, SEARCH)]:
        response = Client().get(path, data)
        assert response.status_code == 200
        content = response.content.decode()
        assert NAME in content
        assert "Gefaelschte Seite" not in content
        assert "</html>" in content


def test_the_form_brake_holds_while_redis_is_dead(
    redis_server, group, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.WARNING, logger="kontaktstelle.web.cache")
    url = group.get_public_url()
    redis_server.kill()
    visitor = Client()  # one address (127.0.0.1) for every request
    assert visitor.get(url).status_code == 200
    assert resilient_cache.breaker.down  # the cache was tried and is away
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            assert visitor.post(url, contact_form()).status_code == 302
        response = visitor.post(url, contact_form())
    assert response.status_code == 200
    assert "Wir haben bereits mehrere Anfragen von Ihnen erhalten." in response.content.decode()
    assert Inquiry.objects.filter(group=group).count() == 5
    assert len(messages(caplog, DOWN)) == 1


def contact_form():
    return {
        "name": "Sam",
        "email": "sam@example.org",
        "phone": "",
        "message": "Ich würde gern einmal vorbeikommen.",
        "consent": "on",
        "website": "",
    }


def group_form(**overrides):
    """The staff edit form of a group, filled in as a staff member sends it."""
    data = {
        "name": NAME,
        "description": "Wir treffen uns, um uns auszutauschen.",
        "audience": "both",
        "age_group": "all",
        "languages": "Deutsch",
        "format": "in_person",
        "status": "active",
        "accepts_new_members": "yes",
        "schedule": "jeden 2. Dienstag, 19 Uhr",
        "listing": "public_with_place",
        "contact_route": "office",
        "street": "Lindenstraße 1",
        "postcode": "12345",
        "city": "Musterstadt",
    }
    data.update(overrides)
    return data
