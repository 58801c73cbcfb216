"""CSV and XLSX files for German Excel, safe against formula injection.

A cell that begins with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage return) would be
run as a formula by a spreadsheet program: a group name like ``=HYPERLINK(...)`` typed into
a web form must arrive as text. In CSV such text gets a leading apostrophe (OWASP's advice;
the group import takes it off again); in XLSX every text cell is written with the string
type, which a spreadsheet never runs. Numbers stay numbers.
"""

import csv
import io

from django.utils import formats
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


def neutralise(value):
    """Text that a spreadsheet would run as a formula, turned into plain text."""
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_START) else text


def _is_number(value):
    return isinstance(value, int | float) and not isinstance(value, bool)


def csv_bytes(rows):
    """Rows as CSV for German Excel: semicolons, decimal commas, UTF-8 with a BOM."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    for row in rows:
        writer.writerow(
            [
                ""
                if value is None
                else formats.number_format(value)
                if isinstance(value, float)
                else value
                if _is_number(value)
                else neutralise(value)
                for value in row
            ]
        )
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_bytes(title, rows):
    """Rows as one XLSX sheet: numbers as numbers, everything else as text, never a formula."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(title)[:31].replace("/", "-"))
    for row in rows:
        cells = []
        for value in row:
            if _is_number(value):
                cells.append(value)
                continue
            text = "" if value is None else ILLEGAL_CHARACTERS_RE.sub("", str(value))
            cell = WriteOnlyCell(sheet, value=text)
            cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
