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
from django.db import transaction

from groups import text
from groups.models import Group, GroupSearchTerm, Synonym, Topic

NAME, TOPIC, SYNONYM, PLACE, DESCRIPTION = 8, 6, 4, 3, 1
LEXICON_CACHE_KEY = "groups:search-lexicon"
LEXICON_TIMEOUT = 60 * 60


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
    return cache.get_or_set(LEXICON_CACHE_KEY, _build_lexicon, LEXICON_TIMEOUT)


def invalidate_lexicon():
    cache.delete(LEXICON_CACHE_KEY)


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


def reindex_topic(topic):
    """After a topic or its synonyms changed: the vocabulary and its groups."""
    invalidate_lexicon()
    reindex_groups(topic.groups.values_list("pk", flat=True))


def ranked_group_ids(queryset, query):
    """Ids of the groups in ``queryset`` matching ``query``, best first.

    Each query word is looked up as typed (stemmed); a word that finds nothing is
    tried by its compound parts ("Alkoholsucht": "alkohol", "sucht"), then by the
    nearest thesaurus words (small typos). A group matching more of the words ranks
    higher, then by weight (name and topic above description; a whole word above a
    part of it), then by name. A word that finds nothing never empties the result
    the other words fill.
    """
    known_words = lexicon()
    words = text.query_terms(query, known_words)
    if not words:
        return []
    options = [set(word.forms) for word in words]
    hits, names = {}, {}

    def look_up(terms):
        found_hits, found_names = _lookup(queryset, terms)
        names.update(found_names)
        for group_id, rows in found_hits.items():
            hits.setdefault(group_id, {}).update(rows)

    look_up(set().union(*options))
    for fallback in (
        lambda word: word.parts,
        lambda word: text.fuzzy_candidates(word.main, known_words),
    ):
        found_terms = {term for rows in hits.values() for term in rows}
        missing = [index for index, terms in enumerate(options) if not terms & found_terms]
        extra = {}
        for index in missing:
            extra[index] = set(fallback(words[index])) - options[index]
        if any(extra.values()):
            for index, terms in extra.items():
                options[index] |= terms
            look_up(set().union(*extra.values()))

    ranking = []
    for group_id, rows in hits.items():
        matched_words, score = 0, 0
        for word, terms in zip(words, options, strict=True):
            best = max(
                (
                    weight * (2 if term == word.main else 1)
                    for term, weight in rows.items()
                    if term in terms
                ),
                default=0,
            )
            if best:
                matched_words += 1
                score += best
        ranking.append((-matched_words, -score, names[group_id], group_id))
    ranking.sort()
    return [group_id for *_key, group_id in ranking]


def _lookup(queryset, terms):
    """({group_id: {term: weight}}, {group_id: name}) for groups stored under ``terms``."""
    rows = GroupSearchTerm.objects.filter(term__in=terms, group__in=queryset).values_list(
        "group_id", "term", "weight", "group__name"
    )
    hits, names = {}, {}
    for group_id, term, weight, name in rows:
        hits.setdefault(group_id, {})[term] = weight
        names[group_id] = name.casefold()
    return hits, names
