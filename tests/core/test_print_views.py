"""The printed activity report's cover and contents, and the group directory's contents,
as the views render them (Chromium prints them in tests/browser/test_print_pdf.py)."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext

from groups.models import Consultation
from tests.factories import GroupFactory, TopicCategoryFactory, TopicFactory

pytestmark = pytest.mark.django_db
URL = reverse("statistics")
YEAR_2025 = "?start=2025-01-01&end=2025-12-31"


def german(message, **values):
    with translation.override("de"):
        return gettext(message) % values if values else gettext(message)


def section(content, css_class):
    """The HTML of the first element with that class, up to its closing tag."""
    match = re.search(rf'<(section|nav) class="{css_class}[^"]*".*?</\1>', content, re.DOTALL)
    assert match, css_class
    return match.group(0)


def test_the_report_has_a_cover_for_paper_only(client, staff, site):
    client.force_login(staff)
    response = client.get(URL + YEAR_2025 + f"&site={site.pk}")
    assert response.status_code == 200
    cover = section(response.content.decode(), "print-cover")
    assert "d-none d-print-flex" in cover  # not on screen
    assert "KISS Musterstadt<br>Standort Mitte" in cover
    assert german("Activity report %(year)s", year=2025) in cover
    assert f"{german('Reporting period')}: 01.01.2025 – 31.12.2025" in cover
    with translation.override("de"):
        today = formats.date_format(timezone.localdate(), "DATE_FORMAT")
    assert german("Printed on %(date)s", date=today) in cover


def test_a_period_other_than_a_year_has_no_year_in_the_title(client, staff):
    client.force_login(staff)
    response = client.get(URL + "?start=2025-03-01&end=2025-08-31")
    assert response.context["report_year"] is None
    cover = section(response.content.decode(), "print-cover")
    assert f'<p class="print-cover-title">{german("Activity report")}</p>' in cover
    assert "01.03.2025 – 31.08.2025" in cover


def test_the_contents_link_every_section_of_the_report(client, staff):
    client.force_login(staff)
    response = client.get(URL + YEAR_2025)
    content = response.content.decode()
    contents = section(content, "print-contents")
    assert "d-none d-print-block" in contents
    assert german("Contents") in contents
    keys = [
        "summary-heading",
        "follow-up-heading",  # the referral follow-up's table
        *(f"chart-{key}" for key in response.context["charts"]),
    ]
    assert re.findall(r'href="#([^"]+)"', contents) == keys
    for key in keys:  # each link leads to its heading
        assert content.count(f'id="{key}"') == 1


def test_the_cover_is_the_own_office_s(client, other_staff, office):
    client.force_login(other_staff)
    cover = section(client.get(URL + YEAR_2025).content.decode(), "print-cover")
    assert "Selbsthilfebüro Anderswo" in cover
    assert office.name not in cover


def test_the_cover_is_for_staff_only(client, starter, coordinator):
    assert client.get(URL).status_code == 302
    for user in (starter, coordinator):
        client.force_login(user)
        assert client.get(URL).status_code == 403


def test_a_long_table_prints_without_its_chart(client, staff, office, site):
    for month in range(1, 13):
        Consultation.objects.create(
            office=office,
            site=site,
            held_on=datetime.date(2025, month, 1),
            channel=Consultation.Channel.PHONE,
            asker=Consultation.Asker.AFFECTED,
        )
    client.force_login(staff)
    charts = client.get(URL + "?start=2024-01-01&end=2025-12-31").context["charts"]
    assert len(charts["by_month"]["rows"]) == 24
    assert charts["by_month"]["prints_table_only"]
    assert not charts["by_channel"]["prints_table_only"]
    charts = client.get(URL + YEAR_2025).context["charts"]
    assert not charts["by_month"]["prints_table_only"]  # 12 months: chart and table


def test_the_print_directory_has_contents_by_topic_area(client, office):
    areas = [
        TopicCategoryFactory(name=name)
        for name in ("Testbereich Trauer", "Testbereich Angehörige", "Testbereich Sucht")
    ]
    for area in areas:
        topic = TopicFactory(category=area)
        GroupFactory(office=office, topics=[topic])
        GroupFactory(office=office, topics=[topic])
    response = client.get(reverse("groups:print_directory"))
    assert response.status_code == 200
    content = response.content.decode()
    contents = section(content, "print-directory-contents")
    assert german("Contents") in contents
    links = re.findall(r'<a href="#(category-\d+)">([^<]+)</a> \((\d+)\)', contents)
    assert [(name, count) for _anchor, name, count in links] == [
        ("Testbereich Angehörige", "2"),
        ("Testbereich Sucht", "2"),
        ("Testbereich Trauer", "2"),
    ]
    for anchor, name, _count in links:
        assert f'id="{anchor}">{name}</h2>' in content
    assert 'class="print-numbered"' in content


def test_an_empty_print_directory_has_no_contents(client, office):
    content = client.get(reverse("groups:print_directory")).content.decode()
    assert "print-directory-contents" not in content
