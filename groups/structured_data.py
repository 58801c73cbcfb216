"""schema.org data (JSON-LD) of a public group page: exactly what the page shows.

A self-help group is an ``Organization`` (there is no closer schema.org type) whose
topics are what it ``knowsAbout``, with its ``audience``, its languages, the address
as far as the page shows it (the town only, unless the group is listed with its
meeting place) and its meetings as an ``Event``: the page's "When" as its description,
each meeting rule as a ``Schedule`` and the next dates the page lists as sub-events.
Nothing of what only staff see (contact person, internal notes) is read here.
"""

import json

from django.utils.safestring import mark_safe

from groups import schedules
from groups.models import Group, MeetingRule

SCHEMA = "https://schema.org"
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
ATTENDANCE = {
    Group.Format.IN_PERSON: f"{SCHEMA}/OfflineEventAttendanceMode",
    Group.Format.ONLINE: f"{SCHEMA}/OnlineEventAttendanceMode",
    Group.Format.HYBRID: f"{SCHEMA}/MixedEventAttendanceMode",
}
# Characters that could end the <script> element or open markup inside it.
_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def _address(group):
    """The address as the page's "Where" shows it: full only when listed with place."""
    if group.shows_place and group.room_id:
        site = group.room.site
        return site.name, {
            "@type": "PostalAddress",
            "streetAddress": site.street,
            "postalCode": site.postcode,
            "addressLocality": site.city,
        }
    if group.shows_place and group.street:
        return "", {
            "@type": "PostalAddress",
            "streetAddress": group.street,
            "postalCode": group.postcode,
            "addressLocality": group.city,
        }
    if group.city:
        return "", {"@type": "PostalAddress", "addressLocality": group.city}
    return "", None


FREQUENCY = {
    MeetingRule.Kind.WEEKLY: "P1W",
    MeetingRule.Kind.BIWEEKLY: "P2W",
    MeetingRule.Kind.MONTHLY: "P1M",
}


def _schedule(rule):
    """A rule as a schema.org ``Schedule`` (rules on listed dates have none)."""
    schedule = {
        "@type": "Schedule",
        "repeatFrequency": FREQUENCY[rule.kind],
        "byDay": f"{SCHEMA}/{DAYS[rule.weekday]}",
        "startTime": rule.start_time.strftime("%H:%M"),
        "endTime": rule.end_time.strftime("%H:%M"),
        "scheduleTimezone": "Europe/Berlin",
    }
    if rule.kind == MeetingRule.Kind.MONTHLY:
        schedule["byMonthWeek"] = rule.weeks
    return schedule


def _when(group, rules):
    """The page's "When", line by line."""
    lines = [f"{rule.describe()} ({rule.note})" if rule.note else rule.describe() for rule in rules]
    if group.schedule:
        lines.append(group.schedule)
    return lines


def _event(group, place):
    """The group's meetings as the page shows them: attendance mode, the "When" text,
    the meeting rules as schedules and the next dates."""
    rules = list(group.meeting_rules.all())
    event = {
        "@type": "Event",
        "name": group.name,
        "eventAttendanceMode": ATTENDANCE[group.format],
    }
    when = _when(group, rules)
    if when:
        event["description"] = "; ".join(when)
    found = [_schedule(rule) for rule in rules if rule.kind != MeetingRule.Kind.DATES]
    if found:
        event["eventSchedule"] = found if len(found) > 1 else found[0]
    if group.format == Group.Format.ONLINE:
        event["location"] = {"@type": "VirtualLocation"}
    elif place:
        event["location"] = place
    dates = [
        {
            "@type": "Event",
            "name": group.name,
            "startDate": item.starts_at.isoformat(timespec="minutes"),
            "endDate": item.ends_at.isoformat(timespec="minutes"),
            **({"location": {"@type": "Place", "address": item.place}} if item.place else {}),
        }
        for item in schedules.next_dates(group)
    ]
    if dates:
        event["subEvent"] = dates
    return event


def for_group(group, url):
    """The JSON-LD dict of ``group``'s public page at ``url`` (an absolute address)."""
    topics = [topic.name for topic in group.topics.all()]
    audience = [str(group.get_audience_display())]
    if group.age_group != Group.AgeGroup.ALL:
        audience.append(str(group.get_age_group_display()))
    data = {
        "@context": SCHEMA,
        "@type": "Organization",
        "name": group.name,
        "url": url,
    }
    if group.description:
        data["description"] = group.description
    if topics:
        data["knowsAbout"] = topics
        data["keywords"] = ", ".join(topics)
    data["audience"] = {"@type": "PeopleAudience", "audienceType": ", ".join(audience)}
    if group.language_list():
        data["knowsLanguage"] = group.language_list()
    place_name, address = _address(group)
    place = None
    if address:
        data["address"] = address
        place = {"@type": "Place", "address": address}
        if place_name:
            place["name"] = place_name
    if group.contact_route == Group.ContactRoute.GROUP_EMAIL and group.public_email:
        data["email"] = group.public_email
    elif group.contact_route == Group.ContactRoute.GROUP_PHONE and group.public_phone:
        data["telephone"] = group.public_phone
    data["event"] = _event(group, place)
    return data


def as_json_ld(data):
    """The ``<script type="application/ld+json">`` element of ``data``, safe in HTML.

    A data block, never run by the browser, so the Content-Security-Policy (no inline
    scripts) does not apply to it.
    """
    text = json.dumps(data, ensure_ascii=False, sort_keys=False).translate(_ESCAPES)
    # Safe as Django's json_script: <, > and & are escaped as JSON \u escapes above, so
    # no value can end the element or start markup.
    return mark_safe(f'<script type="application/ld+json">{text}</script>')  # noqa: S308  # nosec B308, B703
