"""The volunteers' app: manifest, service worker, offline page, and the endpoint that
takes a meeting log the phone kept without network (the same rules as the form)."""

import json
import struct
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from starters.meeting_logs import queue_owner
from starters.models import Assignment, MeetingLog
from tests.starters.test_meetings import (
    add_log,
    assignment_of,
    create_url,
    days,
    log_payload,
    make_accompaniment,
    offer_url,
    today,
)
from tests.system.test_security_headers import (
    EXPECTED_CSP,
    assert_no_inline_markup,
    csp_directives,
)

SCOPE = "/mein-bereich/"
ALREADY = "Für diesen Tag ist schon ein Treffen eingetragen."


@pytest.fixture
def accompaniment(staff, starter):
    return make_accompaniment(staff, starter)


def sync_url(accompaniment, user):
    return reverse("starters:own_log_sync", kwargs={"pk": assignment_of(accompaniment, user).pk})


def png_size(path):
    data = Path(path).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


# The app's shell -----------------------------------------------------------------------


def test_manifest_makes_my_area_an_app(client, db):
    response = client.get(reverse("starters:app_manifest"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["start_url"] == SCOPE
    assert manifest["scope"] == SCOPE
    assert manifest["id"] == SCOPE
    assert manifest["display"] == "standalone"
    assert manifest["name"] == "Kontaktstelle – Mein Bereich"
    assert manifest["short_name"] == "Mein Bereich"
    assert manifest["theme_color"].startswith("#")
    sizes = {(icon["sizes"], icon.get("purpose", "any")) for icon in manifest["icons"]}
    assert sizes == {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")}
    for icon in manifest["icons"]:
        assert icon["type"] == "image/png"
        assert icon["src"].startswith("/static/icons/")
        path = finders.find(icon["src"].removeprefix("/static/"))
        width = int(icon["sizes"].split("x")[0])
        assert png_size(path) == (width, width)


def test_service_worker_is_served_from_the_scope_it_controls(client, db):
    url = reverse("starters:service_worker")
    assert url == SCOPE + "service-worker.js"  # at the scope, so it may control it
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Service-Worker-Allowed"] == SCOPE
    assert "no-cache" in response["Cache-Control"]
    body = response.content.decode()
    assert f'const SCOPE = "{SCOPE}";' in body
    assert '"/mein-bereich/offline/"' in body
    assert '"/static/js/offline-log.js"' in body
    assert '"/static/css/kontaktstelle.css"' in body
    assert 'const FORMS = "meeting-log-forms";' in body


def test_shell_is_the_same_for_everyone_and_names_nobody(client, starter, other_starter):
    urls = [reverse(f"starters:{name}") for name in ("app_manifest", "service_worker", "offline")]
    anonymous = [client.get(url).content for url in urls]
    client.force_login(starter)
    assert [client.get(url).content for url in urls] == anonymous
    for content in anonymous:
        assert starter.email.encode() not in content
        assert starter.get_full_name().encode() not in content


def test_the_service_worker_keeps_no_personal_page_but_the_log_forms(client, db):
    body = client.get(reverse("starters:service_worker")).content.decode()
    # Navigations are kept only for the meeting-log form; everything else falls back
    # to the offline page.
    assert "const FORM_PATH = /\\/angebote\\/\\d+\\/treffen\\/neu\\/$/;" in body
    assert body.count("cache.put(") == 1
    assert "isForm(url) && response.ok" in body


@pytest.mark.parametrize("name", ["app_manifest", "service_worker", "offline"])
def test_csp_is_unchanged_on_the_shell(client, db, name):
    response = client.get(reverse(f"starters:{name}"))
    directives = csp_directives(response)
    assert directives == EXPECTED_CSP
    # worker-src and manifest-src fall back to default-src: this site's own files only.
    assert "worker-src" not in directives and "manifest-src" not in directives
    assert directives["default-src"] == ["'self'"]
    assert_no_inline_markup(response)


def test_app_pages_link_the_manifest_and_the_script_without_inline_code(
    client, starter, accompaniment
):
    client.force_login(starter)
    for url in (reverse("starters:home"), create_url(accompaniment, starter)):
        response = client.get(url)
        assert csp_directives(response) == EXPECTED_CSP
        assert_no_inline_markup(response)
        html = response.content.decode()
        assert f'<link rel="manifest" href="{SCOPE}app.webmanifest">' in html
        assert '<script src="/static/js/offline-log.js"></script>' in html
        assert f'data-owner="{queue_owner(starter)}"' in html


def test_the_log_form_is_kept_offline_but_not_the_correction(client, starter, accompaniment):
    client.force_login(starter)
    html = client.get(create_url(accompaniment, starter)).content.decode()
    assert f'data-sync-url="{sync_url(accompaniment, starter)}"' in html
    log = add_log(accompaniment, today(), starter)
    edit = client.get(reverse("starters:own_log_edit", args=[log.pk])).content.decode()
    assert "data-offline-log-form" not in edit
    home = client.get(reverse("starters:home")).content.decode()
    assert f'href="{create_url(accompaniment, starter)}" data-offline-form=' in home


def test_offline_page_is_public(client, db):
    response = client.get(reverse("starters:offline"))
    assert response.status_code == 200
    assert "Kein Netz" in response.content.decode()


# The kept log sent ---------------------------------------------------------------------


def test_get_gives_a_fresh_token_and_whose_logs_may_be_sent(client, starter, other_starter, staff):
    accompaniment = make_accompaniment(staff, starter, other_starter)
    client.force_login(starter)
    answer = client.get(sync_url(accompaniment, starter)).json()
    assert answer["owner"] == queue_owner(starter)
    assert answer["owner"] != queue_owner(other_starter)
    assert str(starter.pk) != answer["owner"] and len(answer["owner"]) == 24
    assert answer["csrf_token"]


def test_a_kept_log_is_logged(client, starter, accompaniment):
    client.force_login(starter)
    response = client.post(sync_url(accompaniment, starter), log_payload())
    assert response.status_code == 201
    assert response.json() == {
        "status": "logged",
        "message": "Danke, das Treffen ist eingetragen.",
        "url": offer_url(accompaniment, starter),
    }
    log = MeetingLog.objects.get()
    assert (log.accompaniment, log.held_on, log.logged_by) == (accompaniment, today(), starter)
    assert log.worked_on == ["rules", "structure"]
    assert list(log.accompanied_by.all()) == [starter.starter]


def test_a_resend_after_a_lost_answer_counts_as_sent_and_logs_once(client, starter, accompaniment):
    client.force_login(starter)
    first = client.post(sync_url(accompaniment, starter), log_payload())
    again = client.post(sync_url(accompaniment, starter), log_payload())
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["status"] == "logged"
    assert again.json()["message"] == ALREADY
    assert MeetingLog.objects.count() == 1


def test_another_meeting_on_a_logged_day_is_refused_with_the_forms_message(
    client, starter, accompaniment
):
    add_log(accompaniment, today(), starter, participants=5)
    client.force_login(starter)
    response = client.post(sync_url(accompaniment, starter), log_payload(participants="9"))
    assert response.status_code == 400
    answer = response.json()
    assert answer["status"] == "refused"
    assert answer["message"] == f"Datum: {ALREADY}"
    assert [error["message"] for error in answer["errors"]["held_on"]] == [ALREADY]
    # The form says the same.
    form = client.post(create_url(accompaniment, starter), log_payload(participants="9"))
    assert form.status_code == 200
    assert form.context["form"].errors["held_on"] == [ALREADY]
    assert MeetingLog.objects.get().participants == 5


def test_bad_input_is_refused_with_the_forms_messages_and_changes_nothing(
    client, starter, accompaniment
):
    client.force_login(starter)
    response = client.post(
        sync_url(accompaniment, starter),
        log_payload(held_on=(today() + days(2)).isoformat(), newcomers="20"),
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [error["code"] for error in errors["held_on"]] == ["future"]
    assert [error["code"] for error in errors["newcomers"]] == ["newcomers"]
    assert "Davon neu: " in response.json()["message"]
    assert not MeetingLog.objects.exists()


def test_a_starter_cannot_send_a_log_for_someone_elses_accompaniment(
    client, starter, other_starter, staff, accompaniment
):
    theirs = make_accompaniment(staff, other_starter)
    client.force_login(starter)
    url = sync_url(theirs, other_starter)
    for response in (client.get(url), client.post(url, log_payload())):
        assert response.status_code == 404
        assert response.json()["message"] == (
            "Sie können nur Treffen Ihrer eigenen Begleitungen eintragen."
        )
    assert client.post(reverse("starters:own_log_sync", args=[999_999]), {}).status_code == 404
    assert not MeetingLog.objects.exists()


def test_an_offer_not_accepted_takes_no_kept_log(client, starter, accompaniment):
    assignment = assignment_of(accompaniment, starter)
    assignment.state = Assignment.State.OFFERED
    assignment.save()
    client.force_login(starter)
    response = client.post(reverse("starters:own_log_sync", args=[assignment.pk]), log_payload())
    assert response.status_code == 404
    assert not MeetingLog.objects.exists()


def test_a_cancelled_accompaniment_refuses_the_kept_log_with_a_message(
    client, starter, accompaniment
):
    accompaniment.status = accompaniment.Status.CANCELLED
    accompaniment.save()
    client.force_login(starter)
    response = client.post(sync_url(accompaniment, starter), log_payload())
    assert response.status_code == 400
    assert response.json()["message"] == "Diese Begleitung läuft nicht."
    assert not MeetingLog.objects.exists()


def test_staff_and_visitors_cannot_send(client, staff, starter, accompaniment):
    url = sync_url(accompaniment, starter)
    response = client.post(url, log_payload())
    assert response.status_code == 302 and response.url.startswith("/anmelden/")
    client.force_login(staff)
    assert client.post(url, log_payload()).status_code == 403
    assert not MeetingLog.objects.exists()


def test_sending_needs_the_csrf_token(starter, accompaniment):
    client = Client(enforce_csrf_checks=True)
    client.force_login(starter)
    url = sync_url(accompaniment, starter)
    assert client.post(url, log_payload()).status_code == 403
    token = client.get(url).json()["csrf_token"]
    assert client.post(url, log_payload(), headers={"X-CSRFToken": "wrong" * 8}).status_code == 403
    assert not MeetingLog.objects.exists()
    assert client.post(url, log_payload(), headers={"X-CSRFToken": token}).status_code == 201
    assert MeetingLog.objects.count() == 1
