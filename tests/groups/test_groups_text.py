"""The pure text rules behind the group search: folding, words, stems, compounds, typos.

No database: these are the functions both the index and the query go through.
"""

import copy
import json
import random
import time

import pytest

from groups import text

LEXICON = frozenset(
    {"darm", "krebs", "brust", "angehoerig", "sucht", "alkohol", "pflege", "eltern", "kind"}
)
# As the search builds it: stems of thesaurus words.
STEMMED_LEXICON = frozenset({"darm", "kreb", "brust", "stoerung", "vorsorg", "alkohol", "sucht"})

HOSTILE = [
    "x" * 10_000,
    "Depression " * 1_000,
    "a-" * 5_000,
    "ä/" * 5_000,
    "<script>alert('x')</script>" * 300,
    "'; DROP TABLE groups_group; --",
    "\x00\x1f\x7f" * 3_000,
    "\u200b\u00ad\ufeff" * 3_000,
    "\ud800 lone surrogate \udfff",
    "".join(chr(0x1D51E + ord(char) - ord("a")) for char in "depression"),  # Fraktur
    "\uff33\uff34\u00d6\uff32\uff35\uff2e\uff27 \ufb01nanz",  # full-width, ligature
    "".join(chr(code) for code in range(0, 3_000)),
    "",
    "   \n\t  ",
]


# fold ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Störung", "Stoerung"),
        ("Störung", "STOERUNG"),
        ("STÖRUNG", "stoerung"),
        ("Fuß", "Fuss"),
        ("FUSS", "fuß"),
        ("\u1e9e", "ss"),  # capital sharp s
        ("Ärger", "AERGER"),
        ("Übelkeit", "uebelkeit"),
        ("o\u0308l", "Öl"),  # decomposed umlaut
        ("Café", "cafe"),
        ("I\u015f\u0131k", "isik"),  # Turkish dotless i
        ("\uff23\uff2f\uff30\uff24", "copd"),  # full-width
        ("Selbst\u00adhilfe", "selbsthilfe"),  # soft hyphen
    ],
)
def test_fold_makes_spellings_equal(first, second):
    assert text.fold(first) == text.fold(second)


def test_fold_turns_control_characters_into_blanks():
    assert text.fold("a\x00b\x1fc\td\ne") == "a b c d e"
    assert text.words("Depression\nAngst") == ["depression", "angst"]


# words -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Typ-1-Diabetes", {"typ", "1", "diabetes", "typ1diabetes", "typ1", "1diabetes"}),
        ("ME/CFS", {"me", "cfs", "mecfs"}),
        ("Post-COVID", {"post", "covid", "postcovid"}),
        ("COPD", {"copd"}),
        ("(Crohn)", {"crohn"}),
        ("Angst, Panik; Phobie.", {"angst", "panik", "phobie"}),
        ("Diabetischer Fuß", {"diabetischer", "fuss"}),
        ("Typ\u20111", {"typ", "1", "typ1"}),  # non-breaking hyphen
        ("und/oder", {"und", "oder", "undoder"}),
    ],
)
def test_words(raw, expected):
    assert set(text.words(raw)) == expected


def test_words_keep_order_without_repeats():
    assert text.words("Angst und Angst, Panik") == ["angst", "und", "panik"]


def test_words_read_at_most_max_words_tokens():
    assert text.words("eins zwei drei vier", max_words=2) == ["eins", "zwei"]
    assert text.words("eins zwei", max_words=0) == []
    assert len(text.words(" ".join(f"wort{i}" for i in range(100)))) == text.MAX_WORDS


def test_words_read_only_the_beginning_of_long_input():
    assert text.words("a " * 400 + "Depression") == ["a"]


# stem ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("psychosen", "psychose"),
        ("stoerungen", "stoerung"),
        ("angehoerige", "angehoerigen"),
        ("angehoeriger", "angehoerige"),
        ("kinder", "kind"),
        ("kindern", "kind"),
        ("krankheiten", "krankheit"),
        ("abhaengigkeiten", "abhaengigkeit"),
        ("erkrankungen", "erkrankung"),
        ("gruppen", "gruppe"),
        ("schmerzen", "schmerz"),
        ("depressionen", "depression"),
        ("frauen", "frau"),
        ("maenner", "mann"),
        ("maennern", "mann"),
        ("tumoren", "tumor"),
        ("tumore", "tumor"),
        ("drogen", "droge"),
        ("kranker", "kranke"),
        ("schwestern", "schwester"),
        ("aerztinnen", "aerztin"),
        ("erlebnisse", "erlebnis"),
        ("herzens", "herz"),
        ("schilddruese", "schilddruesen"),
        ("lebens", "leben"),
        ("regeln", "regel"),
        ("grossvaeter", "grossvater"),
    ],
)
def test_stem_brings_inflections_together(first, second):
    assert text.stem(first) == text.stem(second)


@pytest.mark.parametrize(
    ("word", "stemmed"),
    [
        ("eltern", "eltern"),
        ("pflegeeltern", "pflegeeltern"),
        ("fuss", "fuss"),
        ("stress", "stress"),
        ("morbus", "morbus"),
        ("crohn", "crohn"),
        ("diabetes", "diabet"),
        ("schizophrenie", "schizophreni"),
        ("typ1diabetes", "typ1diabetes"),
    ],
)
def test_stem_results(word, stemmed):
    assert text.stem(word) == stemmed


@pytest.mark.parametrize(
    "word", ["copd", "adhs", "ms", "als", "ced", "aids", "ptbs", "hiv", "mecfs", "1", "2025"]
)
def test_stem_keeps_abbreviations_and_numbers(word):
    assert text.stem(word) == word


IDEMPOTENCE_WORDS = [
    "psychosen",
    "betroffenen",
    "migraene",
    "selbsthilfegruppen",
    "alkoholikern",
    "krebses",
    "prothesen",
    "lebensfreude",
    "angehoerigen",
    "essstoerungen",
    "menschen",
    "eeeeeeeeeeeeeeeeeeee",
    "sssssssss",
    *text._EXCEPTIONS,
    *text._EXCEPTIONS.values(),
]


@pytest.mark.parametrize("word", IDEMPOTENCE_WORDS)
def test_stem_is_idempotent(word):
    assert text.stem(text.stem(word)) == text.stem(word)


def test_stem_is_idempotent_on_random_words():
    rng = random.Random(20_250)
    for _ in range(3_000):
        word = "".join(rng.choices("aeiounrstlmdgkhbscz", k=rng.randint(1, 16)))
        assert text.stem(text.stem(word)) == text.stem(word), word


# split_compound --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "lexicon", "parts"),
    [
        ("darmkrebs", LEXICON, ["darm", "krebs"]),
        ("brustkrebs", LEXICON, ["brust", "krebs"]),
        ("alkoholsucht", LEXICON, ["alkohol", "sucht"]),
        ("pflegeeltern", LEXICON, ["pflege", "eltern"]),
        ("suchtangehoerig", LEXICON, ["sucht", "angehoerig"]),
        ("hautkrebs", LEXICON, ["haut", "krebs"]),
        ("kinderkrebs", LEXICON, ["kind", "krebs"]),
        ("darmkreb", STEMMED_LEXICON, ["darm", "kreb"]),
        ("essstoerung", STEMMED_LEXICON, ["ess", "stoerung"]),
        ("darmkrebsvorsorg", STEMMED_LEXICON, ["darm", "kreb", "vorsorg"]),
        ("alkoholssucht", STEMMED_LEXICON, ["alkohol", "sucht"]),  # linking "s"
        ("brustenkreb", STEMMED_LEXICON, ["brust", "kreb"]),  # linking "en"
        ("quantenphysik", LEXICON, []),
        ("darm", LEXICON, []),
        ("typ1krebs", LEXICON, []),
        ("", LEXICON, []),
    ],
)
def test_split_compound(word, lexicon, parts):
    assert text.split_compound(word, lexicon) == parts


def test_split_compound_respects_min_part():
    assert text.split_compound("abskreb", STEMMED_LEXICON) == ["abs", "kreb"]
    assert text.split_compound("abkreb", STEMMED_LEXICON) == []
    assert text.split_compound("hautkreb", STEMMED_LEXICON, min_part=4) == ["haut", "kreb"]
    assert text.split_compound("hautkreb", STEMMED_LEXICON, min_part=5) == []


def test_split_compound_is_bounded_on_long_words():
    assert text.split_compound("darm" * 100, STEMMED_LEXICON) == []
    started = time.perf_counter()
    parts = text.split_compound("darm" * 16, STEMMED_LEXICON)
    assert time.perf_counter() - started < 1
    assert parts[-1] == "darm"
    assert len(parts) <= 3
    assert all(set(part.split("darm")) == {""} for part in parts)


# index_terms -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("Darmkrebs-Selbsthilfe", {"darmkreb", "darm", "kreb", "selbsthilf"}),
        ("Typ-1-Diabetes", {"typ", "typ1", "diabet", "typ1diabetes"}),
        ("Long COVID und ME/CFS", {"long", "covid", "me", "cfs", "mecfs", "und"}),
        ("Männergruppe", {"maennergrupp"}),
        ("Angehörige psychisch Kranker", {"angehoerig", "psychisch", "krank"}),
    ],
)
def test_index_terms(phrase, expected):
    assert expected <= text.index_terms(phrase, STEMMED_LEXICON)


def test_index_terms_drop_one_letter_terms():
    assert "1" not in text.index_terms("Typ 1")


@pytest.mark.parametrize(
    ("first", "second"),
    [("Störungen", "stoerung"), ("Fuß", "FUSS"), ("Psychosen", "Psychose"), ("Männer", "Mann")],
)
def test_index_terms_of_spellings_agree(first, second):
    assert text.index_terms(first) == text.index_terms(second)


# query_terms -----------------------------------------------------------------------


def test_query_word_is_a_set_of_alternatives():
    [word] = text.query_terms("Darmkrebs", STEMMED_LEXICON)
    assert word == {"darmkreb", "darm", "kreb"}
    assert word.main == "darmkreb"
    assert word.forms == {"darmkreb"}
    assert word.parts == {"darm", "kreb"}
    assert copy.deepcopy(word).parts == word.parts


@pytest.mark.parametrize(
    ("query", "mains"),
    [
        ("Depression", ["depression"]),
        ("DEPRESSIONEN depression", ["depression"]),
        ("Ich suche eine Selbsthilfegruppe für Depression", ["depression"]),
        ("Gruppe für Angehörige", ["angehoerig"]),
        ("Selbsthilfegruppe", ["selbsthilfegrupp"]),  # nothing else: kept
        ("und oder", ["und", "oder"]),
        ("Alkoholsucht Frauen", ["alkoholsucht", "frau"]),  # "sucht" is no stop word
        ("COPD ADHS MS ALS", ["copd", "adhs", "ms", "als"]),
        ("Typ-1", ["typ1"]),
        ("ME/CFS", ["mecfs"]),
        ("<b>Trauer</b>", ["trau"]),  # "b" is too short
        ("'; DROP TABLE groups; --", ["drop", "tabl", "groups"]),
        ("a 1 ?", []),
    ],
)
def test_query_terms_main_words(query, mains):
    assert [word.main for word in text.query_terms(query)] == mains


def test_query_terms_of_hyphenated_words():
    [word] = text.query_terms("Typ-1-Diabetes")
    assert word.main == "typ1diabetes"
    assert {"typ", "typ1", "diabet"} <= word
    assert "1" not in word


def test_query_terms_take_at_most_twelve_words():
    words = text.query_terms(" ".join(f"thema{i}" for i in range(30)))
    assert [word.main for word in words] == [f"thema{i}" for i in range(12)]


@pytest.mark.parametrize(
    ("indexed", "query"),
    [
        ("Psychose-Erfahrene im Gespräch", "Psychosen"),
        ("Angehörige psychisch erkrankter Menschen", "Angehoerigen"),
        ("Essstörungen – Betroffene", "Essstoerung"),
        ("Darmkrebs-Selbsthilfe", "Krebs"),
        ("Frauen nach Brustkrebs", "Brustkrebs"),
        ("Diabetischer Fuß", "Fuss"),
        ("Für junge Menschen mit Typ-1-Diabetes.", "Typ-1"),
        ("Long COVID und ME/CFS", "ME/CFS"),
        ("Long COVID und ME/CFS", "mecfs"),
        ("Lungensport bei COPD", "copd"),
        ("Männergruppe Nord", "Männergruppe"),
        ("Eltern drogenabhängiger Kinder", "Kind"),
        ("Hautkrebs", "Hautkrebs"),
    ],
)
def test_every_query_word_finds_the_indexed_text(indexed, query):
    terms = text.index_terms(indexed, STEMMED_LEXICON)
    for word in text.query_terms(query, STEMMED_LEXICON):
        assert word & terms, (word, terms)


# edit_distance and fuzzy_candidates ------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "max_distance", "distance"),
    [
        ("depression", "depression", 2, 0),
        ("depresion", "depression", 2, 1),
        ("skizophreni", "schizophreni", 2, 2),
        ("ab", "ba", 1, 1),  # transposition
        ("angst", "agnst", 2, 1),
        ("kitten", "sitting", 3, 3),
        ("kitten", "sitting", 2, 3),  # exceeded: max_distance + 1
        ("abc", "", 1, 2),
        ("", "", 0, 0),
        ("abc", "abd", 0, 1),
        ("abcdef", "badcfe", 5, 3),
    ],
)
def test_edit_distance(a, b, max_distance, distance):
    assert text.edit_distance(a, b, max_distance) == distance
    assert text.edit_distance(b, a, max_distance) == distance


def test_edit_distance_stops_early_on_long_input():
    started = time.perf_counter()
    assert text.edit_distance("a" * 5_000, "b" * 5_000, 2) == 3
    assert time.perf_counter() - started < 1


VOCABULARY = {"schizophreni", "schizophrenie", "depression", "ms", "als", "diabet", "typ2"}


@pytest.mark.parametrize(
    ("term", "found"),
    [
        ("skizophrenie", ["schizophrenie"]),
        ("skizophreni", ["schizophreni"]),
        ("depresion", ["depression"]),
        ("depressoin", ["depression"]),
        ("depression", ["depression"]),
        ("diabet", ["diabet"]),
        ("diabte", ["diabet"]),  # a transposition is one typo
        ("ms", []),
        ("als", []),
        ("mss", []),
        ("copd", []),
        ("typ1", []),
        ("", []),
    ],
)
def test_fuzzy_candidates(term, found):
    assert text.fuzzy_candidates(term, VOCABULARY) == found


def _fuzzy_by_distance_alone(term, vocabulary):
    """``fuzzy_candidates`` as it was before its letter-pair test: every word of a
    near length is measured."""
    found = []
    for word in set(vocabulary):
        limit = text.allowed_distance(min(term, word, key=len))
        if not limit or not word.isalpha() or abs(len(word) - len(term)) > limit:
            continue
        distance = text.edit_distance(term, word, limit)
        if distance <= limit:
            found.append((distance, word))
    return [word for _distance, word in sorted(found)[:20]]


def _typos(word, rng):
    """Each single typo of ``word`` (a letter dropped, doubled, swapped with the next,
    replaced) and a few double ones."""
    single = set()
    for i in range(len(word)):
        single.add(word[:i] + word[i + 1 :])
        single.add(word[:i] + word[i] + word[i:])
        single.add(word[:i] + "e" + word[i + 1 :])
        if i + 1 < len(word):
            single.add(word[:i] + word[i + 1] + word[i] + word[i + 2 :])
    double = {rng.choice(sorted(single)) for _ in range(5)}
    double = {typo[:j] + "x" + typo[j + 1 :] for typo in double for j in (1, len(typo) // 2)}
    return (single | double) - {""}


def test_the_letter_pair_test_finds_what_the_distance_alone_finds():
    from groups.search import THESAURUS, lexicon_of

    data = json.loads(THESAURUS.read_text(encoding="utf-8"))
    phrases = [
        phrase
        for category in data["categories"]
        for topic in category["topics"]
        for phrase in [topic["name"], *topic.get("synonyms", [])]
    ]
    vocabulary = lexicon_of(phrases)
    rng = random.Random(23)
    words = rng.sample(sorted(word for word in vocabulary if len(word) >= 6), 30)
    checked = 0
    for word in words:
        for typo in _typos(word, rng):
            expected = _fuzzy_by_distance_alone(typo, vocabulary)
            assert text.fuzzy_candidates(typo, vocabulary) == expected, typo
            checked += bool(expected)
    assert checked > 1_000  # most typos are found, so the test compares real answers


def test_fuzzy_candidates_sort_by_distance_then_alphabet():
    vocabulary = ["krankheiten", "krankheit", "krankheot", "krankhxit", "gesundheit"]
    assert text.fuzzy_candidates("krankheit", vocabulary) == [
        "krankheit",
        "krankheot",
        "krankhxit",
        "krankheiten",
    ]
    assert text.fuzzy_candidates("krankheit", vocabulary, max_results=2) == [
        "krankheit",
        "krankheot",
    ]


@pytest.mark.parametrize(
    ("term", "allowed"), [("ms", 0), ("angst", 0), ("diabet", 1), ("depresion", 2)]
)
def test_allowed_distance(term, allowed):
    assert text.allowed_distance(term) == allowed


# hostile input ---------------------------------------------------------------------


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_input_never_raises_and_stays_bounded(hostile):
    started = time.perf_counter()
    folded = text.fold(hostile)
    assert isinstance(folded, str)
    assert len(text.words(hostile)) <= 5 * text.MAX_WORDS * 4
    query = text.query_terms(hostile, STEMMED_LEXICON)
    assert len(query) <= text.MAX_WORDS
    terms = text.index_terms(hostile, STEMMED_LEXICON)
    assert len(terms) <= text.MAX_INDEX_TERMS
    assert all(text.MIN_TERM <= len(term) <= text.MAX_WORD_LENGTH for term in terms)
    for word in folded.split()[:50]:
        assert text.stem(text.stem(word)) == text.stem(word)
        text.split_compound(word, STEMMED_LEXICON)
        text.fuzzy_candidates(word, VOCABULARY)
    for word in query:
        assert all(len(term) <= text.MAX_WORD_LENGTH for term in word)
    assert time.perf_counter() - started < 2


def test_there_are_enough_cases():
    cases = sum(
        len(marker.args[1])
        for function in list(globals().values())
        for marker in getattr(function, "pytestmark", [])
        if marker.name == "parametrize"
    )
    assert cases >= 50


# Issue 20: compounds, relatives ------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("spielsuchtgrupp", ["spielsucht"]),  # "grupp" is generic, never a part
        ("hundangst", ["hund", "angst"]),  # "und" is a function word, never a part
        ("alkoholsucht", ["alkohol", "sucht"]),
    ],
)
def test_split_compound_skips_generic_parts_and_function_words(word, parts):
    lexicon = STEMMED_LEXICON | {"grupp", "und", "hund", "angst", "spielsucht"}
    assert text.split_compound(word, lexicon) == parts


def test_split_compound_prefers_the_stem_the_index_holds():
    assert text.split_compound("krebsnachsorg", {"krebs", "kreb"}) == ["kreb"]


@pytest.mark.parametrize(
    ("query", "forms", "parts"),
    [
        ("Trauergruppe", {"trauergrupp", "trau"}, set()),
        ("Essstörungsgruppe", {"essstoerungsgrupp", "essstoerung"}, {"ess", "stoerung"}),
        ("Krebsnachsorge", {"krebsnachsorg"}, {"kreb", "nachsorg"}),
        ("Alkoholproblem", {"alkoholprobl", "alkohol"}, set()),
    ],
)
def test_query_terms_of_compounds(query, forms, parts):
    lexicon = STEMMED_LEXICON | {"trau", "essstoerung"}
    (word,) = text.query_terms(query, lexicon)
    assert set(word.forms) == forms
    assert set(word.parts) == parts


@pytest.mark.parametrize(
    ("query", "mains", "relatives"),
    [
        ("Vater hat Parkinson", ["parkinson"], True),
        ("meine Frau trinkt", ["trinkt"], True),
        ("mein Mann trinkt zu viel", ["trinkt"], True),
        ("Angehörige Demenz", ["demenz"], True),
        ("Eltern ADHS", ["adhs"], True),
        ("Frauen nach Brustkrebs", ["frau", "brustkreb"], False),
        ("Frau mit Brustkrebs", ["frau", "brustkreb"], False),  # no possessive: herself
        ("Männer", ["mann"], False),
        ("Angehörige", ["angehoerig"], True),  # nothing else left: still searched
        ("Depression", ["depression"], False),
    ],
)
def test_parse_query_recognises_relatives(query, mains, relatives):
    parsed = text.parse_query(query, STEMMED_LEXICON)
    assert [word.main for word in parsed.words] == mains
    assert parsed.relatives is relatives


def test_filler_words_are_stop_words():
    assert [word.main for word in text.query_terms("immer traurig, seit Jahren schon")] == [
        "traurig",
        "jahr",
    ]
