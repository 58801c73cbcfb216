"""While the database cannot be reached, visitors get a short German 503 page, no traceback.

A real gunicorn with the production settings (debug off) is pointed at a PostgreSQL
address where nothing listens, as after the database server stopped. Its static files
are collected first, as in a deployment (the pages name the hashed files of the
manifest): the settings module the server runs is ``kontaktstelle.settings`` with only
``STATIC_ROOT`` moved to a temporary folder, so that the test writes nothing into the
working tree. The test needs no database of its own and runs the same on SQLite and
PostgreSQL.
"""

import http.client
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"
UNAVAILABLE = (
    "Die Seite ist gerade nicht erreichbar. Bitte versuchen Sie es in einigen Minuten erneut."
)
# Production settings: secure cookies, so the session cookie carries the "__Host-" prefix.
SESSION_COOKIE = "__Host-sessionid"
READY_SECONDS = 30


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    def __init__(self, base_url, log_path):
        self.base_url = base_url
        self.log_path = log_path

    def get(self, path, data=None, headers=None):
        """(status, headers, body, Set-Cookie values) of one request; errors are answers too."""
        request = urllib.request.Request(  # noqa: S310 - http://127.0.0.1, our own server
            self.base_url + path,
            data=urllib.parse.urlencode(data).encode() if data is not None else None,
            headers=headers or {},
        )
        # No redirects followed: a 302 is an answer to look at, not to chase.
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            response = opener.open(request, timeout=20)
        except urllib.error.HTTPError as error:
            response = error
        with response:
            body = response.read().decode("utf-8", "replace")
            return (
                response.status,
                response.headers,
                body,
                response.headers.get_all("Set-Cookie") or [],
            )

    def log(self):
        return self.log_path.read_text(errors="replace")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """gunicorn (one worker) with the production settings and an unreachable database."""
    assert GUNICORN.exists(), f"gunicorn is missing from the virtualenv: {GUNICORN}"
    folder = tmp_path_factory.mktemp("outage")
    (folder / "outage_settings.py").write_text(
        "from kontaktstelle.settings import *  # noqa: F403\n\n"
        f"STATIC_ROOT = {str(folder / 'static')!r}\n"
    )
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "outage_settings",
        "PYTHONPATH": os.pathsep.join([str(folder), str(BASE_DIR)]),
        "DJANGO_ENV_FILE": "",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "outage-test-9f3c1a7e5b2d4c6e8a0b1d3f5e7c9a2b4d6f8e0a1c3e5g7",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        # Nothing listens on this port: every connection is refused at once.
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{free_port()}/kontaktstelle",
        "DJANGO_LOG_LEVEL": "INFO",
    }
    for name in ("REDIS_URL", "DJANGO_SECURE_COOKIES", "DJANGO_CSRF_TRUSTED_ORIGINS"):
        env.pop(name, None)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    port = free_port()
    log_path = folder / "gunicorn.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                str(GUNICORN),
                "kontaktstelle.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--no-control-socket",
                "--graceful-timeout",
                "2",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            server = Server(f"http://127.0.0.1:{port}", log_path)
            _wait_until_answering(server, process)
            yield server
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def _wait_until_answering(server, process):
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn stopped at start:\n{server.log()[-3000:]}")
        try:
            server.get("/healthz")
        except (OSError, http.client.HTTPException):
            time.sleep(0.1)
        else:
            return
    pytest.fail(f"gunicorn did not answer within {READY_SECONDS} s:\n{server.log()[-3000:]}")


def assert_unavailable(status, headers, body, path):
    assert status == 503, (path, status, body[:500])
    assert UNAVAILABLE in body, (path, body[:500])
    assert '<html lang="de">' in body
    assert int(headers["Retry-After"]) > 0, path
    assert headers["Content-Type"].startswith("text/html")
    assert "Traceback" not in body
    assert "OperationalError" not in body


def assert_no_server_error(server):
    """Django logs "Internal Server Error: <path>" for every 500 it answers."""
    assert "Internal Server Error" not in server.log(), server.log()[-3000:]


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/kontaktstellen/musterstadt/",
        "/gruppen/",
        "/gruppen/?" + urllib.parse.urlencode({"q": "Trauercafé"}),
        "/gruppen/trauercafe-am-markt/",
        "/gruppen/in-gruendung/",
        "/gruppen/gruenden/",
        "/gruppen/druck/",
        "/impressum/",
        "/datenschutz/",
    ],
)
def test_public_pages_answer_503_with_the_german_page(server, path):
    status, headers, body, _cookies = server.get(path)
    assert_unavailable(status, headers, body, path)
    assert_no_server_error(server)


def test_a_signed_in_user_gets_the_503_page(server):
    # A session cookie makes every page load the session (and the user) from the
    # database, in the middleware before any view.
    for path in ["/intern/", "/", "/gruppen/danke/"]:
        status, headers, body, _cookies = server.get(
            path, headers={"Cookie": f"{SESSION_COOKIE}=abcdefghijklmnopqrstuvwxyz012345"}
        )
        assert_unavailable(status, headers, body, path)
    assert_no_server_error(server)


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/anmelden/", {"username": "fachkraft@example.org", "password": "correct-horse-bat"}),
        ("/passwort/vergessen/", {"email": "fachkraft@example.org"}),
    ],
    ids=["login", "password-reset"],
)
def test_sending_a_form_answers_503(server, path, data):
    # The empty form needs no database and is shown; sending it (with a valid CSRF
    # token, as a browser would) reaches the database and gets the 503 page.
    status, _headers, body, cookies = server.get(path)
    assert status == 200, (path, status, body[:500])
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    cookie = "; ".join(value.split(";")[0] for value in cookies)
    assert "csrftoken=" in cookie
    status, headers, body, _cookies = server.get(
        path, data={**data, "csrfmiddlewaretoken": token}, headers={"Cookie": cookie}
    )
    assert_unavailable(status, headers, body, f"POST {path}")
    assert_no_server_error(server)


def test_healthz_reports_the_database_unavailable(server):
    status, headers, body, _cookies = server.get("/healthz")
    assert status == 503
    assert body.strip() == "database unavailable"
    assert headers["Content-Type"].startswith("text/plain")
    assert_no_server_error(server)
