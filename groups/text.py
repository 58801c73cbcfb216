"""German text normalisation for the group directory's search.

Both sides go through the same functions: the words stored for a group
(``index_terms``) and the words a seeker types (``query_terms``). Matching is then by
equality of normalised terms, which an index can serve at any scale.

The rules, and their limits:
- ``fold``: case, umlauts and ß do not matter ("Störung" = "Stoerung" = "STÖRUNG",
  "Fuß" = "Fuss"); other accents are dropped.
- ``stem``: a light German stemmer that cuts inflection and plural endings, so that
  "Psychosen" and "Psychose" meet. It over-cuts some words ("Krebs" -> "kreb"), which
  is harmless because both sides are cut alike; it is not a dictionary.
- ``split_compound``: compounds are split into thesaurus words ("Darmkrebs" ->
  "darm", "kreb"), with the linking elements s, es, n, en, e.
- ``fuzzy_candidates``: small typos in longer words, against the thesaurus vocabulary.
"""

import re
import unicodedata
from collections.abc import Iterable
from typing import NamedTuple

MAX_INPUT = 500
MAX_WORDS = 12
MIN_TERM = 2

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ẞ": "ss"})
_TOKEN = re.compile(r"[a-z0-9]+(?:[-/][a-z0-9]+)*")
# Irregular plurals, and words the suffix rules would mangle.
_EXCEPTIONS = {
    "maenner": "mann",
    "kinder": "kind",
    "muetter": "mutter",
    "vaeter": "vater",
    "toechter": "tochter",
    "soehne": "sohn",
    "tumoren": "tumor",
    "eltern": "eltern",
    "frauen": "frau",
}
_SUFFIX_REPLACEMENTS = (
    ("ungen", "ung"),
    ("heiten", "heit"),
    ("keiten", "keit"),
    ("ionen", "ion"),
    ("innen", "in"),
)
# Endings that are never inflection ("Depression", "Störung").
_KEEP_ENDINGS = ("ion", "ung")
_SUFFIXES = ("ern", "en", "er", "em", "es", "e", "s", "n")
_LINKS = ("es", "en", "s", "n", "e", "")
STOP_WORDS = frozenset(
    [
        "und",
        "oder",
        "der",
        "die",
        "das",
        "den",
        "dem",
        "des",
        "ein",
        "eine",
        "einer",
        "einen",
        "fuer",
        "mit",
        "bei",
        "in",
        "im",
        "von",
        "zu",
        "zur",
        "zum",
        "ich",
        "mein",
        "meine",
        "meiner",
        "wir",
        "suche",
        "suchen",
        "gruppe",
        "gruppen",
        "selbsthilfe",
        "selbsthilfegruppe",
        "selbsthilfegruppen",
        "shg",
        "hilfe",
        "nach",
        "auf",
        "an",
        "am",
        "fur",
        "bitte",
        "gibt",
        "es",
        "wo",
        "wie",
        "was",
        "ueber",
        "nicht",
        "kein",
        "keine",
        "mich",
        "mir",
    ]
)


def fold(text: str) -> str:
    """Lower case, umlauts as ae/oe/ue, ß as ss, no other accents, no control characters."""
    text = text[: MAX_INPUT * 2].casefold().translate(_UMLAUTS)
    text = unicodedata.normalize("NFKD", text)
    return "".join(
        char
        for char in text
        if not unicodedata.combining(char) and unicodedata.category(char)[0] != "C"
    )


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(fold(text[:MAX_INPUT]))


def _forms(token: str) -> list[str]:
    """A token and, for "typ-1-diabetes" or "me/cfs", its parts and their joins."""
    parts = [part for part in re.split(r"[-/]", token) if part]
    if len(parts) == 1:
        return parts
    forms = list(parts)
    for start in range(len(parts)):
        for end in range(start + 2, min(len(parts), start + 4) + 1):
            forms.append("".join(parts[start:end]))
    return forms


def words(text: str, max_words: int = MAX_WORDS) -> list[str]:
    """Folded words of ``text``, with the parts and joins of hyphenated words.

    Reads at most 500 characters and returns at most ``max_words`` tokens' forms, so
    hostile input stays cheap.
    """
    result = []
    for token in _tokens(text)[:max_words]:
        result.extend(_forms(token))
    return result


def stem(word: str) -> str:
    """Cut German inflection and plural endings; short words and abbreviations stay."""
    if word in _EXCEPTIONS:
        return _EXCEPTIONS[word]
    if len(word) <= 4 or not word.isalpha():
        return word
    for suffix, replacement in _SUFFIX_REPLACEMENTS:
        if word.endswith(suffix):
            return word[: -len(suffix)] + replacement
    if word.endswith(_KEEP_ENDINGS):
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def _known(part: str, lexicon) -> str | None:
    """``part`` or its stem when the lexicon knows it."""
    for candidate in (part, stem(part)):
        if candidate in lexicon:
            return candidate
    return None


def split_compound(word: str, lexicon, min_part: int = 3) -> list[str]:
    """The known words a compound is made of: "darmkreb" -> ["darm", "kreb"].

    In this order: a known head with a known rest (a linking element s, es, n, en or
    e may stand between them); else the longest known tail, with the head when it is
    long enough; else a known head of four letters or more ("trauercafe" -> "trau").
    Returns [] when no part is known. Work is bounded by the word's length squared.
    """
    if len(word) < 2 * min_part:
        return []
    heads = []
    for cut in range(len(word) - min_part, min_part - 1, -1):
        head = _known(word[:cut], lexicon)
        if head is None:
            continue
        heads.append(head)
        rest = word[cut:]
        for link in _LINKS:
            if rest.startswith(link) and len(rest) - len(link) >= min_part:
                tail = _known(rest[len(link) :], lexicon)
                if tail:
                    return [head, tail]
    for cut in range(min_part, len(word) - min_part + 1):
        tail = _known(word[cut:], lexicon)
        if tail:
            head = word[:cut]
            for link in _LINKS:
                if link and head.endswith(link) and len(head) - len(link) >= min_part:
                    head = head[: -len(link)]
                    break
            return [head, tail] if len(head) >= min_part else [tail]
    long_heads = [head for head in heads if len(head) >= 4]
    return long_heads[:1]


def index_terms(text: str, lexicon=frozenset()) -> set[str]:
    """Terms to store for a text: stems, joins of hyphenated words, compound parts."""
    terms = set()
    for token in _tokens(text[: MAX_INPUT * 6])[: MAX_WORDS * 40]:
        for form in _forms(token):
            term = stem(form)
            if len(term) >= MIN_TERM:
                terms.add(term)
                terms.update(split_compound(term, lexicon))
    return terms


class QueryWord(NamedTuple):
    """One word of a query: its main term, the forms that match it, its compound parts."""

    main: str
    forms: frozenset[str]
    parts: frozenset[str]


def query_terms(text: str, lexicon=frozenset()) -> list[QueryWord]:
    """The words of a query, at most 12, without repeats.

    ``forms`` are the stem of the whole word and, for "Typ-1" or "ME/CFS", of its
    parts and joins; ``parts`` are the thesaurus words a compound is made of, for
    the caller to try when the whole word finds nothing. Stop words ("ich suche eine
    Gruppe") are dropped unless nothing else is left.
    """
    result = []
    tokens = list(dict.fromkeys(_tokens(text)))[:MAX_WORDS]
    meaningful = [token for token in tokens if token.replace("-", "") not in STOP_WORDS]
    for token in meaningful or tokens:
        forms = _forms(token)
        main = stem(forms[-1] if len(forms) > 1 else forms[0])
        if len(main) < MIN_TERM:
            continue
        stems = {stem(form) for form in forms}
        options = {term for term in stems if len(term) >= MIN_TERM and term not in STOP_WORDS}
        result.append(
            QueryWord(main, frozenset(options | {main}), frozenset(split_compound(main, lexicon)))
        )
    return result


def edit_distance(a: str, b: str, max_distance: int) -> int:
    """Levenshtein distance with transpositions; max_distance + 1 once it is exceeded."""
    if abs(len(a) - len(b)) > max_distance:
        return max_distance + 1
    previous2, previous = None, list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, start=1):
            cost = char_a != char_b
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if (
                previous2 is not None
                and i > 1
                and j > 1
                and char_a == b[j - 2]
                and a[i - 2] == char_b
            ):
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > max_distance:
            return max_distance + 1
        previous2, previous = previous, current
    return min(previous[-1], max_distance + 1)


def allowed_distance(term: str) -> int:
    """Typos forgiven: none below 6 letters, one from 6, two from 9."""
    if len(term) >= 9:
        return 2
    if len(term) >= 6:
        return 1
    return 0


def fuzzy_candidates(term: str, vocabulary: Iterable[str]) -> list[str]:
    """Vocabulary words within the allowed distance of ``term``, nearest first."""
    limit = allowed_distance(term)
    if not limit:
        return []
    found = []
    for word in vocabulary:
        if word == term or abs(len(word) - len(term)) > limit or len(word) < 6:
            continue
        distance = edit_distance(term, word, limit)
        if distance <= limit:
            found.append((distance, word))
    return [word for _distance, word in sorted(found)]
