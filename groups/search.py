"""The search index of the public group directory and the ranked search over it.

Each group is stored under normalised terms (``GroupSearchTerm``): the stems of its
name, topics, the topics' synonyms, city, district and description, plus the known
parts of compound words. A query is normalised the same way and looked up by term
equality, so an index does the work at any scale. Typos are forgiven by comparing a
word that found nothing with the thesaurus vocabulary (small), never with every
description.
"""

import itertools

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import Exists, F
from django.db.models.functions import Lower

from groups import text
from groups.models import Group, GroupSearchTerm, Synonym, Topic
from kontaktstelle.web import cache_versions, public_cache

NAME, TOPIC, SYNONYM, PLACE, DESCRIPTION = 8, 6, 4, 3, 1
LEXICON_CACHE_KEY = "groups:search-lexicon"
LEXICON_TIMEOUT = 60 * 60
MAX_PAGE = 100_000  # a page number asked for beyond this is read as this


def _shared_ends(words, size=4):
    """Beginnings and endings that several thesaurus words share.

    "angststoerung" and "essstoerung" share "stoerung", "darmkreb" and "brustkreb"
    share "kreb": such parts become words of their own, so compounds split on them.
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
                if length >= size:
                    common = first[:length]
                    shared.add(common[::-1] if reverse else common)
    return shared


def _build_lexicon():
    words = set()
    names = Topic.objects.values_list("name", flat=True)
    terms = Synonym.objects.values_list("term", flat=True)
    for phrase in [*names, *terms]:
        words.update(text.stem(word) for word in text.words(phrase))
    words = {word for word in words if len(word) >= 3 and word.isalpha()}
    return frozenset(words | _shared_ends(words))


def lexicon():
    """Stemmed words of the thesaurus: compound parts and typo targets."""
    key = f"{LEXICON_CACHE_KEY}:{cache_versions.current(LEXICON_CACHE_KEY)}"
    return cache.get_or_set(key, _build_lexicon, LEXICON_TIMEOUT)


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


@transaction.atomic
def reindex_groups(group_ids):
    """Rebuild the search terms of these groups (call after saving them)."""
    group_ids = list(group_ids)
    known_words = lexicon()
    groups = Group.objects.filter(pk__in=group_ids).prefetch_related("topics__synonyms")
    GroupSearchTerm.objects.filter(group_id__in=group_ids).delete()
    GroupSearchTerm.objects.bulk_create(
        GroupSearchTerm(group=group, term=term, weight=weight)
        for group in groups
        for term, weight in terms_for_group(group, known_words).items()
    )
    public_cache.invalidate()  # the directory's results change with the terms


def reindex_topic(topic):
    """After a topic or its synonyms changed: the vocabulary and its groups."""
    invalidate_lexicon()
    reindex_groups(topic.groups.values_list("pk", flat=True))


def ranked_groups(queryset, query):
    """The groups of ``queryset`` matching ``query``, best first, as a ``Ranking``.

    Each query word is looked up as typed (stemmed); a word that finds nothing is
    tried by its compound parts ("Alkoholsucht": "alkohol", "sucht"), then by the
    nearest thesaurus words (small typos). A group matching more of the words ranks
    higher, then by weight (name and topic above description; a whole word above a
    part of it), then by name. A word that finds nothing never empties the result
    the other words fill.

    The ranking is computed by the database (one GROUP BY over the matching terms),
    so only the page that is shown travels to Python (``RankedResults``).
    """
    known_words = lexicon()
    words = text.query_terms(query, known_words)
    if not words:
        return Ranking()
    options = [set(word.forms) for word in words]
    found = _words_found(queryset, options)
    for fallback in (
        lambda word: word.parts,
        lambda word: text.fuzzy_candidates(word.main, known_words),
    ):
        extra = {
            index: set(fallback(words[index])) - options[index]
            for index, hit in enumerate(found)
            if not hit
        }
        if any(extra.values()):
            for index, terms in extra.items():
                options[index] |= terms
            found = _words_found(queryset, options)
    return Ranking.of(queryset, words, options)


class Ranking:
    """The groups a query matches, best first, as one SQL statement.

    Per group and query word, the best weight among the word's terms that the group
    has (twice for the word as typed, 0 if none); a group ranks by how many words it
    matches, then by the sum, then by name. The terms are aggregated first and only
    then joined with the groups that ``queryset`` admits (for the filters and the
    names): so PostgreSQL hashes the matches, not every public group.
    """

    def __init__(self, sql="", params=()):
        self.sql, self.params = sql, list(params)

    @classmethod
    def of(cls, queryset, words, options):
        best, params = [], []
        for index, (word, terms) in enumerate(zip(words, options, strict=True)):
            terms = terms | {word.main}  # never an empty IN ()
            listed = ", ".join(["%s"] * len(terms))
            best.append(
                f"MAX(CASE WHEN term = %s THEN weight * 2 WHEN term IN ({listed}) "
                f"THEN weight ELSE 0 END) AS word_{index}"
            )
            params += [word.main, *sorted(terms)]
        every_term = sorted(set().union(*options))
        params += every_term
        groups = queryset.order_by().values(group_key=F("pk"), sort_name=Lower("name"))
        try:
            groups_sql, groups_params = groups.query.sql_with_params()
        except EmptyResultSet:  # queryset.none(): nothing to rank
            return cls()
        params += groups_params
        names = [f"r.word_{index}" for index in range(len(words))]
        matched = " + ".join(f"CASE WHEN {name} > 0 THEN 1 ELSE 0 END" for name in names)
        table = connection.ops.quote_name(GroupSearchTerm._meta.db_table)
        sql = (
            # Built of placeholders, the table's name and the ORM's own SQL for queryset.
            f"SELECT r.group_id, COUNT(*) OVER () FROM ("  # noqa: S608  # nosec B608
            f"SELECT group_id, {', '.join(best)} FROM {table} "
            f"WHERE term IN ({', '.join(['%s'] * len(every_term))}) GROUP BY group_id"
            f") r JOIN ({groups_sql}) g ON g.group_key = r.group_id "
            f"ORDER BY {matched} DESC, {' + '.join(names)} DESC, g.sort_name, g.group_key"
        )
        return cls(sql, params)

    def rows(self, offset=0, limit=None):
        """[(group id, total of matches)], best first, from ``offset`` on."""
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

    def _fetch(self, wanted):
        rows = self.ranked.rows(wanted.start, wanted.stop - wanted.start)
        if rows:
            self.total = rows[0][1]
        return [pk for pk, _total in rows]

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


def ranked_group_ids(queryset, query):
    """The ids of ``ranked_groups``, as a list."""
    return [group_id for group_id, _total in ranked_groups(queryset, query).rows()]


def _words_found(queryset, options):
    """For each word's set of terms: does any group of ``queryset`` have one of them?

    One query of uncorrelated EXISTS, each of which stops at its first hit; it reads
    them off the first row of ``queryset`` (when that is empty, nothing is found).
    """
    checks = {
        f"word_{index}": Exists(
            GroupSearchTerm.objects.filter(term__in=terms, group__in=queryset.values("pk"))
        )
        for index, terms in enumerate(options)
    }
    row = queryset.order_by().annotate(**checks).values_list(*checks).first()
    return list(row) if row else [False] * len(options)
