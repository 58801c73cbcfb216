"""Import and export of groups (CSV and XLSX), command and staff upload page."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from groups.importing import COLUMNS, export_groups, import_groups
from groups.models import Group, GroupChange, Topic
from groups.search import ranked_group_ids
from tests.factories import GroupFactory

CSV = (
    "name,topics,description,city,postcode,district,format,audience,age_group,accessible,"
    "status,accepts_new_members,schedule,languages,published\n"
    "Trauercafé,Trauer;Verlust,Für Trauernde,Musterstadt,12345,Südstadt,in_person,both,all,"
    "yes,active,yes,jeden 2. Sonntag,Deutsch,yes\n"
    "Anonyme Spieler,Glücksspiel,,Musterstadt,12345,,hybrid,affected,young,no,founding,"
    "waiting_list,,Deutsch;Türkisch,no\n"
)


def xlsx(rows):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_csv_import_creates_groups_with_topics_and_listing(office):
    result = import_groups(office, CSV.encode(), "gruppen.csv")
    assert result.ok and result.created == 2 and result.updated == 0
    cafe = Group.objects.get(name="Trauercafé")
    assert cafe.office == office
    assert cafe.listing == Group.Listing.PUBLIC_WITH_PLACE
    assert cafe.step_free and cafe.audience == Group.Audience.BOTH
    assert list(cafe.topics.values_list("name", flat=True)) == ["Trauer"]  # synonym "Verlust"
    players = Group.objects.get(name="Anonyme Spieler")
    assert players.listing == Group.Listing.UNLISTED
    assert players.status == Group.Status.FOUNDING
    assert players.language_list() == ["Deutsch", "Türkisch"]
    assert list(players.topics.values_list("name", flat=True)) == ["Spielsucht"]
    assert cafe.changes.get().action == GroupChange.Action.IMPORTED
    assert ranked_group_ids(Group.objects.public(), "Trauer") == [cafe.pk]


def test_reimport_updates_instead_of_duplicating(office):
    import_groups(office, CSV.encode(), "gruppen.csv")
    changed = CSV.replace("Für Trauernde", "Neue Beschreibung").replace("Trauercafé", "TRAUERCAFÉ")
    result = import_groups(office, changed.encode(), "gruppen.csv")
    assert result.ok and result.created == 0 and result.updated == 2
    assert Group.objects.filter(office=office).count() == 2
    assert Group.objects.get(name="TRAUERCAFÉ").description == "Neue Beschreibung"


def test_semicolon_windows_1252_with_german_headers_and_values(office):
    content = (
        "Name;Themen;Ort;Form;Zielgruppe;Altersgruppe;Barrierefrei;Status;Neue Mitglieder;"
        "Veröffentlicht\n"
        "Angehörige psychisch Kranker;Angehörige psychisch Kranker;Südstadt;vor Ort;Angehörige;"
        "Junge Selbsthilfe;ja;aktiv;Warteliste;nein\n"
    ).encode("cp1252")
    result = import_groups(office, content, "liste.CSV")
    assert result.ok, result.errors
    group = Group.objects.get()
    assert group.name == "Angehörige psychisch Kranker"
    assert group.city == "Südstadt"
    assert group.audience == Group.Audience.RELATIVES
    assert group.age_group == Group.AgeGroup.YOUNG
    assert group.accepts_new_members == Group.NewMembers.WAITING_LIST
    assert group.listing == Group.Listing.UNLISTED
    assert group.step_free


def test_xlsx_import(office):
    content = xlsx([["name", "topics", "format"], ["Migräne-Treff", "Migraene", "online"]])
    result = import_groups(office, content, "gruppen.xlsx")
    assert result.ok, result.errors
    group = Group.objects.get()
    assert group.format == Group.Format.ONLINE
    assert list(group.topics.values_list("name", flat=True)) == ["Migräne"]


def test_unknown_topic_is_created_and_reported(office):
    content = b"name;topics\nNeue Gruppe;Testthema Unbekannt\n"
    preview = import_groups(office, content, "x.csv", dry_run=True)
    assert preview.new_topics == ["Testthema Unbekannt"]
    assert not Topic.objects.filter(name="Testthema Unbekannt").exists()
    result = import_groups(office, content, "x.csv")
    assert result.new_topics == ["Testthema Unbekannt"]
    assert Topic.objects.get(name="Testthema Unbekannt").category.slug == "sonstige"


def test_bad_rows_import_nothing_and_are_all_reported(office):
    content = (
        "name,format,status,accessible\n"
        "Gute Gruppe,online,active,yes\n"
        ",online,active,yes\n"
        "Zweite,weekly,active,yes\n"
        "Dritte,online,aktiv,vielleicht\n"
    ) + ("x" * 250 + ",online,active,no\n")
    content = content.encode()
    result = import_groups(office, content, "x.csv")
    lines = [line for line, _message in result.errors]
    assert lines == [3, 4, 5, 6]
    messages = " ".join(message for _line, message in result.errors)
    assert "Der Name fehlt" in messages
    assert "unbekannter Wert „weekly“ in Spalte „format“" in messages
    assert "ist weder ja noch nein" in messages
    assert "länger als 200 Zeichen" in messages
    assert not Group.objects.exists()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"nom,ville\nA,B\n", "x.csv", "keine Spalte „name“"),
        (b"", "x.csv", "leer"),
        (b"name\nA\n", "x.pdf", ".csv- oder .xlsx-Datei"),
        (b"not a zip", "x.xlsx", "kann nicht gelesen werden"),
    ],
)
def test_unreadable_files_are_refused(office, content, name, message):
    result = import_groups(office, content, name)
    assert not result.ok and message in result.errors[0][1]
    assert not Group.objects.exists()


def test_dry_run_writes_nothing(office):
    result = import_groups(office, CSV.encode(), "x.csv", dry_run=True)
    assert result.ok and result.created == 2
    assert not Group.objects.exists()


def test_import_never_touches_another_office(office, other_office):
    GroupFactory(office=other_office, name="Trauercafé", description="Alt")
    import_groups(office, CSV.encode(), "x.csv")
    assert Group.objects.get(office=other_office).description == "Alt"
    assert Group.objects.filter(office=office).count() == 2


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_round_trip(office, other_office, fmt):
    import_groups(office, CSV.encode(), "x.csv")
    GroupFactory(office=other_office, name="Fremd")
    before = list(Group.objects.filter(office=office).values(*COLUMNS[2:9]).order_by("name"))
    data = export_groups(office, fmt)
    if fmt == "csv":
        assert data.startswith(b"\xef\xbb\xbf") and b"Fremd" not in data
        assert data.decode("utf-8-sig").splitlines()[0] == ";".join(COLUMNS)
    else:
        rows = list(load_workbook(io.BytesIO(data)).active.values)
        assert list(rows[0]) == COLUMNS and len(rows) == 3
    result = import_groups(office, data, f"export.{fmt}")
    assert result.ok and result.updated == 2 and result.created == 0
    after = list(Group.objects.filter(office=office).values(*COLUMNS[2:9]).order_by("name"))
    assert after == before


def test_commands(office, tmp_path, capsys):
    source = tmp_path / "gruppen.csv"
    source.write_text(CSV, encoding="utf-8")
    call_command("import_groups", str(source), "--dry-run")
    assert not Group.objects.exists()
    call_command("import_groups", str(source))
    assert Group.objects.count() == 2
    target = tmp_path / "out.xlsx"
    call_command("export_groups", str(target), "--format", "xlsx")
    assert target.stat().st_size > 0
    bad = tmp_path / "bad.csv"
    bad.write_text("name,format\nA,zeppelin\n", encoding="utf-8")
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_groups", str(bad))


def test_command_needs_office_when_there_are_several(office, other_office, tmp_path):
    source = tmp_path / "gruppen.csv"
    source.write_text(CSV, encoding="utf-8")
    with pytest.raises(CommandError, match="--office"):
        call_command("import_groups", str(source))
    with pytest.raises(CommandError, match="No office"):
        call_command("import_groups", str(source), "--office", "gibt-es-nicht")
    call_command("import_groups", str(source), "--office", other_office.slug)
    assert Group.objects.filter(office=other_office).count() == 2


def test_upload_page_previews_then_imports(client, staff, office):
    client.force_login(staff)
    upload = io.BytesIO(CSV.encode())
    upload.name = "gruppen.csv"
    preview = client.post(reverse("groups:group_import"), {"file": upload})
    assert preview.status_code == 200
    assert "2 neue Gruppen" in preview.content.decode()
    assert not Group.objects.exists()
    response = client.post(reverse("groups:group_import"), {"confirm": "1"})
    assert response.status_code == 302
    assert Group.objects.filter(office=office).count() == 2
    assert GroupChange.objects.filter(user=staff).count() == 2


def test_upload_page_lists_bad_rows(client, staff):
    client.force_login(staff)
    upload = io.BytesIO(b"name,format\nA,zeppelin\n")
    upload.name = "gruppen.csv"
    content = client.post(reverse("groups:group_import"), {"file": upload}).content.decode()
    assert "Es wurde nichts importiert" in content
    assert "zeppelin" in content
    assert client.post(reverse("groups:group_import"), {"confirm": "1"}).status_code == 302
    assert not Group.objects.exists()


def test_export_download_is_scoped_to_the_office(client, staff, office, other_office):
    GroupFactory(office=office, name="Eigene")
    GroupFactory(office=other_office, name="Fremde")
    client.force_login(staff)
    response = client.get(reverse("groups:group_export"), {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="gruppen.csv"'
    assert b"Eigene" in response.content and b"Fremde" not in response.content


@pytest.mark.parametrize("persona", ["starter", "coordinator"])
def test_import_and_export_refuse_other_roles(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("groups:group_import")).status_code == 403
    assert client.get(reverse("groups:group_export")).status_code == 403
