"""The Content-Security-Policy in Chromium: the main pages of every role break no rule of
it, and what needs JavaScript (the phone menu, the user menu, printing) still works.
"""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from groups.models import Group
from starters.models import MeetingLog
from tests.browser.test_meetings import running_accompaniment
from tests.browser.test_smoke import log_in
from tests.factories import GroupFactory

# Registered before any page script runs, on every document the page opens. Scripts
# added this way are not subject to the page's policy.
WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"} `
    + `in ${event.sourceFile}:${event.lineNumber}`
  );
});
window.__printed = 0;
window.print = () => { window.__printed += 1; };
"""
SETTLE = "() => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 50)))"


class PolicyWatch:
    """Opens pages and collects what the browser reports against the policy."""

    def __init__(self, page):
        self.page = page
        self.console = []
        page.on("console", self._console)
        page.add_init_script(WATCH)

    def _console(self, message):
        if "Content Security Policy" in message.text:
            self.console.append(message.text)

    def violations(self):
        self.page.evaluate(SETTLE)
        found = self.page.evaluate("window.__cspViolations") + self.console
        self.page.evaluate("window.__cspViolations = []")
        self.console.clear()
        return found

    def visit(self, url, status=200):
        response = self.page.goto(url)
        assert response.status == status, url
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"], url
        assert self.violations() == [], url

    def visit_all(self, urls):
        problems = {}
        for url in urls:
            response = self.page.goto(url)
            policy = response.headers.get("content-security-policy", "")
            found = self.violations()
            if response.status != 200 or "default-src 'self'" not in policy or found:
                problems[url] = (response.status, policy, found)
        assert problems == {}


@pytest.fixture
def watch(page):
    return PolicyWatch(page)


@pytest.fixture
def public_group(office, site):
    return GroupFactory(
        office=office,
        name="Trauercafé Mitte",
        slug="trauercafe-mitte",
        listing=Group.Listing.PUBLIC_WITH_PLACE,
        room=site.rooms.get(),
    )


def test_the_watch_sees_what_the_policy_blocks(watch, office, site):
    """The check itself: an inline script and a style attribute are blocked and reported."""
    watch.page.goto("/")
    watch.page.evaluate(
        """() => {
        const script = document.createElement("script");
        script.textContent = "window.__inlineRan = true;";
        document.body.append(script);
        document.body.insertAdjacentHTML("beforeend", '<p id="styled" style="color: red">x</p>');
    }"""
    )
    found = watch.violations()
    assert any(text.startswith("script-src-elem blocked inline") for text in found), found
    assert any(text.startswith("style-src-attr blocked inline") for text in found), found
    assert watch.page.evaluate("window.__inlineRan === undefined")


def test_public_pages_keep_the_policy(watch, public_group):
    watch.visit_all(
        [
            "/",
            "/gruppen/",
            "/gruppen/?q=Trauer",
            "/gruppen/trauercafe-mitte/",
            "/gruppen/in-gruendung/",
            "/gruppen/gruenden/",
            "/gruppen/druck/",
            "/anmelden/",
            "/passwort/vergessen/",
        ]
    )
    watch.visit("/gibt-es-nicht/", status=404)


def test_staff_pages_keep_the_policy_and_the_user_menu_works(watch, staff, starter, site):
    assignment = running_accompaniment(staff, starter)
    page = watch.page
    log_in(page, staff.email)
    expect(page).to_have_url(re.compile(r"/intern/$"))
    assert watch.violations() == []
    watch.visit_all(
        [
            reverse("dashboard"),
            reverse("statistics"),
            reverse("statistics") + "?start=2025-01-01&end=2025-12-31",
            reverse("groups:consultations"),
            reverse("groups:group_list"),
            reverse("groups:group_create"),
            reverse("groups:inbox"),
            reverse("groups:topic_list"),
            reverse("starters:starter_list"),
            reverse("starters:starter_create"),
            reverse("starters:starter_detail", args=[starter.starter.pk]),
            reverse("starters:training_overview"),
            reverse("starters:accompaniment_list"),
            reverse("starters:accompaniment_detail", args=[assignment.accompaniment.pk]),
            reverse("site_detail", args=[site.pk]),
            reverse("notifications"),
            reverse("password_change"),
        ]
    )
    # Bootstrap's dropdown (Popper positions it through the CSSOM, which the policy allows).
    page.goto(reverse("dashboard"))
    page.get_by_role("button", name=staff.name).click()
    expect(page.get_by_role("button", name="Abmelden")).to_be_visible()
    page.get_by_role("button", name="Abmelden").click()
    expect(page).to_have_url(re.compile(r"/$"))
    assert watch.violations() == []


def test_the_print_button_of_the_statistics_works(watch, staff, site):
    page = watch.page
    log_in(page, staff.email)
    watch.visit(reverse("statistics"))
    page.get_by_role("button", name="Tätigkeitsbericht drucken").click()
    assert page.evaluate("window.__printed") == 1
    assert watch.violations() == []


def test_starter_pages_keep_the_policy_and_show_the_progress(watch, staff, starter):
    assignment = running_accompaniment(staff, starter)
    log = MeetingLog.objects.create(
        accompaniment=assignment.accompaniment,
        held_on=timezone.localdate() - datetime.timedelta(days=1),
        starts_at=datetime.time(19),
        duration_minutes=90,
        participants=5,
        logged_by=starter,
    )
    log.accompanied_by.set([starter.starter])
    page = watch.page
    log_in(page, starter.email)
    expect(page).to_have_url(re.compile(r"/mein-bereich/$"))
    offer = reverse("starters:own_offer", args=[assignment.pk])
    watch.visit_all(
        [
            reverse("starters:home"),
            reverse("starters:own_profile"),
            reverse("starters:own_certificates"),
            reverse("starters:own_calendar"),
            offer,
            reverse("starters:own_log_create", args=[assignment.pk]),
            reverse("starters:own_log_edit", args=[log.pk]),
        ]
    )
    # The bar is drawn without a style attribute: one of three meetings is a third of it.
    page.goto(offer)
    bar = page.get_by_role("progressbar", name="Eingetragene Treffen")
    expect(bar).to_have_attribute("aria-valuenow", "1")
    outer = bar.bounding_box()
    filled = bar.locator("rect").bounding_box()
    assert filled["width"] == pytest.approx(outer["width"] * 33 / 100, abs=2)
    assert filled["height"] == pytest.approx(outer["height"], abs=1)


def test_coordinator_page_keeps_the_policy(watch, coordinator, office):
    log_in(watch.page, coordinator.email)
    expect(watch.page).to_have_url(re.compile(r"/netzwerk/$"))
    watch.visit_all([reverse("network_overview")])


def test_the_admin_keeps_the_policy(watch, office_admin, site):
    page = watch.page
    log_in(page, office_admin.email)
    watch.visit_all(
        [
            reverse("admin:index"),
            reverse("admin:kontaktstelle_site_changelist"),
            reverse("admin:kontaktstelle_site_change", args=[site.pk]),
            reverse("admin:kontaktstelle_site_add"),
            reverse("admin:kontaktstelle_user_changelist"),
            reverse("admin:kontaktstelle_user_add"),
        ]
    )
    # The admin's own scripts still work: adding a room row to the site's inline.
    page.goto(reverse("admin:kontaktstelle_site_change", args=[site.pk]))
    rows = page.locator("#rooms-group tr.form-row:not(.empty-form)")
    before = rows.count()
    page.locator("#rooms-group .add-row a").click()
    expect(rows).to_have_count(before + 1)
    assert watch.violations() == []


def test_the_phone_menu_opens_under_the_policy(phone_page, office, site):
    watch = PolicyWatch(phone_page)
    watch.visit("/")
    menu = phone_page.locator("#main-nav")
    expect(menu).not_to_be_visible()
    phone_page.get_by_role("button", name="Menü öffnen").click()
    expect(menu).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
    expect(menu.get_by_role("link", name="Anmelden")).to_be_visible()
    assert watch.violations() == []
