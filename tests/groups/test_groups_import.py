"""Import and export of groups (CSV and XLSX): the module, the commands, the staff pages.

Messages are checked in English (``override("en")``) or by their line numbers, so the
tests do not depend on the German catalogue.
"""

import io
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils.translation import override
from openpyxl import Workbook, load_workbook

from groups import importing
from groups.import_files import MEETINGS, label
from groups.importing import COLUMNS, export_groups, import_groups, parse_file
from groups.models import Group, GroupChange, Synonym, Topic, TopicCategory
from tests.factories import GroupFactory, TopicCategoryFactory, TopicFactory

HEADER = (
    "name,topics,description,city,postcode,district,format,audience,age_group,accessible,"
    "status,accepts_new_members,schedule,languages,published\n"
)
CSV = HEADER + (
    "Trauercafé,Testthema Trauer,Für Trauernde,Musterstadt,12345,Südstadt,in_person,both,"
    "all,yes,active,yes,jeden 2. Sonntag,Deutsch,yes\n"
    "Anonyme Spieler,Testthema Spielsucht,,Musterstadt,12345,,hybrid,affected,young,no,"
    "founding,waiting_list,,Deutsch;Türkisch,no\n"
)


@pytest.fixture
def thesaurus(db):
    category = TopicCategoryFactory(name="Testkategorie Import", slug="testkategorie-import")
    topics = SimpleNamespace(
        grief=TopicFactory(category=category, name="Testthema Trauer"),
        gambling=TopicFactory(category=category, name="Testthema Spielsucht"),
        migraine=TopicFactory(category=category, name="Testthema Migräne"),
        anxiety=TopicFactory(category=category, name="Testthema Angststörung"),
    )
    Synonym.objects.create(topic=topics.migraine, term="Testkopfweh")
    return topics


@pytest.fixture
def reindexed(monkeypatch):
    """The ids passed to the search index after writing."""
    calls = []
    monkeypatch.setattr(importing, "reindex_groups", lambda ids: calls.append(sorted(ids)))
    return calls


def xlsx(rows, title=None):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    if title:
        workbook.create_sheet(title).append(["name"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def topic_names(group):
    return sorted(group.topics.values_list("name", flat=True))


def snapshot(office):
    """Everything the import columns describe, per group of the office."""
    return [
        (
            group.pk,
            topic_names(group),
            *(getattr(group, name) for name in COLUMNS if name not in ("topics", MEETINGS)),
            sorted(group.meeting_rules.values_list("pk", "kind", "weekday", "start_time")),
        )
        for group in Group.objects.filter(office=office).order_by("name")
    ]


def test_csv_with_commas_in_utf8_creates_groups(office, thesaurus, reindexed):
    result = import_groups(office, CSV.encode(), "gruppen.csv")
    assert result.ok and (result.created, result.updated, result.new_topics) == (2, 0, [])
    cafe = Group.objects.get(name="Trauercafé")
    assert cafe.office == office and cafe.slug == "trauercafe"
    assert (cafe.city, cafe.postcode, cafe.district) == ("Musterstadt", "12345", "Südstadt")
    assert cafe.listing == Group.Listing.PUBLIC_WITH_PLACE and cafe.step_free
    assert cafe.audience == Group.Audience.BOTH and cafe.schedule == "jeden 2. Sonntag"
    assert topic_names(cafe) == ["Testthema Trauer"]
    players = Group.objects.get(name="Anonyme Spieler")
    assert players.listing == Group.Listing.UNLISTED and not players.step_free
    assert players.status == Group.Status.FOUNDING and players.age_group == "young"
    assert players.accepts_new_members == Group.NewMembers.WAITING_LIST
    assert players.language_list() == ["Deutsch", "Türkisch"]
    change = cafe.changes.get()
    assert change.action == GroupChange.Action.IMPORTED and change.user is None
    assert reindexed == [sorted([cafe.pk, players.pk])]


def test_csv_with_byte_order_mark(office, thesaurus):
    result = import_groups(office, CSV.encode("utf-8-sig"), "gruppen.csv")
    assert result.ok and result.created == 2
    assert Group.objects.filter(name="Trauercafé").exists()


def test_semicolons_in_windows_1252_with_umlauts(office, thesaurus):
    content = (
        "name;topics;description;district\n"
        "Angehörige psychisch Kranker;Testthema Angststörung;Gespräche, Austausch;Südstadt\n"
    ).encode("cp1252")
    result = import_groups(office, content, "LISTE.CSV")
    assert result.ok, result.errors
    group = Group.objects.get(office=office)
    assert group.name == "Angehörige psychisch Kranker"
    assert (group.description, group.district) == ("Gespräche, Austausch", "Südstadt")
    assert topic_names(group) == ["Testthema Angststörung"]


def test_xlsx_is_read_from_the_first_sheet(office, thesaurus):
    content = xlsx(
        [
            ["Name", "Themen", "PLZ", "Form", "Barrierefrei"],
            ["Migräne-Treff", "Testkopfweh", 12345, "online", True],
            [None, None, None, None, None],
            ["Zweiter Treff", None, "01067", "hybrid", None],
        ],
        title="Notizen",
    )
    result = import_groups(office, content, "gruppen.xlsx")
    assert result.ok, result.errors
    treff = Group.objects.get(name="Migräne-Treff")
    assert (treff.postcode, treff.format, treff.step_free) == ("12345", "online", True)
    assert topic_names(treff) == ["Testthema Migräne"]
    assert Group.objects.get(name="Zweiter Treff").postcode == "01067"


def test_german_headers_and_values(office, thesaurus):
    content = (
        " Name ;THEMEN;Beschreibung;Ort;PLZ;Stadtteil;Form;Zielgruppe;Altersgruppe;"
        "Barrierefrei;Status;Neue Mitglieder;Treffen;Sprachen;Veröffentlicht\n"
        "Elternkreis;Testthema Trauer;Für Eltern;Musterstadt;12345;Nord;vor Ort;Angehörige;"
        "Junge Selbsthilfe;ja;in Gründung;Warteliste;montags;Deutsch;ja\n"
        "Seniorentreff;;;;;;online;beide;Senioren;nein;pausiert;nein;;Deutsch;nein\n"
    ).encode("cp1252")
    result = import_groups(office, content, "liste.csv")
    assert result.ok, result.errors
    parents = Group.objects.get(name="Elternkreis")
    assert (parents.format, parents.audience, parents.age_group) == (
        "in_person",
        "relatives",
        "young",
    )
    assert (parents.status, parents.accepts_new_members) == ("founding", "waiting_list")
    assert (parents.schedule, parents.city, parents.district) == ("montags", "Musterstadt", "Nord")
    assert parents.step_free and parents.listing == Group.Listing.PUBLIC_WITH_PLACE
    seniors = Group.objects.get(name="Seniorentreff")
    assert (seniors.audience, seniors.age_group, seniors.status) == ("both", "seniors", "paused")
    assert seniors.accepts_new_members == "no" and seniors.listing == Group.Listing.UNLISTED


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("yes", True),
        ("Ja", True),
        ("TRUE", True),
        ("1", True),
        ("x", True),
        ("no", False),
        ("nein", False),
        ("false", False),
        ("0", False),
        ("", False),
    ],
)
def test_yes_no_variants(office, word, expected):
    result = import_groups(
        office, f"name,accessible,published\nGruppe,{word},{word}\n".encode(), "a.csv"
    )
    assert result.ok, result.errors
    group = Group.objects.get()
    assert group.step_free is expected
    assert group.listing == (
        Group.Listing.PUBLIC_WITH_PLACE if expected else Group.Listing.UNLISTED
    )


def test_topic_found_by_synonym_ignoring_case(office, thesaurus):
    result = import_groups(office, b"name;topics\nKopfschmerz-Treff;  TESTKOPFWEH \n", "a.csv")
    assert result.ok and result.new_topics == []
    assert topic_names(Group.objects.get()) == ["Testthema Migräne"]


def test_topic_found_by_name_spelled_without_umlauts(office, thesaurus):
    count = Topic.objects.count()
    content = b'name,topics\nAngst-Gruppe,"testthema angststoerung; Testthema Migraene"\n'
    result = import_groups(office, content, "a.csv")
    assert result.ok and result.new_topics == []
    assert topic_names(Group.objects.get()) == ["Testthema Angststörung", "Testthema Migräne"]
    assert Topic.objects.count() == count


def test_unknown_topic_is_created_in_sonstige_and_reported(office, thesaurus):
    content = b'name,topics\nA,Testthema Neu\nB,"testthema neu;Testthema Trauer"\n'
    preview = import_groups(office, content, "a.csv", dry_run=True)
    assert preview.ok and preview.new_topics == ["Testthema Neu"]
    assert not Topic.objects.filter(name__iexact="Testthema Neu").exists()
    result = import_groups(office, content, "a.csv")
    assert result.new_topics == ["Testthema Neu"]
    topic = Topic.objects.get(name__iexact="Testthema Neu")
    category = TopicCategory.objects.get(slug="sonstige")
    assert topic.category == category and category.name == "Sonstige Themen"
    assert topic_names(Group.objects.get(name="B")) == ["Testthema Neu", "Testthema Trauer"]


def test_bad_rows_are_all_reported_and_nothing_is_written(office, thesaurus):
    content = (
        b"name,format,status,accessible,description\n"
        b'Gute Gruppe,online,active,yes,"zwei\nZeilen in einer Zelle"\n'
        b",online,active,yes,\n"
        b"Zweite,weekly,active,yes,\n"
        b"\n"
        b"Dritte,online,active,vielleicht,\n"
        b"Gute Gruppe,online,active,no,\n"
    )
    with override("en"):
        result = import_groups(office, content, "a.csv")
    assert [line for line, _message in result.errors] == [3, 4, 6, 7]
    messages = [message for _line, message in result.errors]
    assert messages[0] == "Line 3: the name is missing."
    assert messages[1] == (
        "Line 4: “weekly” is not a valid value for “Form”. Allowed: vor Ort; online; hybrid."
    )
    assert messages[2] == (
        "Line 6: “vielleicht” is not a valid value for “Stufenloser Zugang”. Allowed: Ja; Nein."
    )
    assert "line 2" in messages[3]
    assert not Group.objects.exists() and not GroupChange.objects.exists()


def test_over_long_values_are_refused(office):
    content = (
        f"name,postcode,topics\n{'x' * 201},12345,\nB,123456789012,\nC,,{'t' * 121}\n"
    ).encode()
    with override("en"):
        result = import_groups(office, content, "a.csv")
    assert [line for line, _message in result.errors] == [2, 3, 4]
    assert "200 characters" in result.errors[0][1] and "10 characters" in result.errors[1][1]
    assert "120 characters" in result.errors[2][1]
    assert not Group.objects.exists()


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"name\nA\n", "gruppen.pdf", ".csv or .xlsx"),
        (b"name\nGr\x81ppe\n", "a.csv", "cannot be read as text"),
        (b"name\x00\nA\n", "a.csv", "cannot be read as text"),
        (b"Ort;PLZ\nA;12345\n", "a.csv", "no column “name”"),
        (b"\n\n", "a.csv", "empty"),
        (b"not a zip file", "a.xlsx", "not an Excel file"),
        # A ZIP archive that is no workbook: the type looked right, the content is not.
        (b"PK\x03\x04" + b"\x00" * 40, "a.xlsx", "Excel file cannot be read"),
    ],
)
def test_unreadable_files_are_refused(office, content, filename, message):
    with override("en"):
        result = import_groups(office, content, filename)
    assert not result.ok and result.errors[0][0] is None
    assert message in result.errors[0][1]
    assert not Group.objects.exists()


def test_more_than_5000_rows_are_refused(office):
    rows = "".join(f"Gruppe {number}\n" for number in range(5000))
    assert import_groups(office, f"name\n{rows}".encode(), "a.csv", dry_run=True).created == 5000
    with override("en"):
        result = import_groups(office, f"name\n{rows}Eine zu viel\n".encode(), "a.csv")
    assert result.errors == [(None, "The file has more than 5,000 rows.")]


def test_reimport_updates_instead_of_duplicating(office, thesaurus, reindexed):
    import_groups(office, CSV.encode(), "a.csv")
    cafe = Group.objects.get(name="Trauercafé")
    changed = (
        CSV.replace("Trauercafé,Testthema Trauer", "TRAUERCAFÉ,Testthema Migräne;Testthema Trauer")
        .replace("Für Trauernde", "Neue Beschreibung")
        .replace("in_person", "online")
    )
    result = import_groups(office, changed.encode(), "a.csv")
    assert result.ok and (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert Group.objects.filter(office=office).count() == 2
    cafe.refresh_from_db()
    assert (cafe.name, cafe.description, cafe.format) == (
        "TRAUERCAFÉ",
        "Neue Beschreibung",
        "online",
    )
    assert cafe.slug == "trauercafe"
    assert topic_names(cafe) == ["Testthema Migräne", "Testthema Trauer"]
    assert cafe.changes.count() == 2 and len(cafe.changes.first().fields) == 4
    assert reindexed[-1] == [cafe.pk]


def test_identical_reimport_changes_nothing(office, thesaurus):
    import_groups(office, CSV.encode(), "a.csv")
    result = import_groups(office, CSV.encode(), "a.csv")
    assert result.ok and (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert GroupChange.objects.count() == 2


def test_missing_columns_keep_defaults_and_current_values(office, thesaurus):
    group = GroupFactory(
        office=office,
        name="Bestand",
        status=Group.Status.PAUSED,
        languages="Deutsch; Englisch",
        topics=[thesaurus.grief],
    )
    result = import_groups(office, b"name;city;format\nbestand;Neustadt;\nNeu;;\n", "a.csv")
    assert result.ok and (result.created, result.updated) == (1, 1)
    group.refresh_from_db()
    assert (group.city, group.status, group.languages) == (
        "Neustadt",
        "paused",
        "Deutsch; Englisch",
    )
    assert topic_names(group) == ["Testthema Trauer"]
    new = Group.objects.get(name="Neu")
    assert (new.format, new.status, new.languages) == ("in_person", "active", "Deutsch")
    assert new.listing == Group.Listing.PUBLIC_WITHOUT_PLACE and topic_names(new) == []


def test_published_yes_keeps_a_group_public_without_its_place(office):
    hidden = GroupFactory(office=office, name="Diskret", listing=Group.Listing.PUBLIC_WITHOUT_PLACE)
    unlisted = GroupFactory(office=office, name="Intern", listing=Group.Listing.UNLISTED)
    import_groups(office, b"name,published\nDiskret,yes\nIntern,yes\n", "a.csv")
    hidden.refresh_from_db()
    unlisted.refresh_from_db()
    assert hidden.listing == Group.Listing.PUBLIC_WITHOUT_PLACE
    assert unlisted.listing == Group.Listing.PUBLIC_WITH_PLACE


def test_dry_run_writes_nothing(office, thesaurus, reindexed):
    GroupFactory(office=office, name="Anonyme Spieler")
    topics = Topic.objects.count()
    content = CSV.replace("Testthema Spielsucht", "Testthema Ganz Neu").encode()
    result = import_groups(office, content, "a.csv", dry_run=True)
    assert result.ok and result.dry_run
    assert (result.created, result.updated, result.new_topics) == (1, 1, ["Testthema Ganz Neu"])
    assert list(Group.objects.values_list("name", flat=True)) == ["Anonyme Spieler"]
    assert Topic.objects.count() == topics
    assert not GroupChange.objects.exists() and reindexed == []


def test_other_office_is_untouched(office, other_office, thesaurus):
    theirs = GroupFactory(office=other_office, name="Trauercafé", description="Alt")
    result = import_groups(office, CSV.encode(), "a.csv")
    assert result.created == 2
    theirs.refresh_from_db()
    assert theirs.description == "Alt" and not theirs.changes.exists()
    assert Group.objects.filter(office=office).count() == 2


def test_parse_file_takes_a_file_object(office, thesaurus):
    rows = parse_file(io.BytesIO(b'name,topics,format\nA,"x; b ;X",online\n'), "a.csv")
    assert [(row.line, row.name, row.values, row.topics) for row in rows] == [
        (2, "A", {"name": "A", "format": "online"}, ["x", "b"])
    ]
    assert import_groups(office, io.BytesIO(CSV.encode()), "a.csv").created == 2


def test_export_csv_for_german_excel(office, other_office, thesaurus):
    GroupFactory(office=office, name="Eigene", topics=[thesaurus.migraine, thesaurus.grief])
    GroupFactory(office=other_office, name="Fremde")
    data = export_groups(office, "csv")
    assert data.startswith(b"\xef\xbb\xbf") and b"Fremde" not in data
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0] == ";".join(label(column) for column in COLUMNS) and len(lines) == 2
    assert lines[0].startswith("Name;Themen;Beschreibung;Für wen;Altersgruppe;")
    assert lines[1].startswith('Eigene;"Testthema Migräne; Testthema Trauer";')


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_round_trip(office, other_office, thesaurus, fmt):
    import_groups(office, CSV.encode(), "a.csv")
    GroupFactory(
        office=office,
        name="Sonderzeichen",
        description='Mit "Anführung"; Komma, und\nzweiter Zeile',
        listing=Group.Listing.PUBLIC_WITHOUT_PLACE,
        step_free=True,
        topics=[thesaurus.anxiety],
    )
    GroupFactory(office=other_office, name="Fremde")
    before, changes = snapshot(office), GroupChange.objects.count()
    data = export_groups(office, fmt)
    if fmt == "xlsx":
        rows = list(load_workbook(io.BytesIO(data)).worksheets[0].values)
        assert list(rows[0]) == [label(column) for column in COLUMNS] and len(rows) == 4
    result = import_groups(office, data, f"export.{fmt}")
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
    assert snapshot(office) == before and GroupChange.objects.count() == changes


def test_xlsx_export_keeps_formula_like_text_as_text(office):
    GroupFactory(office=office, name="Rechner", description="=SUMME(A1:A2)")
    data = export_groups(office, "xlsx")
    cell = load_workbook(io.BytesIO(data)).worksheets[0]["C2"]
    assert (cell.value, cell.data_type) == ("=SUMME(A1:A2)", "s")
    assert import_groups(office, data, "a.xlsx").unchanged == 1


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_csv_export_guards_formula_like_text_and_reads_it_back(office, start):
    GroupFactory(office=office, name="Rechner", description=f'{start}HYPERLINK("x")')
    data = export_groups(office, "csv")
    line = data.decode("utf-8-sig").splitlines()[1]
    assert f"'{start}HYPERLINK" in line  # an apostrophe: Excel shows it as text
    assert f";{start}HYPERLINK" not in line and f'"{start}HYPERLINK' not in line
    assert import_groups(office, data, "a.csv").unchanged == 1  # the same text again


def test_import_command(office, thesaurus, tmp_path, capsys):
    source = tmp_path / "gruppen.csv"
    source.write_text(CSV, encoding="utf-8")
    call_command("import_groups", str(source), "--dry-run")
    out = capsys.readouterr().out
    assert "2 neue, 0 geänderte, 0 unveränderte Gruppen würden importiert" in out
    assert "Probelauf" in out
    assert not Group.objects.exists()
    call_command("import_groups", str(source))
    assert Group.objects.filter(office=office).count() == 2
    assert not GroupChange.objects.filter(user__isnull=False).exists()


def test_import_command_reports_bad_rows(office, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("name,format\nA,zeppelin\n,online\n", encoding="utf-8")
    with pytest.raises(CommandError, match="2 Probleme gefunden; es wurde nichts importiert"):
        call_command("import_groups", str(bad))
    assert "zeppelin" in capsys.readouterr().err
    assert not Group.objects.exists()
    with pytest.raises(CommandError, match="existiert nicht"):
        call_command("import_groups", str(tmp_path / "missing.csv"))


def test_commands_need_the_office_when_there_are_several(office, other_office, tmp_path):
    source = tmp_path / "gruppen.csv"
    source.write_text("name\nA\n", encoding="utf-8")
    with pytest.raises(CommandError, match="--office"):
        call_command("import_groups", str(source))
    with pytest.raises(CommandError, match="--office"):
        call_command("export_groups", str(tmp_path / "out.csv"))
    with pytest.raises(CommandError, match="keine Kontaktstelle mit dem Kurznamen"):
        call_command("import_groups", str(source), "--office", "gibt-es-nicht")
    call_command("import_groups", str(source), "--office", other_office.slug)
    assert list(Group.objects.values_list("office", flat=True)) == [other_office.pk]


def test_export_command(office, other_office, tmp_path):
    GroupFactory(office=office, name="Eigene")
    GroupFactory(office=other_office, name="Fremde")
    target = tmp_path / "out.xlsx"
    call_command("export_groups", str(target), "--office", office.slug, "--format", "xlsx")
    rows = list(load_workbook(target).worksheets[0].values)
    assert [row[0] for row in rows] == ["Name", "Eigene"]
    call_command("export_groups", str(tmp_path / "out.csv"), "--office", office.slug)
    assert (tmp_path / "out.csv").read_bytes().startswith("\ufeffName;Themen;".encode())


def test_upload_page_previews_then_imports(client, staff, office, thesaurus):
    client.force_login(staff)
    upload = io.BytesIO(CSV.encode())
    upload.name = "gruppen.csv"
    preview = client.post(reverse("groups:group_import"), {"file": upload})
    assert preview.status_code == 200
    assert preview.context["result"].created == 2
    assert not Group.objects.exists()
    response = client.post(reverse("groups:group_import"), {"confirm": "1"})
    assert response.status_code == 302
    assert Group.objects.filter(office=office).count() == 2
    assert GroupChange.objects.filter(user=staff).count() == 2


def test_upload_page_lists_bad_rows(client, staff):
    client.force_login(staff)
    upload = io.BytesIO(b"name,format\nA,zeppelin\n")
    upload.name = "gruppen.csv"
    response = client.post(reverse("groups:group_import"), {"file": upload})
    assert [line for line, _message in response.context["result"].errors] == [2]
    assert "zeppelin" in response.content.decode()
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
