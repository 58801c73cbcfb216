"""Import and export of an office's groups as CSV or XLSX (the office's Excel list).

Import rules:
- The whole file is checked first: one bad row and nothing is written; every bad row
  is reported with its line number as a spreadsheet shows it (the header is line 1).
- A row updates the office's existing group of the same name, else creates a group.
  Names are compared ignoring case, umlaut spelling and accents ("Trauercafé" =
  "TRAUERCAFE"); groups of other offices are never looked at.
- Only the columns present in the file are written. An empty cell clears a text field;
  an empty cell in a choice column or in "languages" keeps the current value (for a
  new group: the model's default). "published" yes makes a new or unlisted group
  public with its meeting place and leaves an already public group as it is.
- Topics are matched by topic name or synonym, folded like names; unknown topics are
  created in the category "Sonstige Themen" and reported.
- A group whose values all stay the same is counted as unchanged and gets no history."""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from groups.import_files import (
    _HEADERS,
    COLUMNS,
    MAX_BYTES,
    MAX_ROWS,
    ImportFileError,
    _fail,
    _key,
    _keys,
    read_rows,
)
from groups.models import Group, GroupChange, Synonym, Topic, TopicCategory
from groups.search import reindex_groups
from groups.services import record_change, unique_slug
from groups.text import fold
from kontaktstelle.web import spreadsheets

CHOICES = {
    "format": Group.Format,
    "audience": Group.Audience,
    "age_group": Group.AgeGroup,
    "status": Group.Status,
    "accepts_new_members": Group.NewMembers,
}


# German (and other) words accepted for the values of the choice columns.
VALUE_WORDS = {
    "in_person": "vor Ort, Präsenz",
    "affected": "Betroffene",
    "relatives": "Angehörige",
    "both": "beide",
    "all": "alle",
    "young": "jung, Junge Selbsthilfe",
    "seniors": "Senioren",
    "founding": "in Gründung, Gründung",
    "active": "aktiv",
    "paused": "pausiert",
    "closed": "geschlossen",
    "yes": "ja",
    "no": "nein",
    "waiting_list": "Warteliste",
}


YES = {"yes", "ja", "j", "y", "true", "wahr", "1", "x"}


NO = {"no", "nein", "n", "false", "falsch", "0", ""}


TEXT_FIELDS = ["description", "city", "postcode", "district", "schedule"]


OTHER_CATEGORY = {"slug": "sonstige", "name": "Sonstige Themen"}


_CHOICE_VALUES = {
    column: {
        key: value for value in choices.values for key in _keys(value, VALUE_WORDS.get(value, ""))
    }
    for column, choices in CHOICES.items()
}


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


def _parse_row(values, line, errors):
    """One row's RowData; appends (line, message) to ``errors`` for each problem."""

    def error(message, **params):
        errors.append((line, message % {"line": line, **params}))

    row = RowData(line=line, name=values["name"])
    if not row.name:
        error(_("Line %(line)s: the name is missing."))
    for column in ["name", *TEXT_FIELDS, "languages"]:
        if column not in values:
            continue
        limit = Group._meta.get_field(column).max_length
        if len(values[column]) > limit:
            too_long = _("Line %(line)s: “%(column)s” is longer than %(limit)s characters.")
            error(too_long, column=column, limit=limit)
        elif column in TEXT_FIELDS or (column == "languages" and values[column]):
            row.values[column] = values[column]
    for column, choices in _CHOICE_VALUES.items():
        if not values.get(column):
            continue
        row.values[column] = choices.get(_key(values[column]))
        if row.values[column] is None:
            unknown = _(
                "Line %(line)s: unknown value “%(value)s” in column “%(column)s” "
                "(allowed: %(allowed)s)."
            )
            allowed = ", ".join(CHOICES[column].values)
            error(unknown, value=values[column], column=column, allowed=allowed)
    for column in ("accessible", "published"):
        if column in values:
            word = _key(values[column])
            if word not in YES | NO:
                not_yes_no = _(
                    "Line %(line)s: “%(value)s” in column “%(column)s” is not yes or no."
                )
                error(not_yes_no, value=values[column], column=column)
            row.values[column] = word in YES
    if "topics" in values:
        row.topics = []
        limit = Topic._meta.get_field("name").max_length
        for topic in (item.strip() for item in values["topics"].split(";")):
            if len(topic) > limit:
                too_long = _("Line %(line)s: a topic is longer than %(limit)s characters.")
                error(too_long, limit=limit)
            elif topic and fold(topic) not in {fold(known) for known in row.topics}:
                row.topics.append(topic)
    return row


def parse_file(file_obj, filename: str) -> list[RowData]:
    """The checked rows of an uploaded file (its bytes or a binary file object).

    Raises ImportFileError listing every problem: of the file, or of each bad row.
    """
    if isinstance(file_obj, bytes | bytearray):
        content = bytes(file_obj)
    else:
        content = file_obj.read(MAX_BYTES + 1)
    rows = read_rows(content, filename)
    if not any(any(cells) for cells in rows):
        _fail(_("The file is empty."))
    columns = [_HEADERS.get(_key(header)) for header in rows[0]]
    if "name" not in columns:
        _fail(_("The file has no column “name”."))
    filled = sum(1 for cells in rows[1:] if any(cells))
    if not filled:
        _fail(_("The file contains no rows."))
    if filled > MAX_ROWS:
        _fail(_("The file has more than 5,000 rows."))
    parsed, errors, first_lines = [], [], {}
    for line, cells in enumerate(rows[1:], start=2):
        if not any(cells):
            continue
        values = dict.fromkeys(filter(None, columns), "")  # short rows: missing cells empty
        for column, cell in reversed(list(zip(columns, cells, strict=False))):
            if column:  # of two columns with one meaning, the first wins
                values[column] = cell
        row = _parse_row(values, line, errors)
        first = first_lines.setdefault(fold(row.name), line)
        if row.name and first != line:
            message = _("Line %(line)s: “%(name)s” already appears in line %(first)s.")
            errors.append((line, message % {"line": line, "name": row.name, "first": first}))
        parsed.append(row)
    if errors:
        raise ImportFileError(errors)
    return parsed


class _Topics:
    """Thesaurus topics by folded name or synonym; unknown names are created on demand."""

    def __init__(self):
        self.category = None
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
            self.category = self.category or self._other_category()
            topic = Topic.objects.create(category=self.category, name=name)
            self.by_word[fold(name)] = topic
        return topic

    @staticmethod
    def _other_category():
        categories = TopicCategory.objects
        return (
            categories.filter(slug=OTHER_CATEGORY["slug"]).first()
            or categories.filter(name__iexact=OTHER_CATEGORY["name"]).first()
            or categories.create(**OTHER_CATEGORY)
        )


def _changes(group, row, topics, new_topics):
    """{model field or "topics": new value} where the row differs from the group."""
    target = {}
    for column, value in row.values.items():
        if column == "accessible":
            target["step_free"] = value
        elif column == "published":
            if not value:
                target["listing"] = Group.Listing.UNLISTED
            elif group.pk is None or group.listing == Group.Listing.UNLISTED:
                target["listing"] = Group.Listing.PUBLIC_WITH_PLACE
        else:
            target[column] = value
    target["name"] = row.name
    changes = {
        name: value
        for name, value in target.items()
        if group.pk is None or getattr(group, name) != value
    }
    if row.topics is not None:
        found = [topics.find(name) for name in row.topics]
        for name, topic in zip(row.topics, found, strict=True):
            if topic is None:
                new_topics.setdefault(fold(name), name)
        current = {topic.pk for topic in group.topics.all()} if group.pk else set()
        if None in found or {topic.pk for topic in found} != current:
            changes["topics"] = row.topics
    return changes


def _existing_groups(office, rows, errors):
    """{folded name: group} of the office's groups; a name used twice there is an error."""
    existing, doubled = {}, set()
    for group in office.groups.prefetch_related("topics").order_by("pk"):
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

    ``file_obj`` is the file's bytes or a binary file object; ``user`` is recorded in
    each group's history. With ``dry_run`` nothing is written and the result says what
    the import would do.
    """
    result = ImportResult(dry_run=dry_run)
    try:
        rows = parse_file(file_obj, filename)
    except ImportFileError as error:
        result.errors = error.errors
        return result
    with transaction.atomic():
        existing = _existing_groups(office, rows, result.errors)
        if result.errors:
            return result
        topics, new_topics, plan = _Topics(), {}, []
        for row in rows:
            group = existing.get(fold(row.name)) or Group(office=office)
            changes = _changes(group, row, topics, new_topics)
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
            labels = [] if created else [_label(name) for name in changes]
            record_change(group, user, GroupChange.Action.IMPORTED, labels)
            touched.append(group.pk)
        if touched:
            reindex_groups(touched)
    return result


def _label(name):
    return str(capfirst(Group._meta.get_field(name).verbose_name))


def _export_row(group):
    values = {column: getattr(group, column, None) for column in COLUMNS}
    values["topics"] = "; ".join(sorted(topic.name for topic in group.topics.all()))
    values["accessible"] = "yes" if group.step_free else "no"
    values["published"] = "no" if group.listing == Group.Listing.UNLISTED else "yes"
    return [values[column] for column in COLUMNS]


def export_groups(office, fmt: str) -> bytes:
    """The office's groups with the import's columns: "csv" (for German Excel) or "xlsx".

    "accessible" is the group's own step-free flag (where a group meets in one of the
    office's rooms, the room's applies on public pages); "published" is yes for both
    public listings.
    """
    groups = office.groups.prefetch_related("topics").order_by("name", "pk")
    rows = [COLUMNS, *(_export_row(group) for group in groups)]
    if fmt == "xlsx":
        return spreadsheets.xlsx_bytes(_("Groups"), rows)
    if fmt == "csv":
        return spreadsheets.csv_bytes(rows)
    raise ValueError(f"Unknown export format: {fmt!r}")
