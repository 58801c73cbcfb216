"""axe-core finds no violations on the public pages."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings

from tests.browser.conftest import PHONE


def assert_no_violations(page):
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.parametrize("url", ["/", "/anmelden/", "/gruppen/?q=Trauer"])
def test_public_pages_have_no_axe_violations(page, office, site, url):
    page.goto(url)
    assert_no_violations(page)


def test_start_page_has_no_axe_violations_at_phone_width(page, office, site):
    page.set_viewport_size(PHONE)
    page.goto("/")
    assert_no_violations(page)


def test_dashboard_has_no_axe_violations(page, staff, site, client, live_server):
    client.force_login(staff)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    page.goto("/intern/")
    assert_no_violations(page)


def test_skip_link_moves_focus_to_the_content(page, office):
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Zum Inhalt springen")
    assert skip.evaluate("element => element === document.activeElement")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


@pytest.mark.parametrize("width", [1024, 1200, 1280])
def test_office_admin_navigation_fits_without_sideways_scrolling(
    page, office_admin, site, client, live_server, width
):
    # The longest navigation: every staff entry, the administration and a long name.
    office_admin.name = "Petra-Charlotte Leitner-Musterfrau"
    office_admin.save()
    client.force_login(office_admin)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    page.set_viewport_size({"width": width, "height": 800})
    page.goto("/intern/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
