"""The search index of the public group directory and the ranked search over it.

Each group is stored under normalised terms (``GroupSearchTerm``): the stems of its
name, topics, the topics' synonyms, city, district and description, plus the known
parts of compound words. A query is normalised the same way and looked up by term
equality, so an index does the work at any scale. Typos are forgiven by comparing a
word that found nothing with the thesaurus vocabulary (small), never with every
description.
"""

import functools
import itertools
import json
import time
from dataclasses import dataclass
from pathlib import Path

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import Q

from groups import text
from groups.models import Group, GroupSearchTerm, Synonym, Topic
from kontaktstelle.web import cache_versions, public_cache

NAME, TOPIC, SYNONYM, PLACE, DESCRIPTION = 8, 6, 4, 3, 1
FACET = 0  # a topic area's term: a filter's, never a word's (``topic_area_term``)
LEXICON_CACHE_KEY = "groups:search-lexicon"
SENSITIVE_CACHE_KEY = "groups:sensitive-topics"
THESAURUS = Path(__file__).resolve().parent / "data" / "thesaurus.json"
LEXICON_TIMEOUT = 60 * 60
MAX_PAGE = 100_000  # a page number asked for beyond this is read as this


def _shared_ends(words, size=6):
    """Beginnings and endings of 6+ letters that several thesaurus words share.

    "angststoerung" and "essstoerung" share "stoerung", "alkoholsucht" and
    "alkoholismus" share "alkohol": such parts become words of their own, so compounds
    split on them.
    Shorter shared pieces ("rung", "erung", "esss") are fragments, not words.
    """
    shared = set()
    for reverse in (False, True):
        buckets = {}
        for word in words:
            key = word[::-1] if reverse else word
            if len(key) > size:
                buckets.setdefault(key[:size], []).append(key)
        for bucket in buckets.values():
            for first, second in itertools.combinations(sorted(bucket), 2):
                length = sum(
                    1
                    for _ in itertools.takewhile(
                        lambda p: p[0] == p[1], zip(first, second, strict=False)
                    )
                )
                # Not when a shorter piece is a word: "lsucht" (spielsucht, alkoholsucht)
                # is "sucht" with a stray letter.
                common = first[:length]
                shorter = {common[:end][:: -1 if reverse else 1] for end in range(4, length)}
                if length >= size and not (shorter & words):
                    shared.add(common[::-1] if reverse else common)
    return shared


def _build_lexicon():
    names = Topic.objects.values_list("name", flat=True)
    terms = Synonym.objects.values_list("term", flat=True)
    return lexicon_of([*names, *terms])


def lexicon_of(phrases):
    """The lexicon of these thesaurus phrases (topic names and synonyms)."""
    words = set()
    for phrase in phrases:
        words.update(text.stem(word) for word in text.words(phrase))
    words = {
        word
        for word in words
        if len(word) >= 3 and word.isalpha() and word not in text.STOP_WORDS | text.GENERIC_PARTS
    }
    return frozenset(words | _shared_ends(words))


# This process's copies of the vocabulary and the sensitive topics: {cache key: (until,
# value)}. Each search needs both; fetching and unpickling them from the shared cache
# took a millisecond a search.
_held = {}


def _held_or_cached(key, build):
    """The value under ``key`` (whose version changes with the vocabulary), from this
    process's copy while it is as fresh as the shared cache would keep it."""
    now = time.monotonic()
    held = _held.get(key)
    if held and held[0] > now:
        return held[1]
    value = cache.get_or_set(key, build, LEXICON_TIMEOUT)
    if len(_held) > 8:  # older versions
        _held.clear()
    _held[key] = (now + LEXICON_TIMEOUT, value)
    return value


def forget_held():
    """Drop this process's copies (the tests' databases start anew at version 0)."""
    _held.clear()


def lexicon():
    """Stemmed words of the thesaurus: compound parts and typo targets."""
    key = f"{LEXICON_CACHE_KEY}:{cache_versions.current(LEXICON_CACHE_KEY)}"
    return _held_or_cached(key, _build_lexicon)


@functools.cache
def _sensitive_names():
    """Slugs of the thesaurus categories and names of topics flagged "sensitive" (grief,
    suicide, violence, abuse, self-harm) in the shipped thesaurus."""
    data = json.loads(THESAURUS.read_text(encoding="utf-8"))
    categories, topics = set(), set()
    for category in data["categories"]:
        if category.get("sensitive"):
            categories.add(category["slug"])
        topics.update(topic["name"] for topic in category["topics"] if topic.get("sensitive"))
    return frozenset(categories), frozenset(topics)


def _build_sensitive():
    categories, names = _sensitive_names()
    topics = Topic.objects.filter(Q(category__slug__in=categories) | Q(name__in=names))
    return frozenset(topics.values_list("pk", flat=True))


def sensitive_topic_ids():
    """Ids of the topics a seeker should never meet by chance: the sensitive thesaurus
    categories' topics (also those staff added) and topics flagged one by one."""
    key = f"{SENSITIVE_CACHE_KEY}:{cache_versions.current(LEXICON_CACHE_KEY)}"
    return _held_or_cached(key, _build_sensitive)


def without_sensitive(groups):
    """The groups none of whose topics (``topic_ids``, ``groups.directory.with_topics``)
    is sensitive, in their order."""
    sensitive = sensitive_topic_ids()
    return [group for group in groups if not group.topic_ids & sensitive]


def invalidate_lexicon():
    """The vocabulary changed: a new version, so the cached one is never read again."""
    cache_versions.move(LEXICON_CACHE_KEY)


def terms_for_group(group, known_words):
    """{term: weight} for a group whose topics and synonyms are prefetched."""
    weighted = {}

    def add(phrase, weight):
        for term in text.index_terms(phrase, known_words):
            term = term[:64]
            if weighted.get(term, 0) < weight:
                weighted[term] = weight

    add(group.name, NAME)
    for topic in group.topics.all():
        add(topic.name, TOPIC)
        for synonym in topic.synonyms.all():
            add(synonym.term, SYNONYM)
    add(f"{group.city} {group.district}", PLACE)
    add(group.description, DESCRIPTION)
    return weighted


def topic_area_term(category_id):
    """The term under which the public groups of a topic area are listed. No query
    finds it: a query's words are letters and digits only (``text.words``)."""
    return f"bereich:{category_id}"


def postings(group, known_words):
    """The search terms of ``group`` as stored (unsaved ``GroupSearchTerm`` rows): each
    term with its weight, what the ranking sorts by besides the weight (the group's
    audience and lower-case name), its format and step-free access (the directory's
    filters), and a term of weight ``FACET`` for each topic area of its topics; none if
    it is not public, since only public groups are searched. ``group``'s topics are
    prefetched with their synonyms, and its room is loaded."""
    if not group.is_public:
        return []
    common = {
        "group_id": group.pk,
        "audience": group.audience,
        "format": group.format,
        "step_free": group.step_free_access,
    }
    words = [
        GroupSearchTerm(term=term, weight=weight, sort_name=group.name.lower(), **common)
        for term, weight in terms_for_group(group, known_words).items()
    ]
    # A topic area's terms sort by the name as it is: the directory's order of a list
    # without a query (``Ranking.in_topic_area``).
    areas = {topic.category_id for topic in group.topics.all()}
    return words + [
        GroupSearchTerm(term=topic_area_term(area), weight=FACET, sort_name=group.name, **common)
        for area in sorted(areas)
    ]


@transaction.atomic
def reindex_groups(group_ids):
    """Rebuild the search terms of these groups (call after saving them, also when
    one is no longer public: its terms go)."""
    group_ids = list(group_ids)
    known_words = lexicon()
    groups = (
        Group.objects.filter(pk__in=group_ids)
        .select_related("room")
        .prefetch_related("topics__synonyms")
    )
    GroupSearchTerm.objects.filter(group_id__in=group_ids).delete()
    GroupSearchTerm.objects.bulk_create(
        posting for group in groups for posting in postings(group, known_words)
    )
    public_cache.invalidate()  # the directory's results change with the terms


def reindex_topic(topic):
    """After a topic or its synonyms changed: the vocabulary and its groups."""
    invalidate_lexicon()
    reindex_groups(topic.groups.values_list("pk", flat=True))


def ranked_groups(within, query, format=None):
    """The public groups matching ``query``, best first, as a ``Ranking``; only those of
    the queryset ``within`` if given (the filters), else every public group; only those
    of ``format`` if given (which the search terms know: no filter needed for it).

    Each query word is looked up as typed (stemmed). A word that finds no group by a
    topic, name, synonym or place ("strong"; a description only is "weak") is tried by
    the nearest thesaurus words (typos, also in compounds: "Alkoholsuht"), and if there
    are none by its compound parts, each then a word of its own ("Krebsnachsorge":
    "krebs", "nachsorge"; the whole word still counts for each). Groups with a strong
    match rank first, then by how many words they match, then groups for relatives
    when the query names a relative ("Vater hat Parkinson"), then by weight (name and
    topic above description; a whole word above a part of it), then by name. A word
    that finds nothing never empties the result the other words fill.

    The ranking is computed by the database from the search terms' index alone (one
    GROUP BY over the matching terms; for one term, its rows in the index's order), so
    only the page that is shown travels to Python (``RankedResults``).
    """
    known_words = lexicon()
    parsed = text.parse_query(query, known_words)
    if not parsed.words:
        return Ranking()
    words = parsed.words
    options = [set(word.forms) for word in words]
    try:
        scope = Restriction.of(within, format)
    except EmptyResultSet:  # within.none(): nothing to rank
        return Ranking()
    found = _words_found(scope, options)
    weak = [index for index, (_any, strong) in enumerate(found) if not strong]
    corrected = {}
    for index in weak:
        candidates = set(text.fuzzy_candidates(words[index].main, known_words))
        if candidates - options[index]:
            corrected[index] = candidates
    columns = []
    for index, word in enumerate(words):
        if index in corrected:
            columns.append((word.main, options[index] | corrected[index]))
        elif index in weak and word.parts:
            columns.extend((part, options[index] | {part}) for part in sorted(word.parts))
        else:
            columns.append((word.main, options[index]))
    return Ranking.of(scope, columns, relatives=parsed.relatives)


# For a query naming relatives: groups for relatives first, then those for both.
RELATIVES_FIRST = "CASE audience WHEN %s THEN 2 WHEN %s THEN 1 ELSE 0 END"
RELATIVES_FIRST_PARAMS = (Group.Audience.RELATIVES, Group.Audience.BOTH)


class Ranking:
    """The groups a query matches, best first, as one SQL statement.

    Per group and column (a query word, or a part of one), the best weight among the
    column's terms that the group has (twice for the column's own term, 0 if none); a
    group ranks by whether any match is strong (above a description's weight), by how
    many columns it matches, for a query naming relatives by its audience (relatives,
    then both), then by the sum, then by name. It reads the search terms alone, from
    their covering index: they hold only public groups, with their audience, format and
    name. A format is a condition on the terms; other filters restrict the terms to
    the ids of the groups they admit (``Restriction``).
    """

    def __init__(self, sql="", params=()):
        self.sql, self.params = sql, list(params)

    @classmethod
    def of(cls, scope, columns, relatives=False):
        """``scope``: a ``Restriction``; ``columns``: [(the term as typed, every term
        that matches it)]."""
        every_term = _every_term(columns)
        if len(every_term) == 1:
            return cls.one_term(every_term[0], scope, relatives)
        if len(every_term) == len(columns) and all(terms <= {main} for main, terms in columns):
            return cls.one_term_per_word(every_term, scope, relatives)
        return cls.aggregated(columns, scope, relatives)

    @classmethod
    def aggregated(cls, columns, scope=None, relatives=False):
        """The ranking of several terms: their postings grouped by group."""
        scope = scope or Restriction()
        best, params = [], []
        for index, (main, terms) in enumerate(columns):
            terms = terms | {main}  # never an empty IN ()
            listed = ", ".join(["%s"] * len(terms))
            best.append(
                f"MAX(CASE WHEN term = %s THEN weight * 2 WHEN term IN ({listed}) "
                f"THEN weight ELSE 0 END) AS word_{index}"
            )
            params += [main, *sorted(terms)]
        every_term = _every_term(columns)
        params += [DESCRIPTION, *every_term, *scope.params]
        names = [f"word_{index}" for index in range(len(columns))]
        matched = " + ".join(f"CASE WHEN {name} > 0 THEN 1 ELSE 0 END" for name in names)
        audience = f"{RELATIVES_FIRST} DESC, " if relatives else ""
        params += RELATIVES_FIRST_PARAMS if relatives else ()
        sql = (
            # Built of placeholders, the table's name and the ORM's own SQL for within.
            f"SELECT group_id, COUNT(*) OVER (), strong, SUM(strong) OVER () "  # noqa: S608  # nosec B608
            f"FROM (SELECT group_id, {', '.join(best)}, "
            f"MAX(CASE WHEN weight > %s THEN 1 ELSE 0 END) AS strong, "
            f"MAX(audience) AS audience, MAX(sort_name) AS sort_name FROM {_terms_table()} "
            f"WHERE term IN ({', '.join(['%s'] * len(every_term))}) {scope.sql}"
            f"GROUP BY group_id) r "
            f"ORDER BY strong DESC, {matched} DESC, {audience}"
            f"{' + '.join(names)} DESC, sort_name, group_id"
        )
        return cls(sql, params)

    @classmethod
    def one_term_per_word(cls, terms, scope=None, relatives=False):
        """The ranking of several words of one term each, none shared ("Angst junge
        Erwachsene"), as ``aggregated`` ranks them, with less to compute per row: a
        group has each term at most once, so each of its rows is one word's, matched
        as typed (twice its weight). The words it matches are its rows, the sum of
        their doubled weights orders as the sum of its weights, and it matches strongly
        if its best weight is above a description's (a word's weight is above 0; only
        a topic area's term, which no query has, weighs 0).
        """
        scope = scope or Restriction()
        params = [DESCRIPTION, *terms, *scope.params]
        audience = f"{RELATIVES_FIRST} DESC, " if relatives else ""
        params += RELATIVES_FIRST_PARAMS if relatives else ()
        sql = (
            # Built of placeholders, the table's name and the ORM's own SQL for within.
            f"SELECT group_id, COUNT(*) OVER (), strong, SUM(strong) OVER () "  # noqa: S608  # nosec B608
            f"FROM (SELECT group_id, COUNT(*) AS matched, SUM(weight) AS total, "
            f"CASE WHEN MAX(weight) > %s THEN 1 ELSE 0 END AS strong, "
            f"MAX(audience) AS audience, MAX(sort_name) AS sort_name FROM {_terms_table()} "
            f"WHERE term IN ({', '.join(['%s'] * len(terms))}) {scope.sql}"
            f"GROUP BY group_id) r "
            f"ORDER BY strong DESC, matched DESC, {audience}total DESC, sort_name, group_id"
        )
        return cls(sql, params)

    @classmethod
    def one_term(cls, term, scope=None, relatives=False):
        """The ranking of a query of one term ("Depression"), as ``aggregated`` ranks it:
        a group has the term at most once, so nothing is grouped; every group matches
        the one word (doubled: it is the word as typed), and strong is a weight above a
        description's, so the order is by weight, then by name. That is the order of the
        terms' index: a page reads its rows there, and the totals count index entries.
        """
        scope = scope or Restriction()
        table = _terms_table()
        strong = "CASE WHEN weight > %s THEN 1 ELSE 0 END"
        order, order_params = "weight DESC", []
        if relatives:  # strong first, then the audience: not the index's order
            order = f"{strong} DESC, {RELATIVES_FIRST} DESC, weight DESC"
            order_params = [DESCRIPTION, *RELATIVES_FIRST_PARAMS]
        where, where_params = f"term = %s {scope.sql}", [term, *scope.params]
        if scope.joins:
            # The filters are tested once per term: the totals as a window over the rows.
            sql = (
                f"SELECT group_id, COUNT(*) OVER (), {strong}, SUM({strong}) OVER () "  # noqa: S608  # nosec B608
                f"FROM {table} WHERE {where} ORDER BY {order}, sort_name, group_id"
            )
            return cls(sql, [DESCRIPTION, DESCRIPTION, *where_params, *order_params])
        # Nothing to join: the totals count index entries, the page reads the index.
        sql = (
            f"SELECT group_id, (SELECT COUNT(*) FROM {table} WHERE {where}), {strong}, "  # noqa: S608  # nosec B608
            f"(SELECT COUNT(*) FROM {table} WHERE {where} AND weight > %s) "
            f"FROM {table} WHERE {where} ORDER BY {order}, sort_name, group_id"
        )
        params = [*where_params, DESCRIPTION, *where_params, DESCRIPTION, *where_params]
        return cls(sql, [*params, *order_params])

    @classmethod
    def in_topic_area(cls, category_id, format=None, step_free=False):
        """The public groups of a topic area (of ``format``, with step-free access if
        asked), by name as the directory lists them without a query (``Group.name``,
        then id), all strong: from the index of the area's term alone, which holds the
        format, step-free access and name. The total is counted once; the page is read
        in the index's order."""
        where, params = "term = %s ", [topic_area_term(category_id)]
        if format:
            where, params = f"{where}AND format = %s ", [*params, format]
        if step_free:
            where, params = f"{where}AND step_free = %s ", [*params, True]
        table = _terms_table()
        sql = (
            # Built of placeholders and the table's name.
            f"SELECT group_id, n.total, 1, n.total FROM {table}, "  # noqa: S608  # nosec B608
            f"(SELECT COUNT(*) AS total FROM {table} WHERE {where}) n "
            f"WHERE {where}ORDER BY weight DESC, sort_name, group_id"
        )
        return cls(sql, [*params, *params])

    def rows(self, offset=0, limit=None):
        """[(group id, total of matches)], best first, from ``offset`` on."""
        return [(pk, total) for pk, total, _strong, _strong_total in self.graded(offset, limit)]

    def graded(self, offset=0, limit=None):
        """[(group id, total of matches, 1 if it matches strongly else 0, total of strong
        matches)], best first, from ``offset`` on. Strong: by a topic, name, synonym or
        place; the others match by their description only."""
        if not self.sql:
            return []
        sql, params = self.sql, self.params
        if limit is not None:
            sql, params = f"{sql} LIMIT %s OFFSET %s", [*params, limit, offset]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)  # every value is a parameter
            return cursor.fetchall()

    def count(self):
        rows = self.rows(0, 1)
        return rows[0][1] if rows else 0


class RankedResults:
    """The object list of a Paginator over a ``Ranking``: the page and the total in one
    query, where a Paginator would count and then slice (two rankings).

    ``number`` is the page the visitor asked for. Its ids and the total come back
    together (``COUNT(*) OVER ()``); a page out of range, which the Paginator turns
    into the last one, costs two more (the total, then that page).
    """

    def __init__(self, ranked, per_page, number):
        self.ranked = ranked
        try:
            # Past any real last page, and still an OFFSET the database accepts.
            number = min(max(1, int(number)), MAX_PAGE)
        except (TypeError, ValueError):
            number = 1
        self.wanted = slice((number - 1) * per_page, number * per_page)
        self.rows = None
        self.total = None
        self.strong = set()  # ids of the fetched groups that match strongly
        self.strong_total = 0

    def _fetch(self, wanted):
        rows = self.ranked.graded(wanted.start, wanted.stop - wanted.start)
        if rows:
            self.total, self.strong_total = rows[0][1], rows[0][3]
        self.strong |= {pk for pk, _total, strong, _strong_total in rows if strong}
        return [pk for pk, *_counts in rows]

    def count(self):
        if self.total is None:
            self.rows = self._fetch(self.wanted)
            if self.total is None:  # an empty page: nothing found, or past the last page
                self.total = self.ranked.count() if self.wanted.start else 0
        return self.total

    def __getitem__(self, wanted):
        if not isinstance(wanted, slice):
            raise TypeError("RankedResults is read by pages (slices) only.")
        # The last page's slice ends at the total: still the rows fetched for it.
        fetched = self.rows is not None and wanted.start == self.wanted.start
        if fetched and wanted.stop <= self.wanted.stop:
            return self.rows[: wanted.stop - wanted.start]
        return self._fetch(wanted)


def ranked_group_ids(within, query, format=None):
    """The ids of ``ranked_groups``, as a list."""
    return [group_id for group_id, _total in ranked_groups(within, query, format).rows()]


@dataclass(frozen=True)
class Restriction:
    """Which public groups' search terms a ranking reads: SQL conditions on the terms
    (``AND …``), their parameters, and whether they join the groups (filters)."""

    sql: str = ""
    params: tuple = ()
    joins: bool = False

    @classmethod
    def of(cls, within=None, format=None):
        """The groups of the queryset ``within`` (None: every public group) of ``format``
        (None: any). Raises ``EmptyResultSet`` for ``within.none()``.

        A queryset that filters nothing beyond ``Group.objects.public()`` is every
        public group: the terms alone, no join.
        """
        sql, params = "", []
        if format:
            sql, params = "AND format = %s ", [format]
        joins = within is not None and within.query.where != Group.objects.public().query.where
        if joins:
            groups_sql, groups_params = within.order_by().values("pk").query.sql_with_params()
            sql, params = f"{sql}AND group_id IN ({groups_sql}) ", [*params, *groups_params]
        return cls(sql, tuple(params), joins=joins)


def _every_term(columns):
    """Every term the ``columns`` of a ranking look up, sorted."""
    return sorted(set().union(*(terms | {main} for main, terms in columns)))


def _terms_table():
    return connection.ops.quote_name(GroupSearchTerm._meta.db_table)


def _words_found(scope, options):
    """For each word's set of terms: (does any public group of ``scope`` (a
    ``Restriction``) have one of them, does one have it strongly, i.e. not only in its
    description)?

    One query of uncorrelated EXISTS on the search terms' index, each of which stops at
    its first hit.
    """
    table = _terms_table()
    checks, params = [], []
    for terms in options:
        terms = sorted(terms) or [""]
        listed = ", ".join(["%s"] * len(terms))
        for strong in ("", "AND weight > %s "):
            checks.append(
                f"EXISTS (SELECT 1 FROM {table} WHERE term IN ({listed}) {strong}{scope.sql})"  # noqa: S608  # nosec B608
            )
            params += [*terms, *([DESCRIPTION] if strong else []), *scope.params]
    with connection.cursor() as cursor:
        # Built of placeholders, the table's name and the ORM's own SQL for the filters.
        cursor.execute(f"SELECT {', '.join(checks)}", params)  # nosec B608
        row = cursor.fetchone()
    return [(bool(row[index]), bool(row[index + 1])) for index in range(0, len(row), 2)]
