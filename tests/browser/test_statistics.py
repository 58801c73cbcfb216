"""Statistics in the browser: an office's year for its funders, its downloads and its
printed activity report, and the coordinators' anonymous view across the network.
"""

import csv
import datetime
import io
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from groups.models import Consultation
from starters.models import Accompaniment, MeetingLog
from tests.browser.conftest import PHONE
from tests.browser.test_accessibility import assert_no_violations
from tests.browser.test_smoke import log_in
from tests.factories import GroupFactory, OfficeFactory, SiteFactory, StarterFactory

D = datetime.date
URL = reverse("statistics")
NETWORK_URL = reverse("network_overview")
YEAR_2025 = "start=2025-01-01&end=2025-12-31"
NO_OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth"


def log_in_with_cookie(page, client, live_server, user):
    """A session cookie instead of the login form, where the login is not under test."""
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def consult(office, site, held_on, **fields):
    groups = fields.pop("groups", [])
    consultation = Consultation.objects.create(
        office=office,
        site=site,
        held_on=held_on,
        channel=fields.pop("channel", Consultation.Channel.PHONE),
        asker=fields.pop("asker", Consultation.Asker.AFFECTED),
        **fields,
    )
    consultation.referred_groups.set(groups)
    return consultation


def accompaniment(office, responsible, **fields):
    return Accompaniment.objects.create(
        office=office,
        group=GroupFactory(office=office),
        kind=Accompaniment.Kind.FOUNDING,
        requested_by="Gründerin",
        planned_meetings=6,
        responsible=responsible,
        **fields,
    )


def log_meeting(accompaniment, held_on, starters, minutes=90):
    log = MeetingLog.objects.create(
        accompaniment=accompaniment,
        held_on=held_on,
        starts_at=datetime.time(18),
        duration_minutes=minutes,
        participants=6,
        logged_by=starters[0].user,
    )
    log.accompanied_by.set(starters)
    return log


@pytest.fixture
def north(office):
    return SiteFactory(office=office, name="Standort Nord")


@pytest.fixture
def year_2025(office, site, north, staff):
    """The office's 2025, counted by hand; the site "Standort Mitte" is the one chosen.

    Standort Mitte: 3 consultations in 2025 (2 by phone, 1 by e-mail; 1 referred to a
    group, 1 young), 1 in 2024. Standort Nord: 2 in 2025, 1 in 2024 (never shown for
    Mitte). Programme (the whole office): 1 accompaniment started and completed in 2025
    with 2 meetings of 90 minutes, one by a tandem: 2 meetings, 4.5 volunteer hours,
    2 active starters; in 2024: 1 request.
    """
    group = GroupFactory(office=office, name="Anker-Runde")
    consult(office, site, D(2025, 1, 10), groups=[group], young=True)
    consult(office, site, D(2025, 6, 3), information_only=True)
    consult(office, site, D(2025, 12, 31), channel=Consultation.Channel.EMAIL)
    consult(office, site, D(2024, 12, 31), information_only=True)  # the year before
    consult(office, north, D(2025, 2, 2), groups=[group])
    consult(office, north, D(2025, 3, 3), information_only=True)
    consult(office, north, D(2024, 5, 5), information_only=True)
    consult(office, site, D(2026, 1, 1), information_only=True)  # after the period
    maria = StarterFactory(office=office, user_name="Maria Schneider")
    thomas = StarterFactory(office=office, user_name="Thomas Weber")
    done = accompaniment(
        office,
        staff,
        status=Accompaniment.Status.COMPLETED,
        requested_on=D(2025, 2, 1),
        started_on=D(2025, 3, 4),
        completed_on=D(2025, 4, 29),
        outcome=Accompaniment.Outcome.CONTINUES,
    )
    log_meeting(done, D(2025, 3, 4), [maria, thomas])
    log_meeting(done, D(2025, 3, 18), [maria])
    accompaniment(office, staff, requested_on=D(2024, 10, 1))  # a request the year before


def summary_row(page, label):
    """The cells of one row of the summary table: this period, a year earlier."""
    row = page.locator("table[data-summary] tbody tr").filter(
        has=page.get_by_role("rowheader", name=label, exact=True)
    )
    expect(row).to_have_count(1)
    return row.locator("td")


def test_staff_reads_the_figures_of_a_year_and_a_site(page, staff, site, year_2025):
    # The browser asks for English (the page fixture's locale); the office works in German.
    log_in(page, staff.email)
    expect(page).to_have_url(re.compile(r"/intern/$"))
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role(
        "link", name="Statistik"
    ).click()
    expect(page).to_have_url(re.compile(rf"{URL}$"))
    expect(page.get_by_role("heading", name="Statistik", level=1)).to_be_visible()

    form = page.locator("main form")
    form.get_by_label("Von").fill("2025-01-01")
    form.get_by_label("Bis").fill("2025-12-31")
    form.get_by_label("Standort").select_option(label="Standort Mitte")
    form.get_by_role("button", name="Anzeigen").click()

    expect(page).to_have_url(re.compile(rf"\?start=2025-01-01&end=2025-12-31&site={site.pk}$"))
    expect(page.locator("main p.lead")).to_have_text(
        "KISS Musterstadt, Standort Mitte: 01.01.2025 – 31.12.2025"
    )
    # The form keeps what was chosen.
    expect(form.get_by_label("Von")).to_have_value("2025-01-01")
    expect(form.get_by_label("Standort")).to_have_value(str(site.pk))
    summary = page.locator("table[data-summary]")
    expect(summary.locator("thead th")).to_have_text(["Kennzahl", "Zeitraum", "Ein Jahr früher"])
    expect(summary_row(page, "Beratungen")).to_have_text(["3", "1"])
    expect(summary_row(page, "Vermittlungen in Gruppen")).to_have_text(["1", "0"])
    expect(summary_row(page, "Nur Information")).to_have_text(["1", "1"])
    expect(summary_row(page, "Anteil junge Selbsthilfe (%)")).to_have_text(["33", "0"])
    expect(summary_row(page, "Anfragen nach Begleitung")).to_have_text(["1", "1"])
    expect(summary_row(page, "Begonnene Begleitungen")).to_have_text(["1", "0"])
    expect(summary_row(page, "Abgeschlossene Begleitungen")).to_have_text(["1", "0"])
    expect(summary_row(page, "Begleitete Treffen")).to_have_text(["2", "0"])
    expect(summary_row(page, "Ehrenamtsstunden in Treffen")).to_have_text(["4,5", "0,0"])
    expect(summary_row(page, "Aktive In-Gang-Setzer:innen")).to_have_text(["2", "0"])
    # Group figures have no year-before column.
    expect(summary_row(page, "Neue Gruppen")).to_have_text(["0", "–"])

    # Each chart is an image named by its heading, with its figures in a table beside it.
    channel = page.get_by_role("img", name="Beratungen nach Zugangsweg", exact=True)
    expect(channel).to_be_visible()
    table = page.locator("#" + channel.get_attribute("aria-describedby"))
    expect(table).to_be_visible()
    expect(table.get_by_role("row").filter(has_text="Telefon").locator("td")).to_have_text("2")
    expect(table.get_by_role("row").filter(has_text="E-Mail").locator("td")).to_have_text("1")
    months = page.get_by_role("img", name="Beratungen nach Monat", exact=True)
    expect(months.locator("g")).to_have_count(12)
    by_site = page.get_by_role("img", name="Beratungen nach Standort", exact=True)
    expect(by_site.locator("title")).to_have_text(["Standort Mitte: 3"])
    svg_box, table_box = channel.bounding_box(), table.bounding_box()
    assert table_box["x"] >= svg_box["x"] + svg_box["width"], "the table is beside the chart"
    assert_no_violations(page)


def test_an_inverted_period_gets_a_german_message_not_an_error(
    page, staff, year_2025, client, live_server
):
    log_in_with_cookie(page, client, live_server, staff)
    page.goto(URL)
    form = page.locator("main form")
    form.get_by_label("Von").fill("2025-12-31")
    form.get_by_label("Bis").fill("2025-01-01")
    with page.expect_response(lambda response: URL in response.url) as answer:
        form.get_by_role("button", name="Anzeigen").click()
    assert answer.value.status == 200

    message = "Der Zeitraum endet, bevor er beginnt."
    # Once: a second alert with the same words would be read out twice.
    expect(page.get_by_role("alert")).to_have_text([message])
    # The page still shows this year's figures, and the input to correct.
    expect(page.get_by_role("heading", name="Statistik", level=1)).to_be_visible()
    year = timezone.localdate().year
    expect(page.locator("main p.lead")).to_have_text(
        f"KISS Musterstadt: 01.01.{year} – 31.12.{year}"
    )
    expect(form.get_by_label("Von")).to_have_value("2025-12-31")
    assert_no_violations(page)


def download(page, link):
    """Clicks a download link; answers the suggested file name and the file's bytes."""
    with page.expect_download() as info:
        link.click()
    file = info.value
    assert file.failure() is None
    with open(file.path(), "rb") as content:
        return file.suggested_filename, content.read()


def csv_rows(data):
    assert data.startswith(b"\xef\xbb\xbf"), "a BOM, so that Excel reads the umlauts"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def test_tables_download_as_csv_and_xlsx(page, staff, site, year_2025, client, live_server):
    log_in_with_cookie(page, client, live_server, staff)
    page.goto(f"{URL}?{YEAR_2025}&site={site.pk}")

    name, data = download(page, page.get_by_role("link", name="Kennzahlen und Vorjahr: CSV"))
    assert name == "summary-2025-01-01-2025-12-31.csv"
    rows = csv_rows(data)
    assert rows[0] == ["Kennzahl", "Zeitraum", "Ein Jahr früher"]
    figures = {row[0]: row[1:] for row in rows[1:]}
    assert figures["Beratungen"] == ["3", "1"]
    assert figures["Vermittlungen in Gruppen"] == ["1", "0"]
    assert figures["Begleitete Treffen"] == ["2", "0"]
    assert figures["Neue Gruppen"] == ["0", ""]  # no year-before figure

    # A chart's table, for the chosen site only.
    name, data = download(page, page.get_by_role("link", name="Beratungen nach Zugangsweg: CSV"))
    assert name == "by_channel-2025-01-01-2025-12-31.csv"
    rows = csv_rows(data)
    assert rows[0] == ["Bezeichnung", "Anzahl"]
    assert ["Telefon", "2"] in rows and ["E-Mail", "1"] in rows
    assert sum(int(n) for _label, n in rows[1:]) == 3

    name, data = download(page, page.get_by_role("link", name="Kennzahlen und Vorjahr: XLSX"))
    assert name == "summary-2025-01-01-2025-12-31.xlsx"
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.title == "Kennzahlen und Vorjahr"
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Kennzahl", "Zeitraum", "Ein Jahr früher")
    figures = {row[0]: row[1:] for row in rows[1:]}
    assert figures["Beratungen"] == (3, 1)  # numbers, not text: the sheet can sum them
    assert figures["Ehrenamtsstunden in Treffen"] == (4.5, 0)

    name, data = download(
        page, page.get_by_role("link", name="Stunden und Begleitungen je In-Gang-Setzer:in: XLSX")
    )
    assert name == "starters-2025-01-01-2025-12-31.xlsx"
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert rows == [
        ("Name", "Begleitungen", "Treffen", "Stunden"),
        ("Maria Schneider", 1, 2, 3),
        ("Thomas Weber", 1, 1, 1.5),
    ]


# The width of an A4 page between the margins of print.css (210 mm - 2 x 16 mm), in px.
A4_CONTENT = {"width": 673, "height": 1000}


def test_printed_activity_report_shows_figures_and_charts_only(
    page, staff, site, year_2025, client, live_server
):
    log_in_with_cookie(page, client, live_server, staff)
    page.goto(f"{URL}?{YEAR_2025}&site={site.pk}")
    charts = page.locator("main svg[role=img]")
    expect(charts.first).to_be_visible()
    count = charts.count()
    assert count >= 8
    # On screen: the period form, the print button, navigation, footer, download links.
    screen_only = [
        page.locator("main form"),
        page.get_by_role("button", name="Tätigkeitsbericht drucken"),
        page.locator("body > header"),
        page.locator("body > footer"),
        *page.locator("main a[href*='export=']").all(),
    ]
    assert len(screen_only) > 4 + 2 * count
    for element in screen_only:
        expect(element).to_be_visible()

    page.set_viewport_size(A4_CONTENT)
    page.emulate_media(media="print")
    for element in screen_only:
        expect(element).to_be_hidden()
    expect(page.locator("main p.lead")).to_have_text(
        "KISS Musterstadt, Standort Mitte: 01.01.2025 – 31.12.2025"
    )
    expect(summary_row(page, "Beratungen")).to_have_text(["3", "1"])
    for index in range(count):
        expect(charts.nth(index)).to_be_visible()
    # Two charts side by side; in each, the table below the chart and inside its card.
    first, second = (page.locator("main .chart").nth(n).bounding_box() for n in (0, 1))
    assert first["y"] == second["y"] and second["x"] >= first["x"] + first["width"]
    for chart in page.locator("main .chart").filter(has=page.locator("svg")).all():
        card = chart.locator(".card").bounding_box()
        svg, table = chart.locator("svg").bounding_box(), chart.locator("table").bounding_box()
        assert table["y"] >= svg["y"] + svg["height"]
        assert table["x"] + table["width"] <= card["x"] + card["width"]
        # The chart takes the card's width: squeezed beside its table, its labels
        # would print at 4 pt.
        assert svg["width"] >= 0.8 * card["width"]

    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF-")
    assert len(pdf) > 10_000


def test_statistics_fit_a_phone_and_have_no_axe_violations(
    phone_page, staff, site, year_2025, client, live_server
):
    page = phone_page
    log_in_with_cookie(page, client, live_server, staff)
    page.goto(f"{URL}?{YEAR_2025}&site={site.pk}")
    expect(summary_row(page, "Beratungen")).to_have_text(["3", "1"])
    expect(page.get_by_role("img", name="Beratungen nach Monat", exact=True)).to_be_visible()
    assert page.evaluate(NO_OVERFLOW)
    # The summary table fits too, without scrolling it sideways.
    assert page.locator("table[data-summary]").evaluate(
        "table => table.scrollWidth <= table.parentElement.clientWidth"
    )
    assert_no_violations(page)


def programme_year(office, starters, responsible):
    """One accompaniment started in 2025, each starter at one meeting of an hour."""
    accompanied = accompaniment(
        office,
        responsible,
        status=Accompaniment.Status.ACTIVE,
        requested_on=D(2025, 2, 1),
        started_on=D(2025, 3, 1),
    )
    for day, starter in enumerate(starters, start=1):
        log_meeting(accompanied, D(2025, 4, day), [starter], minutes=60)


@pytest.fixture
def network_2025(network, office, other_office, staff, other_staff):
    """Three offices of the network with 2, 3 and 4 active starters in 2025, and one
    office of another network. Since the start: 41, 13 and 1 In-Gang-Setzungen.
    """
    office.accompaniments_before = 40
    office.save()
    other_office.accompaniments_before = 12
    other_office.save()
    third = OfficeFactory(name="Kontaktstelle Beispielheim", slug="beispielheim", network=network)
    elsewhere = OfficeFactory(name="Kontaktstelle Fremdnetz", slug="fremdnetz")
    for place, count, responsible in [
        (office, 2, staff),
        (other_office, 3, other_staff),
        (third, 4, other_staff),
        (elsewhere, 5, other_staff),
    ]:
        programme_year(place, StarterFactory.create_batch(count, office=place), responsible)


def network_row(page, name):
    row = page.locator("table[data-network-table] tbody tr").filter(
        has=page.get_by_role("rowheader", name=name, exact=True)
    )
    expect(row).to_have_count(1)
    return row.locator("td")


def test_coordinator_sees_the_network_without_small_figures(page, coordinator, network_2025):
    log_in(page, coordinator.email)
    expect(page).to_have_url(re.compile(rf"{NETWORK_URL}$"))
    expect(page.get_by_role("heading", name="IGS-Netzwerk", level=1)).to_be_visible()
    # The running total of the programme, whatever the period.
    expect(page.locator("[data-since-start]")).to_have_text("55")

    form = page.locator("main form")
    form.get_by_label("Von").fill("2025-01-01")
    form.get_by_label("Bis").fill("2025-12-31")
    form.get_by_role("button", name="Anzeigen").click()
    expect(page).to_have_url(re.compile(r"start=2025-01-01&end=2025-12-31"))
    expect(page.get_by_role("heading", name="01.01.2025 – 31.12.2025", level=2)).to_be_visible()

    table = page.locator("table[data-network-table]")
    expect(table.locator("tbody th")).to_have_text(
        ["KISS Musterstadt", "Kontaktstelle Beispielheim", "Selbsthilfebüro Anderswo"]
    )
    # Requests, started, completed, cancelled, meetings, hours, starters, still
    # meeting, since the start. Two starters are too few to show, and so are the
    # three of Anderswo: the two could be worked out from the network's sum.
    expect(network_row(page, "KISS Musterstadt")).to_have_text(
        ["1", "1", "0", "0", "2", "–", "–", "–", "41"]
    )
    expect(network_row(page, "Selbsthilfebüro Anderswo")).to_have_text(
        ["1", "1", "0", "0", "3", "–", "–", "–", "13"]
    )
    expect(network_row(page, "Kontaktstelle Beispielheim")).to_have_text(
        ["1", "1", "0", "0", "4", "4,0", "4", "–", "1"]
    )
    expect(table.locator("tfoot td")).to_have_text(["3", "3", "0", "0", "9", "9,0", "9", "–", "55"])
    expect(page.get_by_text("Kontaktstelle Fremdnetz")).to_have_count(0)
    assert_no_violations(page)

    page.set_viewport_size(PHONE)
    expect(page.get_by_role("button", name="Menü öffnen")).to_be_visible()
    assert page.evaluate(NO_OVERFLOW)
    assert_no_violations(page)
