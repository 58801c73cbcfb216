"""The embedded directory (/einbetten/<office>/) and the office admin's page for it."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from groups.models import Group, Inquiry, MeetingRule
from groups.search import reindex_groups
from tests.factories import GroupFactory, TopicFactory
from tests.groups.test_groups_public import contact_data

OWN = "http://testserver"
PARENT = "https://www.musterstadt.example"


@pytest.fixture
def embeddable(office):
    office.embed_origins = f"{PARENT}\nhttps://kliniken.example:8443"
    office.save()
    return office


@pytest.fixture
def group(embeddable):
    return GroupFactory(office=embeddable, name="Trauer-Café Mitte", slug="trauer-cafe-mitte")


def embed_url(office, group=None):
    if group is None:
        return reverse("groups:embed_directory", args=[office.slug])
    return reverse("groups:embed_group", args=[office.slug, group.slug])


def post_from(client, url, origin, data):
    return client.post(url, data, headers={"Origin": origin})


# The frame: what it lists


def test_the_frame_lists_only_the_offices_public_groups(client, embeddable, group, other_office):
    GroupFactory(office=embeddable, name="Heimliche Gruppe", listing=Group.Listing.UNLISTED)
    GroupFactory(office=embeddable, name="Geschlossene Gruppe", status=Group.Status.CLOSED)
    GroupFactory(office=other_office, name="Gruppe Anderswo")
    response = client.get(embed_url(embeddable))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Trauer-Café Mitte" in page
    assert "Heimliche Gruppe" not in page
    assert "Geschlossene Gruppe" not in page
    assert "Gruppe Anderswo" not in page
    assert embed_url(embeddable, group) in page  # links open the group in the frame
    assert 'target="_blank"' in page  # "Im Gruppenverzeichnis öffnen"
    assert "navbar" not in page  # no site navigation in the frame
    assert "embed-frame.js" in page


def test_searching_in_the_frame_stays_with_the_office(client, embeddable, group, other_office):
    topic = TopicFactory(name="Kaktuspflege")
    group.topics.set([topic])
    other = GroupFactory(office=other_office, name="Trauergruppe Anderswo", topics=[topic])
    reindex_groups([group.pk, other.pk])
    page = client.get(embed_url(embeddable), {"q": "Kaktuspflege", "stelle": "alle"})
    page = page.content.decode()
    assert "Trauer-Café Mitte" in page
    assert "Trauergruppe Anderswo" not in page


def test_an_unknown_office_has_no_frame(client, db):
    assert client.get(reverse("groups:embed_directory", args=["unbekannt"])).status_code == 404


def test_unlisted_closed_and_other_offices_groups_have_no_page_in_the_frame(
    client, embeddable, other_office
):
    unlisted = GroupFactory(office=embeddable, listing=Group.Listing.UNLISTED)
    closed = GroupFactory(office=embeddable, status=Group.Status.CLOSED)
    foreign = GroupFactory(office=other_office)
    for group in (unlisted, closed):
        assert client.get(embed_url(embeddable, group)).status_code == 404
    # Another office's group, through this office's frame and its own (not embeddable)
    assert client.get(embed_url(embeddable, foreign)).status_code == 404
    assert client.get(embed_url(other_office, foreign)).status_code == 200
    assert Group.objects.count() == 3


def test_the_group_page_in_the_frame(client, embeddable, group):
    page = client.get(embed_url(embeddable, group)).content.decode()
    assert "Trauer-Café Mitte" in page
    assert 'method="post"' in page
    assert "csrfmiddlewaretoken" not in page
    assert group.get_public_url() in page  # "in a new tab"
    assert "application/ld+json" not in page  # the data belongs to the directory's page


def test_the_group_page_in_the_frame_shows_the_meeting_rules(client, embeddable, group):
    rule = MeetingRule.objects.create(
        group=group,
        weekday=MeetingRule.Weekday.THURSDAY,
        start_time=datetime.time(18, 0),
        end_time=datetime.time(19, 30),
        starts_on=datetime.date(2026, 1, 1),
    )
    with translation.override("de"):
        described = rule.describe()
    page = client.get(embed_url(embeddable, group)).content.decode()
    assert escape(described) in page
    assert "data-next-dates" in page


# Who may frame it


def test_frame_ancestors_are_the_offices_websites(client, embeddable, group):
    for url in (embed_url(embeddable), embed_url(embeddable, group)):
        response = client.get(url)
        policy = response.headers["Content-Security-Policy"]
        assert f"frame-ancestors {PARENT} https://kliniken.example:8443;" in policy
        assert "default-src 'self'" in policy
        assert "script-src" not in policy or "'unsafe-inline'" not in policy
        assert "X-Frame-Options" not in response.headers


def test_an_office_without_websites_is_not_embeddable(client, other_office):
    response = client.get(embed_url(other_office))
    assert response.status_code == 200
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in response.headers


def test_each_office_gets_its_own_websites(client, embeddable, other_office):
    other_office.embed_origins = "https://anderswo.example"
    other_office.save()
    own = client.get(embed_url(embeddable)).headers["Content-Security-Policy"]
    other = client.get(embed_url(other_office)).headers["Content-Security-Policy"]
    assert "anderswo.example" not in own and PARENT in own
    assert "anderswo.example" in other and PARENT not in other


@pytest.mark.parametrize("name", ["groups:directory", "home", "login", "groups:public_group"])
def test_other_pages_keep_refusing_frames(client, embeddable, group, name):
    url = group.get_public_url() if name == "groups:public_group" else reverse(name)
    response = client.get(url)
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_cached_frames_keep_their_offices_policy(client, embeddable, group, settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 60
    url = embed_url(embeddable, group)
    answers = [Client().get(url) for _ in range(3)]  # stored on the second, served on the third
    for response in answers:
        assert response.status_code == 200
        assert f"frame-ancestors {PARENT}" in response.headers["Content-Security-Policy"]
        assert "X-Frame-Options" not in response.headers
    # The cached page still takes requests (no CSRF token in it to go stale)
    response = post_from(Client(), url, OWN, contact_data())
    assert response.status_code == 302
    assert Inquiry.objects.count() == 1


# The contact form in the frame


def test_the_contact_form_in_the_frame_reaches_the_office(client, embeddable, group):
    client = Client(enforce_csrf_checks=True)  # no CSRF cookie reaches a third-party frame
    response = post_from(client, embed_url(embeddable, group), OWN, contact_data())
    assert response.status_code == 302
    assert response.url == reverse("groups:embed_thanks", args=[embeddable.slug])
    inquiry = Inquiry.objects.get()
    assert inquiry.office == embeddable
    assert inquiry.group == group
    assert inquiry.kind == Inquiry.Kind.CONTACT_REQUEST
    thanks = client.get(response.url)
    assert thanks.status_code == 200
    assert f"frame-ancestors {PARENT}" in thanks.headers["Content-Security-Policy"]


@pytest.mark.parametrize("origin", [PARENT, "https://evil.example", "null", None])
def test_the_frames_form_refuses_posts_from_elsewhere(client, embeddable, group, origin):
    headers = {"Origin": origin} if origin else {}
    response = client.post(embed_url(embeddable, group), contact_data(), headers=headers)
    assert response.status_code == 403
    assert not Inquiry.objects.exists()


def test_the_frames_form_keeps_honeypot_consent_and_rate_limit(client, embeddable, group):
    url = embed_url(embeddable, group)
    assert post_from(client, url, OWN, contact_data(website="http://spam")).status_code == 200
    refused = post_from(client, url, OWN, contact_data(consent=""))
    assert refused.status_code == 200
    assert "Bitte stimmen Sie zu" in refused.content.decode()
    assert not Inquiry.objects.exists()
    for _ in range(5):
        assert post_from(client, url, OWN, contact_data()).status_code == 302
    response = post_from(client, url, OWN, contact_data())
    assert response.status_code == 200
    assert "mehrere Anfragen" in response.content.decode()
    assert Inquiry.objects.count() == 5


# The office admin's page


def test_office_admin_sees_the_snippet_and_the_state(client, office_admin, office):
    client.force_login(office_admin)
    page = client.get(reverse("embedding")).content.decode()
    assert "data-not-embeddable" in page
    frame = f"http://testserver/einbetten/{office.slug}/"
    assert f"&lt;iframe src=&quot;{frame}&quot;" in page
    assert "http://testserver/static/js/embed-parent.js" in page
    assert "copy-snippet.js" in page
    assert f'href="/einbetten/{office.slug}/"' in page


def test_office_admin_saves_websites_normalised(client, office_admin, office):
    client.force_login(office_admin)
    response = client.post(
        reverse("embedding"),
        {
            "embed_origins": "HTTPS://www.Example.org/\n\nhttps://www.example.org:443\nhttp://localhost:8000"
        },
    )
    assert response.status_code == 302
    office.refresh_from_db()
    assert office.embed_origins == "https://www.example.org\nhttp://localhost:8000"
    page = client.get(reverse("embedding")).content.decode()
    assert "data-not-embeddable" not in page
    assert "<code>https://www.example.org</code>" in page


HTTPS_ONLY = "must begin with https:// (http:// only for localhost while testing)."
NO_ADDRESS = "is not a web address of the form https://www.example.org."


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("www.example.org", HTTPS_ONLY),
        ("http://www.example.org", HTTPS_ONLY),
        (
            "https://www.example.org/gruppen/",
            "only the website's address without a path, e.g. https://www.example.org.",
        ),
        (
            "https://*.example.org",
            "may not contain wildcards (*): list each website on its own line.",
        ),
        ("https://exa mple.org", NO_ADDRESS),
        ("https://user@example.org", NO_ADDRESS),
    ],
)
def test_bad_websites_are_refused_in_german(client, office_admin, office, line, problem):
    # German once the catalogue has these messages (the page is in German).
    with translation.override("de"):
        message = escape(
            gettext("Line %(number)s: “%(line)s” %(problem)s")
            % {"number": 2, "line": line, "problem": gettext(problem)}
        )
    office.embed_origins = "https://bleibt.example"
    office.save()
    client.force_login(office_admin)
    response = client.post(reverse("embedding"), {"embed_origins": f"https://ok.example\n{line}"})
    assert response.status_code == 200
    assert message in response.content.decode()
    office.refresh_from_db()
    assert office.embed_origins == "https://bleibt.example"


def test_only_office_admins_open_the_page(client, staff, other_office_admin, office, coordinator):
    assert client.get(reverse("embedding")).status_code == 302
    client.force_login(staff)
    assert client.get(reverse("embedding")).status_code == 403
    assert client.post(reverse("embedding"), {"embed_origins": PARENT}).status_code == 403
    client.force_login(coordinator)
    assert client.get(reverse("embedding")).status_code == 403
    office.refresh_from_db()
    assert office.embed_origins == ""


def test_an_admin_edits_only_their_own_office(client, other_office_admin, office, other_office):
    client.force_login(other_office_admin)
    client.post(reverse("embedding"), {"embed_origins": PARENT})
    office.refresh_from_db()
    other_office.refresh_from_db()
    assert office.embed_origins == ""
    assert other_office.embed_origins == PARENT


def test_office_admins_find_the_page_in_their_menu(client, office_admin, staff):
    client.force_login(office_admin)
    assert reverse("embedding") in client.get(reverse("dashboard")).content.decode()
    client.force_login(staff)
    assert reverse("embedding") not in client.get(reverse("dashboard")).content.decode()
