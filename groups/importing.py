"""Import and export of an office's groups as CSV or XLSX (the office's Excel list).

Import rules:
- The whole file is checked before anything is written: one bad row and nothing is
  imported; every bad row is reported with its line number as a spreadsheet shows it
  (the header is line 1).
- A row updates the office's existing group of the same name, else creates a group.
  Names are compared ignoring case, umlaut spelling and accents ("Trauercafé" =
  "TRAUERCAFE"); groups of other offices are never looked at.
- Only the columns present in the file are written. An empty cell clears a text field;
  an empty cell in a choice column or in "languages" keeps the current value (for a
  new group: the model's default). "published" yes makes a new or unlisted group
  public with its meeting place and leaves an already public group as it is.
- Topics are matched by topic name or synonym, folded like names; unknown topics are
  created in the category "Sonstige Themen" and reported.
- A group whose values all stay the same is counted as unchanged and gets no history.
"""

import csv
import io
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from groups.models import Group, GroupChange, Synonym, Topic, TopicCategory
from groups.search import reindex_groups
from groups.services import unique_slug
from groups.text import fold

COLUMNS = [
    "name",
    "topics",
    "description",
    "city",
    "postcode",
    "district",
    "format",
    "audience",
    "age_group",
    "accessible",
    "status",
    "accepts_new_members",
    "schedule",
    "languages",
    "published",
]
GERMAN_HEADERS = {
    "themen": "topics",
    "thema": "topics",
    "beschreibung": "description",
    "ort": "city",
    "plz": "postcode",
    "stadtteil": "district",
    "form": "format",
    "form/format": "format",
    "zielgruppe": "audience",
    "altersgruppe": "age_group",
    "barrierefrei": "accessible",
    "neue mitglieder": "accepts_new_members",
    "treffen": "schedule",
    "termine": "schedule",
    "treffen/termine": "schedule",
    "sprachen": "languages",
    "veroeffentlicht": "published",
}
YES = {"yes", "ja", "j", "y", "true", "wahr", "1", "x"}
NO = {"no", "nein", "n", "false", "falsch", "0", ""}
# Choice columns: the model's choices, plus German (and spelled-out) values.
CHOICES = {
    "format": (Group.Format, {"vor ort": "in_person", "praesenz": "in_person"}),
    "audience": (
        Group.Audience,
        {"betroffene": "affected", "angehoerige": "relatives", "beide": "both"},
    ),
    "age_group": (
        Group.AgeGroup,
        {"alle": "all", "jung": "young", "junge selbsthilfe": "young", "senioren": "seniors"},
    ),
    "status": (
        Group.Status,
        {
            "in gruendung": "founding",
            "gruendung": "founding",
            "aktiv": "active",
            "pausiert": "paused",
            "geschlossen": "closed",
        },
    ),
    "accepts_new_members": (
        Group.NewMembers,
        {"ja": "yes", "nein": "no", "warteliste": "waiting_list"},
    ),
}
TEXT_FIELDS = ["description", "city", "postcode", "district", "schedule"]
MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024
MAX_COLUMNS = 100
OTHER_CATEGORY = {"slug": "sonstige", "name": "Sonstige Themen"}


def _key(value):
    """A header or choice value as compared: folded, "_" and "-" as blanks, blanks single."""
    return " ".join(fold(value).replace("_", " ").replace("-", " ").split())


_HEADERS = {_key(column): column for column in COLUMNS} | {
    _key(header): column for header, column in GERMAN_HEADERS.items()
}
_CHOICE_VALUES = {
    column: {_key(value): value for value in choices.values}
    | {_key(word): value for word, value in german.items()}
    for column, (choices, german) in CHOICES.items()
}


class ImportFileError(Exception):
    """The file cannot be imported; ``errors`` lists (line or None, message) for users."""

    def __init__(self, errors):
        self.errors = errors
        super().__init__("; ".join(message for _line, message in errors))


@dataclass
class RowData:
    """One checked row: the model fields given, and its topics (None: no topics column)."""

    line: int
    name: str
    values: dict = field(default_factory=dict)
    topics: list[str] | None = None


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    new_topics: list[str] = field(default_factory=list)
    errors: list[tuple[int | None, str]] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self):
        return not self.errors


def _fail(message):
    raise ImportFileError([(None, message)])


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _xlsx_rows(content):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS)
        # Stop reading once the limit is passed, without expanding the rest of the sheet.
        kept = []
        for row in rows:
            kept.append([_cell(value) for value in row])
            if sum(1 for cells in kept if any(cells)) > MAX_ROWS + 1:
                break
        workbook.close()
    except Exception:  # openpyxl raises many kinds of errors for broken files
        _fail(_("The Excel file cannot be read."))
    return kept


def _csv_rows(content):
    if b"\x00" in content:
        _fail(_("The file cannot be read as text: please save it as CSV (UTF-8 or Windows)."))
    try:
        decoded = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            decoded = content.decode("cp1252")
        except UnicodeDecodeError:
            _fail(_("The file cannot be read as text: please save it as CSV (UTF-8 or Windows)."))
    header = decoded.lstrip().splitlines()[0] if decoded.strip() else ""
    delimiter = ";" if header.count(";") > header.count(",") else ","
    try:
        return [
            [_cell(value) for value in row]
            for row in csv.reader(io.StringIO(decoded, newline=""), delimiter=delimiter)
        ]
    except csv.Error:
        _fail(_("The CSV file cannot be read."))


def read_rows(content: bytes, filename: str) -> list[list[str]]:
    """The file's rows as lists of stripped strings, header first."""
    if len(content) > MAX_BYTES:
        _fail(_("The file is larger than 5 MB."))
    suffix = filename.lower().rsplit(".", 1)[-1]
    if suffix == "xlsx":
        return _xlsx_rows(content)
    if suffix == "csv":
        return _csv_rows(content)
    _fail(_("Please upload a .csv or .xlsx file."))


def _parse_row(values, line, errors):
    """One row's RowData; appends (line, message) to ``errors`` for each problem."""

    def error(message, **params):
        errors.append((line, message % {"line": line, **params}))

    row = RowData(line=line, name=values.get("name", ""))
    if not row.name:
        error(_("Line %(line)s: the name is missing."))
    for column in ["name", *TEXT_FIELDS, "languages"]:
        if column not in values:
            continue
        limit = Group._meta.get_field(column).max_length
        if len(values[column]) > limit:
            error(
                _("Line %(line)s: “%(column)s” is longer than %(limit)s characters."),
                column=column,
                limit=limit,
            )
        elif column in TEXT_FIELDS or (column == "languages" and values[column]):
            row.values[column] = values[column]
    for column, choices in _CHOICE_VALUES.items():
        if not values.get(column):
            continue
        value = choices.get(_key(values[column]))
        if value is None:
            error(
                _(
                    "Line %(line)s: unknown value “%(value)s” in column “%(column)s” "
                    "(allowed: %(allowed)s)."
                ),
                value=values[column],
                column=column,
                allowed=", ".join(CHOICES[column][0].values),
            )
        row.values[column] = value
    for column in ("accessible", "published"):
        if column in values:
            word = _key(values[column])
            if word not in YES | NO:
                error(
                    _("Line %(line)s: “%(value)s” in column “%(column)s” is not yes or no."),
                    value=values[column],
                    column=column,
                )
            row.values[column] = word in YES
    if "topics" in values:
        row.topics = []
        limit = Topic._meta.get_field("name").max_length
        for topic in (item.strip() for item in values["topics"].split(";")):
            if len(topic) > limit:
                error(
                    _("Line %(line)s: the topic “%(topic)s…” is longer than %(limit)s characters."),
                    topic=topic[:30],
                    limit=limit,
                )
            elif topic and fold(topic) not in {fold(known) for known in row.topics}:
                row.topics.append(topic)
    return row


def parse_file(file_obj, filename: str) -> list[RowData]:
    """The checked rows of an uploaded file (bytes or a binary file object).

    Raises ImportFileError listing every problem: of the file, or of each bad row.
    """
    content = file_obj if isinstance(file_obj, bytes | bytearray) else file_obj.read()
    rows = read_rows(bytes(content), filename)
    if not rows or not any(rows[0]):
        _fail(_("The file is empty."))
    columns = [_HEADERS.get(_key(header)) for header in rows[0]]
    if "name" not in columns:
        _fail(_("The file has no column “name”."))
    if sum(1 for cells in rows[1:] if any(cells)) > MAX_ROWS:
        _fail(_("The file has more than 5,000 rows."))
    parsed, errors, first_lines = [], [], {}
    for line, cells in enumerate(rows[1:], start=2):
        if not any(cells):
            continue
        values = {}
        for column, cell in zip(columns, cells, strict=False):
            if column and column not in values:
                values[column] = cell
        for column in columns:  # a short row: its missing trailing cells are empty
            if column:
                values.setdefault(column, "")
        row = _parse_row(values, line, errors)
        if row.name:
            first = first_lines.setdefault(fold(row.name), line)
            if first != line:
                errors.append(
                    (
                        line,
                        _("Line %(line)s: “%(name)s” already appears in line %(first)s.")
                        % {"line": line, "name": row.name, "first": first},
                    )
                )
        parsed.append(row)
    if errors:
        raise ImportFileError(errors)
    return parsed


class _Topics:
    """Thesaurus topics by folded name or synonym; unknown names are created on demand."""

    def __init__(self):
        self.by_word = {}
        for topic in Topic.objects.all():
            self.by_word.setdefault(fold(topic.name), topic)
        for synonym in Synonym.objects.select_related("topic"):
            self.by_word.setdefault(fold(synonym.term), synonym.topic)

    def find(self, name):
        return self.by_word.get(fold(name))

    def get_or_create(self, name):
        topic = self.find(name)
        if topic is None:
            category, _created = TopicCategory.objects.get_or_create(
                slug=OTHER_CATEGORY["slug"], defaults={"name": OTHER_CATEGORY["name"]}
            )
            topic = self.by_word[fold(name)] = Topic.objects.create(category=category, name=name)
        return topic


def _target_values(group, row):
    """{model field: new value} for the row's values, mapped onto the group's fields."""
    target = {}
    for column, value in row.values.items():
        if column == "accessible":
            target["step_free"] = value
        elif column == "published":
            if not value:
                target["listing"] = Group.Listing.UNLISTED
            elif group.listing == Group.Listing.UNLISTED or group.pk is None:
                target["listing"] = Group.Listing.PUBLIC_WITH_PLACE
        else:
            target[column] = value
    if group.pk is None or group.name != row.name:
        target["name"] = row.name
    return target


def _label(name):
    return capfirst(Group._meta.get_field(name).verbose_name)


def _find_existing(office, rows, errors):
    """{folded name: group} of the office's groups; two groups with one name are an error."""
    existing, doubled = {}, set()
    for group in office.groups.order_by("pk"):
        if fold(group.name) in existing:
            doubled.add(fold(group.name))
        existing.setdefault(fold(group.name), group)
    for row in rows:
        if fold(row.name) in doubled:
            message = _("Line %(line)s: the office has several groups called “%(name)s”.")
            errors.append((row.line, message % {"line": row.line, "name": row.name}))
    return existing


def import_groups(office, file_obj, filename, user=None, dry_run=False) -> ImportResult:
    """Check the whole file, then create or update the office's groups in one transaction.

    ``file_obj`` is the file's bytes or a binary file object. With ``dry_run`` nothing
    is written; the result says what an import would do.
    """
    result = ImportResult(dry_run=dry_run)
    try:
        rows = parse_file(file_obj, filename)
    except ImportFileError as error:
        result.errors = error.errors
        return result
    with transaction.atomic():
        existing = _find_existing(office, rows, result.errors)
        if result.errors:
            return result
        topics = _Topics()
        new_topics = {}
        plan = []
        for row in rows:
            group = existing.get(fold(row.name)) or Group(office=office)
            changes = {
                name: value
                for name, value in _target_values(group, row).items()
                if group.pk is None or getattr(group, name) != value
            }
            found = None
            if row.topics is not None:
                found = [topics.find(name) for name in row.topics]
                for name, topic in zip(row.topics, found, strict=True):
                    if topic is None:
                        new_topics.setdefault(fold(name), name)
                current = set(group.topics.values_list("pk", flat=True)) if group.pk else set()
                if None in found or {topic.pk for topic in found} != current:
                    changes["topics"] = row.topics
            if group.pk is None:
                result.created += 1
            elif changes:
                result.updated += 1
            else:
                result.unchanged += 1
            plan.append((group, changes))
        result.new_topics = list(new_topics.values())
        if dry_run:
            return result
        touched = []
        for group, changes in plan:
            if not changes:
                continue
            created = group.pk is None
            for name, value in changes.items():
                if name != "topics":
                    setattr(group, name, value)
            if created:
                group.slug = unique_slug(group.name)
            group.save()
            if "topics" in changes:
                group.topics.set([topics.get_or_create(name) for name in changes["topics"]])
            labels = [] if created else [str(_label(name)) for name in changes]
            GroupChange.objects.create(
                group=group, user=user, action=GroupChange.Action.IMPORTED, fields=labels
            )
            touched.append(group.pk)
        if touched:
            reindex_groups(touched)
    return result


def _export_row(group):
    return [
        group.name,
        "; ".join(sorted(topic.name for topic in group.topics.all())),
        group.description,
        group.city,
        group.postcode,
        group.district,
        group.format,
        group.audience,
        group.age_group,
        "yes" if group.step_free else "no",
        group.status,
        group.accepts_new_members,
        group.schedule,
        group.languages,
        "no" if group.listing == Group.Listing.UNLISTED else "yes",
    ]


def _xlsx_cell(sheet, value):
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
    cell.data_type = "s"  # text stays text: "=..." is never written as a formula
    return cell


def export_groups(office, fmt: str) -> bytes:
    """The office's groups with the import's columns: "csv" (for German Excel) or "xlsx".

    "accessible" is the group's own step-free flag (the room's applies where it meets
    in one); "published" is yes for both public listings.
    """
    groups = office.groups.prefetch_related("topics").order_by("name", "pk")
    rows = [COLUMNS, *(_export_row(group) for group in groups)]
    if fmt == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(_("Groups"))
        for row in rows:
            sheet.append([_xlsx_cell(sheet, value) for value in row])
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()
    if fmt == "csv":
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=";").writerows(rows)
        return buffer.getvalue().encode("utf-8-sig")
    raise ValueError(f"Unknown export format: {fmt!r}")
