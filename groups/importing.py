"""Import and export of an office's groups as CSV or XLSX (the office's Excel list).

A file is checked completely before anything is written: one bad row and nothing is
imported, and every bad row is reported with its line number (the header is line 1,
as in a spreadsheet). Importing the same file again updates the groups it created:
a group is matched by its name within the office, ignoring case.
"""

import csv
import io
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from groups import text
from groups.models import Group, GroupChange, Synonym, Topic, TopicCategory
from groups.search import reindex_groups
from groups.services import unique_slug

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
    "zielgruppe": "audience",
    "altersgruppe": "age_group",
    "barrierefrei": "accessible",
    "neue mitglieder": "accepts_new_members",
    "treffen": "schedule",
    "termine": "schedule",
    "sprachen": "languages",
    "veroeffentlicht": "published",
}
YES = {"yes", "ja", "j", "y", "true", "wahr", "1", "x"}
NO = {"no", "nein", "n", "false", "falsch", "0", ""}
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
            "aktiv": "active",
            "pausiert": "paused",
            "geschlossen": "closed",
        },
    ),
    "accepts_new_members": (
        Group.NewMembers,
        {"ja": "yes", "nein": "no", "warteliste": "waiting_list", "waiting list": "waiting_list"},
    ),
}
TEXT_FIELDS = ["name", "description", "city", "postcode", "district", "schedule", "languages"]
MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024
OTHER_CATEGORY = {"slug": "sonstige", "name": "Sonstige Themen"}


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message is for users."""


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    new_topics: list[str] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self):
        return not self.errors


def _cell(value):
    return "" if value is None else str(value).strip()


def read_rows(content: bytes, filename: str) -> list[list[str]]:
    """The file's rows as lists of strings, header first."""
    if len(content) > MAX_BYTES:
        raise ImportFileError(_("The file is larger than 5 MB."))
    if filename.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).worksheets[0]
            return [[_cell(value) for value in row] for row in sheet.iter_rows(values_only=True)]
        except Exception as error:  # openpyxl raises many kinds for broken files
            raise ImportFileError(_("The Excel file cannot be read.")) from error
    if not filename.lower().endswith(".csv"):
        raise ImportFileError(_("Please upload a .csv or .xlsx file."))
    try:
        decoded = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        decoded = content.decode("cp1252", errors="replace")
    first_line = decoded.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    return [
        [_cell(value) for value in row]
        for row in csv.reader(io.StringIO(decoded), delimiter=delimiter)
    ]


def _column(header):
    key = text.fold(header).strip()
    if key in COLUMNS:
        return key
    return GERMAN_HEADERS.get(key)


def _parse_row(values, line, errors):
    """Cleaned field values of one row; appends (line, message) for each problem."""
    row = {}
    if not values.get("name"):
        errors.append((line, _("Line %(line)s: the name is missing.") % {"line": line}))
    for name in TEXT_FIELDS:
        if name in values:
            limit = Group._meta.get_field(name).max_length
            if limit and len(values[name]) > limit:
                errors.append(
                    (
                        line,
                        _("Line %(line)s: “%(column)s” is longer than %(limit)s characters.")
                        % {"line": line, "column": name, "limit": limit},
                    )
                )
            row[name] = values[name]
    for name, (choices, german) in CHOICES.items():
        if values.get(name):
            raw = text.fold(values[name])
            value = raw if raw in choices.values else german.get(raw)
            if value is None:
                errors.append(
                    (
                        line,
                        _(
                            "Line %(line)s: unknown value “%(value)s” in column “%(column)s” "
                            "(allowed: %(allowed)s)."
                        )
                        % {
                            "line": line,
                            "value": values[name],
                            "column": name,
                            "allowed": ", ".join(choices.values),
                        },
                    )
                )
            row[name] = value
    for name in ("accessible", "published"):
        if name in values:
            raw = text.fold(values[name])
            if raw not in YES | NO:
                errors.append(
                    (
                        line,
                        _("Line %(line)s: “%(value)s” in column “%(column)s” is not yes or no.")
                        % {"line": line, "value": values[name], "column": name},
                    )
                )
            row[name] = raw in YES
    row["topics"] = [item.strip() for item in values.get("topics", "").split(";") if item.strip()]
    return row


def parse(content: bytes, filename: str) -> tuple[list[dict], list[tuple[int, str]]]:
    """Rows as field dicts, and every problem found, with its line number."""
    rows = read_rows(content, filename)
    if not rows:
        raise ImportFileError(_("The file is empty."))
    columns = [_column(header) for header in rows[0]]
    if "name" not in columns:
        raise ImportFileError(_("The file has no column “name”."))
    if len(rows) - 1 > MAX_ROWS:
        raise ImportFileError(_("The file has more than 5,000 rows."))
    parsed, errors = [], []
    for line, cells in enumerate(rows[1:], start=2):
        if not any(cells):
            continue
        values = {column: cell for column, cell in zip(columns, cells, strict=False) if column}
        parsed.append((line, _parse_row(values, line, errors)))
    return parsed, errors


class _TopicFinder:
    """Thesaurus topics by name or synonym, ignoring case and umlaut spelling."""

    def __init__(self):
        self.by_word = {}
        for topic in Topic.objects.all():
            self.by_word.setdefault(text.fold(topic.name), topic)
        for synonym in Synonym.objects.select_related("topic"):
            self.by_word.setdefault(text.fold(synonym.term), synonym.topic)

    def knows(self, name):
        return text.fold(name) in self.by_word

    def get_or_create(self, name):
        """Unknown topics go into the category "Sonstige Themen" for staff to sort."""
        topic = self.by_word.get(text.fold(name))
        if topic is None:
            category, _new = TopicCategory.objects.get_or_create(
                slug=OTHER_CATEGORY["slug"], defaults={"name": OTHER_CATEGORY["name"]}
            )
            topic = Topic.objects.create(category=category, name=name)
            self.by_word[text.fold(name)] = topic
        return topic


def import_groups(office, content, filename, user=None, dry_run=False) -> ImportResult:
    """Check the whole file, then create or update the office's groups in one transaction."""
    result = ImportResult(dry_run=dry_run)
    try:
        rows, result.errors = parse(content, filename)
    except ImportFileError as error:
        result.errors = [(0, str(error))]
        return result
    if result.errors:
        return result
    existing = {text.fold(group.name): group for group in office.groups.all()}
    finder = _TopicFinder()
    for _line, row in rows:
        for name in row["topics"]:
            if not finder.knows(name) and name not in result.new_topics:
                result.new_topics.append(name)
        if text.fold(row["name"]) in existing:
            result.updated += 1
        else:
            result.created += 1
    if dry_run:
        return result
    with transaction.atomic():
        touched = []
        for _line, row in rows:
            group = existing.get(text.fold(row["name"]))
            if group is None:
                group = Group(office=office, slug=unique_slug(row["name"]))
                existing[text.fold(row["name"])] = group
            for name, value in row.items():
                if name == "accessible":
                    group.step_free = value
                elif name == "published":
                    group.listing = (
                        Group.Listing.PUBLIC_WITH_PLACE if value else Group.Listing.UNLISTED
                    )
                elif name != "topics":
                    setattr(group, name, value)
            group.save()
            group.topics.set([finder.get_or_create(name) for name in row["topics"]])
            GroupChange.objects.create(group=group, user=user, action=GroupChange.Action.IMPORTED)
            touched.append(group.pk)
        reindex_groups(touched)
    return result


def _export_row(group):
    return [
        group.name,
        "; ".join(topic.name for topic in group.topics.all()),
        group.description,
        group.city,
        group.postcode,
        group.district,
        group.format,
        group.audience,
        group.age_group,
        "yes" if group.accessibility()[0] else "no",
        group.status,
        group.accepts_new_members,
        group.schedule,
        group.languages,
        "no" if group.listing == Group.Listing.UNLISTED else "yes",
    ]


def export_groups(office, fmt: str) -> bytes:
    """The office's groups with the import's columns: "csv" (for German Excel) or "xlsx"."""
    groups = office.groups.select_related("room").prefetch_related("topics").order_by("name")
    rows = [COLUMNS, *(_export_row(group) for group in groups)]
    if fmt == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(_("Groups"))
        for row in rows:
            sheet.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")
