"""The founding-interest exchange (Gründungsbörse) across the offices of a network.

A founding interest that consented to be matched counts here by its thesaurus topics
and its postcode area (the first three digits of the postcode; the full postcode is
never stored). Staff see, per topic, how many such people want a group within a radius:
their own office's count, and another office's count only when it is at least
``K_ANONYMITY``, so that no one person of another office can be singled out. Names and
contact data never cross offices: to bring people together an office sends the other a
request (``services.send_network_request``) that names a topic and a region.

The counts are one aggregate query per page; the areas within a radius are found in
Python from the postcode centres shipped with the app (``geo``).
"""

import functools
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.urls import reverse
from django.utils.translation import gettext as _

from groups import geo
from groups.models import FoundingAlert, Inquiry, Topic
from kontaktstelle.accounts.models import Membership, User
from kontaktstelle.notifications.models import Notification
from kontaktstelle.notifications.services import notify
from kontaktstelle.offices.models import Office

# Another office's count is shown (and counted into a total) from this many people on.
K_ANONYMITY = 3
RADII_KM = (10, 25, 50, 100)
DEFAULT_RADIUS_KM = 25
# An office's region for its alerts: the postcode areas this close to one of its sites.
ALERT_RADIUS_KM = 25


def area_of(postcode):
    """The postcode area stored for a postcode: its first three digits."""
    return (postcode or "").strip()[:3]


@functools.cache
def area_centres():
    """{area: (latitude, longitude)}: the mean of the centres of the area's postcodes."""
    points = {}
    for postcode, point in geo.postcode_centres().items():
        points.setdefault(postcode[:3], []).append(point)
    return {area: geo.mean_point(pts) for area, pts in points.items()}


def areas_within(points, radius_km):
    """The postcode areas whose centre lies within ``radius_km`` of one of ``points``."""
    return sorted(
        area
        for area, centre in area_centres().items()
        if any(geo.distance_km(point, centre) <= radius_km for point in points)
    )


def office_points(office):
    """Where an office is: the centres of its sites' postcodes (none when unknown)."""
    centres = (geo.postcode_centre(site.postcode) for site in office.sites.all())
    return [point for point in centres if point]


def scope_of(office):
    """The offices whose interests an office sees counted: its network, or itself."""
    if office.network_id is None:
        return Office.objects.filter(pk=office.pk)
    return Office.objects.filter(network_id=office.network_id)


@dataclass
class TopicCount:
    """One topic in an office's view: its own people and other offices' (k ≥ 3 each)."""

    topic_id: int
    name: str
    own: int = 0
    others: list = field(default_factory=list)  # [(office id, office name, count)]

    @property
    def total(self):
        return self.own + sum(count for _pk, _name, count in self.others)


def topic_counts(office, areas, now=None):
    """[TopicCount] of the consenting founding interests in ``areas`` (postcode areas)
    across the office's network, most people first: one aggregate query.

    Another office's count below ``K_ANONYMITY`` is left out altogether (not even as
    "fewer than 3"), and a topic with nothing left to show is not listed.
    """
    rows = (
        Inquiry.objects.matchable(now)
        .filter(office__in=scope_of(office), postcode_area__in=areas, topics__isnull=False)
        .values("topics", "topics__name", "office", "office__name")
        .annotate(people=Count("pk", distinct=True))
        .order_by()
    )
    topics = {}
    for row in rows:
        own = row["office"] == office.pk
        if not own and row["people"] < K_ANONYMITY:
            continue
        entry = topics.setdefault(row["topics"], TopicCount(row["topics"], row["topics__name"]))
        if own:
            entry.own = row["people"]
        else:
            entry.others.append((row["office"], row["office__name"], row["people"]))
    for entry in topics.values():
        entry.others.sort(key=lambda other: (-other[2], other[1]))
    return sorted(topics.values(), key=lambda entry: (-entry.total, entry.name.casefold()))


def public_topics(office=None, now=None):
    """Topics that at least ``K_ANONYMITY`` consenting people want a group on, across the
    network of ``office`` (every office when None or without network), by name."""
    interests = Inquiry.objects.matchable(now)
    if office is not None and office.network_id is not None:
        interests = interests.filter(office__network_id=office.network_id)
    counted = (
        interests.filter(topics__isnull=False)
        .values("topics")
        .annotate(people=Count("pk", distinct=True))
        .filter(people__gte=K_ANONYMITY)
        .values("topics")
    )
    return Topic.objects.filter(pk__in=counted).select_related("category").order_by("name")


# Alerts --------------------------------------------------------------------------------


def _staff_of(office):
    return User.objects.filter(
        is_active=True,
        membership__office=office,
        membership__role__in=[Membership.Role.STAFF, Membership.Role.OFFICE_ADMIN],
    )


def _alert(office, topic_count, crossing):
    subject = _("Founding-interest exchange: %(count)s people want a group on “%(topic)s”") % {
        "count": topic_count.total,
        "topic": topic_count.name,
    }
    body = _(
        "Within %(km)s km of %(office)s, %(count)s people consented to be brought together "
        "for a new group on “%(topic)s”. The exchange shows how many of them each office knows."
    ) % {
        "km": ALERT_RADIUS_KM,
        "office": office.name,
        "count": topic_count.total,
        "topic": topic_count.name,
    }
    url = f"{reverse('groups:founding_exchange')}?radius={ALERT_RADIUS_KM}"
    sent = 0
    for user in _staff_of(office):
        key = f"founding:{topic_count.topic_id}:{crossing}"
        sent += bool(notify(user, Notification.Kind.FOUNDING_EXCHANGE, key, subject, body, url))
    return sent


def _alert_row(office, topic_id):
    try:
        with transaction.atomic():
            return FoundingAlert.objects.get_or_create(office=office, topic_id=topic_id)[0]
    except IntegrityError:  # created by another process at the same moment
        return FoundingAlert.objects.get(office=office, topic_id=topic_id)


def check_office(office, topic_ids=None, now=None, points=None):
    """Tell the office's staff about each topic whose count within ``ALERT_RADIUS_KM`` of
    its sites reached the office's threshold; returns how many notifications were new.

    The count is what the exchange shows the office (own people, other offices' from
    ``K_ANONYMITY`` on). Each crossing is claimed by a conditional update of the
    office's ``FoundingAlert`` row, and a count below the threshold releases it, so an
    alert goes out once per crossing even when several processes check at once.
    ``topic_ids`` limits the check to some topics (None: every topic); ``points``: the
    office's places when the caller has them (``office_points``).
    """
    points = office_points(office) if points is None else points
    counts = topic_counts(office, areas_within(points, ALERT_RADIUS_KM), now) if points else []
    reached = {
        entry.topic_id: entry
        for entry in counts
        if entry.total >= office.founding_alert_threshold
        and (topic_ids is None or entry.topic_id in topic_ids)
    }
    below = FoundingAlert.objects.filter(office=office, reached=True).exclude(topic__in=reached)
    if topic_ids is not None:
        below = below.filter(topic__in=topic_ids)
    below.update(reached=False)
    sent = 0
    for topic_id, entry in reached.items():
        alert = _alert_row(office, topic_id)
        claimed = FoundingAlert.objects.filter(pk=alert.pk, reached=False).update(
            reached=True, crossings=F("crossings") + 1
        )
        if claimed:
            alert.refresh_from_db(fields=["crossings"])
            sent += _alert(office, entry, alert.crossings)
    return sent


def check_interest(inquiry):
    """After a consenting founding interest was stored: check the offices of its network
    whose alert region holds its postcode area, for its topics."""
    if inquiry.match_consent_at is None or not inquiry.postcode_area:
        return 0
    topic_ids = set(inquiry.topics.values_list("pk", flat=True))
    if not topic_ids:
        return 0
    centre = area_centres().get(inquiry.postcode_area)
    sent = 0
    for office in scope_of(inquiry.office).prefetch_related("sites").order_by("pk"):
        points = office_points(office)
        if centre and any(geo.distance_km(point, centre) <= ALERT_RADIUS_KM for point in points):
            sent += check_office(office, topic_ids, points=points)
    return sent


def check_all(now=None):
    """Check every office (``send_reminders``): new crossings alert, counts that fell
    (requests anonymised or past their retention period) release their alert."""
    offices = Office.objects.prefetch_related("sites").order_by("pk")
    return sum(check_office(office, now=now) for office in offices)
