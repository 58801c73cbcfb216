"""Our records as HSDS 3.0 objects (plain dicts), showing only what the public directory
shows.

- A service is a public group (listed and not closed), an organization an office.
- Only a group listed with its meeting place has a service at a location, with the
  address its public page shows (its room's site, or its own street) and the centre of
  its postcode area; a group listed without place has none, so no address and no
  coordinates of it leave the app, only the town its page names (as a service area).
- A group's own e-mail or phone only when it is the group's public contact route, which
  the database allows only with a recorded consent; else the office's contact.
- Nothing staff-only (contact person, internal notes, consent details) is ever read.
"""

import datetime

from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from groups import geo
from groups.api import ids
from groups.models import Group, MeetingDate, MeetingPause, MeetingRule, Topic, TopicCategory
from kontaktstelle.offices.models import Site

HSDS_VERSION = "3.0"
TAXONOMY_ID = ids.named("taxonomy", "kontaktstelle-thesaurus")
COUNTRY = "DE"
DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# ISO 639-1 codes of the languages groups name most often (free text in German).
LANGUAGE_CODES = {
    "deutsch": "de",
    "englisch": "en",
    "türkisch": "tr",
    "russisch": "ru",
    "arabisch": "ar",
    "polnisch": "pl",
    "ukrainisch": "uk",
    "französisch": "fr",
    "spanisch": "es",
    "italienisch": "it",
    "persisch": "fa",
    "farsi": "fa",
    "kurdisch": "ku",
    "rumänisch": "ro",
    "griechisch": "el",
    "serbisch": "sr",
    "kroatisch": "hr",
    "vietnamesisch": "vi",
}
STATUS = {
    Group.Status.ACTIVE: "active",
    Group.Status.FOUNDING: "active",  # being founded: meets, and looks for members
    Group.Status.PAUSED: "temporarily closed",
}


def absolute(request, path):
    return request.build_absolute_uri(path)


def _date(value):
    return value.isoformat() if value else None


def _clean(data):
    """Leave out what we do not know (None) rather than sending nulls the schemas forbid."""
    return {key: value for key, value in data.items() if value is not None}


# The thesaurus as a taxonomy


def taxonomy():
    return {
        "id": TAXONOMY_ID,
        "name": _("Self-help topics thesaurus"),
        "description": _(
            "The German thesaurus of self-help topics shipped with Kontaktstelle: topic "
            "areas, and the topics within them."
        ),
        "version": "1",
    }


def topic_term_id(name):
    return ids.named("topic", name.casefold())


def category_term_id(slug):
    return ids.named("topic-category", slug)


def category_term(category):
    return {
        "id": category_term_id(category.slug),
        "code": category.slug,
        "name": category.name,
        "description": _("Topic area of the thesaurus"),
        "taxonomy": taxonomy()["name"],
        "taxonomy_id": TAXONOMY_ID,
        "language": "de",
    }


def topic_term(topic):
    """A topic with its synonyms (prefetched) as its description."""
    synonyms = ", ".join(synonym.term for synonym in topic.synonyms.all())
    return {
        "id": topic_term_id(topic.name),
        "name": topic.name,
        "description": _("Also: %(synonyms)s") % {"synonyms": synonyms} if synonyms else "",
        "parent_id": category_term_id(topic.category.slug),
        "taxonomy": taxonomy()["name"],
        "taxonomy_id": TAXONOMY_ID,
        "language": "de",
    }


def thesaurus_topics():
    return Topic.objects.select_related("category").prefetch_related("synonyms")


def taxonomy_terms():
    """Every term: the topic areas (top level), then the topics, each by name."""
    categories = [category_term(category) for category in TopicCategory.objects.order_by("name")]
    topics = [topic_term(topic) for topic in thesaurus_topics().order_by("category__name", "name")]
    return categories + topics


# Organizations: the offices


def phone(owner, pk, number, **links):
    return {"id": ids.named("phone", f"{owner}:{pk}"), "number": number, **links}


def site_location(site, organization_id):
    """An office's site (public on the office's start page) as a physical location."""
    location_id = ids.numbered("site", site.pk)
    centre = geo.postcode_centre(site.postcode)
    data = {
        "id": location_id,
        "location_type": "physical",
        "organization_id": organization_id,
        "name": site.name,
        "description": site.opening_hours,
        "addresses": [
            address(location_id, site.street, site.postcode, site.city),
        ],
    }
    if centre:
        data["latitude"], data["longitude"] = centre
    if site.phone:
        data["phones"] = [phone("site", site.pk, site.phone, location_id=location_id)]
    return data


def address(location_id, street, postcode, city):
    return {
        "id": ids.named("address", location_id),
        "location_id": location_id,
        "address_1": street,
        "city": city,
        # Not recorded; required by the schema, so present and empty.
        "state_province": "",
        "postal_code": postcode,
        "country": COUNTRY,
        "address_type": "physical",
    }


def organization(office, request, full=False):
    organization_id = ids.numbered("organization", office.pk)
    data = {
        "id": organization_id,
        "name": office.name,
        "description": office.introduction,
        "email": office.email or None,
        "website": office.website or None,
        "uri": absolute(request, office.get_absolute_url()),
    }
    if full:
        data["phones"] = (
            [phone("office", office.pk, office.phone, organization_id=organization_id)]
            if office.phone
            else []
        )
        data["locations"] = [site_location(site, organization_id) for site in office.sites.all()]
    return _clean(data)


def offices_prefetched(queryset):
    return queryset.prefetch_related(Prefetch("sites", queryset=Site.objects.order_by("name")))


# Services: the public groups


def public_groups():
    return Group.objects.public().select_related("office", "room__site")


def full_groups(queryset):
    """``queryset`` with everything a full service reads, in a fixed number of queries."""
    return queryset.select_related("office", "room__site").prefetch_related(
        Prefetch("topics", queryset=Topic.objects.select_related("category").order_by("name")),
        Prefetch(
            "meeting_rules",
            queryset=MeetingRule.objects.order_by("weekday", "start_time", "pk").prefetch_related(
                Prefetch("dates", queryset=MeetingDate.objects.order_by("date"))
            ),
        ),
        Prefetch("meeting_pauses", queryset=MeetingPause.objects.order_by("starts_on")),
    )


def _eligibility(group):
    parts = [_("For %(audience)s") % {"audience": group.get_audience_display()}]
    if group.age_group != Group.AgeGroup.ALL:
        parts.append(group.get_age_group_display())
    return " · ".join(parts)


def _own_contact(group):
    """(e-mail, phone) the group publishes itself: only by its consented contact route."""
    if group.contact_route == Group.ContactRoute.GROUP_EMAIL:
        return group.public_email, None
    if group.contact_route == Group.ContactRoute.GROUP_PHONE:
        return None, group.public_phone
    return None, None


def service(group, request):
    """The one-to-one fields of a group's service (the list's item)."""
    office = group.office
    email, _phone = _own_contact(group)
    page = absolute(request, group.get_public_url())
    alert = None
    if group.accepts_new_members == Group.NewMembers.NO:
        alert = _("The group is not taking new members at the moment.")
    elif group.accepts_new_members == Group.NewMembers.WAITING_LIST:
        alert = _("The group has a waiting list.")
    young = group.age_group == Group.AgeGroup.YOUNG
    return _clean(
        {
            "id": ids.numbered("service", group.pk),
            "organization_id": ids.numbered("organization", office.pk),
            "name": group.name,
            "description": group.description,
            "url": page,
            "email": email or office.email or None,
            "status": STATUS.get(group.status, "inactive"),
            "application_process": _("Get in touch through %(office)s: %(url)s")
            % {"office": office.name, "url": page},
            "eligibility_description": _eligibility(group),
            "minimum_age": 18 if young else None,
            "maximum_age": 35 if young else None,
            "assured_date": _date(group.last_confirmed_on),
            "assurer_email": office.email or None,
            "alert": alert,
            "last_modified": group.updated_at.isoformat(),
        }
    )


def full_service(group, request):
    """A group's service with everything nested (``full_groups`` prefetched it)."""
    data = service(group, request)
    service_id = data["id"]
    _email, own_phone = _own_contact(group)
    number = own_phone or group.office.phone
    data["phones"] = [phone("service", group.pk, number, service_id=service_id)] if number else []
    located = has_location(group)
    links = {"service_id": service_id}
    if located:
        links["service_at_location_id"] = ids.numbered("service-at-location", group.pk)
    data["schedules"] = schedules(group, **links)
    data["service_at_locations"] = [service_at_location(group, request)] if located else []
    town = group.public_town()
    data["service_areas"] = (
        [{"id": ids.numbered("service-area", group.pk), "service_id": service_id, "name": town}]
        if town and group.format != Group.Format.ONLINE
        else []
    )
    data["languages"] = [
        _clean(
            {
                "id": ids.named("language", f"{group.pk}:{index}"),
                "service_id": service_id,
                "name": name,
                "code": LANGUAGE_CODES.get(name.casefold()),
            }
        )
        for index, name in enumerate(group.language_list())
    ]
    data["organization"] = organization(group.office, request)
    data["attributes"] = [topic_attribute(topic, service_id) for topic in group.topics.all()]
    data["contacts"] = []
    return data


def topic_attribute(topic, service_id):
    term = {
        "id": topic_term_id(topic.name),
        "name": topic.name,
        "description": "",
        "parent_id": category_term_id(topic.category.slug),
        "taxonomy_id": TAXONOMY_ID,
    }
    return {
        "id": ids.named("attribute", f"{service_id}:{term['id']}"),
        "link_id": service_id,
        "link_type": "topic",
        "link_entity": "service",
        "taxonomy_term_id": term["id"],
        "value": topic.name,
        "taxonomy_term": term,
    }


# Where: only for groups listed with their meeting place


def has_location(group):
    """Listed with place, meeting in person (or hybrid), and a place to show."""
    return (
        group.listing == Group.Listing.PUBLIC_WITH_PLACE
        and group.format != Group.Format.ONLINE
        and bool(group.room_id or group.street or group.postcode or group.city)
    )


def location_id(group):
    if group.room_id:
        return ids.numbered("site", group.room.site_id)
    return ids.numbered("location", group.pk)


def location(group):
    """The place a group's public page shows; call only when ``has_location``."""
    place_id = location_id(group)
    if group.room_id:
        site = group.room.site
        name, street, postcode, city = site.name, site.street, site.postcode, site.city
        organization_id = ids.numbered("organization", site.office_id)
    else:
        name, street, postcode, city = group.name, group.street, group.postcode, group.city
        organization_id = None
    data = {
        "id": place_id,
        "location_type": "physical",
        "organization_id": organization_id,
        "name": name,
        "latitude": group.latitude,
        "longitude": group.longitude,
        "addresses": [address(place_id, street, postcode, city)] if street else [],
    }
    access = [
        label
        for present, label in zip(
            group.accessibility(),
            (_("step-free access"), _("accessible toilet"), _("hearing loop")),
            strict=True,
        )
        if present
    ]
    data["accessibility"] = (
        [
            {
                "id": ids.named("accessibility", f"{group.pk}"),
                "location_id": place_id,
                "description": ", ".join(str(label) for label in access),
            }
        ]
        if access
        else []
    )
    return _clean(data)


def service_at_location(group, request, full=False):
    service_id = ids.numbered("service", group.pk)
    data = {
        "id": ids.numbered("service-at-location", group.pk),
        "service_id": service_id,
        "location_id": location_id(group),
        "description": group.name,
        "location": location(group),
    }
    if full:
        data["schedules"] = schedules(
            group, service_id=service_id, service_at_location_id=data["id"]
        )
    return data


# When


def _time(value):
    return value.strftime("%H:%M")


def _pause_notes(pauses, today):
    notes = []
    for pause in pauses:
        if pause.ends_on is not None and pause.ends_on < today:
            continue
        if pause.ends_on:
            text = _("No meetings from %(start)s to %(end)s.") % {
                "start": pause.starts_on.strftime("%d.%m.%Y"),
                "end": pause.ends_on.strftime("%d.%m.%Y"),
            }
        else:
            text = _("No meetings from %(start)s until further notice.") % {
                "start": pause.starts_on.strftime("%d.%m.%Y")
            }
        notes.append(f"{text} {pause.reason}".strip())
    return " ".join(notes) or None


def _open_ended_pause(pauses, today):
    """The first day of a pause without end that has begun or is announced, or None."""
    starts = [pause.starts_on for pause in pauses if pause.ends_on is None]
    return min(starts) if starts else None


def schedule(rule, group, pauses, today, **links):
    """A meeting rule as an HSDS schedule (RFC 5545 terms: freq, interval, byday)."""
    day = DAYS[rule.weekday] if rule.weekday is not None else None
    data = {
        "id": ids.numbered("schedule", rule.pk),
        **links,
        "valid_from": rule.starts_on.isoformat(),
        "dtstart": rule.starts_on.isoformat(),
        "wkst": "MO",
        "opens_at": _time(rule.start_time),
        "closes_at": _time(rule.end_time),
        "description": group.schedule or None,
        "attending_type": group.get_format_display(),
        "notes": " ".join(filter(None, [rule.note, _pause_notes(pauses, today)])) or None,
    }
    if rule.kind == MeetingRule.Kind.WEEKLY:
        data.update(freq="WEEKLY", interval=1, byday=day)
    elif rule.kind == MeetingRule.Kind.BIWEEKLY:
        data.update(freq="WEEKLY", interval=2, byday=day)
    elif rule.kind == MeetingRule.Kind.MONTHLY:
        data.update(
            freq="MONTHLY", interval=1, byday=",".join(f"{week}{day}" for week in rule.weeks)
        )
    else:  # on listed dates: HSDS has no list of dates, so they go into the description
        dates = [meeting.date for meeting in rule.dates.all()]
        if dates:
            data.update(valid_from=dates[0].isoformat(), valid_to=dates[-1].isoformat())
            data["dtstart"] = dates[0].isoformat()
            listed = ", ".join(date.strftime("%d.%m.%Y") for date in dates if date >= today)
            data["description"] = (
                " ".join(filter(None, [group.schedule, _("Dates: %(dates)s") % {"dates": listed}]))
                if listed
                else group.schedule or None
            )
    pause_start = _open_ended_pause(pauses, today)
    if pause_start is not None and rule.kind != MeetingRule.Kind.DATES:
        data["valid_to"] = (pause_start - datetime.timedelta(days=1)).isoformat()
    return _clean(data)


def schedules(group, **links):
    """The group's meeting rules; without rules, its rhythm in words, if it has one."""
    today = timezone.localdate()
    pauses = list(group.meeting_pauses.all())
    rules = list(group.meeting_rules.all())
    if rules:
        return [schedule(rule, group, pauses, today, **links) for rule in rules]
    if group.schedule:
        return [
            _clean(
                {
                    "id": ids.numbered("schedule-text", group.pk),
                    **links,
                    "description": group.schedule,
                    "attending_type": group.get_format_display(),
                    "notes": _pause_notes(pauses, today),
                }
            )
        ]
    return []


def api_root(request):
    return {
        "version": HSDS_VERSION,
        "profile": "https://docs.openreferral.org/en/latest/hsds/overview.html",
        "openapi_url": absolute(request, reverse("hsds:openapi")),
    }
