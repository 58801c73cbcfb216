"""iCalendar (RFC 5545) of accompanied meetings, built with the ``icalendar`` library.

Times carry the TZID Europe/Berlin with its VTIMEZONE, so phones show them right on
both sides of a daylight-saving change.
"""

import datetime
import zoneinfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from kontaktstelle.web import tokens
from starters.meeting_logs import ON_IT, next_meeting
from starters.models import Accompaniment, MeetingLog, Starter

BERLIN = zoneinfo.ZoneInfo(settings.TIME_ZONE)
DEFAULT_DURATION = datetime.timedelta(minutes=90)


def new_feed_token(starter):
    """A new private feed link; the old one stops working. Only the hash is stored."""
    token, token_hash = tokens.new()
    Starter.objects.filter(pk=starter.pk).update(calendar_token_hash=token_hash)
    return token


def revoke_feed(starter):
    Starter.objects.filter(pk=starter.pk).update(calendar_token_hash="")  # nosec B106


def starter_for_token(token):
    if not token:
        return None
    return Starter.objects.filter(calendar_token_hash=tokens.digest(token)).first()


def _event(accompaniment, day, starts_at, duration, uid_kind="meeting"):
    start = datetime.datetime.combine(day, starts_at or datetime.time(18), tzinfo=BERLIN)
    event = Event()
    event.add("uid", f"{uid_kind}-{accompaniment.pk}-{day:%Y%m%d}@kontaktstelle")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", start)
    event.add("dtend", start + duration)
    event.add("summary", _("Accompaniment: %(group)s") % {"group": accompaniment.group.name})
    if accompaniment.meeting_place:
        event.add("location", accompaniment.meeting_place)
    return event


def log_event(log):
    return _event(
        log.accompaniment,
        log.held_on,
        log.starts_at,
        datetime.timedelta(minutes=log.duration_minutes),
    )


def next_event(accompaniment, day):
    return _event(accompaniment, day, accompaniment.meeting_time, DEFAULT_DURATION)


def calendar(events, name):
    cal = Calendar()
    cal.add("prodid", "-//Kontaktstelle//Begleitete Treffen//DE")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    for event in events:
        cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()


def starter_events(starter, today=None):
    """Logged meetings the starter accompanied and the next meeting of each running one."""
    logs = MeetingLog.objects.filter(accompanied_by=starter).select_related("accompaniment__group")
    events = [log_event(log) for log in logs]
    logged = {(log.accompaniment_id, log.held_on) for log in logs}
    running = (
        Accompaniment.objects.filter(
            status=Accompaniment.Status.ACTIVE,
            assignments__starter=starter,
            assignments__state__in=ON_IT,
        )
        .select_related("group")
        .distinct()
    )
    last_logs = {}
    for log in MeetingLog.objects.filter(accompaniment__in=running).order_by("held_on"):
        last_logs[log.accompaniment_id] = log
    for accompaniment in running:
        day = next_meeting(accompaniment, last_logs.get(accompaniment.pk), today)
        if day and (accompaniment.pk, day) not in logged:
            events.append(next_event(accompaniment, day))
    return events
