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
from groups.import_files import COLUMNS, MEETINGS, column_of, label
from groups.importing import export_groups, import_groups, parse_file
from groups.models import Group, GroupChange, MeetingDate, MeetingRule
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
    cafe, relatives, _calc = made
    hall = RoomFactory(site=SiteFactory(office=office, name="Haus Nord"), name="Saal")
    MeetingRule.objects.create(
        group=cafe,
        weekday=1,
        start_time=datetime.time(19, 30),
        end_time=datetime.time(21),
        note="Eingang über den Hof",
    )
    MeetingRule.objects.create(
        group=cafe,
        kind="monthly",
        weekday=3,
        weeks_of_month="2,-1",
        start_time=datetime.time(18),
        end_time=datetime.time(20),
        room=hall,
    )
    listed = MeetingRule.objects.create(
        group=relatives, kind="dates", start_time=datetime.time(10), end_time=datetime.time(12)
    )
    MeetingDate.objects.create(rule=listed, date=datetime.date(2027, 1, 12))
    MeetingDate.objects.create(rule=listed, date=datetime.date(2027, 2, 9))
    MeetingRule.objects.create(
        group=relatives,
        kind="biweekly",
        weekday=0,
        start_time=datetime.time(17),
        end_time=datetime.time(18, 30),
        starts_on=datetime.date(2026, 12, 7),
    )
    return made


def state(office):
    """Every field the export holds, the topics, and when each group was last saved."""
    return {
        group.name: (
            model_to_dict(group, fields=[name for name in COLUMNS if name != "topics"]),
            sorted(group.topics.values_list("name", flat=True)),
            group.updated_at,
            rules(group),
        )
        for group in Group.objects.filter(office=office)
    }


def rules(group):
    """The group's rules with everything they hold, their ids and notes included."""
    return sorted(
        (
            rule.pk,
            rule.kind,
            rule.weekday,
            rule.weeks_of_month,
            rule.start_time,
            rule.end_time,
            rule.starts_on,
            rule.room_id,
            rule.note,
            [item.date for item in rule.dates.all()],
        )
        for rule in group.meeting_rules.all()
    )


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
    fields = [name for name in GroupForm._meta.fields if name not in FORM_ONLY]
    assert [name for name in COLUMNS if name != MEETINGS] == fields
    assert COLUMNS[COLUMNS.index("schedule") + 1] == MEETINGS  # the rules after the rhythm


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
        if column == MEETINGS:
            continue
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
    assert cafe["Gegründet am"] == "01.03.2019"
    assert cafe["Treffzeiten"] == "Di 19:30–21:00; 2. und letzter Do 18:00–20:00 (Haus Nord – Saal)"
    [relatives] = [dict(zip(header, row, strict=True)) for row in rows if row[0].startswith("Ange")]
    assert relatives["Treffzeiten"] == (
        "14-täglich Mo 17:00–18:30 ab 07.12.2026; am 12.01.2027, 09.02.2027 10:00–12:00"
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
        # Excel makes a typed date a date cell: it reads back as that date.
        (
            "xlsx",
            "Daten zuletzt bestätigt am",
            datetime.datetime(2026, 2, 3),
            "last_confirmed_on",
            datetime.date(2026, 2, 3),
        ),
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
    fields, topics, _saved, _rules = before["Trauercafé"]
    stored = model_to_dict(cafe, fields=[field])[field]  # a room as its id
    assert after["Trauercafé"][:2] == ({**fields, field: stored}, topics)
    assert after["Trauercafé"][3] == before["Trauercafé"][3]  # the rules untouched
    assert {name: after[name] for name in after if name != "Trauercafé"} == {
        name: before[name] for name in before if name != "Trauercafé"
    }
    assert list(cafe.changes.values_list("fields", flat=True)) == [[header]]


def test_the_apps_own_label_for_whom_is_read(office):
    result = import_groups(office, "Name;Für wen\nElternkreis;Angehörige\n".encode(), "a.csv")
    assert result.ok, result.errors
    assert Group.objects.get().audience == Group.Audience.RELATIVES


def test_a_bad_value_names_line_field_and_the_german_labels(office):
    content = "Name;Für wen;Neue Mitglieder\nA;Betroffene;ja\nB;jeder;vielleicht\n".encode()
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
            "Line 3: “vielleicht” is not a valid value for “Neue Mitglieder”. "
            "Allowed: willkommen; zurzeit nicht; Warteliste.",
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
        "Name;Gegründet am;Treffzeiten;E-Mail der Ansprechperson (nur intern)\n"
        "A;31.02.2020;Mo 19:00–21:00;a@example.org\n"
        "B;2020-02-03;Mo 7 Uhr;kein-at\n"
    ).encode()
    with override("en"):
        result = import_groups(office, content, "a.csv")
    assert result.errors == [
        (
            2,
            "Line 2: “31.02.2020” is not a valid date for “Gegründet am”. "
            "Please write it as DD.MM.YYYY.",
        ),
        (
            3,
            "Line 3, “Treffzeiten”: “Mo 7 Uhr”: start and end are missing or unclear "
            "(e.g. “Di 19:00–21:00”).",
        ),
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


def cafe_row(rows, header, cell):
    [row] = [row for row in rows if row[0] == "Trauercafé"]
    row[rows[0].index(header)] = cell
    return rows


def test_an_edited_meetings_cell_keeps_named_rules_and_replaces_the_others(groups, office):
    before = state(office)
    rows = table(export_groups(office, "csv"), "csv")
    # The weekly rule stays (with its note), the monthly one goes, a new one comes.
    cafe_row(rows, "Treffzeiten", "Di 19:30–21:00; Fr 10:00–11:30")
    with override("de"):
        result = import_groups(office, saved(rows, "csv"), "gruppen.csv")
    assert result.ok, result.errors
    assert (result.updated, result.unchanged) == (1, len(groups) - 1)
    cafe = Group.objects.get(name="Trauercafé")
    kept, new = cafe.meeting_rules.order_by("weekday")
    assert kept.pk == before["Trauercafé"][3][0][0] and kept.note == "Eingang über den Hof"
    assert (new.kind, new.weekday, new.start_time, new.end_time, new.room) == (
        "weekly",
        4,
        datetime.time(10),
        datetime.time(11, 30),
        None,
    )
    assert list(cafe.changes.values_list("fields", flat=True)) == [["Treffzeiten"]]
    assert state(office)["Angehörige psychisch Kranker"] == before["Angehörige psychisch Kranker"]


def test_a_new_group_gets_the_rules_of_its_cell_and_an_empty_cell_removes_them(office):
    room = RoomFactory(site=SiteFactory(office=office, name="Haus"), name="Raum 1")
    content = 'Name;Treffzeiten\nA;"2. und 4. Di 19–21 (Haus – Raum 1); am 12.01.2027 10–12"\n'
    assert import_groups(office, content.encode(), "a.csv").ok
    listed, monthly = MeetingRule.objects.order_by("kind")  # "dates" < "monthly"
    assert (monthly.weeks, monthly.room) == ([2, 4], room)
    assert [item.date for item in listed.dates.all()] == [datetime.date(2027, 1, 12)]
    assert import_groups(office, b"Name;Treffzeiten\nA;\n", "a.csv").ok
    assert not MeetingRule.objects.exists()


def test_a_bad_meetings_cell_or_room_is_a_line_error_and_nothing_is_written(office):
    RoomFactory(site=SiteFactory(office=office, name="Haus"), name="Raum 1")
    content = "Name;Treffzeiten\nA;Di 19:00–21:00\nB;Di 19:00–21:00 (Haus – Keller)\n"
    with override("en"):
        result = import_groups(office, content.encode(), "a.csv")
    assert result.errors == [
        (
            3,
            "Line 3: “Haus – Keller” is not a valid value for “Treffzeiten”. "
            "Allowed: Haus – Raum 1.",
        )
    ]
    assert not Group.objects.exists() and not MeetingRule.objects.exists()


def test_a_rule_in_a_room_another_group_uses_then_is_refused(office):
    room = RoomFactory(site=SiteFactory(office=office, name="Haus"), name="Raum 1")
    other = GroupFactory(office=office, name="Andere", room=room)
    MeetingRule.objects.create(
        group=other, weekday=1, start_time=datetime.time(18), end_time=datetime.time(20)
    )
    content = "Name;Treffzeiten\nNeu;Di 19:00–21:00 (Haus – Raum 1)\n"
    with override("en"):
        result = import_groups(office, content.encode(), "a.csv", dry_run=True)
    [(line, message)] = result.errors
    assert line == 2
    assert "The room “Raum 1” is taken at that time: the group “Andere” meets there" in message
    assert Group.objects.count() == 1 and MeetingRule.objects.count() == 1


def test_two_rows_taking_the_same_room_at_the_same_time_write_nothing(office):
    RoomFactory(site=SiteFactory(office=office, name="Haus"), name="Raum 1")
    content = (
        "Name;Treffzeiten\n"
        "Erste;Di 19:00–21:00 (Haus – Raum 1)\n"
        "Zweite;Di 20:00–22:00 (Haus – Raum 1)\n"
    )
    with override("en"):
        assert import_groups(office, content.encode(), "a.csv", dry_run=True).ok  # each alone
        result = import_groups(office, content.encode(), "a.csv")
    [(line, message)] = result.errors
    assert line == 3 and "the group “Erste” meets there" in message
    assert not Group.objects.exists() and not MeetingRule.objects.exists()


def _mover_and_an_occupied_room(office):
    """ "Andere" meets in Haus – Raum 1 on Tuesdays 18–20; "Mover", without a room, on
    Tuesdays 19–21."""
    room = RoomFactory(site=SiteFactory(office=office, name="Haus"), name="Raum 1")
    other = GroupFactory(office=office, name="Andere", room=room)
    MeetingRule.objects.create(
        group=other, weekday=1, start_time=datetime.time(18), end_time=datetime.time(20)
    )
    mover = GroupFactory(office=office, name="Mover", city="")
    MeetingRule.objects.create(
        group=mover, weekday=1, start_time=datetime.time(19), end_time=datetime.time(21)
    )
    return mover


def test_moving_a_group_into_an_occupied_room_is_refused(office):
    mover = _mover_and_an_occupied_room(office)
    with override("en"):
        result = import_groups(office, "Name;Gruppenraum\nMover;Haus – Raum 1\n".encode(), "a.csv")
    [(line, message)] = result.errors
    assert line == 2 and "the group “Andere” meets there" in message
    mover.refresh_from_db()
    assert mover.room is None


def test_the_export_asks_a_bounded_number_of_queries(groups, office, django_assert_num_queries):
    for number in range(5):
        group = GroupFactory(office=office, name=f"Mehr {number}")
        MeetingRule.objects.create(
            group=group, weekday=2, start_time=datetime.time(18), end_time=datetime.time(19)
        )
    with django_assert_num_queries(4):  # groups, topics, rules, their dates
        export_groups(office, "csv")


def test_a_rule_s_room_typed_otherwise_is_no_change(office):
    room = RoomFactory(site=SiteFactory(office=office, name="Haus"), name="Raum 1")
    group = GroupFactory(office=office, name="A", city="")
    MeetingRule.objects.create(
        group=group,
        weekday=1,
        start_time=datetime.time(19),
        end_time=datetime.time(21),
        room=room,
        note="Schlüssel beim Hausmeister",
    )
    content = "Name;Treffzeiten\nA;dienstags 19-21 (haus - RAUM 1)\n"
    result = import_groups(office, content.encode(), "a.csv")
    assert result.ok and (result.updated, result.unchanged) == (0, 1)
    assert MeetingRule.objects.get().note == "Schlüssel beim Hausmeister"


def test_a_kept_rule_moving_with_the_group_into_an_occupied_room_is_refused(office):
    mover = _mover_and_an_occupied_room(office)
    # The Tuesday rule stays (named in the cell) and would move into Raum 1 with the group;
    # the Friday rule is new and free.
    content = 'Name;Gruppenraum;Treffzeiten\nMover;Haus – Raum 1;"Di 19:00–21:00; Fr 10:00–12:00"\n'
    with override("en"):
        result = import_groups(office, content.encode(), "a.csv")
    [(line, message)] = result.errors
    assert line == 2 and "the group “Andere” meets there" in message
    mover.refresh_from_db()
    assert mover.room is None and mover.meeting_rules.count() == 1
