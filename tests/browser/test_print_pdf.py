"""Printing in Chromium: the activity report and the group directory as PDF.

The pages are printed as a visitor's browser prints them (print media, A4, the page
margins and footers of print.css) and the PDF's text is read back page by page: every row
of every table must be on some page, not clipped away or covered by the next card.
"""

import datetime
import io
import re
import unicodedata

import pytest
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext
from pypdf import PdfReader

from groups.models import Consultation
from tests.browser.test_statistics import consult, log_in_with_cookie
from tests.factories import GroupFactory, TopicCategoryFactory, TopicFactory

D = datetime.date
PAGE_NUMBER = re.compile(r"^(\d+) / (\d+)$", re.MULTILINE)


def printed_pages(page):
    """The page printed to PDF as Chromium prints it: the text of each sheet.

    Also checks that no text is printed over other text (see assert_nothing_overprinted).
    """
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4")
    sheets = PdfReader(io.BytesIO(pdf)).pages
    for number, sheet in enumerate(sheets, start=1):
        assert_nothing_overprinted(sheet, number)
    return [sheet.extract_text() for sheet in sheets]


def assert_nothing_overprinted(sheet, number):
    """No two lines of text start at the same spot of a sheet. The cut-off month table
    showed as that: its last rows still in the PDF, under the card printed over them."""
    lines = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            height = size * abs(tm[3] * cm[3] + tm[2] * cm[1])
            lines.append((x, y, height, text.strip()))

    sheet.extract_text(visitor_text=visit)
    for index, (x, y, height, text) in enumerate(lines):
        for other_x, other_y, other_height, other in lines[index + 1 :]:
            assert not (
                abs(x - other_x) < 4 and abs(y - other_y) < min(height, other_height) / 2
            ), f"sheet {number}: {other!r} is printed over {text!r}"


def flat(text):
    """Text with line breaks and runs of spaces as one space (table cells wrap in a PDF),
    ligatures as letters (the PDF's "ﬀ" in "Treﬀen")."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def assert_numbered(pages, first_numbered):
    """Every sheet from first_numbered (counted from 1) on shows "n / total"."""
    total = len(pages)
    for number, text in enumerate(pages, start=1):
        found = [tuple(map(int, m)) for m in PAGE_NUMBER.findall(text)]
        if number < first_numbered:
            assert found == [], f"sheet {number} carries no page number"
        else:
            assert (number, total) in found, f"sheet {number} shows '{number} / {total}'"


def assert_rows_printed(page, pages, table_selector):
    """The text of every body row of the tables on the page is on some printed sheet."""
    printed = [flat(text) for text in pages]
    rows = page.locator(f"{table_selector} tbody tr").all()
    assert rows
    missing = []
    for row in rows:
        cells = [flat(cell) for cell in row.locator("th, td").all_inner_texts()]
        if not any(all(cell in sheet for cell in cells) for sheet in printed):
            missing.append(cells)
    assert missing == []


@pytest.fixture
def busy_year(office, site):
    """A year with consultations in every month and many topics, for a report of
    several pages: the months table is the one that was cut off before."""
    categories = [TopicCategoryFactory(name=f"Themenbereich {n:02}") for n in range(1, 13)]
    topics = [
        TopicFactory(category=category, name=f"{category.name} Thema") for category in categories
    ]
    for month in range(1, 13):
        for day in (3, 17):
            consultation = consult(
                office,
                site,
                D(2025, month, day),
                channel=Consultation.Channel.EMAIL if day == 3 else Consultation.Channel.PHONE,
                counselling=Consultation.Counselling.choices[month % 3][0],
            )
            consultation.topics.set(topics[month - 1 : month + 1])
    for n, topic in enumerate(topics):
        GroupFactory(office=office, name=f"Gruppe {n:02}", topics=[topic])


def test_the_activity_report_prints_whole_with_cover_contents_and_page_numbers(
    page, staff, busy_year, client, live_server
):
    log_in_with_cookie(page, client, live_server, staff)
    page.goto(reverse("statistics") + "?start=2025-01-01&end=2025-12-31")
    pages = printed_pages(page)

    # The texts as the office reads them (German), from the catalogue the page uses.
    with translation.override("de"):
        title = gettext("Activity report %(year)s") % {"year": 2025}
        period = gettext("Reporting period") + ": 01.01.2025 – 31.12.2025"
        today = formats.date_format(timezone.localdate(), "DATE_FORMAT")
        printed_on = gettext("Printed on %(date)s") % {"date": today}
        contents_title = gettext("Contents")
    assert flat(pages[0]) == flat(f"KISS Musterstadt {title} {period} {printed_on}")
    # The contents on the next sheet name every section of the report.
    contents = flat(pages[1])
    assert contents.startswith(f"2 / {len(pages)} {contents_title}")
    for heading in page.locator("main h2, main h3").all_inner_texts():
        assert flat(heading) in contents
    assert len(pages) >= 4
    assert_numbered(pages, first_numbered=2)

    # The months' table, cut off after four months before: all twelve, in the chart
    # and in its table.
    printed = flat(" ".join(pages))
    for month in range(1, 13):
        assert printed.count(f"{month:02}/2025 2") == 2, month
    assert_rows_printed(page, pages, "main table")


def test_a_table_longer_than_a_sheet_goes_on_over_the_next(
    page, staff, office, client, live_server
):
    # 36 months and 40 topic areas: more than a sheet holds. Their charts stay on screen;
    # on paper the tables alone (a chart cannot break), with nothing printed over them.
    for n in range(40):
        category = TopicCategoryFactory(name=f"Bereich {n:02}")
        GroupFactory(office=office, name=f"Gruppe {n}", topics=[TopicFactory(category=category)])
    log_in_with_cookie(page, client, live_server, staff)
    page.goto(reverse("statistics") + "?start=2024-01-01&end=2026-12-31")
    pages = printed_pages(page)

    assert_numbered(pages, first_numbered=2)
    assert_rows_printed(page, pages, "main table")
    printed = flat(" ".join(pages))
    for n in range(40):
        assert printed.count(f"Bereich {n:02} 1") == 1, n
    for year in (2024, 2025, 2026):
        for month in range(1, 13):
            assert printed.count(f"{month:02}/{year} 0") == 1, (month, year)


def test_the_group_directory_prints_with_contents_by_topic_area_and_page_numbers(
    page, office, site
):
    categories = [TopicCategoryFactory(name=f"Themenbereich {n:02}") for n in range(1, 9)]
    for category in categories:
        topic = TopicFactory(category=category, name=f"Thema aus {category.name}")
        for n in range(8):
            GroupFactory(office=office, name=f"{category.name} Gruppe {n}", topics=[topic])

    page.goto(reverse("groups:print_directory"))
    pages = printed_pages(page)

    assert len(pages) > 2
    assert_numbered(pages, first_numbered=1)
    contents = flat(pages[0])
    with translation.override("de"):
        assert gettext("Contents") in contents
    for category in categories:
        assert category.name in contents
        # Listed in the contents and heading its own section further on.
        assert sum(flat(text).count(category.name) for text in pages) >= 1 + 1 + 8
    printed = flat(" ".join(pages))
    for category in categories:
        for n in range(8):
            assert f"{category.name} Gruppe {n}" in printed
