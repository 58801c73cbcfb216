"""Export and import are one format (issue 19): an export imported again changes nothing.

The export is German whatever the page's language; the import reads every label of the
group form (German or English), the column names and the values' codes. Messages are
checked in English (``override("en")``) so that the tests do not depend on the German
catalogue; the field names and allowed values they quote are German.
"""

import csv
import datetime
import io

import pytest
from django.core.management import call_command
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override
from openpyxl import Workbook, load_workbook

from groups.forms import GroupForm
from groups.import_files import COLUMNS, column_of, label
from groups.importing import export_groups, import_groups, parse_file
from groups.models import Group, GroupChange
from kontaktstelle.consent.models import Consent
from tests.factories import GroupFactory, RoomFactory, SiteFactory, TopicFactory

# Fields of the group form that only steer saving it, with no value of the group.
FORM_ONLY = {"consent_channel", "publish_without_consent"}


@pytest.fixture
def groups(office, other_office):
    """Groups as the demo has them: rooms, addresses, dates, own contact routes, notes."""
    room = RoomFactory(site=SiteFactory(office=office, name="Standort Mitte"), name="Raum 2")
    topic = TopicFactory(name="Testthema Rundreise")
    made = [
        GroupFactory(
            office=office,
            name="Trauercafé",
            topics=[topic],
            description='Für Trauernde; mit "Kaffee",\nauch zweizeilig',
            audience=Group.Audience.BOTH,
            age_group=Group.AgeGroup.SENIORS,
            languages="Deutsch; Türkisch",
            format=Group.Format.HYBRID,
            status=Group.Status.FOUNDING,
            accepts_new_members=Group.NewMembers.WAITING_LIST,
            founded_on=datetime.date(2019, 3, 1),
            weekday=Group.Weekday.TUESDAY,
            start_time=datetime.time(19, 30),
            room=room,
            city="",
            step_free=True,
            hearing_loop=True,
            listing=Group.Listing.PUBLIC_WITH_PLACE,
            consent_published_on=datetime.date(2024, 5, 6),
            consent_scope="Name, E-Mail",
            contact_route=Group.ContactRoute.GROUP_EMAIL,
            public_email="trauer@example.org",
            contact_name="Maria Muster",
            contact_email="maria@example.org",
            contact_phone="0123 456",
            last_confirmed_on=datetime.date(2025, 1, 31),
            internal_notes="Schlüssel bei der Pforte",
        ),
        GroupFactory(
            office=office,
            name="Angehörige psychisch Kranker",
            street="Hauptstraße 1",
            postcode="01067",
            district="Südstadt",
            accessible_toilet=True,
            listing=Group.Listing.UNLISTED,
            contact_route=Group.ContactRoute.GROUP_PHONE,
            consent_published_on=datetime.date(2023, 12, 24),
            public_phone="+49 30 1234",
        ),
        GroupFactory(office=office, name="=Rechner", description="-minus", schedule=""),
    ]
    GroupFactory(office=other_office, name="Fremde")
    return made


def state(office):
    """Every field the export holds, the topics, and when each group was last saved."""
    return {
        group.name: (
            model_to_dict(group, fields=[name for name in COLUMNS if name != "topics"]),
            sorted(group.topics.values_list("name", flat=True)),
            group.updated_at,
        )
        for group in Group.objects.filter(office=office)
    }


def table(data, fmt):
    """The exported file's rows as text."""
    if fmt == "xlsx":
        sheet = load_workbook(io.BytesIO(data)).worksheets[0]
        return [["" if cell is None else cell for cell in row] for row in sheet.values]
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def saved(rows, fmt):
    """Rows saved as a spreadsheet program saves them: text stays text (no formulas)."""
    if fmt == "csv":
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=";").writerows(rows)
        return buffer.getvalue().encode()
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    for cells in workbook.active.iter_rows():
        for cell in cells:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_every_field_of_the_group_form_is_a_column_in_its_order():
    assert [name for name in GroupForm._meta.fields if name not in FORM_ONLY] == COLUMNS


@pytest.mark.parametrize("column", COLUMNS)
def test_every_label_and_name_is_accepted_as_header(column):
    assert column_of(label(column)) == column  # German, as the export writes it
    assert column_of(label(column, "en")) == column
    assert column_of(column) == column
    assert column_of(f"  {label(column).upper()} ") == column


def test_headers_are_the_forms_german_labels():
    assert [label(column) for column in COLUMNS[:6]] == [
        "Name",
        "Themen",
        "Beschreibung",
        "Für wen",
        "Altersgruppe",
        "Sprachen",
    ]
    assert len({label(column) for column in COLUMNS}) == len(COLUMNS)


def test_every_choice_is_read_by_its_german_and_english_label_and_its_code(office):
    for column in COLUMNS:
        field = Group._meta.get_field(column)
        if not field.choices:
            continue
        for value, text in field.choices:
            words = [str(text), *([value] if isinstance(value, str) else [])]
            with override("de"):
                words.append(str(text))
            for word in words:
                content = f"Name;{label(column)}\nA;{word}\n".encode()
                [row] = parse_file(content, "a.csv")
                assert row.values[column] == value, (column, word)


def test_the_export_is_german_whatever_the_language(groups, office):
    with override("en"):
        rows = table(export_groups(office, "csv"), "csv")
    header = rows[0]
    [cafe] = [dict(zip(header, row, strict=True)) for row in rows if row[0] == "Trauercafé"]
    assert header == [label(column) for column in COLUMNS]
    assert len(rows) == 4  # the office's three groups, not the other office's
    assert cafe["Für wen"] == "Betroffene und Angehörige"
    assert cafe["Altersgruppe"] == "Seniorinnen und Senioren"
    assert (cafe["Form"], cafe["Status"], cafe["Neue Mitglieder"]) == (
        "hybrid",
        "in Gründung",
        "Warteliste",
    )
    assert (cafe["Wochentag"], cafe["Beginn"], cafe["Gegründet am"]) == (
        "Dienstag",
        "19:30",
        "01.03.2019",
    )
    assert cafe["Gruppenraum"] == "Standort Mitte – Raum 2"
    assert (cafe["Stufenloser Zugang"], cafe["Barrierefreies WC"]) == ("Ja", "Nein")
    assert cafe["Veröffentlichung"] == "öffentlich, mit Treffpunkt"
    assert cafe["Öffentlicher Kontaktweg"] == "eigene E-Mail-Adresse der Gruppe"
    assert cafe["Ansprechperson (nur intern)"] == "Maria Muster"
    assert cafe["Daten zuletzt bestätigt am"] == "31.01.2025"
    assert cafe["Interne Notizen (nur für Fachkräfte)"] == "Schlüssel bei der Pforte"
    assert cafe["Themen"] == "Testthema Rundreise"


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_importing_an_export_changes_nothing(groups, office, other_office, fmt, language):
    before, changes = state(office), GroupChange.objects.count()
    theirs = state(other_office)
    with override(language):
        data = export_groups(office, fmt)
        result = import_groups(office, data, f"gruppen.{fmt}")
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (0, 0, len(groups))
    assert state(office) == before and state(other_office) == theirs
    assert GroupChange.objects.count() == changes


@pytest.mark.parametrize(
    ("fmt", "header", "cell", "field", "value"),
    [
        ("csv", "Für wen", "Angehörige", "audience", Group.Audience.RELATIVES),
        ("csv", "Gruppenraum", "", "room", None),
        ("csv", "Wochentag", "Freitag", "weekday", Group.Weekday.FRIDAY),
        # Excel makes a typed date a date cell: it reads back as that date.
        (
            "xlsx",
            "Daten zuletzt bestätigt am",
            datetime.datetime(2026, 2, 3),
            "last_confirmed_on",
            datetime.date(2026, 2, 3),
        ),
        ("xlsx", "Beginn", datetime.time(18, 0), "start_time", datetime.time(18, 0)),
    ],
)
def test_one_edited_cell_changes_exactly_that_field(
    groups, office, fmt, header, cell, field, value
):
    before = state(office)
    rows = table(export_groups(office, fmt), fmt)
    [cafe_row] = [row for row in rows if row[0] == "Trauercafé"]
    cafe_row[rows[0].index(header)] = cell
    with override("de"):
        result = import_groups(office, saved(rows, fmt), f"gruppen.{fmt}")
    assert result.ok, result.errors
    assert (result.updated, result.unchanged) == (1, len(groups) - 1)
    after = state(office)
    cafe = Group.objects.get(name="Trauercafé")
    assert getattr(cafe, field) == value
    fields, topics, _saved = before["Trauercafé"]
    stored = model_to_dict(cafe, fields=[field])[field]  # a room as its id
    assert after["Trauercafé"][:2] == ({**fields, field: stored}, topics)
    assert {name: after[name] for name in after if name != "Trauercafé"} == {
        name: before[name] for name in before if name != "Trauercafé"
    }
    assert list(cafe.changes.values_list("fields", flat=True)) == [[header]]


def test_the_apps_own_label_for_whom_is_read(office):
    result = import_groups(office, "Name;Für wen\nElternkreis;Angehörige\n".encode(), "a.csv")
    assert result.ok, result.errors
    assert Group.objects.get().audience == Group.Audience.RELATIVES


def test_a_bad_value_names_line_field_and_the_german_labels(office):
    content = "Name;Für wen;Wochentag\nA;Betroffene;Montag\nB;jeder;Mo\n".encode()
    with override("en"):
        result = import_groups(office, content, "a.csv")
    assert result.errors == [
        (
            3,
            "Line 3: “jeder” is not a valid value for “Für wen”. "
            "Allowed: Betroffene; Angehörige; Betroffene und Angehörige.",
        ),
        (
            3,
            "Line 3: “Mo” is not a valid value for “Wochentag”. Allowed: Montag; Dienstag; "
            "Mittwoch; Donnerstag; Freitag; Samstag; Sonntag.",
        ),
    ]
    assert not Group.objects.exists()


@pytest.mark.parametrize("postcode", ["1234567", "1234", "12a45", "D-12345"])
def test_a_postcode_has_5_digits(office, postcode):
    content = f"Name;PLZ\nGut;01067\nSchlecht;{postcode}\n".encode()
    with override("en"):
        result = import_groups(office, content, "a.csv")
    assert result.errors == [(3, f"Line 3: the postcode “{postcode}” does not have 5 digits.")]
    assert not Group.objects.exists()


def test_an_unknown_header_is_an_error_listing_the_german_headers(office):
    with override("en"):
        result = import_groups(office, "Name;Farbe;Für wen\nA;blau;Betroffene\n".encode(), "a.csv")
    [(line, message)] = result.errors
    assert line == 1
    assert message.startswith("Line 1: the column “Farbe” is unknown. Known columns: Name; ")
    assert "; Für wen; " in message and "; Gruppenraum; " in message
    assert not Group.objects.exists()


def test_bad_dates_times_and_addresses_are_line_errors(office):
    content = (
        "Name;Gegründet am;Beginn;E-Mail der Ansprechperson (nur intern)\n"
        "A;31.02.2020;19:00;a@example.org\n"
        "B;2020-02-03;7 Uhr;kein-at\n"
    ).encode()
    with override("en"):
        result = import_groups(office, content, "a.csv")
    assert result.errors == [
        (
            2,
            "Line 2: “31.02.2020” is not a valid date for “Gegründet am”. "
            "Please write it as DD.MM.YYYY.",
        ),
        (3, "Line 3: “7 Uhr” is not a valid time for “Beginn”. Please write it as HH:MM."),
        (
            3,
            "Line 3: “kein-at” is not a valid e-mail address for "
            "“E-Mail der Ansprechperson (nur intern)”.",
        ),
    ]
    assert not Group.objects.exists()


def test_a_room_is_found_by_site_and_name_and_excludes_an_address(office, other_office):
    RoomFactory(site=SiteFactory(office=office, name="Standort Mitte"), name="Raum 2")
    RoomFactory(site=SiteFactory(office=other_office, name="Fremder Standort"), name="Raum 9")
    content = (
        "Name;Gruppenraum;Ort\n"
        "A;standort mitte - RAUM 2;\n"
        "B;Fremder Standort – Raum 9;\n"
        "C;Standort Mitte – Raum 2;Musterstadt\n"
    ).encode()
    with override("en"):
        result = import_groups(office, content, "a.csv")
    assert result.errors == [
        (
            3,
            "Line 3: “Fremder Standort – Raum 9” is not a valid value for “Gruppenraum”. "
            "Allowed: Standort Mitte – Raum 2.",
        ),
    ]
    with override("en"):
        result = import_groups(
            office, content.replace("B;Fremder Standort – Raum 9".encode(), b"B;"), "a.csv"
        )
    assert result.errors == [
        (4, "Line 4: Choose either a room of the office or an address, not both."),
    ]
    assert not Group.objects.exists()
    result = import_groups(
        office, "Name;Gruppenraum\nA;Standort Mitte – Raum 2\n".encode(), "a.csv"
    )
    assert result.ok and str(Group.objects.get().room) == "Raum 2 (Standort Mitte)"


def test_an_own_contact_route_needs_a_consent_date(office):
    content = (
        "Name;Öffentlicher Kontaktweg;Öffentliche E-Mail-Adresse der Gruppe\n"
        "A;eigene E-Mail-Adresse der Gruppe;a@example.org\n"
    ).encode()
    with override("en"):
        result = import_groups(office, content, "a.csv")
    assert [line for line, _message in result.errors] == [2]
    assert "consent" in result.errors[0][1]
    assert not Group.objects.exists()


def test_an_imported_consent_date_is_recorded_as_the_form_does(office, staff):
    content = "Name;Einwilligung zur Veröffentlichung erteilt am\nA;06.05.2024\n".encode()
    assert import_groups(office, content, "a.csv", user=staff).ok
    group = Group.objects.get()
    record = Consent.objects.get()
    assert group.consent_published_on == datetime.date(2024, 5, 6)
    assert (record.channel, record.recorded_by, timezone.localdate(record.given_at)) == (
        Consent.Channel.PAPER,
        staff,
        datetime.date(2024, 5, 6),
    )


def test_the_commands_round_trip(groups, office, tmp_path):
    before, changes = state(office), GroupChange.objects.count()
    path = tmp_path / "gruppen.xlsx"
    call_command("export_groups", str(path), "--office", office.slug)
    call_command("import_groups", str(path), "--office", office.slug)
    assert state(office) == before and GroupChange.objects.count() == changes


def test_the_import_page_names_the_german_headers(client, staff):
    client.force_login(staff)
    response = client.get(reverse("groups:group_import"))
    assert "Für wen" in response.content.decode()
    assert "Gruppenraum" in response.content.decode()


def test_a_listing_column_wins_over_published_of_older_files(office):
    content = (
        "Name;Veröffentlicht;Veröffentlichung\n"
        "A;ja;nicht veröffentlicht (nur für Vermittlungen durch Fachkräfte)\n"
        "B;nein;\n"
    ).encode()
    assert import_groups(office, content, "a.csv").ok
    listings = dict(Group.objects.values_list("name", "listing"))
    assert listings == {"A": Group.Listing.UNLISTED, "B": Group.Listing.UNLISTED}
