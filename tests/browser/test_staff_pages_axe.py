"""Every staff page at phone width passes axe (issue 19): tables that scroll sideways take
the keyboard focus, links keep their contrast."""

import datetime

import pytest
from django.utils import timezone

from groups.models import Consultation, Group, Inquiry, Topic
from starters import services
from starters.models import Accompaniment
from tests.browser.conftest import PHONE
from tests.browser.test_accessibility import assert_no_violations
from tests.browser.test_smoke import log_in
from tests.factories import GroupFactory, TopicFactory

STAFF_PAGES = [
    "/intern/",
    "/intern/gruppen/",
    "/intern/gruppen/neu/",
    "/intern/gruppen/import/",
    "/intern/posteingang/",
    "/intern/beratungen/",
    "/intern/themen/",
    "/intern/statistik/",
    "/intern/igs/",
    "/intern/igs/neu/",
    "/intern/schulungen/",
    "/intern/begleitungen/",
    "/intern/begleitungen/neu/",
    "/benachrichtigungen/",
    "/benachrichtigungen/einstellungen/",
]
ADMIN_PAGES = ["/intern/protokoll/", "/intern/rechtstexte/", "/intern/datenschutz/"]


@pytest.fixture
def records(office, site, staff, starter):
    topic = Topic.objects.first() or TopicFactory()
    group = GroupFactory(office=office, name="Angst und Panik", topics=[topic])
    Inquiry.objects.create(
        office=office,
        kind=Inquiry.Kind.CONTACT_REQUEST,
        group=group,
        name="Sabine Suchend",
        email="sabine@example.net",
        consent_at=timezone.now(),
    )
    consultation = Consultation.objects.create(
        office=office,
        site=site,
        held_on=timezone.localdate(),
        channel=Consultation.Channel.PHONE,
        asker=Consultation.Asker.AFFECTED,
        created_by=staff,
    )
    consultation.referred_groups.add(group)
    accompaniment = Accompaniment.objects.create(
        office=office,
        group=group,
        kind=Accompaniment.Kind.FOUNDING,
        requested_by="Gründerin",
        planned_meetings=6,
        meeting_weekday=1,
        meeting_time=datetime.time(19),
        responsible=staff,
    )
    services.offer(staff, accompaniment, starter.starter)
    return {"group": group, "accompaniment": accompaniment, "starter": starter.starter}


def pages_of(records, site):
    return [
        *STAFF_PAGES,
        f"/intern/gruppen/{records['group'].pk}/",
        f"/intern/gruppen/{records['group'].pk}/bearbeiten/",
        f"/intern/igs/{records['starter'].pk}/",
        f"/intern/begleitungen/{records['accompaniment'].pk}/",
        f"/intern/standorte/{site.pk}/",
    ]


def test_staff_pages_pass_axe_at_phone_width(page, site, staff, records):
    page.set_viewport_size(PHONE)
    log_in(page, staff.email)
    page.wait_for_url("**/intern/")
    for url in pages_of(records, site):
        response = page.goto(url)
        assert response.status == 200, url
        assert_no_violations(page)


def test_office_admin_pages_pass_axe_at_phone_width(page, site, office_admin, records):
    page.set_viewport_size(PHONE)
    log_in(page, office_admin.email)
    page.wait_for_url("**/intern/")
    for url in ADMIN_PAGES:
        response = page.goto(url)
        assert response.status == 200, url
        assert_no_violations(page)


def test_the_nothing_found_box_keeps_its_contrast(page, office, site):
    office.phone = "0123 456789"
    office.email = "kontakt@example.org"
    office.save()
    Group.objects.all().delete()
    page.goto("/gruppen/?q=Nichtsdergleichen")
    assert_no_violations(page)
