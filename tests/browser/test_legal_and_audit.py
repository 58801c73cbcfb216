"""axe-core finds no violations on the legal pages and the audit log."""

from django.conf import settings

from kontaktstelle.audit import services as audit
from kontaktstelle.audit.models import AuditEntry
from tests.browser.test_accessibility import assert_no_violations


def test_accessibility_statement_has_no_axe_violations(page, office, site):
    page.goto("/barrierefreiheit/")
    assert page.get_by_role("link", name="www.schlichtungsstelle-bgg.de").is_visible()
    assert_no_violations(page)


def test_audit_log_has_no_axe_violations(page, office_admin, staff, client, live_server):
    audit.record(staff, AuditEntry.Action.EXPORT, target="gruppen.csv")
    client.force_login(office_admin)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    page.goto("/intern/protokoll/")
    assert page.get_by_role("cell", name="gruppen.csv", exact=False).count() == 1
    assert_no_violations(page)
