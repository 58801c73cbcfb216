"""Import and export of an office's groups as CSV or XLSX (the office's Excel list).

Export and import are one format, so that an office can export its groups, edit them
in Excel and import the file again; importing an export unchanged changes nothing.
Columns: every field of the staff's group form, headed by its German label ("Für
wen"), whatever the page's language; choices by their German label ("Betroffene"),
yes/no as Ja/Nein, dates as DD.MM.YYYY, a room as "site – room", the meeting rules in
one cell ("Treffzeiten").

Import rules:
- Headers: a column's German or English label ("Für wen", "For whom"), its name
  ("audience") or a header of the office's earlier lists (``import_files.ALIASES``).
  An unknown header is an error listing the German headers.
- Values: a choice by its German or English label or its code ("vor Ort", "in person",
  "in_person"); yes/no also as ja/nein, yes/no, x, 1/0; dates also as YYYY-MM-DD.
  A value not allowed is an error naming the line and listing the German labels.
- The whole file is checked first: one bad row and nothing is written; every bad row
  is reported with its line number as a spreadsheet shows it (the header is line 1).
- A row updates the office's existing group of the same name, else creates a group.
  Names are compared ignoring case, umlaut spelling and accents ("Trauercafé" =
  "TRAUERCAFE"); groups of other offices are never looked at.
- Only the columns present in the file are written. An empty cell clears a text, a
  date or the room; an empty yes/no cell is no; an empty cell in
  a choice column or in "languages" keeps the current value (for a new group:
  the model's default).
- "published" (yes/no, of the import's first version) yes makes a new or unlisted
  group public with its meeting place and leaves an already public group as it is;
  a listing column ("Veröffentlichung") wins over it.
- Postcodes have 5 digits and e-mail addresses are checked. Where a row changes them, a
  room and an address exclude each other (as on the form) and the model's constraints
  hold (a group's own contact route needs a consent date and its address or number).
- "Treffzeiten" holds the group's meeting rules in one cell, as ``groups.rule_text``
  writes and reads them ("Di 19:00–21:00; 2. und 4. Do 18:00–20:00 (Standort – Raum)").
  A rule the cell names and the group has stays as it is (with its note); the group's
  other rules go and the new ones are added, refused like on the meeting times page
  where another group uses the room then. An empty cell removes the group's rules.
- A changed consent date or scope updates the group's consent record, as the form does
  (given on paper, as the file cannot say how).
- Topics are matched by topic name or synonym, folded like names, else by the same
  words in singular or plural, without "allgemein" ("Essstörungen": "Essstörung",
  "Krebs": "Krebs allgemein"; reported as mapped); unknown topics are created in the
  category "Sonstige Themen" and reported.
- A group whose values all stay the same is counted as unchanged: it is not saved and
  gets no history."""

import datetime
import functools
import re
from collections import Counter
from dataclasses import dataclass, field, replace

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models, transaction
from django.db.models import F, Prefetch
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from groups import rule_text, schedules, scheduling
from groups.import_files import (
    ALIASES,
    COLUMNS,
    LANGUAGE,
    MAX_BYTES,
    MAX_ROWS,
    MEETINGS,
    MEETINGS_LABEL,
    ImportFileError,
    _fail,
    _key,
    column_of,
    in_language,
    label,
    read_rows,
)
from groups.models import Group, GroupChange, MeetingRule, Synonym, Topic, TopicCategory
from groups.search import reindex_groups
from groups.services import record_change, unique_slug
from groups.text import STOP_WORDS, fold, stem
from groups.text import words as word_forms
from kontaktstelle.consent import services as consent
from kontaktstelle.offices.models import Room
from kontaktstelle.web import spreadsheets

# Words of the office's earlier lists accepted for the values of the choice columns,
# besides each value's code and its German and English label.
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


DATE_FORMATS = ("%d.%m.%Y", "%Y-%m-%d")


POSTCODE = re.compile(r"[0-9]{5}")


# Where a row changes one of these, the form's rule holds: a room or an address.
PLACE_FIELDS = {"room", "street", "postcode", "city"}


NOT_ALLOWED = gettext_lazy(
    "Line %(line)s: “%(value)s” is not a valid value for “%(field)s”. Allowed: %(allowed)s."
)


OTHER_CATEGORY = {"slug": "sonstige", "name": "Sonstige Themen"}


# The groups' rules as the meetings column compares and writes them: weekdays first
# (on SQLite and PostgreSQL alike), then listed dates.
RULES = [
    Prefetch(
        "meeting_rules",
        queryset=MeetingRule.objects.select_related("room__site").order_by(
            F("weekday").asc(nulls_last=True), "start_time", "pk"
        ),
    ),
    "meeting_rules__dates",
]


def _kind(column):
    """How a column's cells are read and written."""
    if column in ("name", "topics", "room", MEETINGS):
        return column
    model_field = Group._meta.get_field(column)
    if model_field.choices:
        return "choice"
    if isinstance(model_field, models.BooleanField):
        return "yes_no"
    if isinstance(model_field, models.DateField):
        return "date"
    if isinstance(model_field, models.EmailField):
        return "email"
    return "text"


KINDS = {column: _kind(column) for column in COLUMNS}


@functools.cache
def _choice_words(column):
    """{value as compared: stored value}: codes, German and English labels, older words."""
    words = {}
    for value, text in Group._meta.get_field(column).choices:
        # Weekdays are stored as numbers that nobody would guess (Monday is 0).
        code = [value] if isinstance(value, str) else []
        older = VALUE_WORDS.get(value, "").split(",") if code else []
        for word in [*code, in_language(text), in_language(text, "en"), *older]:
            if word.strip():
                words.setdefault(_key(word), value)
    return words


def _allowed(column):
    return "; ".join(in_language(text) for _value, text in Group._meta.get_field(column).choices)


def _room_label(room):
    return f"{room.site.name} – {room.name}"


def _room_key(text):
    return _key(text.replace("–", "-"))


class _BadCell(Exception):
    """A cell the import cannot take: a message with %(line)s, and its other values."""

    def __init__(self, message, **params):
        super().__init__(message)
        self.message, self.params = message, params


KEEP = object()  # what a reader returns for a cell that leaves the current value alone


def _read_text(column, text):
    limit = Group._meta.get_field(column).max_length
    if limit and len(text) > limit:
        too_long = _("Line %(line)s: “%(column)s” is longer than %(limit)s characters.")
        raise _BadCell(too_long, column=header(column), limit=limit)
    if column == "postcode" and text and not POSTCODE.fullmatch(text):
        raise _BadCell(_("Line %(line)s: the postcode “%(value)s” does not have 5 digits."))
    if KINDS[column] == "email" and text:
        try:
            validate_email(text)
        except ValidationError:
            message = _("Line %(line)s: “%(value)s” is not a valid e-mail address for “%(field)s”.")
            raise _BadCell(message, field=header(column)) from None
    return KEEP if column == "languages" and not text else text


def _read_choice(column, text):
    if not text:
        return None if Group._meta.get_field(column).null else KEEP
    value = _choice_words(column).get(_key(text))
    if value is None:
        raise _BadCell(NOT_ALLOWED, field=header(column), allowed=_allowed(column))
    return value


def _read_yes_no(column, text):
    if _key(text) not in YES | NO:
        with translation.override(LANGUAGE):
            allowed = f"{_('Yes')}; {_('No')}"
        raise _BadCell(NOT_ALLOWED, field=header(column), allowed=allowed)
    return _key(text) in YES


def _read_date(column, text):
    if not text:
        return None
    for date_format in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, date_format).date()
        except ValueError:
            continue
    message = _(
        "Line %(line)s: “%(value)s” is not a valid date for “%(field)s”. "
        "Please write it as DD.MM.YYYY."
    )
    raise _BadCell(message, field=header(column))


def _read_meetings(column, text):
    try:
        return rule_text.read(text)
    except rule_text.RuleTextError as error:
        message = _("Line %(line)s, “%(field)s”: %(problem)s")
        raise _BadCell(message, field=header(column), problem=str(error)) from None


READERS = {
    MEETINGS: _read_meetings,
    "name": _read_text,
    "text": _read_text,
    "email": _read_text,
    "choice": _read_choice,
    "yes_no": _read_yes_no,
    "date": _read_date,
    "room": lambda column, text: text,  # the office's room is looked up with the groups
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
    # (label in the file, thesaurus topic) where the label is not the topic's own name
    # or synonym but the same words in singular or plural.
    mapped_topics: list[tuple[str, str]] = field(default_factory=list)
    errors: list[tuple[int | None, str]] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self):
        return not self.errors


def _parse_row(values, line, errors):
    """One row's RowData; appends (line, message) to ``errors`` for each problem."""
    row = RowData(line=line, name=values["name"])
    if not row.name:
        errors.append((line, _("Line %(line)s: the name is missing.") % {"line": line}))
    for column, text in values.items():
        try:
            if column == "topics":
                row.topics = _topic_list(text)
                continue
            value = READERS[KINDS.get(column, "yes_no")](column, text)  # or "published"
        except _BadCell as bad:
            errors.append((line, bad.message % {"line": line, "value": text, **bad.params}))
            continue
        if value is not KEEP:
            row.values[column] = value
    return row


def header(column):
    """The column's German header, as the export writes it and messages name it."""
    return label(column) if column in KINDS else ALIASES[column]


def headers():
    """The export's headers in their order: the group form's German labels."""
    return [label(column) for column in COLUMNS]


def _topic_list(text):
    topics = []
    limit = Topic._meta.get_field("name").max_length
    for topic in (item.strip() for item in text.split(";")):
        if len(topic) > limit:
            too_long = _("Line %(line)s: a topic is longer than %(limit)s characters.")
            raise _BadCell(too_long, limit=limit)
        if topic and fold(topic) not in {fold(known) for known in topics}:
            topics.append(topic)
    return topics


def _unknown_headers(texts):
    """A line-1 error for each header that names no column."""
    message = _("Line %(line)s: the column “%(header)s” is unknown. Known columns: %(allowed)s.")
    allowed = "; ".join(headers())
    return [
        (1, message % {"line": 1, "header": text, "allowed": allowed})
        for text in texts
        if text and column_of(text) is None
    ]


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
    unknown = _unknown_headers(rows[0])
    if unknown:
        raise ImportFileError(unknown)
    columns = [column_of(text) for text in rows[0]]
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


# Words an office's own topic list adds to a thesaurus topic's name ("Krebs allgemein").
_BROAD_WORDS = frozenset({"allgemein", "sonstige", "sonstiges", "allgemeines"})


def _topic_key(label):
    """A label's words, stemmed, without function words: "Essstörungen" and "Essstörung",
    "Krebs" and "Krebs allgemein" have the same key."""
    return frozenset(
        stem(word) for word in word_forms(label) if word not in STOP_WORDS | _BROAD_WORDS
    )


class _Topics:
    """Thesaurus topics by folded name or synonym, else by the same words in singular or
    plural ("Essstörungen": "Essstörung"; "Krebs": "Krebs allgemein"); unknown names are
    created on demand. ``mapped`` holds the labels matched only so: {label: topic}."""

    def __init__(self):
        self.category = None
        self.by_word, self.by_key, self.mapped = {}, {}, {}
        for topic in Topic.objects.all():
            self.by_word.setdefault(fold(topic.name), topic)
            self.by_key.setdefault(_topic_key(topic.name), topic)
        for synonym in Synonym.objects.select_related("topic").order_by("topic__name", "term"):
            self.by_word.setdefault(fold(synonym.term), synonym.topic)
            self.by_key.setdefault(_topic_key(synonym.term), synonym.topic)
        self.by_key.pop(frozenset(), None)

    def find(self, name):
        topic = self.by_word.get(fold(name))
        if topic is None:
            topic = self.by_key.get(_topic_key(name))
            if topic is not None:
                self.mapped.setdefault(name, topic)
        return topic

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
        if column != "published":
            target[column] = value
        elif "listing" in row.values:
            continue  # the listing column says it exactly
        elif not value:
            target["listing"] = Group.Listing.UNLISTED
        elif group.pk is None or group.listing == Group.Listing.UNLISTED:
            target["listing"] = Group.Listing.PUBLIC_WITH_PLACE
    wanted = target.pop(MEETINGS, None)
    changes = {
        name: value
        for name, value in target.items()
        if group.pk is None or getattr(group, name) != value
    }
    if wanted is not None and Counter(wanted) != Counter(_current_rules(group)):
        changes[MEETINGS] = wanted
    if row.topics is not None:
        found = [topics.find(name) for name in row.topics]
        for name, topic in zip(row.topics, found, strict=True):
            if topic is None:
                new_topics.setdefault(fold(name), name)
        current = {topic.pk for topic in group.topics.all()} if group.pk else set()
        if None in found or {topic.pk for topic in found} != current:
            changes["topics"] = row.topics
    return changes


def _current_rules(group):
    if group.pk is None:
        return []
    return [rule_text.spec_of(rule, _room_label) for rule in group.meeting_rules.all()]


def _unsaved_rules(group, specs):
    """Unsaved rules of ``group`` for ``specs``, their listed dates in ``pending_dates``."""
    rules = []
    for spec in specs:
        rule = MeetingRule(
            group=group,
            kind=spec.kind,
            weekday=spec.weekday,
            weeks_of_month=",".join(str(week) for week in spec.weeks),
            start_time=spec.start,
            end_time=spec.end,
            room_id=spec.room_id,
        )
        if spec.starts_on:
            rule.starts_on = spec.starts_on
        rule.pending_dates = list(spec.dates)
        rules.append(rule)
    return rules


def _rule_plan(group, specs):
    """(rules of the group to delete, unsaved rules to add) for the meetings cell's
    ``specs``: a rule the cell names stays as it is, with its note."""
    wanted, gone = Counter(specs), []
    for rule in group.meeting_rules.all() if group.pk else ():
        spec = rule_text.spec_of(rule, _room_label)
        if wanted[spec]:
            wanted[spec] -= 1
        else:
            gone.append(rule)
    return gone, _unsaved_rules(group, wanted.elements())


def _rule_problems(group, changes):
    """Room clashes of the rules a row adds (or moves along with the group's new room)
    with other groups' rules, as the group's meeting times page refuses them."""
    problems, kept = [], None
    if MEETINGS in changes:
        gone, new = _rule_plan(group, changes[MEETINGS])
        kept = [rule for rule in group.meeting_rules.all() if rule not in gone] if group.pk else []
        for rule in new:
            room = schedules.effective_room(rule)
            found = schedules.conflicts(rule) if room else []
            if found:
                problems.append(scheduling.conflict_message(room, *found[0]))
    if "room" in changes and group.pk and group.room:
        # The group's rules without a room of their own move along into its new room.
        moving = None if kept is None else [rule for rule in kept if rule.room_id is None]
        taken = scheduling.check_group_room(group, group.room, moving)
        if taken:
            problems.append(taken)
    return problems


def _save_rules(group, specs):
    """Make the group's rules those of its meetings cell; raises RoomTaken where a new
    rule takes a room another row of the file has just given away for that time."""
    gone, new = _rule_plan(group, specs)
    for rule in gone:
        rule.delete()
    for rule in new:
        scheduling.add_rule_unrecorded(group, rule, rule.pending_dates)


def _problems(group, changes):
    """What the form and the model refuse in the group as changed (messages, no line)."""
    problems = _rule_problems(group, changes)
    if (
        changes.keys() & PLACE_FIELDS
        and group.room
        and any(getattr(group, name) for name in PLACE_FIELDS - {"room"})
    ):
        problems.append(_("Choose either a room of the office or an address, not both."))
    for constraint in Group._meta.constraints:
        if changes.keys() & constraint.condition.referenced_base_fields:
            try:
                constraint.validate(Group, group)
            except ValidationError as error:
                problems.extend(error.messages)
    return problems


def _existing_groups(office, rows, errors):
    """{folded name: group} of the office's groups; a name used twice there is an error."""
    existing, doubled = {}, set()
    groups = office.groups.select_related("room__site").prefetch_related("topics", *RULES)
    for group in groups.order_by("pk"):
        if fold(group.name) in existing:
            doubled.add(fold(group.name))
        existing.setdefault(fold(group.name), group)
    for row in rows:
        if fold(row.name) in doubled:
            message = _("Line %(line)s: the office has several groups called “%(name)s”.")
            errors.append((row.line, message % {"line": row.line, "name": row.name}))
    return existing


def _find_rooms(office, rows, errors):
    """Put the office's room for its label ("site – room") into each row that names one."""
    rooms = Room.objects.for_office(office).select_related("site").order_by("site__name", "name")
    by_label = {_room_key(_room_label(room)): room for room in rooms}
    for row in rows:
        for index, spec in enumerate(row.values.get(MEETINGS, ())):
            if not spec.room:
                continue
            room = by_label.get(_room_key(spec.room))
            if room is None:
                allowed = "; ".join(_room_label(room) for room in rooms) or "–"
                params = {"line": row.line, "value": spec.room, "field": header(MEETINGS)}
                errors.append((row.line, NOT_ALLOWED % {**params, "allowed": allowed}))
            else:
                # As the export writes it, so that the same room typed otherwise is no change.
                row.values[MEETINGS][index] = replace(spec, room=_room_label(room), room_id=room.pk)
        text = row.values.get("room")
        if text is None:
            continue
        row.values["room"] = by_label.get(_room_key(text)) if text else None
        if text and row.values["room"] is None:
            allowed = "; ".join(_room_label(room) for room in rooms) or "–"
            params = {"line": row.line, "value": text, "field": header("room"), "allowed": allowed}
            errors.append((row.line, NOT_ALLOWED % params))


def import_groups(office, file_obj, filename, user=None, dry_run=False) -> ImportResult:
    """Check the whole file, then create or update the office's groups in one transaction.

    ``file_obj`` is the file's bytes or a binary file object; ``user`` is recorded in
    each group's history and consent record. With ``dry_run`` nothing is written and
    the result says what the import would do. Nothing is written when any row has a
    problem; a group whose values all stay the same is neither saved nor recorded.
    """
    result = ImportResult(dry_run=dry_run)
    try:
        rows = parse_file(file_obj, filename)
    except ImportFileError as error:
        result.errors = error.errors
        return result
    with transaction.atomic():
        existing = _existing_groups(office, rows, result.errors)
        _find_rooms(office, rows, result.errors)
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
            for name, value in changes.items():
                if name != "topics":
                    setattr(group, name, value)  # in memory: saved below unless dry_run
            for problem in _problems(group, changes):
                message = _("Line %(line)s: %(message)s")
                result.errors.append((row.line, message % {"line": row.line, "message": problem}))
            plan.append((group, changes, row.line))
        result.new_topics = list(new_topics.values())
        result.mapped_topics = [(label, topic.name) for label, topic in topics.mapped.items()]
        if dry_run or result.errors:
            return result
        touched = []
        for group, changes, line in plan:
            if not changes:
                continue
            created = group.pk is None
            if created:
                group.slug = unique_slug(group.name)
            group.save()
            if MEETINGS in changes:
                try:
                    _save_rules(group, changes[MEETINGS])
                except scheduling.RoomTaken as taken:
                    message = _("Line %(line)s: %(message)s")
                    result.errors.append((line, message % {"line": line, "message": taken}))
                    transaction.set_rollback(True)
                    return result
            if "topics" in changes:
                group.topics.set([topics.get_or_create(name) for name in changes["topics"]])
            labels = [] if created else [_label(name) for name in changes]
            record_change(group, user, GroupChange.Action.IMPORTED, labels)
            if changes.keys() & {"consent_published_on", "consent_scope"}:
                consent.sync_consent(user, group)
            touched.append(group.pk)
        if touched:
            reindex_groups(touched)
    return result


def _label(name):
    if name == MEETINGS:
        return str(MEETINGS_LABEL)
    return str(capfirst(Group._meta.get_field(name).verbose_name))


def _export_value(group, column):
    """A group's value in its column as the import reads it back: German, as typed."""
    if column == MEETINGS:
        return rule_text.write(_current_rules(group))
    value = getattr(group, column)
    kind = KINDS[column]
    if kind == "topics":
        return "; ".join(sorted(topic.name for topic in value.all()))
    if kind == "room":
        return _room_label(value) if value else ""
    if kind == "choice":
        return "" if value is None else str(getattr(group, f"get_{column}_display")())
    if kind == "yes_no":
        return _("Yes") if value else _("No")
    if kind == "date":
        return value.strftime("%d.%m.%Y") if value else ""
    return value


def export_groups(office, fmt: str) -> bytes:
    """The office's groups as "csv" (for German Excel) or "xlsx", ready to import again.

    Headers and values are German whatever the language of the request. "Stufenloser
    Zugang" is the group's own flag (where a group meets in one of the office's rooms,
    the room's applies on public pages).
    """
    groups = office.groups.select_related("room__site").prefetch_related("topics", *RULES)
    with translation.override(LANGUAGE):
        rows = [
            headers(),
            *(
                [_export_value(group, column) for column in COLUMNS]
                for group in groups.order_by("name", "pk")
            ),
        ]
        title = _("Groups")
    if fmt == "xlsx":
        return spreadsheets.xlsx_bytes(title, rows)
    if fmt == "csv":
        return spreadsheets.csv_bytes(rows)
    raise ValueError(f"Unknown export format: {fmt!r}")
