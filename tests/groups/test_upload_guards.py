"""Uploads cannot take a server's memory: XLSX archives and CSV files are checked first.

A 61 KiB XLSX once made a worker grow by 536 MiB (issue 16). Every refusal is a clear
German message and changes nothing.
"""

import io
import os
import subprocess
import sys
import zipfile

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from groups import import_files, importing
from groups.import_files import ImportFileError, read_rows
from groups.models import Group
from tests.groups import xlsx_bombs
from tests.processes import BASE_DIR

MEMORY_LIMIT_MB = 150


def refusal(content, filename):
    with pytest.raises(ImportFileError) as refused:
        read_rows(content, filename)
    return str(refused.value)


def test_the_worst_allowed_xlsx_is_within_every_limit():
    content = xlsx_bombs.worst_allowed(import_files.MAX_LINES)
    assert len(content) <= import_files.MAX_BYTES
    import_files._check_archive(content)  # passes: this is the heaviest file let through
    with zipfile.ZipFile(io.BytesIO(content)) as packed:
        strings = packed.getinfo("xl/sharedStrings.xml").file_size
    assert strings > import_files.MAX_PART_BYTES * 0.75  # the string table near its cap


MEASURE = """
import resource, sys
import django
django.setup()
from groups.importing import read_rows
content = open(sys.argv[1], "rb").read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
rows = read_rows(content, "gruppen.xlsx")
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(len(rows), before // 1024, after // 1024)
"""


def test_reading_the_worst_allowed_xlsx_stays_under_150_mb(tmp_path):
    path = tmp_path / "worst.xlsx"
    path.write_bytes(xlsx_bombs.worst_allowed(import_files.MAX_LINES))
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "tests.settings", "PYTHONPATH": str(BASE_DIR)}
    result = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path)],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    lines, before_mb, peak_mb = map(int, result.stdout.split())
    assert lines == import_files.MAX_LINES  # it was read, all of it
    # The growth of the reading process (Django itself takes about 60 MB before).
    assert peak_mb - before_mb < MEMORY_LIMIT_MB, (before_mb, peak_mb)


def test_a_shared_string_table_over_its_cap_is_refused():
    strings = xlsx_bombs.shared_strings(600_000)  # about 12.7 MB unpacked
    content = xlsx_bombs.workbook(xlsx_bombs.sheet([["name"], ["A"]]), strings)
    assert len(content) < import_files.MAX_BYTES
    assert "entpackt sich zu weit mehr Daten" in refusal(content, "gruppen.xlsx")


def test_a_part_packed_more_than_100_to_1_is_refused():
    # 20 MB of one repeated row: 61 KiB packed, the kind of file that took 536 MiB.
    rows = [["name"]] + [["Gruppe"]] * 700_000
    content = xlsx_bombs.workbook(xlsx_bombs.sheet(rows, numbered=False))
    assert len(content) < 200 * 1024
    assert "entpackt sich zu weit mehr Daten" in refusal(content, "gruppen.xlsx")


def test_more_than_100_parts_are_refused():
    extra = {f"xl/media/image{i}.xml": "<x/>" for i in range(100)}
    content = xlsx_bombs.workbook(xlsx_bombs.sheet([["name"], ["A"]]), extra=extra)
    assert "entpackt sich zu weit mehr Daten" in refusal(content, "gruppen.xlsx")


def test_an_archive_over_the_unpacked_cap_is_refused(monkeypatch):
    content = xlsx_bombs.workbook(xlsx_bombs.sheet([["name"], ["A"]] * 500))
    read_rows(content, "gruppen.xlsx")  # within the real cap
    monkeypatch.setattr(import_files, "MAX_UNPACKED_BYTES", 10_000)
    assert "entpackt sich zu weit mehr Daten" in refusal(content, "gruppen.xlsx")


def test_a_broken_archive_is_refused():
    content = b"PK\x03\x04" + b"\x00" * 200
    assert refusal(content, "gruppen.xlsx") == "Die Excel-Datei kann nicht gelesen werden."


def test_empty_xlsx_lines_count_towards_the_line_limit():
    rows = [["name"], ["A"]] + [[]] * import_files.MAX_LINES
    content = xlsx_bombs.workbook(xlsx_bombs.sheet(rows))
    message = refusal(content, "gruppen.xlsx")
    assert "mehr als 10.001 Zeilen (leere Zeilen zählen mit)" in message


def test_a_sheet_claiming_a_million_rows_is_read_as_it_is():
    rows = xlsx_bombs.sheet([["name"], ["A"]]).replace(
        "<sheetData>", '<dimension ref="A1:CV1048576"/><sheetData>'
    )
    read = read_rows(xlsx_bombs.workbook(rows), "gruppen.xlsx")
    assert [cells[:1] for cells in read] == [["name"], ["A"]]


def test_empty_csv_lines_count_towards_the_line_limit():
    content = b"name\nA\n" + b";\n" * import_files.MAX_LINES
    assert "leere Zeilen zählen mit" in refusal(content, "gruppen.csv")


def test_only_known_columns_are_kept_below_the_header():
    content = b"name;unbekannt;Name;city\nA;x;B;Ort\n"
    assert read_rows(content, "gruppen.csv") == [
        ["name", "unbekannt", "Name", "city"],
        ["A", "", "", "Ort"],
    ]


def test_a_file_with_a_header_and_no_rows(office, tmp_path, client, staff):
    with pytest.raises(ImportFileError, match=r"Die Datei enthält keine Zeilen\."):
        importing.parse_file(b"name;city\n;\n", "gruppen.csv")
    path = tmp_path / "gruppen.csv"
    path.write_bytes(b"name;city\n")
    with pytest.raises(CommandError) as refused:
        call_command("import_groups", str(path))
    assert refused.value.returncode == 1
    assert "Die Datei enthält keine Zeilen." in str(refused.value)
    client.force_login(staff)
    upload = io.BytesIO(b"name;city\n")
    upload.name = "gruppen.csv"
    response = client.post(reverse("groups:group_import"), {"file": upload})
    assert "Die Datei enthält keine Zeilen." in response.content.decode()
    assert not Group.objects.exists()


def test_an_upload_bomb_through_the_staff_page_changes_nothing(client, staff):
    client.force_login(staff)
    upload = io.BytesIO(
        xlsx_bombs.workbook(xlsx_bombs.sheet([["name"]] + [["G"]] * 700_000, numbered=False))
    )
    upload.name = "gruppen.xlsx"
    response = client.post(reverse("groups:group_import"), {"file": upload})
    assert response.status_code == 200
    assert "entpackt sich zu weit mehr Daten" in response.content.decode()
    assert client.post(reverse("groups:group_import"), {"confirm": "1"}).status_code == 302
    assert not Group.objects.exists()


def test_the_command_line_import_speaks_german(office, tmp_path, capsys):
    path = tmp_path / "gruppen.csv"
    path.write_text("name\nTrauercafé\n", encoding="utf-8")
    call_command("import_groups", str(path))
    assert "1 Gruppen angelegt, 0 geändert, 0 unverändert." in capsys.readouterr().out
