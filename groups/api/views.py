"""The HSDS 3.0 read-only API of the public directory (``/api/hsds/``).

Every view returns ``(payload, last_modified)``; ``api_view`` makes the JSON answer with
an ETag (of the content) and Last-Modified (the newest change of the groups it lists),
answers a repeated request 304, allows every origin to read it (CORS) and limits each
client address to ``LIMITS``.
"""

import copy
import datetime
import functools
import hashlib
import importlib.metadata
import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import BadRequest
from django.core.paginator import EmptyPage, Paginator
from django.db.models import Exists, OuterRef
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.http import http_date, quote_etag
from django.utils.translation import gettext as _

from groups import geo
from groups.api import datapackage, ids
from groups.api import serializers as hsds
from groups.models import Group, Topic, TopicCategory
from groups.search import RankedResults, ranked_group_ids, ranked_groups
from kontaktstelle.offices.models import Office
from kontaktstelle.offices.selectors import public_office
from kontaktstelle.web import rate_limits
from kontaktstelle.web.clients import client_ip

OPENAPI_FILE = Path(__file__).resolve().parent / "openapi.json"
# Requests per client address and hour: the data package is the whole directory, built
# on each request.
LIMITS = {"hsds-api": 600, "hsds-datapackage": 10}
PER_PAGE = 50
MAX_PER_PAGE = 200
MAX_PROXIMITY_M = 100_000
ALLOWED = "GET, HEAD, OPTIONS"


def _cors(response):
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Allow-Methods"] = ALLOWED
    response["Access-Control-Allow-Headers"] = "If-None-Match, If-Modified-Since"
    response["Access-Control-Expose-Headers"] = "ETag, Last-Modified, Retry-After"
    return response


def _error(status, message, **headers):
    response = JsonResponse(
        {"detail": message}, status=status, json_dumps_params={"ensure_ascii": False}
    )
    for name, value in headers.items():
        response[name] = value
    return _cors(response)


def _limited(request, scope):
    """True when the client address is over its limit for ``scope`` this hour."""
    return not rate_limits.take((scope, client_ip(request), LIMITS[scope]))


def api_view(view=None, *, scope="hsds-api"):
    """Public, read-only, JSON (see the module's docstring)."""
    if view is None:
        return functools.partial(api_view, scope=scope)

    @login_not_required
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
            response["Allow"] = ALLOWED
            response["Access-Control-Max-Age"] = "86400"
            return _cors(response)
        if request.method not in ("GET", "HEAD"):
            response = _error(405, _("Only GET, HEAD and OPTIONS are allowed here."))
            response["Allow"] = ALLOWED
            return response
        if _limited(request, scope):
            return _error(
                429,
                _("Too many requests from your address. Please try again in an hour."),
                **{"Retry-After": str(int(rate_limits.WINDOW.total_seconds()))},
            )
        try:
            with translation.override(settings.LANGUAGE_CODE):
                result = view(request, *args, **kwargs)
        except BadRequest as error:
            return _error(400, str(error))
        except Http404:
            return _error(404, _("Not found."))
        if isinstance(result, HttpResponseBase):
            return _cors(result)
        payload, last_modified = result
        content = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        response = HttpResponse(content, content_type="application/json")
        etag = quote_etag(hashlib.sha256(content).hexdigest()[:32])
        response["ETag"] = etag
        timestamp = None
        if last_modified is not None:
            timestamp = int(last_modified.timestamp())
            response["Last-Modified"] = http_date(timestamp)
        response["Cache-Control"] = "public, max-age=60"
        patch_vary_headers(response, ["Accept-Encoding"])
        response = get_conditional_response(
            request, etag=etag, last_modified=timestamp, response=response
        )
        return _cors(response)

    return wrapper


# Parameters


def _integer(request, name, default, minimum=1, maximum=None):
    value = request.GET.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise BadRequest(_("“%(name)s” must be a whole number.") % {"name": name}) from None
    if number < minimum:
        raise BadRequest(
            _("“%(name)s” must be at least %(minimum)s.") % {"name": name, "minimum": minimum}
        )
    return min(number, maximum) if maximum else number


def _flag(request, name):
    return request.GET.get(name, "").strip().lower() in ("1", "true", "yes")


def _modified_after(request):
    value = request.GET.get("modified_after", "").strip()
    if not value:
        return None
    moment = parse_datetime(value.replace(" ", "+"))
    if moment is None:
        day = parse_date(value)
        if day is None:
            raise BadRequest(_("“modified_after” must be a date or date and time (ISO 8601)."))
        moment = datetime.datetime.combine(day, datetime.time.min)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _term_topics(term_id):
    """The ids of the topics a taxonomy term stands for (a topic area: all of its)."""
    topics = Topic.objects.values_list("pk", "name", "category__slug")
    return [
        pk
        for pk, name, slug in topics
        if term_id in (hsds.topic_term_id(name), hsds.category_term_id(slug))
    ]


def _filtered(request, groups):
    """The taxonomy, organization and modified_after filters of the HSDS list endpoints."""
    term = request.GET.get("taxonomy_term_id", "").strip()
    if term:
        links = Group.topics.through.objects.filter(
            group=OuterRef("pk"), topic__in=_term_topics(term)
        )
        groups = groups.filter(Exists(links))
    taxonomy = request.GET.get("taxonomy_id", "").strip()
    if taxonomy:
        if taxonomy != hsds.TAXONOMY_ID:
            return groups.none()
        groups = groups.filter(Exists(Group.topics.through.objects.filter(group=OuterRef("pk"))))
    organization = request.GET.get("organization_id", "").strip()
    if organization:
        groups = groups.filter(office_id=ids.number("organization", organization) or 0)
    modified = _modified_after(request)
    if modified is not None:
        groups = groups.filter(updated_at__gte=modified)
    return groups


def _page(request, items, serialize):
    """An HSDS page of ``items`` (a query set, a list or ``RankedResults``)."""
    number = _integer(request, "page", 1)
    per_page = _integer(request, "per_page", PER_PAGE, maximum=MAX_PER_PAGE)
    if callable(items):  # built for the page: the search ranks one page at a time
        items = items(number, per_page)
    paginator = Paginator(items, per_page)
    try:
        contents = serialize(list(paginator.page(number).object_list))
    except EmptyPage:
        contents = []
    total = paginator.count
    return {
        "total_items": total,
        "total_pages": paginator.num_pages,
        "page_number": number,
        "size": len(contents),
        "first_page": number == 1,
        "last_page": number >= paginator.num_pages,
        "empty": total == 0,
        "contents": contents,
    }


def _newest(groups):
    return max((group.updated_at for group in groups), default=None)


def _in_order(queryset, pks):
    by_id = queryset.in_bulk(pks)
    return [by_id[pk] for pk in pks if pk in by_id]


def _group_ids(request, groups):
    """The ids of ``groups`` matching the ``search``, best first, else by name."""
    query = request.GET.get("search", "").strip()
    if query:
        return lambda number, per_page: RankedResults(
            ranked_groups(groups, query), per_page, number
        )
    return groups.order_by("name", "pk").values_list("pk", flat=True)


# Endpoints


@api_view
def index(request):
    return hsds.api_root(request), None


@functools.cache
def _openapi():
    return json.loads(OPENAPI_FILE.read_text(encoding="utf-8"))


def _version():
    try:
        return importlib.metadata.version("kontaktstelle")
    except importlib.metadata.PackageNotFoundError:
        return "0"


@api_view
def openapi(request):
    """The HSDS OpenAPI document with our server, version and contact."""
    document = copy.deepcopy(_openapi())
    office = public_office()
    document["info"] = {
        "title": _("Self-help groups: HSDS API"),
        "version": _version(),
        "summary": _("The public directory of self-help groups, read-only, as HSDS 3.0."),
        "description": _(
            "Only what the public directory shows: listed groups, their meeting place "
            "only when it is published, no personal contact data."
        ),
        "license": {
            "name": "CC BY-SA 4.0 (HSDS specification)",
            "url": "https://creativecommons.org/licenses/by-sa/4.0/",
        },
    }
    if office is not None:
        contact = {
            "name": office.name,
            "url": request.build_absolute_uri(office.get_absolute_url()),
        }
        if office.email:
            contact["email"] = office.email
        document["info"]["contact"] = contact
    root = request.build_absolute_uri(reverse("hsds:index")).rstrip("/")
    document["servers"] = [{"url": root}]
    return document, None


@api_view
def services(request):
    groups = _filtered(request, Group.objects.public())
    if _flag(request, "minimal"):

        def serialize(pks):
            rows = Group.objects.filter(pk__in=pks).values_list("pk", "updated_at")
            changed = dict(rows)
            return [
                {"id": ids.numbered("service", pk), "last_modified": changed[pk].isoformat()}
                for pk in pks
                if pk in changed
            ]

        return _page(request, _group_ids(request, groups), serialize), None
    full = _flag(request, "full")
    loaded = []

    def serialize(pks):
        queryset = hsds.full_groups(Group.objects.public()) if full else hsds.public_groups()
        loaded.extend(_in_order(queryset, pks))
        build = hsds.full_service if full else hsds.service
        return [build(group, request) for group in loaded]

    page = _page(request, _group_ids(request, groups), serialize)
    return page, _newest(loaded)


def _public_group(service_id):
    pk = ids.number("service", service_id)
    if pk is None:
        raise Http404
    return get_object_or_404(hsds.full_groups(Group.objects.public()), pk=pk)


@api_view
def service(request, service_id):
    group = _public_group(service_id)
    return hsds.full_service(group, request), group.updated_at


@api_view
def organizations(request):
    offices = Office.objects.order_by("name", "pk")
    query = request.GET.get("search", "").strip()
    if query:
        offices = offices.filter(name__icontains=query)
    full = _flag(request, "full")
    if full:
        offices = hsds.offices_prefetched(offices)
    page = _page(request, offices, lambda page: [hsds.organization(o, request, full) for o in page])
    return page, None


@api_view
def organization(request, organization_id):
    pk = ids.number("organization", organization_id)
    office = get_object_or_404(hsds.offices_prefetched(Office.objects.all()), pk=pk or 0)
    data = hsds.organization(office, request, full=True)
    listed = Group.objects.public().filter(office=office).order_by("name", "pk")
    data["services"] = [
        {"id": ids.numbered("service", pk), "name": name}
        for pk, name in listed.values_list("pk", "name")
    ]
    return data, None


@api_view
def taxonomies(request):
    items = [hsds.taxonomy()]
    query = request.GET.get("search", "").strip().casefold()
    if query:
        items = [item for item in items if query in item["name"].casefold()]
    return _page(request, items, list), None


@api_view
def taxonomy(request, taxonomy_id):
    if taxonomy_id != hsds.TAXONOMY_ID:
        raise Http404
    return hsds.taxonomy(), None


@api_view
def taxonomy_terms(request):
    terms = hsds.taxonomy_terms()
    query = request.GET.get("search", "").strip().casefold()
    if query:
        terms = [
            term
            for term in terms
            if query in term["name"].casefold() or query in term["description"].casefold()
        ]
    taxonomy_id = request.GET.get("taxonomy_id", "").strip()
    if taxonomy_id and taxonomy_id != hsds.TAXONOMY_ID:
        terms = []
    if _flag(request, "top_only"):
        terms = [term for term in terms if "parent_id" not in term]
    parent = request.GET.get("parent_id", "").strip()
    if parent:
        terms = [term for term in terms if term.get("parent_id") == parent]
    return _page(request, terms, list), None


@api_view
def taxonomy_term(request, term_id):
    for category in TopicCategory.objects.all():
        if hsds.category_term_id(category.slug) == term_id:
            return hsds.category_term(category), None
    for topic in hsds.thesaurus_topics():
        if hsds.topic_term_id(topic.name) == term_id:
            return hsds.topic_term(topic), None
    raise Http404


def _located(groups):
    """The groups of ``groups`` that have a service at a location (``hsds.has_location``)."""
    return (
        groups.filter(listing=Group.Listing.PUBLIC_WITH_PLACE)
        .exclude(format=Group.Format.ONLINE)
        .exclude(room__isnull=True, street="", postcode="", city="")
    )


def _near(request, groups):
    """(groups, [ids nearest first] or None) for the ``postcode`` and ``proximity``."""
    postcode = request.GET.get("postcode", "").strip()
    proximity = request.GET.get("proximity", "").strip()
    if not postcode:
        if proximity:
            raise BadRequest(_("“proximity” needs a “postcode”."))
        return groups, None
    centre = geo.postcode_centre(postcode)
    if centre is None:
        raise BadRequest(
            _("We do not know the postcode %(postcode)s. Please check it.") % {"postcode": postcode}
        )
    if not proximity:
        at_postcode = groups.filter(room__isnull=False, room__site__postcode=postcode)
        return at_postcode | groups.filter(room__isnull=True, postcode=postcode), None
    metres = _integer(request, "proximity", None, maximum=MAX_PROXIMITY_M)
    found = geo.nearest(groups, centre, metres / 1000)
    query = request.GET.get("search", "").strip()
    if query:
        matching = set(ranked_group_ids(geo.in_box(groups, centre, metres / 1000), query))
        found = [(pk, km) for pk, km in found if pk in matching]
    return groups, [pk for pk, _km in found]


@api_view
def service_at_locations(request):
    groups, nearest = _near(request, _located(_filtered(request, Group.objects.public())))
    full = _flag(request, "full")
    loaded = []

    def serialize(pks):
        queryset = hsds.full_groups(Group.objects.public()) if full else hsds.public_groups()
        loaded.extend(_in_order(queryset, pks))
        return [hsds.service_at_location(group, request, full) for group in loaded]

    items = nearest if nearest is not None else _group_ids(request, groups)
    return _page(request, items, serialize), _newest(loaded)


@api_view
def service_at_location(request, service_at_location_id):
    pk = ids.number("service-at-location", service_at_location_id)
    located = _located(hsds.full_groups(Group.objects.public()))
    group = get_object_or_404(located, pk=pk or 0)
    return hsds.service_at_location(group, request, full=True), group.updated_at


@api_view(scope="hsds-datapackage")
def datapackage_zip(request):
    """The published directory as an HSDS tabular data package (CSV files in a zip)."""
    archive = datapackage.build(request)
    return FileResponse(
        archive, as_attachment=True, filename="hsds-datapackage.zip", content_type="application/zip"
    )
