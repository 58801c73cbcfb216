"""Realistic request streams for the load run: many distinct searches, drawn by Zipf.

Visitors do not all ask the same 17 searches: a few are asked very often ("Depression",
"Alkohol" in their town), most are asked rarely, and some are asked for the first time,
which the public page cache cannot serve. ``populations`` makes, from the shipped
thesaurus (topics and their synonyms) and the towns and postcodes of the offices, a
ranked list of distinct requests for each kind: directory searches with filters,
near-me searches, group pages, HSDS list requests. A seeded random generator makes the
same lists on every run; the order of first appearance is the popularity rank.

``sequence`` draws a fixed number of requests from such lists by Zipf's law (the
request of rank r with a weight of 1/r), mixed by shares (60 % directory, 40 % group
pages), with the number of distinct requests per kind chosen (``population_for``) so
that about ``FIRST_TIME`` of the requests are asked for the first time in the run. The
sequence says which requests are first-time; the load run reports the actual share.
"""

import bisect
import datetime
import itertools
import random
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import reverse

SEED = 20_261_223
ZIPF_EXPONENT = 1.0  # the classic Zipf's law of search queries
FIRST_TIME = 0.30  # share of requests asked for the first time in the run
MIN_POPULATION = 2_000  # distinct requests of a kind, at least
MIX = {"directory": 0.6, "group": 0.4}
RADII = {5: 10, 10: 30, 25: 40, 50: 20}  # km: weights (the form's default is 25)
DAYTIMES = ["vormittags", "nachmittags", "abends"]
LANGUAGES = ["Türkisch", "Russisch", "Arabisch", "Englisch", "Polnisch"]


@dataclass
class Sources:
    """What the requests are made of, read from the database (``sources``)."""

    topics: list  # (name, [synonyms], weight)
    categories: list  # slugs
    towns: list  # offices' towns and the places of their sites
    postcodes: list  # of the offices' sites and groups
    group_slugs: list  # public groups, in a seeded order spread over all offices
    office_ids: list
    topic_term_ids: list  # HSDS taxonomy term ids of the topics, weighted like them
    today: datetime.date = field(default_factory=datetime.date.today)


def sources():
    """The thesaurus, towns, postcodes and public groups of the database in use."""
    from groups.api import ids
    from groups.api import serializers as hsds
    from groups.models import Group, Topic, TopicCategory
    from kontaktstelle.offices.models import Office, Site
    from tests.bench import content

    topics = [
        (
            topic.name,
            sorted(synonym.term for synonym in topic.synonyms.all()),
            content.TOPIC_WEIGHTS.get(topic.name, content.DEFAULT_TOPIC_WEIGHT),
        )
        for topic in Topic.objects.prefetch_related("synonyms").order_by("name")
    ]
    sites = Site.objects.order_by("pk")
    towns = sorted({*sites.values_list("city", flat=True)} - {""})
    postcodes = {*sites.values_list("postcode", flat=True)}
    postcodes |= {*Group.objects.exclude(postcode="").values_list("postcode", flat=True)}
    slugs = list(Group.objects.public().order_by("pk").values_list("slug", flat=True))
    random.Random(SEED).shuffle(slugs)
    return Sources(
        topics=topics,
        categories=list(TopicCategory.objects.order_by("slug").values_list("slug", flat=True)),
        towns=towns,
        postcodes=sorted(postcodes - {""}),
        group_slugs=slugs,
        office_ids=[
            ids.numbered("organization", pk) for pk in Office.objects.values_list("pk", flat=True)
        ],
        topic_term_ids=[hsds.topic_term_id(name) for name, _synonyms, _weight in topics],
    )


class _Draw:
    """Weighted choices of one random generator."""

    def __init__(self, rng):
        self.rng = rng

    def weighted(self, weights):
        """A key of ``{value: weight}``."""
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def chance(self, share):
        return self.rng.random() < share

    def one(self, values):
        return values[self.rng.randrange(len(values))]


def _term(draw, topics, cumulative):
    """A topic as visitors type it: its name, a synonym, lower case, or with a typo."""
    name, synonyms, _weight = draw.rng.choices(topics, cum_weights=cumulative)[0]
    way = draw.weighted({"name": 60, "synonym": 20, "lower": 12, "typo": 8})
    if way == "synonym" and synonyms:
        return draw.one(synonyms)
    if way == "lower":
        return name.lower()
    if way == "typo" and len(name) > 5:
        cut = draw.rng.randrange(1, len(name) - 1)
        return name[:cut] + name[cut + 1 :]  # a letter left out
    return name


def _filters(draw, query):
    """The directory's filters as visitors tick them, each now and then."""
    if draw.chance(0.08):
        query["format"] = draw.weighted({"online": 3, "in_person": 2, "hybrid": 1})
    if draw.chance(0.08):
        query["accessible"] = "on"
    if draw.chance(0.06):
        query["weekday"] = draw.rng.randrange(7)
    if draw.chance(0.08):
        query["daytime"] = draw.one(DAYTIMES)
    if draw.chance(0.06):
        query["relatives"] = "on"
    if draw.chance(0.04):
        query["young"] = "on"
    if draw.chance(0.06):
        query["open_to_new"] = "on"
    if draw.chance(0.02):
        query["language"] = draw.one(LANGUAGES)
    return query


def _near(draw, src, query):
    query["near"] = draw.one(src.postcodes) if draw.chance(0.75) else draw.one(src.towns)
    query["radius"] = draw.weighted(RADII)
    return query


def _unique(make, count, rng):
    """``count`` distinct paths from ``make(draw)``, in the order they first came up."""
    draw, found = _Draw(rng), {}
    for _attempt in range(count * 200):
        if len(found) >= count:
            break
        found.setdefault(make(draw), None)
    return list(found)


def directory_paths(src, count, seed=SEED):
    """Distinct directory searches with filters, the popular ones first."""
    directory = reverse("groups:directory")
    cumulative = list(itertools.accumulate(weight for _n, _s, weight in src.topics))

    def make(draw):
        query = {}
        what = draw.weighted({"term": 70, "category": 15, "nothing": 15})
        if what == "term":
            query["q"] = _term(draw, src.topics, cumulative)
        elif what == "category":
            query["category"] = draw.one(src.categories)
        where = draw.weighted({"anywhere": 45, "near": 35, "place": 20})
        if where == "near":
            _near(draw, src, query)
        elif where == "place":
            query["place"] = draw.one(src.towns)
        _filters(draw, query)
        if draw.chance(0.05):
            query["page"] = 2
        return f"{directory}?{urlencode(query)}" if query else directory

    return _unique(make, count, random.Random(f"{seed}:directory"))


def near_me_paths(src, count, seed=SEED):
    """Distinct near-me searches (a postcode or town and a distance), some with a topic."""
    directory = reverse("groups:directory")
    cumulative = list(itertools.accumulate(weight for _n, _s, weight in src.topics))

    def make(draw):
        query = _near(draw, src, {})
        if draw.chance(0.45):
            query["q"] = _term(draw, src.topics, cumulative)
        if draw.chance(0.3):
            _filters(draw, query)
        return f"{directory}?{urlencode(query)}"

    return _unique(make, count, random.Random(f"{seed}:near"))


def group_paths(src, count):
    """Public group pages spread over all offices (as many as there are, at most)."""
    return [reverse("groups:public_group", kwargs={"slug": s}) for s in src.group_slugs[:count]]


def api_paths(src, count, seed=SEED):
    """Distinct requests of the HSDS ``/services`` list as harvesters and apps make them."""
    services = reverse("hsds:services")

    def make(draw):
        query = {}
        what = draw.weighted({"all": 40, "term": 25, "organization": 15, "search": 10, "new": 10})
        if what == "term":
            query["taxonomy_term_id"] = draw.one(src.topic_term_ids)
        elif what == "organization":
            query["organization_id"] = draw.one(src.office_ids)
        elif what == "search":
            query["search"] = draw.one(src.topics)[0]
        elif what == "new":
            days = draw.rng.randint(1, 365)
            query["modified_after"] = (src.today - datetime.timedelta(days=days)).isoformat()
        if draw.chance(0.3):
            query["per_page"] = draw.one([20, 100, 200])
        if what in ("all", "new") and draw.chance(0.8):
            query["page"] = draw.rng.randint(1, 60 if what == "all" else 5)
        return f"{services}?{urlencode(query)}" if query else services

    return _unique(make, count, random.Random(f"{seed}:api"))


# Zipf


def zipf_weights(count, exponent=ZIPF_EXPONENT):
    return [1 / rank**exponent for rank in range(1, count + 1)]


def expected_first_share(population, draws, exponent=ZIPF_EXPONENT):
    """The expected share of first-time requests among ``draws`` Zipf draws."""
    if draws <= 0:
        return 0.0
    weights = zipf_weights(population, exponent)
    total = sum(weights)
    seen = sum(1 - (1 - weight / total) ** draws for weight in weights)
    return seen / draws


def population_for(draws, available, share=FIRST_TIME, minimum=MIN_POPULATION):
    """How many distinct requests (at least ``minimum``, at most ``available``) make
    about ``share`` of ``draws`` Zipf draws first-time requests."""
    low, high = min(minimum, available), available
    if expected_first_share(high, draws) <= share:
        return high  # all there are: fewer first-time requests than asked for
    if expected_first_share(low, draws) >= share:
        return low  # the fewest allowed: more first-time requests than asked for
    while high - low > max(1, high // 200):
        middle = (low + high) // 2
        if expected_first_share(middle, draws) < share:
            low = middle
        else:
            high = middle
    return max(high, min(minimum, available))


@dataclass
class Sequence:
    """A fixed list of requests to send in order, and what it is made of."""

    paths: list
    kinds: list  # per request: its kind ("directory", "group", ...)
    populations: dict  # kind -> distinct requests it draws from
    exponent: float = ZIPF_EXPONENT

    def first_time(self, count=None):
        """Per request of the first ``count``: whether its path came up before."""
        seen, flags = set(), []
        for path in self.paths[:count]:
            flags.append(path not in seen)
            seen.add(path)
        return flags

    def shares(self, count=None):
        """The share of first-time requests, and of those the page cache cannot serve
        yet (it keeps a page from its second request on), overall and by kind."""
        counts = {}
        result = {}
        paths, kinds = self.paths[:count], self.kinds[:count]
        for path, kind in zip(paths, kinds, strict=True):
            n = counts[path] = counts.get(path, 0) + 1
            for key in ("all", kind):
                entry = result.setdefault(key, {"requests": 0, "first_time": 0, "rendered": 0})
                entry["requests"] += 1
                entry["first_time"] += n == 1
                entry["rendered"] += n <= 2
        for entry in result.values():
            entry["distinct"] = entry["first_time"]
            entry["first_time_share"] = round(entry["first_time"] / entry["requests"], 3)
            entry["rendered_share"] = round(entry["rendered"] / entry["requests"], 3)
        return result


def sequence(pools, mix, total, seed=SEED, share=FIRST_TIME):
    """``total`` requests, of each kind by its share in ``mix`` and drawn by Zipf from
    the ranked ``pools[kind]``, cut to the size that gives about ``share`` first-time."""
    rng = random.Random(f"{seed}:sequence")
    kinds = rng.choices(list(mix), weights=list(mix.values()), k=total)
    populations, cumulative = {}, {}
    for kind in mix:
        draws = kinds.count(kind)
        populations[kind] = population_for(draws, len(pools[kind]), share)
        cumulative[kind] = list(itertools.accumulate(zipf_weights(populations[kind])))
    paths = []
    for kind in kinds:
        weights = cumulative[kind]
        rank = bisect.bisect_right(weights, rng.random() * weights[-1])
        paths.append(pools[kind][min(rank, len(weights) - 1)])
    return Sequence(paths=paths, kinds=kinds, populations=populations)
