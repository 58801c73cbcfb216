"""The directory's search, as seekers type: a table of real queries and what they find.

Runs on SQLite and PostgreSQL alike (CI runs both), so both give the same results.
"""

import pytest
from django.urls import reverse

from groups import text
from groups.models import Group, Synonym, Topic, TopicCategory
from groups.search import (
    lexicon,
    ranked_group_ids,
    ranked_groups,
    reindex_groups,
    sensitive_topic_ids,
)
from tests.factories import GroupFactory

THESAURUS = {
    "Depression": ["Niedergeschlagenheit", "traurig"],
    "Angststörung": ["Panikattacken", "Phobie", "Angst"],
    "Essstörung": ["Magersucht", "Bulimie", "Anorexie"],
    "Psychose": [],
    "Schizophrenie": [],
    "Drogenabhängigkeit": ["Drogen", "Cannabis", "Kiffen"],
    "Alkoholabhängigkeit": ["Alkohol", "Alkoholismus", "Sucht"],
    "Darmkrebs": ["Kolonkarzinom"],
    "Brustkrebs": ["Mammakarzinom"],
    "Diabetes": ["Zucker", "Typ-1-Diabetes", "Typ-2-Diabetes"],
    "COPD": ["Lungenemphysem", "chronische Bronchitis"],
    "Long COVID": ["ME/CFS", "Post-COVID"],
    "Morbus Crohn": ["CED"],
    "Migräne": ["Kopfschmerzen"],
    "Trauer": ["Tod des Partners", "Verlust"],
    "Angehörige psychisch Kranker": [],
}

GROUPS = {
    "dep": ("Depression – Wege aus dem Tief", ["Depression"], {}),
    "angst": ("Angst und Panik", ["Angststörung"], {}),
    "ess": ("Essstörungen – Betroffene", ["Essstörung"], {}),
    "psych": ("Psychose-Erfahrene im Gespräch", ["Psychose"], {}),
    "schizo": ("Trialog Schizophrenie", ["Schizophrenie"], {}),
    "na": ("Narcotics Anonymous", ["Drogenabhängigkeit"], {}),
    "eltern": (
        "Eltern drogenabhängiger Kinder",
        ["Drogenabhängigkeit"],
        {"audience": Group.Audience.RELATIVES},
    ),
    "alk": ("Freundeskreis Suchtkrankenhilfe", ["Alkoholabhängigkeit"], {}),
    "darm": ("Darmkrebs-Selbsthilfe", ["Darmkrebs"], {}),
    "brust": ("Frauen nach Brustkrebs", ["Brustkrebs"], {}),
    "typ1": (
        "Diabetes Typ 1 – junge Erwachsene",
        ["Diabetes"],
        {
            "age_group": Group.AgeGroup.YOUNG,
            "description": "Für junge Menschen mit Typ-1-Diabetes.",
        },
    ),
    "fuss": ("Diabetischer Fuß – Gesprächskreis", ["Diabetes"], {}),
    "copd": ("Lungensport bei COPD", ["COPD"], {}),
    "mecfs": ("Long COVID und ME/CFS", ["Long COVID"], {"format": Group.Format.ONLINE}),
    "crohn": ("Morbus Crohn (CED)", ["Morbus Crohn"], {}),
    "migraene": ("Migräne und Kopfschmerz", ["Migräne"], {}),
    "trauer": ("Trauercafé", ["Trauer"], {"city": "Musterstadt", "district": "Südstadt"}),
    "angeh": (
        "Angehörige psychisch erkrankter Menschen",
        ["Angehörige psychisch Kranker"],
        {"audience": Group.Audience.RELATIVES},
    ),
    "maenner": (
        "Männergruppe Nord",
        [],
        {
            "description": "Männer sprechen über Arbeit, Familie und Gesundheit.",
            "city": "Beispielheim",
        },
    ),
    "hidden": (
        "Anonyme Alkoholiker Frauenmeeting",
        ["Alkoholabhängigkeit"],
        {"listing": Group.Listing.UNLISTED},
    ),
    "closed": ("Alte Depressionsgruppe", ["Depression"], {"status": Group.Status.CLOSED}),
}

# query, groups it must find, groups it must not find
CASES = [
    ("Depression", {"dep"}, {"closed", "angst"}),
    ("depression", {"dep"}, set()),
    ("DEPRESSIONEN", {"dep"}, set()),
    ("Depressionsgruppe", {"dep"}, {"closed"}),
    ("Depresion", {"dep"}, set()),
    ("niedergeschlagenheit", {"dep"}, set()),
    ("Psychosen", {"psych"}, set()),
    ("Psychose", {"psych"}, set()),
    ("Skizophrenie", {"schizo"}, set()),
    ("schizophrenie", {"schizo"}, set()),
    ("Drogen", {"na", "eltern"}, {"alk"}),
    ("Cannabis", {"na", "eltern"}, set()),
    ("kiffen", {"na"}, set()),
    ("Alkohol", {"alk"}, {"hidden", "na"}),
    ("Alkoholsucht", {"alk"}, {"hidden"}),
    ("Anonyme Alkoholiker", set(), {"hidden"}),
    ("Darmkrebs", {"darm"}, set()),
    ("Krebs", {"darm", "brust"}, {"dep"}),
    ("Darm", {"darm"}, {"brust"}),
    ("Brust", {"brust"}, {"darm"}),
    ("Brustkrebs", {"brust"}, set()),
    ("Mammakarzinom", {"brust"}, set()),
    ("Störung", {"ess", "angst"}, set()),
    ("Stoerung", {"ess", "angst"}, set()),
    ("Essstoerungen", {"ess"}, {"angst"}),
    ("Magersucht", {"ess"}, set()),
    ("Angststörung", {"angst"}, set()),
    ("Panikattacken", {"angst"}, set()),
    ("Typ-1", {"typ1"}, {"copd"}),
    ("Typ 1 Diabetes", {"typ1", "fuss"}, set()),
    ("Diabetes", {"typ1", "fuss"}, set()),
    ("Zucker", {"typ1", "fuss"}, set()),
    ("Fuss", {"fuss"}, set()),
    ("Fuß", {"fuss"}, set()),
    ("COPD", {"copd"}, set()),
    ("copd lunge", {"copd"}, set()),
    ("ME/CFS", {"mecfs"}, set()),
    ("Post-COVID", {"mecfs"}, set()),
    ("CED", {"crohn"}, set()),
    ("Morbus Crohn", {"crohn"}, set()),
    ("(Crohn)", {"crohn"}, set()),
    ("Migraene", {"migraene"}, set()),
    ("Kopfschmerzen", {"migraene"}, set()),
    ("Trauer", {"trauer"}, set()),
    ("Südstadt", {"trauer"}, set()),
    ("Angehörige", {"angeh"}, set()),
    ("Angehoerige psychisch Kranker", {"angeh"}, set()),
    ("Männer", {"maenner"}, set()),
    ("ich suche eine Selbsthilfegruppe für Depression", {"dep"}, set()),
    ("Depression Quantenphysik", {"dep"}, set()),
    ("Quantenphysik", set(), {"dep", "hidden", "closed"}),
]


@pytest.fixture
def groups(office):
    category = TopicCategory.objects.get_or_create(
        slug="testbereich", defaults={"name": "Testbereich"}
    )[0]
    topics = {}
    for name, synonyms in THESAURUS.items():
        topic = Topic.objects.filter(name__iexact=name).first() or Topic.objects.create(
            category=category, name=name
        )
        for term in synonyms:
            if not topic.synonyms.filter(term__iexact=term).exists():
                Synonym.objects.create(topic=topic, term=term)
        topics[name] = topic
    created = {}
    for key, (name, topic_names, fields) in GROUPS.items():
        created[key] = GroupFactory(
            office=office,
            name=name,
            topics=[topics[topic] for topic in topic_names],
            **{"description": "", **fields},
        )
    reindex_groups([group.pk for group in created.values()])
    return created


@pytest.mark.parametrize(("query", "must_find", "must_not_find"), CASES)
def test_seeker_queries(groups, query, must_find, must_not_find):
    found_ids = ranked_group_ids(Group.objects.public(), query)
    found = {key for key, group in groups.items() if group.pk in found_ids}
    assert must_find <= found, f"{query!r} missed {must_find - found}"
    assert not (must_not_find & found), f"{query!r} wrongly found {must_not_find & found}"


def test_there_are_enough_cases():
    assert len(CASES) >= 40


def test_name_and_topic_matches_rank_above_description(groups, office):
    in_description = GroupFactory(
        office=office, name="Gesprächskreis", description="Auch bei Schizophrenie willkommen."
    )
    reindex_groups([in_description.pk])
    ranked = ranked_group_ids(Group.objects.public(), "Schizophrenie")
    assert ranked.index(groups["schizo"].pk) < ranked.index(in_description.pk)


def test_more_matched_words_rank_higher(groups):
    ranked = ranked_group_ids(Group.objects.public(), "Diabetes Typ-1")
    assert ranked[0] == groups["typ1"].pk
    assert groups["fuss"].pk in ranked


def test_the_directory_page_ranks_and_filters(client, groups):
    response = client.get(reverse("groups:directory"), {"q": "Drogen", "relatives": "on"})
    content = response.content.decode()
    assert "1 Gruppe gefunden" in content
    assert "Eltern drogenabhängiger Kinder" in content
    assert "Narcotics Anonymous" not in content
    response = client.get(reverse("groups:directory"), {"q": "Long Covid", "format": "online"})
    assert "Long COVID und ME/CFS" in response.content.decode()


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("Störung", "stoerung"),
        ("FUSS", "fuss"),
        ("Fuß", "fuss"),
        ("Café", "cafe"),
        ("Ärger", "aerger"),
    ],
)
def test_fold(raw, folded):
    assert text.fold(raw) == folded


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("psychosen", "psychose"),
        ("stoerungen", "stoerung"),
        ("angehoerigen", "angehoerige"),
        ("erkrankungen", "erkrankung"),
        ("kinder", "kind"),
        ("maenner", "mann"),
        ("depressionen", "depression"),
    ],
)
def test_stem_brings_inflections_together(first, second):
    assert text.stem(first) == text.stem(second)


@pytest.mark.parametrize("word", ["copd", "ms", "als", "ced", "adhs"])
def test_stem_keeps_abbreviations(word):
    assert text.stem(word) == word


def test_split_compound():
    lexicon = {"darm", "kreb", "brust", "alkohol", "sucht", "stoerung"}
    assert text.split_compound("darmkreb", lexicon) == ["darm", "kreb"]
    assert text.split_compound("alkoholsucht", lexicon) == ["alkohol", "sucht"]
    assert text.split_compound("essstoerung", lexicon) == ["ess", "stoerung"]
    assert text.split_compound("hautkreb", lexicon) == ["haut", "kreb"]
    assert text.split_compound("quantenphysik", lexicon) == []


def test_words_of_hyphenated_and_slashed_tokens():
    assert {"typ", "1", "diabetes", "typ1", "typ1diabetes"} <= set(text.words("Typ-1-Diabetes"))
    assert {"me", "cfs", "mecfs"} <= set(text.words("ME/CFS"))


def test_fuzzy_candidates():
    vocabulary = {"schizophreni", "depression", "ms", "als", "diabet"}
    assert text.fuzzy_candidates("skizophreni", vocabulary) == ["schizophreni"]
    assert text.fuzzy_candidates("depresion", vocabulary) == ["depression"]
    assert text.fuzzy_candidates("ms", vocabulary) == []
    assert text.fuzzy_candidates("als", vocabulary) == []


@pytest.mark.parametrize(
    "hostile",
    ["x" * 10_000, "<script>alert(1)</script>", "'; DROP TABLE x; --", "\x00\x1f\x7f", ""],
)
def test_hostile_input_stays_cheap_and_bounded(hostile):
    assert len(text.query_terms(hostile * 3)) <= text.MAX_WORDS
    assert len(text.index_terms(hostile)) <= 2000


@pytest.mark.parametrize(
    ("asked", "shown", "first", "rankings"),
    [
        ("1", 1, 0, 1),
        ("3", 3, 40, 1),
        ("99", 3, 40, 3),
        ("9" * 40, 3, 40, 3),  # beyond what the database takes as an OFFSET
        ("-2", 3, 40, 2),  # as Django reads it: the last page
        ("abc", 1, 0, 1),
        (None, 1, 0, 1),
    ],
)
def test_a_page_of_results_and_the_total_come_in_one_ranking(office, asked, shown, first, rankings):
    from django.core.paginator import Paginator
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from groups.search import RankedResults, ranked_groups

    created = [
        GroupFactory(office=office, name=f"Tinnitus-Kreis {number:02d}") for number in range(45)
    ]
    reindex_groups([group.pk for group in created])
    ranked = ranked_groups(Group.objects.public(), "Tinnitus")
    with CaptureQueriesContext(connection) as captured:
        page = Paginator(RankedResults(ranked, 20, asked), 20).get_page(asked)
        ids = list(page.object_list)
    assert page.number == shown
    assert page.paginator.count == 45
    assert ids == [group.pk for group in created[first : first + 20]]  # equal rank: by name
    assert len(captured.captured_queries) == rankings


def test_nothing_found_is_an_empty_first_page(office):
    from django.core.paginator import Paginator

    from groups.search import RankedResults, ranked_groups

    ranked = ranked_groups(Group.objects.public(), "Nichtsdergleichen")
    page = Paginator(RankedResults(ranked, 20, "2"), 20).get_page("2")
    assert page.paginator.count == 0
    assert list(page.object_list) == []


# Issue 20, search round two -------------------------------------------------------------


def test_a_whole_word_in_one_description_still_looks_up_its_parts(groups, office):
    """Splitting is not skipped because the compound occurs in one description."""
    mention = GroupFactory(
        office=office, name="Gesprächskreis", description="Auch bei Alkoholproblemen."
    )
    reindex_groups([mention.pk])
    ranked = ranked_group_ids(Group.objects.public(), "Alkoholprobleme")
    assert ranked[0] == groups["alk"].pk
    assert mention.pk in ranked


def test_a_typo_in_a_compound_is_corrected_not_split(groups):
    assert ranked_group_ids(Group.objects.public(), "Essstöhrung")[0] == groups["ess"].pk
    assert ranked_group_ids(Group.objects.public(), "Alkoholsuht")[0] == groups["alk"].pk


def test_a_generic_part_does_not_match_every_group_name(groups):
    ranked = ranked_group_ids(Group.objects.public(), "Psychosegruppe")
    assert ranked[0] == groups["psych"].pk
    assert groups["maenner"].pk not in ranked[:3]


def test_relatives_groups_come_first_when_the_query_names_relatives(groups):
    ranked = ranked_group_ids(Group.objects.public(), "mein Sohn nimmt Drogen")
    assert ranked[0] == groups["eltern"].pk
    assert ranked.index(groups["eltern"].pk) < ranked.index(groups["na"].pk)


def test_strong_matches_rank_before_description_matches(groups, office):
    mention = GroupFactory(office=office, name="Aaa Gesprächskreis", description="Krebs, Darm")
    reindex_groups([mention.pk])
    graded = ranked_groups(Group.objects.public(), "Darm Krebs").graded()
    assert graded[-1][:3] == (mention.pk, len(graded), 0)
    assert all(strong for _pk, _total, strong, _strong_total in graded[:-1])
    assert graded[0][3] == len(graded) - 1


def test_sensitive_topics_come_from_the_thesaurus_flags(db):
    grief = Topic.objects.get(name="Trauer")
    violence = Topic.objects.get(name="Häusliche Gewalt")
    self_harm = Topic.objects.get(name="Borderline")
    sensitive = sensitive_topic_ids()
    assert {grief.pk, violence.pk, self_harm.pk} <= sensitive
    assert Topic.objects.get(name="Diabetes").pk not in sensitive


def test_a_topic_staff_add_to_a_sensitive_category_is_sensitive(db):
    category = TopicCategory.objects.get(slug="trauer-verlust")
    topic = Topic.objects.create(category=category, name="Trauer um Haustiere")
    assert topic.pk in sensitive_topic_ids()


def test_the_lexicon_has_no_function_words_or_fragments(db):
    known = lexicon()
    assert not {"und", "grupp", "rung", "esss", "lsucht"} & known
    assert {"sucht", "stoerung", "kreb"} <= known


def test_the_directory_shows_description_matches_apart(client, groups, office):
    mention = GroupFactory(office=office, name="Kochtreff", description="Wir backen Kuchen.")
    grief = GroupFactory(
        office=office,
        name="Trauer-Frühstück",
        topics=[Topic.objects.get(name="Trauer")],
        description="Mit Kaffee und Kuchen.",
    )
    reindex_groups([mention.pk, grief.pk])
    content = client.get(reverse("groups:directory"), {"q": "Kuchen"}).content.decode()
    assert content.index('id="directory-help"') < content.index('id="perhaps-heading"')
    assert "Kochtreff" in content and "Trauer-Frühstück" not in content
    content = client.get(reverse("groups:directory"), {"q": "Trauer Kuchen"}).content.decode()
    assert 'id="directory-help"' not in content and "Trauer-Frühstück" in content


def test_a_lone_sensitive_description_match_shows_only_the_contact_help(client, groups, office):
    grief = GroupFactory(
        office=office,
        name="Trauer-Frühstück",
        topics=[Topic.objects.get(name="Trauer")],
        description="Mit Kaffee und Kuchen.",
    )
    reindex_groups([grief.pk])
    content = client.get(reverse("groups:directory"), {"q": "Kuchen"}).content.decode()
    assert 'id="directory-help"' in content
    assert "Trauer-Frühstück" not in content and 'id="perhaps-heading"' not in content


@pytest.mark.parametrize(
    ("label", "topic"),
    [
        ("Essstörungen", "Essstörung"),
        ("Krebs", "Krebs allgemein"),
        ("Angststörungen", "Angststörung"),
        ("Schlafstörung", "Schlafstörungen"),
        ("Zuckerkrankheit", "Diabetes"),
        ("Depressionen", "Depression"),
        ("Migräne allgemein", "Migräne"),
    ],
)
def test_the_import_maps_plural_broad_and_synonym_labels(office, label, topic):
    from groups.importing import import_groups

    count = Topic.objects.count()
    result = import_groups(office, f"name,topics\nGruppe A,{label}\n".encode(), "a.csv")
    assert result.ok and result.new_topics == []
    assert [t.name for t in Group.objects.get(name="Gruppe A").topics.all()] == [topic]
    assert Topic.objects.count() == count
    assert result.mapped_topics in ([], [(label, topic)])


def test_the_import_lists_what_it_mapped_and_what_it_could_not(office):
    from groups.importing import import_groups

    content = "name,topics\nGruppe A,Angststörungen; Quantenheilung\n".encode()
    result = import_groups(office, content, "a.csv", dry_run=True)
    assert result.mapped_topics == [("Angststörungen", "Angststörung")]
    assert result.new_topics == ["Quantenheilung"]


def test_the_import_preview_shows_mapped_and_unmapped_topics(client, staff, office):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(staff)
    content = "name,topics\nGruppe A,Angststörungen; Quantenheilung\n".encode()
    upload = SimpleUploadedFile("a.csv", content, content_type="text/csv")
    page = client.post(reverse("groups:group_import"), {"file": upload}).content.decode()
    assert "Angststörungen → Angststörung" in page
    assert "Quantenheilung" in page


def test_description_only_results_cost_the_same_queries_for_more_groups(client, office):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    diabetes, grief = Topic.objects.get(name="Diabetes"), Topic.objects.get(name="Trauer")

    def queries(count):
        created = [
            GroupFactory(
                office=office, topics=[diabetes, grief][n % 2 :][:1], description="Pudding"
            )
            for n in range(count)
        ]
        reindex_groups([group.pk for group in created])
        with CaptureQueriesContext(connection) as captured:
            content = client.get(reverse("groups:directory"), {"q": "Pudding"}).content.decode()
        assert 'id="perhaps-heading"' in content
        return len(captured.captured_queries)

    client.get(reverse("groups:directory"), {"q": "Pudding"})  # the vocabulary cached
    assert queries(2) == queries(20)


# Issue 23, first-time searches: the terms hold only public groups, with their sort keys


def test_only_public_groups_have_search_terms_and_they_go_when_a_group_leaves(office):
    from groups.models import GroupSearchTerm

    shown = GroupFactory(office=office, name="Tinnitus-Treff", audience=Group.Audience.BOTH)
    unlisted = GroupFactory(office=office, name="Tinnitus intern", listing=Group.Listing.UNLISTED)
    closed = GroupFactory(office=office, name="Tinnitus alt", status=Group.Status.CLOSED)
    reindex_groups([shown.pk, unlisted.pk, closed.pk])
    terms = GroupSearchTerm.objects.filter(term="tinnitus")
    assert list(terms.values_list("group", "audience", "sort_name")) == [
        (shown.pk, Group.Audience.BOTH, "tinnitus-treff")
    ]
    shown.listing = Group.Listing.UNLISTED
    shown.save()
    reindex_groups([shown.pk])
    assert not GroupSearchTerm.objects.exists()
    assert ranked_group_ids(None, "Tinnitus") == []


def test_equal_ranks_follow_the_name_also_after_a_rename(office):
    first = GroupFactory(office=office, name="Äpfel und Tinnitus")
    second = GroupFactory(office=office, name="Zuhören bei Tinnitus")
    reindex_groups([first.pk, second.pk])
    # As the database orders the lower-case names (Ä after Z in codepoint order).
    expected = sorted([first, second], key=lambda group: group.name.lower())
    assert ranked_group_ids(None, "Tinnitus") == [group.pk for group in expected]
    second.name = "Achtsam mit Tinnitus"
    second.save()
    reindex_groups([second.pk])
    assert ranked_group_ids(None, "Tinnitus")[0] == second.pk


def test_every_public_group_and_a_queryset_of_them_rank_alike(groups, office):
    queries = ["Depression", "Sohn nimmt Drogen", "Alkoholsuht", "Diabetes Typ-1", "Long Covid"]
    for query in queries:
        everyone = ranked_groups(None, query).graded()
        assert everyone, query
        joined = ranked_groups(Group.objects.public().filter(pk__gt=0), query)
        assert everyone == joined.graded(), query


def test_a_queryset_that_filters_nothing_reads_the_terms_alone(db):
    from groups.search import Restriction

    assert not Restriction.of(Group.objects.public().order_by("name")).joins
    assert Restriction.of(Group.objects.public().filter(pk__gt=0)).joins
    assert Restriction.of(Group.objects.exclude(listing=Group.Listing.UNLISTED)).joins
    assert Restriction.of(format=Group.Format.ONLINE) == Restriction(
        "AND format = %s ", ("online",)
    )


def test_a_filter_restricts_the_ranking_to_the_groups_it_admits(groups, office):
    online = Group.objects.public().filter(format=Group.Format.ONLINE)
    found = ranked_group_ids(online, "Long Covid")
    assert found and set(found) <= set(online.values_list("pk", flat=True))
    assert ranked_group_ids(Group.objects.none(), "Long Covid") == []


def test_the_directory_filters_are_marked_up_as_bootstrap_fields(client, groups):
    response = client.get(
        reverse("groups:directory"),
        {"near": "Atlantis", "category": "sucht", "format": "online", "accessible": "on"},
    )
    content = response.content.decode()
    assert '<label for="id_near" class="form-label">' in content
    assert 'class="textinput form-control is-invalid" aria-invalid="true"' in content
    assert 'aria-describedby="id_near_error"' in content
    assert '<div id="id_near_error" class="invalid-feedback"><p id="error_1_id_near">' in content
    assert '<option value="sucht" selected>' in content
    assert '<option value="online" selected>online</option>' in content
    assert 'id="id_accessible" checked>' in content
    assert 'id="id_relatives">' in content  # not ticked
    assert '<option value="10" selected>10 km</option>' in content  # the default distance


def test_a_one_term_query_ranks_as_the_grouped_ranking_would(groups, office):
    from django.db.models import Count

    from groups.models import GroupSearchTerm
    from groups.search import Ranking, Restriction

    for key, audience in [("dep", Group.Audience.RELATIVES), ("angst", Group.Audience.BOTH)]:
        groups[key].audience = audience
        groups[key].save()
    reindex_groups([groups["dep"].pk, groups["angst"].pk])
    common = (
        GroupSearchTerm.objects.values("term")
        .annotate(n=Count("pk"))
        .filter(n__gte=2)
        .order_by("-n", "term")
        .values_list("term", flat=True)[:15]
    )
    assert len(common) == 15
    scopes = [
        Restriction(),
        Restriction.of(format=Group.Format.IN_PERSON),  # read off the terms
        Restriction.of(Group.objects.public().exclude(format=Group.Format.ONLINE)),  # joined
    ]
    for term in common:
        for relatives in (False, True):
            for scope in scopes:
                grouped = Ranking.aggregated([(term, {term})], scope, relatives=relatives)
                single = Ranking.one_term(term, scope, relatives=relatives)
                assert single.graded() == grouped.graded(), (term, relatives, scope)
                assert single.graded(1, 2) == grouped.graded(1, 2), (term, relatives, scope)
    assert Ranking.of(Restriction(), [("depression", {"depression"})]).sql == (
        Ranking.one_term("depression").sql
    )


def test_words_of_one_term_each_rank_as_the_grouped_ranking_would(groups, office):
    import itertools

    from django.db.models import Count

    from groups.models import GroupSearchTerm
    from groups.search import FACET, Ranking, Restriction

    for key, audience in [("dep", Group.Audience.RELATIVES), ("angst", Group.Audience.BOTH)]:
        groups[key].audience = audience
        groups[key].save()
    reindex_groups([groups["dep"].pk, groups["angst"].pk])
    common = list(
        GroupSearchTerm.objects.filter(weight__gt=FACET)  # a query's words: no topic area
        .values("term")
        .annotate(n=Count("pk"))
        .filter(n__gte=2)
        .order_by("-n", "term")
        .values_list("term", flat=True)[:8]
    )
    # Pairs and triples, some of which share groups (the ranking's ties and counts).
    queries = [*itertools.combinations(common, 2), *itertools.combinations(common[:5], 3)]
    scopes = [
        Restriction(),
        Restriction.of(format=Group.Format.IN_PERSON),
        Restriction.of(Group.objects.public().exclude(format=Group.Format.ONLINE)),
    ]
    shared = 0
    for terms in queries:
        columns = [(term, {term}) for term in terms]
        for relatives in (False, True):
            for scope in scopes:
                grouped = Ranking.aggregated(columns, scope, relatives=relatives)
                lean = Ranking.one_term_per_word(sorted(terms), scope, relatives=relatives)
                assert lean.graded() == grouped.graded(), (terms, relatives, scope)
                assert lean.graded(1, 2) == grouped.graded(1, 2), (terms, relatives, scope)
        rows = Ranking.aggregated(columns).graded()
        shared += len(rows) < GroupSearchTerm.objects.filter(term__in=terms).count()
    assert shared >= 5  # groups with several of the words: more rows than groups
    words = [("angst", {"angst"}), ("jung", {"jung"})]
    assert Ranking.of(Restriction(), words).sql == (
        Ranking.one_term_per_word(["angst", "jung"]).sql
    )
    # A word with more terms than one (its forms, a correction) is grouped by column.
    several = [("angst", {"angst", "angstlich"}), ("jung", {"jung"})]
    assert Ranking.of(Restriction(), several).sql == Ranking.aggregated(several).sql


def test_a_format_ranks_as_a_filter_on_the_groups_would(groups, office):
    groups["dep"].format = Group.Format.ONLINE
    groups["dep"].save()
    reindex_groups([groups["dep"].pk])
    for query in ["Depression", "Long Covid", "Sohn nimmt Drogen", "Diabetes Typ-1"]:
        for format in Group.Format.values:
            filtered = Group.objects.public().filter(format=format)
            assert (
                ranked_groups(None, query, format).graded()
                == ranked_groups(filtered, query).graded()
            ), (query, format)
    assert ranked_group_ids(None, "Depression", Group.Format.ONLINE) == [groups["dep"].pk]


def test_the_vocabulary_is_held_by_the_process_until_it_changes(db, monkeypatch):
    from groups import search

    first = lexicon()
    calls = []
    monkeypatch.setattr(search.cache, "get_or_set", lambda *args: calls.append(args))
    assert lexicon() is first  # not fetched from the shared cache again
    assert calls == []
    monkeypatch.undo()
    category = TopicCategory.objects.create(slug="neu", name="Neu")
    Topic.objects.create(category=category, name="Quantenschmerz")
    search.invalidate_lexicon()  # a new version: every process reads it anew
    assert "quantenschmerz" in lexicon()
    assert "quantenschmerz" not in first


@pytest.mark.parametrize(
    ("filters", "joins"),
    [({}, False), ({"format": "online"}, False), ({"relatives": "on"}, True)],
)
def test_the_directory_ranks_from_the_terms_and_joins_groups_only_for_filters(
    client, groups, filters, joins
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("groups:directory"), {"q": "Depression", **filters})
    assert response.status_code == 200
    ranking = [
        query["sql"]
        for query in captured.captured_queries
        if query["sql"].startswith("SELECT group_id")
    ]
    assert len(ranking) == 1
    assert ('"groups_group"' in ranking[0]) is joins
