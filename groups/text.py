"""German text normalisation for the group directory's search (pure stdlib, no Django).

The terms stored for a group (``index_terms``) and the words a seeker types
(``query_terms``) go through the same functions, so matching is by plain equality of
terms, which an ordinary index serves on PostgreSQL and SQLite alike. Tradeoffs:

- ``stem`` is a light rule-based stemmer, not a dictionary. It over-cuts some words
  ("krebs" -> "kreb", "migraene" -> "migra") and misses umlaut plurals outside its small
  exception table ("suechte" != "sucht"). Over-cutting is harmless while both sides are
  cut alike; the price is a rare false match between unrelated words.
- ``split_compound`` only knows the parts its lexicon (the thesaurus) knows.
- Typos are forgiven against the small thesaurus vocabulary, never every description.
- All input is clipped (500 characters per query, 4000 per indexed text), so hostile
  input is cheap; nothing here raises on any string.
"""

import itertools
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from typing import NamedTuple

MAX_INPUT = 500  # characters of a query (or of ``words``' input) that are read
MAX_INDEX_INPUT = 4000  # characters of a text that ``index_terms`` reads
MAX_INDEX_TERMS = 2000  # terms ``index_terms`` returns at most
MAX_WORDS = 12  # words of a query
MAX_WORD_LENGTH = 64  # longer "words" are junk: never stemmed, split, indexed or queried
MIN_TERM = 2  # shorter terms ("1", "a") are neither indexed nor queried

# Lower-case letters that NFKD does not decompose into a base letter plus accents.
_LETTERS = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ı": "i", "ø": "o", "æ": "ae", "œ": "oe"}
    | {"ł": "l", "đ": "d", "ð": "d", "þ": "th", "ħ": "h"}
)
_SEPARATORS = "-/\u2010\u2011"  # hyphen, slash, Unicode hyphen, non-breaking hyphen
_TOKEN = re.compile(rf"[^\W_]+(?:[{_SEPARATORS}][^\W_]+)*")
_SPLIT = re.compile(rf"[{_SEPARATORS}]")
_MAX_JOIN = 4  # hyphenated parts joined at most ("typ-1-diabetes" -> "typ1diabetes")

# Irregular (umlaut) plurals by their base, and words the suffix rules would mangle.
# Matched at the end of a word too ("pflegeeltern", "grossvaeter"); every base is a
# fixed point of ``stem``.
_IRREGULAR = {
    "mann": ("maenner", "maennern"),
    "kind": ("kinder",),
    "frau": ("frauen",),
    "mutter": ("muetter", "muettern"),
    "vater": ("vaeter", "vaetern"),
    "tochter": ("toechter", "toechtern"),
    "bruder": ("brueder", "bruedern"),
    "sohn": ("soehne", "soehnen"),
    "arzt": ("aerzte", "aerzten"),
    "tumor": ("tumoren",),
    "eltern": (),
}
_EXCEPTIONS = {form: base for base, forms in _IRREGULAR.items() for form in (base, *forms)}
# Plural endings of derivational suffixes, replaced by the singular.
_REPLACEMENTS = {"ungen": "ung", "heiten": "heit", "keiten": "keit", "ionen": "ion"}
_REPLACEMENTS |= {"nissen": "nis", "nisse": "nis", "innen": "in"}
_SUFFIXES = ("ern", "em", "en", "er", "es", "e")  # longest first
_S_ENDINGS = frozenset("bdfghklmnrt")  # letters a plural or genitive "-s" may follow
_VOWELS = frozenset("aeiouy")
_LINKS = ("", "s", "es", "n", "en", "e")  # linking elements between compound parts

STOP_WORDS = frozenset(  # folded; checked before stemming
    """
    und oder sowie bzw der die das den dem des ein eine einer einen einem eines
    fuer fur mit bei beim in im von vom zu zur zum ich mein meine meiner meinen meinem
    wir uns unser unsere mich mir sich suche suchen gesucht gruppe gruppen
    selbsthilfe selbsthilfegruppe selbsthilfegruppen shg shgs hilfe nach auf an am
    aus bitte gibt es wo wie was wer welche ueber uber nicht kein keine ist sind
    habe hat hier auch zu viel sehr immer seit schon war wurde wurden werden kann
    will moechte mehr ganz dass jetzt lange leider seid bin bist
    """.split()  # noqa: SIM905 - a list literal would take eighty lines
)


# Stems that are never a compound's part: "Spielsuchtgruppe" is about "spielsucht", and
# "grupp" or "treff" would match every group's name; function words ("und") likewise.
GENERIC_PARTS = frozenset(  # stems
    {"grupp", "treff", "kreis", "gespraechskreis", "selbsthilf", "hilf", "probl", "verein"}
)
_LINKED_S = ("ungs", "heits", "keits", "ions", "taets", "schafts")  # always "s" linked
MIN_REMAINDER = 5  # letters of an unknown rest of a query compound that are looked up

# Words for a relative: a query naming one looks for the relatives' group of the rest
# ("Vater hat Parkinson"). "Frau" and "Mann" only after a possessive ("meine Frau").
RELATIONS = frozenset(
    """
    vater papa mutter mama eltern elternteil sohn tochter kind kinder baby bruder
    schwester geschwister oma opa grossmutter grossvater enkel enkelin ehemann ehefrau
    partner partnerin lebensgefaehrte lebensgefaehrtin angehoerige angehoeriger
    angehoerigen familie familienangehoerige relative relatives
    """.split()  # noqa: SIM905
)
_SPOUSES = frozenset({"frau", "mann", "freund", "freundin"})
_POSSESSIVES = frozenset(
    [
        "mein",
        "meine",
        "meiner",
        "meinen",
        "meinem",
        "unser",
        "unsere",
        "unserer",
        "unseren",
        "unserem",
        "my",
        "our",
    ]
)


def fold(text: str) -> str:
    """Normalise case, umlauts and accents; never raises, length stays roughly linear.

    Guarantees: casefolded; ä/ö/ü/ß (and Ä/Ö/Ü/ẞ) become ae/oe/ue/ss, so "Störung",
    "Stoerung" and "STÖRUNG" fold alike and "Fuß" == "Fuss"; other diacritics are
    dropped ("é" -> "e", "ı" -> "i"); full-width and other compatibility forms are plain.
    Control characters (tab, newline, NUL, ...) become blanks, so they still separate
    words; invisible format characters (soft hyphen, zero-width joiner) are dropped.
    """
    text = unicodedata.normalize("NFKC", text).casefold().translate(_LETTERS)
    chars = []
    for char in unicodedata.normalize("NFKD", text):
        category = unicodedata.category(char)
        if category == "Cc":
            chars.append(" ")
        elif category[0] != "C" and not unicodedata.combining(char):
            chars.append(char)
    return "".join(chars)


def _clip(text: str, limit: int) -> str:
    """At most ``limit`` characters, without a word cut in half where avoidable."""
    if len(text) <= limit:
        return text
    clipped = text[:limit]
    if not text[limit].isspace() and not clipped[-1].isspace():
        before_last = clipped.rsplit(maxsplit=1)
        clipped = before_last[0] if len(before_last) == 2 else clipped
    return clipped


def _tokens(text: str) -> list[str]:
    """Folded tokens; a token may hold hyphens or slashes ("typ-1-diabetes")."""
    return _TOKEN.findall(fold(text))


def _forms(token: str) -> list[str]:
    """The full join of a token first, then its parts and joins of neighbouring parts."""
    parts = [part for part in _SPLIT.split(token) if part]
    if len(parts) <= 1:
        return parts
    forms = ["".join(parts), *parts]
    for size in range(2, min(_MAX_JOIN, len(parts) - 1) + 1):
        forms.extend("".join(parts[i : i + size]) for i in range(len(parts) - size + 1))
    return list(dict.fromkeys(forms))


def words(text: str, max_words: int = MAX_WORDS) -> list[str]:
    """The folded word forms of ``text``, without repeats, in order of appearance.

    Letters and digits make words; everything else separates them. For a hyphenated or
    slashed token the parts and the joined form are returned: "Typ-1-Diabetes" gives
    typ, 1, diabetes, typ1, 1diabetes and typ1diabetes; "ME/CFS" gives me, cfs, mecfs.
    Only the first 500 characters and the first ``max_words`` tokens are read, so any
    input (markup, SQL, control characters, megabytes) is cheap and never raises.
    """
    forms = []
    for token in _tokens(_clip(text, MAX_INPUT))[: max(0, max_words)]:
        forms.extend(_forms(token))
    return list(dict.fromkeys(forms))


def _strip_once(word: str) -> str:
    """One stemming step: ``word`` without one ending, or ``word`` itself."""
    if len(word) <= 4 or not word.isalpha():
        return word  # abbreviations (copd, adhs, ms, als, aids), numbers, "typ1"
    for irregular, base in _EXCEPTIONS.items():
        if word.endswith(irregular):
            return word[: -len(irregular)] + base
    for suffix, replacement in _REPLACEMENTS.items():
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + replacement
    for suffix in _SUFFIXES:
        # "-es" only where "-s" may stand: "diabetes", not "schilddruese" -> "schilddru".
        long_enough = len(word) - len(suffix) >= 4
        if word.endswith(suffix) and long_enough and (suffix != "es" or word[-3] in _S_ENDINGS):
            return word[: -len(suffix)]
    if word[-1] == "s" and word[-2] in _S_ENDINGS and _VOWELS & set(word[-3:-1]):
        return word[:-1]  # "krebs", "lebens"; not "mecfs", "stress", "morbus"
    if word.endswith("ln"):
        return word[:-1]  # "regeln", "muskeln"
    return word


@lru_cache(maxsize=8192)
def stem(word: str) -> str:
    """A light German stem of a folded word; deterministic and idempotent.

    Cuts endings (ern, em, en, er, es, e; "-s" after a consonant that may carry it; "-n"
    after "l"), makes "-ungen", "-heiten", "-keiten", "-ionen", "-innen", "-nisse"
    singular and knows a few irregular plurals ("maenner" -> "mann"), leaving at least
    four letters. Words of up to four letters or with digits stay as they are (copd,
    adhs, ms, als, typ1), and so does a final "s" without a vowel before it ("mecfs").
    Steps repeat until nothing changes, so ``stem(stem(w)) == stem(w)`` by construction,
    at the price of some double cuts ("betroffenen" -> "betroff").
    """
    if len(word) > MAX_WORD_LENGTH:
        return word
    while (shorter := _strip_once(word)) != word:
        word = shorter
    return word


def _known(part: str, lexicon) -> str | None:
    """The stem of ``part`` or ``part`` itself, whichever the lexicon knows (the stem
    first: the index holds stems); never a function word or a generic part ("grupp")."""
    stemmed = stem(part)
    if part in STOP_WORDS or stemmed in GENERIC_PARTS:
        return None
    if stemmed in lexicon:
        return stemmed
    return part if part in lexicon else None


def _known_tail(rest: str, lexicon, min_part: int) -> tuple[str, bool] | None:
    """The known word ``rest`` is, possibly after a linking element; and if it is as typed."""
    for link in _LINKS:
        if rest.startswith(link) and len(rest) - len(link) >= min_part:
            tail = _known(rest[len(link) :], lexicon)
            if tail:
                return tail, tail == rest
    return None


def _split(word: str, lexicon, min_part: int, nested: bool) -> list[str]:
    best, best_exact, heads = [], -1, []
    for cut in range(len(word) - min_part, min_part - 1, -1):  # longest head first
        head = _known(word[:cut], lexicon)
        if head:
            heads.append(head)
            found = _known_tail(word[cut:], lexicon, min_part)
            if not found:
                continue
            # Prefer parts the lexicon holds as typed: "alkohol|sucht", not "alkohols|ucht".
            exact = (head == word[:cut]) + found[1]
            if exact > best_exact:
                best, best_exact = [head, found[0]], exact
            if exact == 2:
                break
    if best:
        return best
    alone = max(min_part, 4)  # a part found without a known neighbour: no "ess" in "stress"
    for cut in range(min_part, len(word) - alone + 1):  # longest tail first
        tail = _known(word[cut:], lexicon)
        if tail and len(tail) >= alone:
            head = word[:cut]
            inner = _split(head, lexicon, min_part, nested=False) if nested else []
            return [*inner, tail] if inner else [stem(head), tail]
    return [head for head in heads if len(head) >= alone][:1]


def split_compound(word: str, lexicon, min_part: int = 3) -> list[str]:
    """The parts of a compound that the lexicon knows, or [] when none is known.

    ``word`` is folded and stemmed, ``lexicon`` a set of stems (unstemmed pairs work too).
    First choice: a known head and a known tail, a linking element s, es, n, en or e
    allowed between them ("alkoholsucht" -> alkohol, sucht); else the longest known tail
    of 4+ letters after the head's own known parts or its stem ("hautkreb" -> haut, kreb;
    "darmkrebsvorsorg" -> darm, kreb, vorsorg); else the longest known head of 4+ letters.
    Parts have at least ``min_part`` letters; words with digits, shorter than
    2 * ``min_part`` or longer than 64 are not split. Work is O(len(word) ** 2) at most.
    """
    min_part = max(1, min_part)
    if not word.isalpha() or not 2 * min_part <= len(word) <= MAX_WORD_LENGTH:
        return []
    return list(dict.fromkeys(_split(word, lexicon, min_part, nested=True)))


def _term_ok(term: str) -> bool:
    return MIN_TERM <= len(term) <= MAX_WORD_LENGTH


def index_terms(text: str, lexicon: Iterable[str] = frozenset()) -> set[str]:
    """The terms to store for a text (group name, topic, synonym, description, place).

    For every word form (see ``words``, including joins such as "typ1diabetes"): its
    stem and the compound parts ``split_compound`` finds. Stop words are kept, so a query
    made only of them ("Selbsthilfegruppe") still finds something. Reads the first
    4000 characters and returns at most 2000 terms, each of 2 to 64 characters.
    """
    lexicon = lexicon if isinstance(lexicon, set | frozenset) else frozenset(lexicon)
    terms: set[str] = set()
    for token in _tokens(_clip(text, MAX_INDEX_INPUT)):
        for form in _forms(token):
            term = stem(form)
            if not _term_ok(term):
                continue
            for found in (term, *split_compound(term, lexicon)):
                terms.add(found)
                if len(terms) >= MAX_INDEX_TERMS:
                    return terms
    return terms


class QueryWord(frozenset):
    """One word of a query: the frozenset of every term that matches it.

    ``main`` is the stem of the whole word as typed, ``forms`` adds the stems of its
    parts and joins ("typ-1" -> typ, typ1), ``parts`` holds its known compound parts
    ("darmkreb" -> darm, kreb). The set is ``forms | parts``; callers rank a hit on
    ``main`` above one on ``forms`` and that above one on ``parts`` (a looser match).
    """

    main: str
    forms: frozenset[str]
    parts: frozenset[str]

    def __new__(cls, main: str, forms: Iterable[str] = (), parts: Iterable[str] = ()):
        forms = frozenset(forms) | {main}
        parts = frozenset(parts) - forms
        self = super().__new__(cls, forms | parts)
        self.main, self.forms, self.parts = main, forms, parts
        return self

    def __reduce__(self):
        return (type(self), (self.main, self.forms, self.parts))

    def __repr__(self) -> str:
        return f"QueryWord({self.main!r}, forms={set(self.forms)}, parts={set(self.parts)})"


def _is_stop(token: str) -> bool:
    parts = [part for part in _SPLIT.split(token) if part]
    return "".join(parts) in STOP_WORDS or all(part in STOP_WORDS for part in parts)


class Query(NamedTuple):
    """A parsed query: its words, and whether it names a relative ("mein Vater ...")."""

    words: list[QueryWord]
    relatives: bool


def _relations(tokens: list[str]) -> set[str]:
    """The tokens that name a relative: a kinship word, or "Frau"/"Mann" after "mein"."""
    found = {token for token in tokens if token in RELATIONS}
    for before, token in itertools.pairwise(tokens):
        if token in _SPOUSES and before in _POSSESSIVES:
            found.add(token)
    return found


def _without_generic(term: str) -> str:
    """A compound without a generic last part, stemmed ("trauergrupp" -> "trau"), or ""."""
    for generic in GENERIC_PARTS:
        if term.endswith(generic) and len(term) - len(generic) >= 4:
            rest = term[: -len(generic)]
            if rest.endswith(_LINKED_S):
                rest = rest[:-1]  # "essstoerungs|grupp"
            return stem(rest)
    return ""


def _remainder(term: str, parts: list[str]) -> list[str]:
    """The unknown rest of a compound with one known part at its start or end, stemmed,
    if long enough and not generic ("krebsnachsorg" -> "nachsorg"); else nothing."""
    if len(parts) != 1:
        return []
    part = parts[0]
    rest = term[len(part) :] if term.startswith(part) else ""
    if not rest and term.endswith(part):
        rest = term[: -len(part)]
    if rest[:1] == "s" and rest[1:2] not in _VOWELS | {"c", "p", "t", ""}:
        rest = rest[1:]  # a linking "s": "krebs|nachsorg" after the stem "kreb"
    rest = stem(rest) if rest.isalpha() else ""
    return [rest] if len(rest) >= MIN_REMAINDER and rest not in GENERIC_PARTS else []


def parse_query(text: str, lexicon: Iterable[str] = frozenset()) -> Query:
    """The words of a query (see ``query_terms``) and whether it names a relative.

    A word for a relative ("Vater", "Angehörige", "meine Frau") is no search word when
    others are left ("Vater hat Parkinson" searches "parkinson"): it says for whom the
    seeker looks, so the ranking prefers groups for relatives instead.
    """
    lexicon = lexicon if isinstance(lexicon, set | frozenset) else frozenset(lexicon)
    tokens = list(dict.fromkeys(_tokens(_clip(text, MAX_INPUT))))
    relations = _relations(tokens)
    meaningful = [token for token in tokens if not _is_stop(token)]
    wanted = [token for token in meaningful if token not in relations]
    result, seen = [], set()
    for token in wanted or meaningful or tokens:
        forms = [form for form in _forms(token) if _term_ok(form)]
        if not forms or not _term_ok(main := stem(forms[0])) or main in seen:
            continue
        seen.add(main)
        stems = {stem(form) for form in forms if form == forms[0] or form not in STOP_WORDS}
        base = _without_generic(main)  # "trauergrupp" is about "trau"
        if base:
            stems = {base} | stems - {main}
        parts = [part for term in stems for part in split_compound(term, lexicon)]
        stems.add(main)
        base = base or main
        parts += _remainder(base, parts)
        result.append(QueryWord(main, stems, parts))
        if len(result) >= MAX_WORDS:
            break
    return Query(result, bool(relations))


def query_terms(text: str, lexicon: Iterable[str] = frozenset()) -> list[QueryWord]:
    """The words of a query, in order, without repeats, at most 12.

    Each is a ``QueryWord``: a frozenset of the alternative terms that match it (its
    stem, the stems of its hyphen/slash parts and joins, its compound parts), with
    ``main``, ``forms`` and ``parts`` telling them apart. A group should match every
    query word by at least one alternative. Stop words ("ich suche eine Gruppe für")
    are dropped unless nothing else is left, and so are words for a relative (see
    ``parse_query``). Reads the first 500 characters only.
    """
    return parse_query(text, lexicon).words


def edit_distance(a: str, b: str, max_distance: int) -> int:
    """Optimal-string-alignment distance of ``a`` and ``b`` (Levenshtein + transpositions).

    Exact when it is at most ``max_distance``; otherwise ``max_distance + 1``, returned
    as soon as that is certain. Only a band of width 2 * ``max_distance`` + 1 is computed,
    so the cost is O(len(a) * max_distance).
    """
    max_distance = max(0, max_distance)
    too_far = max_distance + 1
    if a == b:
        return 0
    if abs(len(a) - len(b)) > max_distance:
        return too_far
    before, previous = None, [min(j, too_far) for j in range(len(b) + 1)]
    for i in range(1, len(a) + 1):
        current = [min(i, too_far)] + [too_far] * len(b)
        for j in range(max(1, i - max_distance), min(len(b), i + max_distance) + 1):
            value = min(
                previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] != b[j - 1])
            )
            if before and i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                value = min(value, before[j - 2] + 1)
            current[j] = min(value, too_far)
        if min(current) > max_distance:
            return too_far
        before, previous = previous, current
    return previous[-1]


def allowed_distance(term: str) -> int:
    """Typos forgiven in a word: none below 6 letters, one from 6 letters, two from 9."""
    if len(term) >= 9:
        return 2
    return 1 if len(term) >= 6 else 0


@lru_cache(maxsize=20_000)
def bigrams(word: str) -> frozenset[str]:
    """The distinct pairs of neighbouring letters of ``word``."""
    return frozenset(word[index : index + 2] for index in range(len(word) - 1))


def fuzzy_candidates(term: str, vocabulary: Iterable[str], max_results: int = 20) -> list[str]:
    """Vocabulary words within the typos allowed for ``term``, nearest first, then A-Z.

    The allowed distance follows the shorter of the two words (``allowed_distance``), so
    short words such as "ms", "als" or "copd" never match fuzzily, and neither do words
    with digits ("typ1" must not find "typ2"). An exact match has distance 0 and comes
    first. At most ``max_results`` words are returned.
    """
    if not term.isalpha() or not allowed_distance(term) or len(term) > MAX_WORD_LENGTH:
        return []
    found = []
    pairs = bigrams(term)
    for word in set(vocabulary):
        limit = allowed_distance(min(term, word, key=len))
        if not limit or not word.isalpha() or abs(len(word) - len(term)) > limit:
            continue
        # A word within ``limit`` edits keeps all but at most 3 * limit of the term's
        # letter pairs (an insertion breaks one, a deletion or substitution two, a
        # transposition three): an exact test, and far cheaper than the distance.
        if len(pairs & bigrams(word)) < len(pairs) - 3 * limit:
            continue
        distance = edit_distance(term, word, limit)
        if distance <= limit:
            found.append((distance, word))
    return [word for _distance, word in sorted(found)[: max(0, max_results)]]
