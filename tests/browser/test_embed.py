"""The embedded directory on a website of another origin: a tiny static page served by
Python's http.server on 127.0.0.1 embeds the frame from the live server on localhost
(two origins, two sites), with the snippet the office admin copies."""

import functools
import os
import tempfile
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from groups.models import Group, Inquiry
from groups.search import reindex_groups
from tests.browser.test_accompaniments import log_in_with_cookie
from tests.browser.test_csp import WATCH
from tests.factories import GroupFactory, TopicFactory

SHOTS = Path(os.environ.get("EMBED_SHOTS") or Path(tempfile.gettempdir()) / "shots_embed")
PARENT_PAGE = """<!doctype html>
<html lang="de"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Stadt Musterstadt: Gesundheit</title></head>
<body style="font-family:sans-serif;margin:0 auto;max-width:960px;padding:1rem">
<h1>Stadt Musterstadt: Gesundheit und Soziales</h1>
<p>Selbsthilfegruppen in Musterstadt, ausgewählt von der KISS Musterstadt:</p>
{snippet}
<p id="after-frame">Fußzeile der Stadt Musterstadt</p>
</body></html>
"""


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture
def frame_origin(live_server):
    """The live server as ``http://localhost:PORT`` (the parent page is on 127.0.0.1)."""
    return f"http://localhost:{urlsplit(live_server.url).port}"


@pytest.fixture
def parent_site(tmp_path):
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(tmp_path))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield tmp_path, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def snippet(frame_origin, office):
    return (
        f'<iframe src="{frame_origin}/einbetten/{office.slug}/" title="Selbsthilfegruppen '
        'finden" style="width:100%;border:0" loading="lazy"></iframe>'
        f'<script src="{frame_origin}/static/js/embed-parent.js" async></script>'
    )


def make_groups(office, other_office):
    topic = TopicFactory(name="Testthema Depression")
    groups = [
        GroupFactory(
            office=office,
            name=f"Depression Gruppe {number}",
            slug=f"depression-{number}",
            topics=[topic],
            description="Wir treffen uns, um über den Alltag mit Depression zu sprechen. " * 3,
        )
        for number in range(1, 5)
    ]
    groups.append(GroupFactory(office=office, name="Geheime Depression", listing="unlisted"))
    groups.append(GroupFactory(office=other_office, name="Depression Anderswo", topics=[topic]))
    reindex_groups([group.pk for group in groups])
    return groups


def frame_height(page):
    return page.evaluate("document.querySelector('iframe').getBoundingClientRect().height")


def settle(page, height_before=None):
    """Wait until the frame has its size from embed-frame.js (and changed, if asked)."""
    page.wait_for_function(
        """(before) => {
            const frame = document.querySelector('iframe');
            const h = frame.getBoundingClientRect().height;
            return frame.style.height !== '' && (before === null || h !== before);
        }""",
        arg=height_before,
    )
    page.wait_for_timeout(200)
    return frame_height(page)


def no_inner_scrolling(frame):
    return frame.evaluate("() => document.documentElement.scrollHeight <= window.innerHeight + 2")


def shoot(page, name):
    """A screenshot of the whole page. The viewport grows to it first: Chromium's
    full-page capture paints a frame from another site only within the viewport."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    height = page.evaluate("document.documentElement.scrollHeight")
    page.set_viewport_size({"width": size["width"], "height": height})
    page.wait_for_timeout(300)
    page.screenshot(path=SHOTS / name)
    page.set_viewport_size(size)


def open_parent(page, parent_site, frame_origin, office):
    folder, parent_origin = parent_site
    (folder / "index.html").write_text(
        PARENT_PAGE.format(snippet=snippet(frame_origin, office)), encoding="utf-8"
    )
    page.add_init_script(WATCH)
    page.goto(f"{parent_origin}/index.html")
    return page.frame_locator("iframe")


@pytest.fixture
def embeddable(office, parent_site):
    office.embed_origins = parent_site[1]
    office.save()
    return office


def test_searching_and_asking_for_contact_in_a_frame_on_another_site(
    page, embeddable, other_office, parent_site, frame_origin
):
    make_groups(embeddable, other_office)
    frame = open_parent(page, parent_site, frame_origin, embeddable)
    expect(frame.get_by_role("heading", name="Selbsthilfegruppe finden")).to_be_visible()
    settle(page)
    expect(frame.get_by_role("link", name="Depression Anderswo")).to_have_count(0)
    expect(frame.get_by_role("link", name="Geheime Depression")).to_have_count(0)

    # A search without result: a short page, the frame shrinks to it
    before = frame_height(page)
    frame.get_by_label("Zu welchem Thema suchen Sie eine Gruppe?").fill("Kaktuszucht")
    frame.get_by_role("button", name="Suchen", exact=True).click()
    expect(frame.get_by_role("heading", name="0 Gruppen gefunden")).to_be_visible()
    small = settle(page, before)

    # A search with results: the frame grows, no scroll bar inside it
    frame.get_by_label("Zu welchem Thema suchen Sie eine Gruppe?").fill("Depression")
    frame.get_by_role("button", name="Suchen", exact=True).click()
    expect(frame.get_by_role("heading", name="4 Gruppen gefunden")).to_be_visible()
    large = settle(page, small)
    assert large > small + 200
    inner = page.frames[1]
    assert inner.url.startswith(f"{frame_origin}/einbetten/{embeddable.slug}/?")
    assert no_inner_scrolling(inner)
    expect(frame.get_by_role("link", name="Depression Anderswo")).to_have_count(0)
    assert page.url.endswith("/index.html")  # the visitor stays on the city's page

    shoot(page, "frame-results-desktop.png")

    # A group's page opens in the frame; the full page is a link to a new tab
    frame.get_by_role("link", name="Depression Gruppe 2").click()
    expect(frame.get_by_role("heading", name="Depression Gruppe 2")).to_be_visible()
    link = frame.get_by_role("link", name="Diese Seite in einem neuen Tab öffnen").or_(
        frame.get_by_role("link", name="Open this page in a new tab")
    )
    expect(link).to_have_attribute("target", "_blank")
    settle(page)
    shoot(page, "frame-group-desktop.png")

    # The contact form works in the frame, though no cookie of ours reaches it
    frame.get_by_label("Ihr Name (ein Vorname genügt)").fill("Sam")
    frame.get_by_label("Ihre E-Mail-Adresse").fill("sam@example.org")
    frame.get_by_label("Ich bin einverstanden", exact=False).check()
    frame.get_by_role("button", name="Anfrage senden").click()
    expect(frame.get_by_role("heading", name="Danke, Ihre Anfrage ist angekommen")).to_be_visible()
    inquiry = Inquiry.objects.get()
    assert inquiry.office == embeddable
    assert inquiry.group.slug == "depression-2"
    assert page.url.endswith("/index.html")

    # No rule of the policy broken, in the frame or around it
    for each in page.frames:
        assert each.evaluate("window.__cspViolations || []") == [], each.url


def test_the_frame_on_a_phone(phone_page, embeddable, other_office, parent_site, frame_origin):
    make_groups(embeddable, other_office)
    frame = open_parent(phone_page, parent_site, frame_origin, embeddable)
    expect(frame.get_by_role("heading", name="Selbsthilfegruppe finden")).to_be_visible()
    settle(phone_page)
    assert no_inner_scrolling(phone_page.frames[1])
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # nothing wider than the phone
    shoot(phone_page, "frame-directory-phone.png")
    frame.get_by_role("link", name="Depression Gruppe 1").click()
    expect(frame.get_by_role("button", name="Anfrage senden")).to_be_attached()
    settle(phone_page)
    assert no_inner_scrolling(phone_page.frames[1])
    shoot(phone_page, "frame-group-phone.png")


def test_a_website_not_listed_cannot_frame_the_directory(page, office, parent_site, frame_origin):
    office.embed_origins = "https://www.example.org"
    office.save()
    GroupFactory(office=office, name="Depression Gruppe 1")
    messages = []
    page.on("console", lambda message: messages.append(message.text))
    frame = open_parent(page, parent_site, frame_origin, office)
    page.wait_for_timeout(1000)
    expect(frame.get_by_role("heading", name="Selbsthilfegruppe finden")).to_have_count(0)
    assert any("frame-ancestors" in text for text in messages), messages


def test_the_office_admin_copies_the_snippet(page, office_admin, office, client, live_server):
    log_in_with_cookie(page, client, live_server, office_admin)
    page.add_init_script(WATCH)
    page.goto("/intern/einbetten/")
    expect(page.locator("[data-not-embeddable]")).to_be_visible()
    page.get_by_role("textbox").first.fill("https://www.musterstadt.example/gesundheit/")
    page.get_by_role("button", name="Speichern").click()
    expect(page.locator(".invalid-feedback, .alert-danger").first).to_be_visible()
    office.refresh_from_db()
    assert office.embed_origins == ""
    page.screenshot(path=SHOTS / "admin-error.png", full_page=True)

    page.get_by_role("textbox").first.fill("https://www.musterstadt.example")
    page.get_by_role("button", name="Speichern").click()
    expect(page.locator("[data-origins]")).to_contain_text("https://www.musterstadt.example")
    snippet_text = page.locator("#embed-snippet").input_value()
    assert snippet_text.startswith(f'<iframe src="{live_server.url}/einbetten/{office.slug}/"')
    assert snippet_text.endswith('/static/js/embed-parent.js" async></script>')
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.locator("[data-copy]").click()
    expect(page.locator("#copy-status")).not_to_be_empty()
    assert page.evaluate("window.__cspViolations") == []
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / "admin-desktop.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=SHOTS / "admin-phone.png", full_page=True)


def test_json_ld_breaks_no_rule_of_the_policy(page, office):
    group = GroupFactory(office=office, listing=Group.Listing.PUBLIC_WITHOUT_PLACE)
    messages = []
    page.on("console", lambda message: messages.append(message.text))
    page.add_init_script(WATCH)
    response = page.goto(group.get_public_url())
    assert "script-src" not in response.headers["content-security-policy"]
    page.wait_for_timeout(100)
    data = page.evaluate(
        "JSON.parse(document.querySelector('script[type=\"application/ld+json\"]').textContent)"
    )
    assert data["name"] == group.name
    assert page.evaluate("window.__cspViolations") == []
    assert not [text for text in messages if "Content Security Policy" in text]
