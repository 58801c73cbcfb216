"""Headers and cookies: the Content-Security-Policy, no caching of pages behind the login,
"__Host-" cookies and HSTS in production, and error reports without passwords or
personal form data.
"""

import json
import re
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse
from django.views.debug import SafeExceptionReporterFilter

from groups.models import Group
from tests.core.test_settings import PRODUCTION_ENV, run_manage
from tests.factories import PASSWORD, GroupFactory

ROOT = Path(__file__).resolve().parents[2]
EXPECTED_CSP = {
    "default-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}
HIDDEN = SafeExceptionReporterFilter.cleansed_substitute
# Markup the policy blocks: style attributes and elements, inline scripts (a script
# without src, unless it is JSON or JSON-LD data), event handler attributes, javascript: links.
INLINE = re.compile(
    r"""\sstyle\s*=|<style[\s>]|<script(?![^>]*\ssrc=)"""
    r"""(?![^>]*type="application/(?:ld\+)?json")[^>]*>"""
    r"""|\son[a-z]+\s*=|javascript:""",
    re.IGNORECASE,
)


def csp_directives(response):
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        assert name not in directives, f"{name} twice in {header}"
        directives[name] = sources
    return directives


def cache_control(response):
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


def assert_no_inline_markup(response):
    if response["Content-Type"].startswith("text/html"):
        html = response.content.decode()
        assert not INLINE.search(html), INLINE.search(html).group(0)


@pytest.fixture
def public_group(office, site):
    return GroupFactory(
        office=office,
        slug="trauercafe-mitte",
        listing=Group.Listing.PUBLIC_WITH_PLACE,
        room=site.rooms.get(),
    )


# (who is logged in, where, expected status); every one of them gets the headers.
PAGES = [
    (None, "/", 200),
    (None, "/anmelden/", 200),
    (None, "/gruppen/", 200),
    (None, "/gruppen/trauercafe-mitte/", 200),
    (None, "/gruppen/gruenden/", 200),
    (None, "/gibt-es-nicht/", 404),
    (None, "/intern/", 302),
    ("staff", "/intern/", 200),
    ("staff", "/intern/statistik/", 200),
    ("staff", "/intern/statistik/?table=by_channel&export=csv", 200),
    ("staff", "/intern/igs/neu/", 200),
    ("staff", "/intern/gruppen/neu/", 200),
    ("staff", "/intern/beratungen/", 200),
    ("staff", "/gibt-es-nicht/", 404),
    ("starter", "/mein-bereich/", 200),
    ("starter", "/mein-bereich/profil/", 200),
    ("office_admin", "/intern/admin/", 200),
    ("office_admin", "/passwort/aendern/", 200),
]


@pytest.mark.parametrize(("persona", "url", "status"), PAGES)
def test_every_page_sends_the_security_headers(request, client, public_group, persona, url, status):
    if persona:
        client.force_login(request.getfixturevalue(persona))
    response = client.get(url)
    assert response.status_code == status
    assert csp_directives(response) == EXPECTED_CSP
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    if not url.startswith("/intern/admin/"):
        assert_no_inline_markup(response)


@pytest.mark.parametrize(("persona", "url", "status"), [page for page in PAGES if page[0]])
def test_pages_behind_the_login_are_not_stored(request, client, public_group, persona, url, status):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(url)
    assert response.status_code == status
    assert {"no-store", "private"} <= cache_control(response)


def test_the_statistics_download_is_not_stored(client, staff):
    client.force_login(staff)
    response = client.get(reverse("statistics") + "?table=by_channel&export=csv")
    assert response["Content-Type"].startswith("text/csv")
    assert "no-store" in cache_control(response)
    assert csp_directives(response) == EXPECTED_CSP


def test_the_public_start_page_may_be_cached(client, office, site):
    response = client.get("/")
    assert response.status_code == 200
    assert "no-store" not in cache_control(response)


def test_a_logged_in_user_gets_even_the_start_page_uncached(client, office, site, starter):
    client.force_login(starter)
    assert "no-store" in cache_control(client.get("/"))


def test_static_files_stay_cacheable_for_logged_in_users(client, staff):
    client.force_login(staff)
    response = client.get(settings.STATIC_URL + "css/kontaktstelle.css")
    assert response.status_code == 200
    assert "no-store" not in cache_control(response)
    assert csp_directives(response) == EXPECTED_CSP


def test_the_server_error_page_has_the_policy_and_no_inline_styles(client, office, site):
    client.raise_request_exception = False
    with mock.patch("kontaktstelle.offices.views.render", side_effect=RuntimeError("boom")):
        response = client.get("/")
    assert response.status_code == 500
    assert "Ein Fehler ist aufgetreten" in response.content.decode()
    assert csp_directives(response) == EXPECTED_CSP
    assert_no_inline_markup(response)


def test_debug_pages_of_django_go_without_the_policy_but_other_pages_keep_it(client, office):
    with override_settings(DEBUG=True):
        missing = client.get("/gibt-es-nicht/")
        page = client.get("/anmelden/")
    assert missing.status_code == 404
    assert "Content-Security-Policy" not in missing
    assert csp_directives(page) == EXPECTED_CSP


@pytest.mark.parametrize(
    "path",
    sorted(str(p.relative_to(ROOT)) for p in (ROOT / "templates").rglob("*.html")),
)
def test_templates_hold_no_inline_styles_scripts_or_event_handlers(path):
    found = INLINE.search((ROOT / path).read_text())
    assert found is None, found and found.group(0)


# Production: the settings as the README's production environment makes them.


@pytest.fixture(scope="module")
def production_settings():
    names = [
        "SESSION_COOKIE_NAME",
        "SESSION_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "SESSION_COOKIE_PATH",
        "SESSION_COOKIE_DOMAIN",
        "CSRF_COOKIE_NAME",
        "CSRF_COOKIE_SECURE",
        "CSRF_COOKIE_PATH",
        "CSRF_COOKIE_DOMAIN",
        "LANGUAGE_COOKIE_SECURE",
        "LANGUAGE_COOKIE_HTTPONLY",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        "SECURE_PROXY_SSL_HEADER",
        "SECURE_REFERRER_POLICY",
        "X_FRAME_OPTIONS",
        "SECURE_CSP",
    ]
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{name: getattr(settings, name) for name in {names!r}}}))"
    )
    result = run_manage("shell", "-c", code, env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    values["SECURE_PROXY_SSL_HEADER"] = tuple(values["SECURE_PROXY_SSL_HEADER"])
    return values


def test_production_cookies_are_host_prefixed_secure_and_without_domain(production_settings):
    values = production_settings
    assert values["SESSION_COOKIE_NAME"] == "__Host-sessionid"
    assert values["CSRF_COOKIE_NAME"] == "__Host-csrftoken"
    for prefix in ("SESSION", "CSRF"):
        assert values[f"{prefix}_COOKIE_SECURE"] is True
        assert values[f"{prefix}_COOKIE_PATH"] == "/"
        assert values[f"{prefix}_COOKIE_DOMAIN"] is None
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["LANGUAGE_COOKIE_SECURE"] is True
    assert values["LANGUAGE_COOKIE_HTTPONLY"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 365 * 24 * 60 * 60
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert values["SECURE_REFERRER_POLICY"] == "same-origin"
    assert values["SECURE_CSP"] == EXPECTED_CSP


def test_login_behind_the_proxy_sets_host_prefixed_cookies_and_hsts(
    production_settings, staff, office
):
    """A whole login as in production: HTTPS at the proxy, CSRF checked, __Host- cookies."""
    proxy = {"host": "testserver", "x-forwarded-proto": "https"}
    client = Client(enforce_csrf_checks=True, headers=proxy)
    with override_settings(**production_settings):
        page = client.get(reverse("login"))
        response = client.post(
            reverse("login"),
            {
                "username": staff.email,
                "password": PASSWORD,
                "csrfmiddlewaretoken": page.context["csrf_token"],
            },
            headers={"origin": "https://testserver"},
        )
        dashboard = client.get(reverse("dashboard"))
    assert page["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    csrf_cookie = page.cookies["__Host-csrftoken"]
    assert response.status_code == 302, response.content.decode()[:500]
    session_cookie = response.cookies["__Host-sessionid"]
    for cookie in (csrf_cookie, session_cookie):
        assert cookie["secure"] is True
        assert cookie["path"] == "/"
        assert cookie["domain"] == ""
        assert "Domain=" not in cookie.output()
    assert session_cookie["httponly"] is True
    assert "sessionid" not in response.cookies
    assert dashboard.status_code == 200
    assert "no-store" in cache_control(dashboard)


# Error reports (e-mails to ADMINS, logs) never carry passwords or personal form data.


@pytest.mark.parametrize(
    ("persona", "url", "data", "hidden"),
    [
        (None, "/anmelden/", {"username": "a@example.org", "password": "geheim"}, "__ALL__"),
        (None, "/gruppen/trauercafe-mitte/", {"name": "Sam", "email": "s@example.org"}, "__ALL__"),
        (None, "/gruppen/gruenden/", {"name": "Sam", "email": "s@example.org"}, "__ALL__"),
        (None, "/passwort/vergessen/", {"email": "s@example.org"}, ("email",)),
        (
            None,
            "/einladung/no-such-token/",
            {"new_password1": "geheim", "new_password2": "geheim"},
            ("new_password1", "new_password2"),
        ),
        ("staff", "/passwort/aendern/", {"old_password": "geheim"}, "__ALL__"),
        ("staff", "/intern/igs/neu/", {"name": "Sam", "phone": "0170 123"}, "__ALL__"),
        ("starter", "/mein-bereich/profil/", {"phone": "0170 123"}, "__ALL__"),
    ],
)
def test_forms_with_passwords_or_personal_data_are_hidden_from_error_reports(
    request, client, public_group, persona, url, data, hidden
):
    if persona:
        client.force_login(request.getfixturevalue(persona))
    response = client.post(url, data)
    assert response.status_code < 500
    wsgi_request = response.wsgi_request
    assert wsgi_request.sensitive_post_parameters == hidden
    cleansed = SafeExceptionReporterFilter().get_post_parameters(wsgi_request)
    names = data if hidden == "__ALL__" else hidden
    assert {name: cleansed[name] for name in names} == dict.fromkeys(names, HIDDEN)


@override_settings(ADMINS=[("Betrieb", "betrieb@example.org")])
def test_error_mail_of_a_failed_contact_request_holds_no_personal_data(
    client, public_group, mailoutbox
):
    client.raise_request_exception = False
    data = {
        "name": "Samira Beispiel",
        "email": "samira@example.org",
        "phone": "0170 9876543",
        "message": "Mein Bruder trinkt zu viel.",
        "consent": "on",
        "website": "",
    }
    with mock.patch("groups.views.public.Inquiry.objects.create", side_effect=RuntimeError):
        response = client.post(public_group.get_public_url(), data)
    assert response.status_code == 500
    assert len(mailoutbox) == 1
    report = mailoutbox[0].body
    assert "RuntimeError" in report
    assert "consent" in report
    for value in data.values():
        if len(value) > 2:
            assert value not in report


@override_settings(ADMINS=[("Betrieb", "betrieb@example.org")])
def test_error_mail_of_a_failed_login_holds_no_password(client, staff, mailoutbox):
    client.raise_request_exception = False
    staff.set_password("Sehr-geheimes-Passwort-42")
    staff.save()
    with mock.patch("kontaktstelle.accounts.views.LoginView.form_valid", side_effect=RuntimeError):
        response = client.post(
            reverse("login"), {"username": staff.email, "password": "Sehr-geheimes-Passwort-42"}
        )
    assert response.status_code == 500
    assert len(mailoutbox) == 1
    report = mailoutbox[0].body
    assert "RuntimeError" in report
    assert "Sehr-geheimes-Passwort-42" not in report
    assert staff.email not in report


def test_a_failed_csrf_check_shows_our_page_under_the_policy(db):
    response = Client(enforce_csrf_checks=True).post(reverse("login"), {"username": "x"})
    assert response.status_code == 403
    assert "403_csrf.html" in [template.name for template in response.templates]
    assert csp_directives(response) == EXPECTED_CSP
    assert_no_inline_markup(response)
