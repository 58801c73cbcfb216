"""Reading an uploaded .csv or .xlsx file into rows, safely.

Files are checked before they are read, so that a small file cannot take a server's
memory (an "upload bomb"): at most 5 MB; an XLSX archive at most 50 MB unpacked, no
part of it but the sheets over 10 MB, at most 100 parts, nothing packed more than 100
to 1; reading stops after ``MAX_LINES`` lines, empty ones included. Below the header
only the cells of known columns are kept.

Also here: the columns and the headers accepted for them (``column_of``), so that the
reading knows which cells to keep."""

import csv
import datetime
import functools
import io
import zipfile

from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from groups.forms.staff import GroupForm
from groups.models import Group
from groups.text import fold
from kontaktstelle.web import spreadsheets

# The office's spreadsheets speak German, whatever the language of the page: the export
# is headed by the German labels of the group form and writes German values.
LANGUAGE = "de"


# The columns in the export's order: every field of the staff's group form (GroupForm)
# but the two that only steer saving the form (how a consent was given, publishing
# without one).
FORM_ONLY = ("consent_channel", "publish_without_consent")
COLUMNS = [name for name in GroupForm.Meta.fields if name not in FORM_ONLY]


# The group's meeting rules, entered on their own page, in one cell after the rhythm as
# the group says it ("Di 19:00–21:00; 2. und 4. Do 18:00–20:00": ``groups.rule_text``).
MEETINGS = "meetings"
COLUMNS.insert(COLUMNS.index("schedule") + 1, MEETINGS)
MEETINGS_LABEL = gettext_lazy("Regular meeting times")


# Read, never written: "published" (yes/no) of the import's first version.
LEGACY_COLUMNS = ["published"]


# Headers accepted besides a column's name and its German and English label: those of
# the lists offices kept before, and of the import's first version.
ALIASES = {
    "topics": "Thema",
    "format": "Form/Format",
    "audience": "Zielgruppe",
    "schedule": "Termine, Treffen/Termine",
    MEETINGS: "Treffzeiten, Regeltermine",
    "step_free": "accessible, Barrierefrei",
    "published": "Veröffentlicht",
}


MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024


MAX_COLUMNS = 100


# Lines read at most, empty ones included: the header, MAX_ROWS rows and room for gaps.
MAX_LINES = 2 * MAX_ROWS + 1


# An XLSX file is a ZIP archive of XML parts; openpyxl unpacks the shared strings and
# the styles whole, so these limits bound what it can be made to hold in memory.
MAX_UNPACKED_BYTES = 50 * 1024 * 1024


MAX_PART_BYTES = 10 * 1024 * 1024  # any part but a worksheet


MAX_PARTS = 100


MAX_PACKING_RATIO = 100


def _key(value):
    """A header or value as compared: folded, "_" and "-" as blanks, blanks single."""
    return " ".join(fold(value).replace("_", " ").replace("-", " ").split())


def _keys(value, words):
    return {_key(word): value for word in [value, *words.split(",")] if word.strip()}


def in_language(text, language=LANGUAGE):
    """A (lazy) translatable text in the spreadsheets' language, or another one."""
    with translation.override(language):
        return str(text)


def label(column, language=LANGUAGE):
    """The column's header: the form's label of its field, German unless told."""
    if column == MEETINGS:
        return in_language(MEETINGS_LABEL, language)
    return in_language(capfirst(Group._meta.get_field(column).verbose_name), language)


@functools.cache
def _headers():
    """{header as compared: column} for every accepted header; the first meaning wins."""
    headers = {}
    for column in [*COLUMNS, *LEGACY_COLUMNS]:
        words = ALIASES.get(column, "")
        if column in COLUMNS:
            words = ",".join([label(column), label(column, "en"), words])
        for key in _keys(column, words):
            headers.setdefault(key, column)
    return headers


def column_of(header):
    """The column a header names, or None."""
    return _headers().get(_key(header))


class ImportFileError(Exception):
    """The file cannot be imported; ``errors`` lists (line or None, message) for users."""

    def __init__(self, errors):
        self.errors = errors
        super().__init__("; ".join(message for _line, message in errors))


def _fail(message):
    raise ImportFileError([(None, message)])


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    # Excel turns what looks like a date or a time into one: back to how we write them.
    if isinstance(value, datetime.datetime) and value.time() == datetime.time(0):
        value = value.date()
    if isinstance(value, datetime.datetime):
        return value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    # Our own CSV export guards "=...", "-..." with an apostrophe: take it off again.
    if text.startswith("'") and text[1:].startswith(spreadsheets.FORMULA_START):
        return text[1:]
    return text


def _check_archive(content):
    """Refuse an XLSX archive that would unpack into far more than it weighs."""
    too_big = _(
        "The Excel file unpacks to far more data than a list of groups holds. Please "
        "copy the groups into a new file or save them as CSV."
    )
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        _fail(_("The Excel file cannot be read."))
    if len(parts) > MAX_PARTS:
        _fail(too_big)
    unpacked = 0
    for part in parts:
        unpacked += part.file_size
        sheet = part.filename.startswith("xl/worksheets/")
        packed_tightly = part.file_size > 1024 * 1024 and (
            part.file_size > MAX_PACKING_RATIO * max(part.compress_size, 1)
        )
        if packed_tightly or (not sheet and part.file_size > MAX_PART_BYTES):
            _fail(too_big)
    if unpacked > MAX_UNPACKED_BYTES:
        _fail(too_big)


def _too_many_lines():
    _fail(
        _(
            "The file has more than %(limit)s lines (empty lines count too). Please "
            "delete the empty lines below the groups."
        )
        % {"limit": f"{MAX_LINES:,}".replace(",", ".")}
    )


def _kept(rows):
    """The rows' cells as text, empty rows as [] (they keep the line numbers).

    Below the header only the cells of known columns are kept, each meaning's first
    (others read as ""), so that a wide sheet costs no memory for what is not read.
    """
    kept = []
    known = ()
    for row in rows:
        if len(kept) == MAX_LINES:
            _too_many_lines()
        row = row[:MAX_COLUMNS]
        if not kept:
            cells = [_cell(value) for value in row]
            first = {}  # of two columns with one meaning, the first wins
            for i, header in enumerate(cells):
                first.setdefault(column_of(header), i)
            known = {i for column, i in first.items() if column}
        else:
            cells = [_cell(value) if i in known else "" for i, value in enumerate(row)]
        kept.append(cells if any(cells) else [])
    return kept


def _xlsx_rows(content):
    from openpyxl import load_workbook

    _check_archive(content)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            rows = workbook.worksheets[0].iter_rows(values_only=True, max_col=MAX_COLUMNS)
            return _kept(rows)
        finally:
            workbook.close()
    except ImportFileError:
        raise
    except Exception:  # openpyxl raises many kinds of errors for broken files
        _fail(_("The Excel file cannot be read."))


def _csv_rows(content):
    unreadable = _("The file cannot be read as text: please save it as CSV (UTF-8 or Windows).")
    if b"\x00" in content:
        _fail(unreadable)
    try:
        decoded = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            decoded = content.decode("cp1252")
        except UnicodeDecodeError:
            _fail(unreadable)
    # The delimiter is sniffed from the header line, where neither appears in a name.
    header = decoded.lstrip().split("\n", 1)[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    try:
        return _kept(csv.reader(io.StringIO(decoded, newline=""), delimiter=delimiter))
    except csv.Error:
        _fail(_("The CSV file cannot be read."))


def read_rows(content: bytes, filename: str) -> list[list[str]]:
    """The file's rows as lists of stripped strings, header first."""
    if len(content) > MAX_BYTES:
        _fail(_("The file is larger than 5 MB."))
    suffix = filename.lower().rsplit(".", 1)[-1]
    if suffix == "xlsx":
        if not content.startswith(b"PK\x03\x04"):  # an XLSX file is a ZIP archive
            _fail(_("The file is not an Excel file (.xlsx)."))
        return _xlsx_rows(content)
    if suffix == "csv":
        return _csv_rows(content)
    _fail(_("Please upload a .csv or .xlsx file."))
