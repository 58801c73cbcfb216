"""The directory's search page and the acceptance of a visitor's form: shared by the public
pages and an office's embedded directory (``groups.views.public``, ``groups.views.embed``)."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from groups import geo, missed_searches
from groups.forms.public import WHOLE_NETWORK
from groups.models import Group
from groups.search import (
    RankedResults,
    Ranking,
    ranked_group_ids,
    ranked_groups,
    without_sensitive,
)
from kontaktstelle.offices.selectors import public_office
from kontaktstelle.web import rate_limits
from kontaktstelle.web.clients import client_ip
from kontaktstelle.web.public_cache import never_keep

PAGE_SIZE = 20
# A search near a place lists this many online groups apart, linking to the rest.
ONLINE_SHOWN = 5
# At most this many form submissions per visitor address and hour (spam brake).
SUBMISSIONS_PER_HOUR = 5


# What a result card shows of a group (groups/templatetags/result_cards.py), and no more.
CARD_FIELDS = [
    "name",
    "slug",
    "description",
    "city",
    "district",
    "format",
    "schedule",
    "status",
    "age_group",
    "office__name",
]


def public_groups():
    """Published, not closed groups, with what a result card shows but their topics
    (``with_topics``)."""
    return Group.objects.public().select_related("office").only(*CARD_FIELDS)


def with_topics(groups):
    """``groups`` as a list, each with the names (``topic_names``, by name) and ids
    (``topic_ids``) of its topics, read in one query of names rather than as topics."""
    groups = list(groups)
    by_id = {group.pk: group for group in groups}
    for group in groups:
        group.topic_names, group.topic_ids = [], set()
    rows = (
        Group.topics.through.objects.filter(group_id__in=by_id)
        .order_by("topic__name", "topic_id")
        .values_list("group_id", "topic_id", "topic__name")
    )
    for group_id, topic_id, name in rows:
        by_id[group_id].topic_names.append(name)
        by_id[group_id].topic_ids.add(topic_id)
    return groups


def groups_for_cards(ids):
    """{id: group} of the public groups among ``ids``, loaded for their result cards."""
    by_id = public_groups().in_bulk(ids)
    with_topics(by_id.values())
    return by_id


def search_page(request, form, template_name, **context):
    """The search and results of ``form`` rendered with ``template_name`` (the directory,
    or an office's embedded one, which passes its own ``context``)."""
    online, perhaps, missed, found_count = None, [], False, None
    # The office whose groups are searched, else the one the installation shows.
    home = form.office or public_office(sites=False)
    if form.near_place:
        page, online = _near_me(request, form)
    elif form.query:
        ranked = ranked_groups(form.within(), form.query, form.search_format)
        page, results = _ranked_page(ranked, request.GET.get("page"))
        found = page.object_list
        page.object_list = [group for group in found if group.pk in results.strong]
        perhaps = [group for group in found if group.pk not in results.strong]
        if not results.strong_total:  # a word in a description only: never grief by chance
            perhaps = without_sensitive(perhaps)
        # The heading counts the groups that match well, else those shown as perhaps
        # suitable (one page of them, as a rule: the sensitive ones left out).
        found_count = results.strong_total or (
            len(perhaps) if page.paginator.num_pages == 1 else page.paginator.count
        )
        # Words the thesaurus lacks: counted on every search (so the page is not kept).
        missed = not results.strong_total and not form.has_filters
        if missed:
            missed_searches.record(home, form.query)
    elif topic_area := form.topic_area_filters():
        # Read off the search terms' index, which lists a topic area's groups by name.
        page, _listed = _ranked_page(Ranking.in_topic_area(*topic_area), request.GET.get("page"))
    else:
        page = Paginator(form.filter(public_groups()).order_by("name", "pk"), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        page.object_list = with_topics(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    response = render(
        request,
        template_name,
        {
            "form": form,
            "query": form.query,
            "page_obj": page,
            "found_count": page.paginator.count if found_count is None else found_count,
            "groups": page.object_list,
            "query_string": query.urlencode(),
            "office": home if not page.object_list else None,
            **_scope(form, home, query),
            "perhaps": perhaps,
            "near": form.near_place,
            "online": online,
            **context,
        },
    )
    return never_keep(response) if missed else response


def _ranked_page(ranked, number):
    """The page ``number`` of a ``Ranking``, its groups loaded for their cards in its
    order (the groups themselves only for the page), and its ``RankedResults``."""
    results = RankedResults(ranked, PAGE_SIZE, number)
    page = Paginator(results, PAGE_SIZE).get_page(number)
    by_id = groups_for_cards(page.object_list)
    page.object_list = [by_id[pk] for pk in page.object_list if pk in by_id]
    return page, results


def _scope(form, home, query):
    """Whose groups the page lists, and the links to switch (where there is more than one
    office): to the whole network from an office's groups, and back to the office the
    installation shows (``home``) from the network."""
    url = reverse("groups:directory")
    several = home is not None and home.has_others
    if form.office:
        return {
            "scope_name": form.office.name,
            "network_url": f"{url}?{_with(query, stelle=WHOLE_NETWORK)}" if several else None,
        }
    return {
        "scope_name": _("All contact offices") if several else (home.name if home else ""),
        "several_offices": several,
        "home_office": home,
        "home_office_url": f"{url}?{_with(query, stelle=home.slug)}" if several else None,
    }


def _with(query, **values):
    changed = query.copy()
    for name, value in values.items():
        changed[name] = value
    return changed.urlencode()


def _near_me(request, form):
    """The public groups within the radius of the visitor's place, nearest first (with
    the search's words: those it finds), and apart a few online groups, which have no
    place: (page, {"groups", "more", "url"})."""
    point, radius = form.near_place.point, form.radius_km
    groups = form.filter(Group.objects.public())
    around = groups.exclude(format=Group.Format.ONLINE)
    found = geo.nearest(around, point, radius)
    online = groups.filter(format=Group.Format.ONLINE)
    if form.query:
        matching = set(ranked_group_ids(geo.in_box(around, point, radius), form.query))
        found = [(pk, km) for pk, km in found if pk in matching]
        online_ids = [
            pk for pk, _total in ranked_groups(online, form.query).rows(0, ONLINE_SHOWN + 1)
        ]
    else:
        online_ids = list(
            online.order_by("name", "pk").values_list("pk", flat=True)[: ONLINE_SHOWN + 1]
        )
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    distances = dict(page.object_list)
    by_id = groups_for_cards([*distances, *online_ids[:ONLINE_SHOWN]])
    for pk, km in distances.items():
        by_id[pk].distance_label = geo.distance_label(km)
    page.object_list = [by_id[pk] for pk in distances if pk in by_id]
    everywhere = request.GET.copy()
    for name in ("near", "radius", "page"):
        everywhere.pop(name, None)
    everywhere["format"] = Group.Format.ONLINE
    return page, {
        "groups": [by_id[pk] for pk in online_ids[:ONLINE_SHOWN] if pk in by_id],
        "more": len(online_ids) > ONLINE_SHOWN,
        "url": f"{reverse('groups:directory')}?{everywhere.urlencode()}",
    }


def accept(request, form):
    """Valid and under the rate limit; counts the submission. Adds a form error if not."""
    if not form.is_valid():
        return False
    if not rate_limits.take(("visitor-forms", client_ip(request), SUBMISSIONS_PER_HOUR)):
        form.add_error(
            None,
            _("We have received several requests from you. Please try again later or call us."),
        )
        return False
    return True
