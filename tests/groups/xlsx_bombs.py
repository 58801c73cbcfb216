"""XLSX archives made by hand: the worst file the import's limits let through, and bombs."""

import io
import random
import zipfile

from groups.import_files import COLUMNS

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="rels" ContentType="application/'
    'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
    '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
    '"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType='
    '"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
    '.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
    'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships"><sheets><sheet name="Gruppen" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
    '.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/'
    'sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def shared_strings(count):
    items = "".join(f"<si><t>{i:x}</t></si>" for i in range(count))
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{_MAIN}" count="{count}" '
        f'uniqueCount="{count}">{items}</sst>'
    )


def sheet(rows, numbered=True):
    """Rows of cells: text (inline) or numbers (an empty row is []).

    Without numbers (``r="..."``, which the format allows to leave out) repeated rows
    are identical and pack very tightly: the shape of an upload bomb.
    """
    out = [f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_MAIN}"><sheetData>']
    for number, row in enumerate(rows, start=1):
        cells = "".join(
            f'<c t="inlineStr"><is><t>{value}</t></is></c>'
            if isinstance(value, str)
            else f"<c><v>{value}</v></c>"
            for value in row
        )
        out.append(f'<row r="{number}">{cells}</row>' if numbered else f"<row>{cells}</row>")
    out.append("</sheetData></worksheet>")
    return "".join(out)


def archive(parts):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as packed:
        for name, text in parts.items():
            packed.writestr(name, text)
    return buffer.getvalue()


def workbook(sheet_xml, strings_xml=None, extra=None):
    return archive(
        {
            "[Content_Types].xml": _CONTENT_TYPES,
            "_rels/.rels": _RELS,
            "xl/workbook.xml": _WORKBOOK,
            "xl/_rels/workbook.xml.rels": _WORKBOOK_RELS,
            "xl/sharedStrings.xml": strings_xml or shared_strings(0),
            "xl/worksheets/sheet1.xml": sheet_xml,
            **(extra or {}),
        }
    )


def worst_allowed(lines, columns=100, strings=400_000):
    """Within every limit and as heavy as they allow: a shared-string table near its cap,
    every line filled, every column with a known header (each meaning many times)."""
    numbers = random.Random(1)
    header = [COLUMNS[i % len(COLUMNS)] for i in range(columns)]
    body = ([numbers.randrange(10**5) for _ in range(columns)] for _ in range(lines - 1))
    return workbook(sheet([header, *body]), shared_strings(strings))
