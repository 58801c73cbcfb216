"""'Near me': where groups and visitors are, from postcode centres shipped with the app.

Every place is the centre of a German postcode area (``data/postcodes.csv``, made by
``scripts/make_postcodes.py``; source and licence in ``data/POSTCODES-LICENSE.txt``),
or, for a town, the mean of the centres of the postcodes the app knows for it. No
address ever leaves the app: there is no geocoding service, and a group's street is
never read. So a group, whether its meeting place is published or not, is never placed
more precisely than its postcode area or town.

A search reads the public groups in a bounding box around the visitor's place (the
partial index ``groups_group_public_geo``), then measures the exact great-circle
distance of those few in Python and keeps the ones within the radius.
"""

import csv
import functools
import math
import re
from dataclasses import dataclass
from pathlib import Path

from django.core.cache import cache
from django.utils.translation import gettext as _

from groups.models import Group
from groups.text import fold
from kontaktstelle.offices.models import Site
from kontaktstelle.web import cache_versions, public_cache

POSTCODES_FILE = Path(__file__).resolve().parent / "data" / "postcodes.csv"
EARTH_RADIUS_KM = 6371.0088  # the mean radius
KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180  # along a meridian: 111.2 km
RADII_KM = (5, 10, 25, 50)
DEFAULT_RADIUS_KM = 10
# The postcode areas of one town lie within this of their mean; wider apart, the name
# is shared by several towns ("Neustadt") and only a postcode says which is meant.
TOWN_SPREAD_KM = 30
TOWNS_CACHE_KEY = "groups:near-me-towns"
TOWNS_TIMEOUT = 60 * 60
_POSTCODE = re.compile(r"\b\d{5}\b")


class PlaceNotFound(ValueError):
    """What a visitor typed cannot be placed; the message (German) says what to do."""


@dataclass(frozen=True)
class Place:
    """The centre a visitor searches around, with what they typed to show it again."""

    name: str
    latitude: float
    longitude: float

    @property
    def point(self):
        return (self.latitude, self.longitude)


@functools.cache
def postcode_centres():
    """{postcode: (latitude, longitude)} of every German postcode area, read once."""
    with POSTCODES_FILE.open(encoding="utf-8", newline="") as file:
        rows = csv.reader(file, delimiter=";")
        next(rows)  # the header
        return {postcode: (float(lat), float(lon)) for postcode, lat, lon in rows}


def postcode_centre(postcode):
    """The centre of a postcode area, or None for an unknown postcode."""
    return postcode_centres().get((postcode or "").strip())


def distance_km(a, b):
    """Great-circle distance between two (latitude, longitude) points (haversine)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def bounding_box(point, radius_km):
    """(south, north, west, east) of a box holding every point within ``radius_km``.

    A degree of longitude is narrowest on the box's side nearer the pole: measured
    there, the box is wide enough everywhere.
    """
    latitude, longitude = point
    d_lat = radius_km / KM_PER_DEGREE
    polar = min(abs(latitude) + d_lat, 89.0)
    d_lon = radius_km / (KM_PER_DEGREE * math.cos(math.radians(polar)))
    return latitude - d_lat, latitude + d_lat, longitude - d_lon, longitude + d_lon


def mean_point(points):
    """The mean of (latitude, longitude) points: close enough for a town or a postcode area."""
    return (
        sum(lat for lat, _lon in points) / len(points),
        sum(lon for _lat, lon in points) / len(points),
    )


def town_centre(postcodes):
    """The mean of the centres of a town's postcodes; None when none is known or when
    they lie too far apart to be one town."""
    points = [centre for centre in map(postcode_centre, set(postcodes)) if centre]
    if not points:
        return None
    centre = mean_point(points)
    if any(distance_km(centre, point) > TOWN_SPREAD_KM for point in points):
        return None
    return centre


def _town_keys(town):
    """How a town is looked up: folded ("muenchen"), and without an addition in brackets
    or after a comma, so "Halle" finds "Halle (Saale)"."""
    folded = " ".join(fold(town or "").split())
    short = re.split(r"[(,]", folded, maxsplit=1)[0].strip()
    return {key for key in (folded, short) if key}


def towns_of(pairs):
    """{town key: {postcodes}} from (postcode, town) pairs."""
    towns = {}
    for postcode, town in pairs:
        if postcode:
            for key in _town_keys(town):
                towns.setdefault(key, set()).add(postcode.strip())
    return towns


def _public_towns():
    public = Group.objects.public().exclude(postcode="").order_by()
    sites = Site.objects.order_by()
    return towns_of(
        [
            *public.values_list("postcode", "city").distinct(),
            *sites.values_list("postcode", "city").distinct(),
        ]
    )


def public_towns():
    """The postcodes known for each town from the public groups and the sites, cached
    until a group, site or room changes (the public pages' version)."""
    version = cache_versions.current(public_cache.VERSION_NAME)
    return cache.get_or_set(f"{TOWNS_CACHE_KEY}:{version}", _public_towns, TOWNS_TIMEOUT)


def find_place(text):
    """The place a visitor typed: a postcode (also "37073 Göttingen") or a town the app
    knows postcodes of. Raises ``PlaceNotFound`` with a message for the visitor."""
    text = " ".join((text or "").split())
    postcode = _POSTCODE.search(text)
    if postcode:
        centre = postcode_centre(postcode[0])
        if centre is None:
            raise PlaceNotFound(
                _("We do not know the postcode %(postcode)s. Please check it.")
                % {"postcode": postcode[0]}
            )
        return Place(text, *centre)
    known = set().union(*(public_towns().get(key, ()) for key in _town_keys(text)))
    centre = town_centre(known) if text and not any(char.isdigit() for char in text) else None
    if centre is None:
        raise PlaceNotFound(
            _("We cannot place “%(place)s”. Please enter its postcode (five digits).")
            % {"place": text}
        )
    return Place(text, *centre)


def in_box(queryset, point, radius_km):
    """The groups of ``queryset`` in the bounding box of the circle (by the index)."""
    south, north, west, east = bounding_box(point, radius_km)
    return queryset.filter(latitude__range=(south, north), longitude__range=(west, east))


def nearest(queryset, point, radius_km):
    """[(group id, km)] of the groups of ``queryset`` within ``radius_km`` of ``point``,
    nearest first, then by name: the box from the database, the distance measured here."""
    rows = in_box(queryset, point, radius_km).order_by()
    found = []
    for pk, name, latitude, longitude in rows.values_list("pk", "name", "latitude", "longitude"):
        km = distance_km(point, (latitude, longitude))
        if km <= radius_km:
            found.append((km, name.casefold(), pk))
    found.sort()
    return [(pk, km) for km, _name, pk in found]


def distance_label(km):
    """'ca. 4 km', or 'unter 1 km': rounded, as places are postcode centres anyway."""
    if km < 1:
        return _("under 1 km")
    return _("about %(km)s km") % {"km": round(km)}


# A group's place


def _office_towns(office_id):
    pairs = (
        Group.objects.filter(office_id=office_id)
        .exclude(postcode="")
        .order_by()
        .values_list("postcode", "city")
        .union(Site.objects.filter(office_id=office_id).order_by().values_list("postcode", "city"))
    )
    return towns_of(pairs)


def group_point(fmt, postcode, town, office_towns):
    """Where 'near me' places a group: the centre of the postcode area it meets in, or
    of its town (the mean of the postcodes its office knows there); None for an online
    group or an unknown place. ``office_towns()`` gives the office's towns when needed.

    The caller passes the room's site's postcode and town when the group meets in a
    room, else the group's own. Nothing finer than a postcode area is ever used.
    """
    if fmt == Group.Format.ONLINE:
        return None
    centre = postcode_centre(postcode)
    if centre is None and town:
        known = set().union(*(office_towns().get(key, ()) for key in _town_keys(town)))
        centre = town_centre(known)
    return centre


def _located(office_id, fmt, postcode, town, site_postcode, site_town, towns):
    if site_postcode is not None:  # meets in a room: the site's address counts
        postcode, town = site_postcode, site_town

    def office_towns():
        if office_id not in towns:
            towns[office_id] = _office_towns(office_id)
        return towns[office_id]

    return group_point(fmt, postcode, town, office_towns)


def locate_groups(group_ids=None):
    """Set the coordinates of these groups (all when None) from their postcode or town;
    returns how many changed. Saves only the two fields, without signals, so it may be
    called from a group's ``post_save``.
    """
    groups = Group.objects.all() if group_ids is None else Group.objects.filter(pk__in=group_ids)
    rows = groups.order_by().values_list(
        "pk",
        "office_id",
        "format",
        "postcode",
        "city",
        "room__site__postcode",
        "room__site__city",
        "latitude",
        "longitude",
    )
    towns, changed = {}, []
    for pk, *place, latitude, longitude in rows.iterator(chunk_size=2000):
        point = _located(*place, towns) or (None, None)
        if point != (latitude, longitude):
            changed.append(Group(pk=pk, latitude=point[0], longitude=point[1]))
    Group.objects.bulk_update(changed, ["latitude", "longitude"], batch_size=500)
    return len(changed)


def locate_group(group):
    """``locate_groups`` for one group just saved, from the instance in memory: a query
    only for its room's site or its town, and an update only when its point moved."""
    site_postcode = site_town = None
    if group.room_id:
        site_postcode, site_town = Site.objects.filter(rooms=group.room_id).values_list(
            "postcode", "city"
        ).first() or ("", "")
    towns = {}
    point = _located(
        group.office_id,
        group.format,
        group.postcode,
        group.city,
        site_postcode,
        site_town,
        towns,
    ) or (None, None)
    if point != (group.latitude, group.longitude):
        Group.objects.filter(pk=group.pk).update(latitude=point[0], longitude=point[1])
        group.latitude, group.longitude = point
