"""The room plan of a site: which group uses which room when, a week at a time."""

import datetime

from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.views.generic import DetailView

from groups import schedules
from groups.models import Group, MeetingRule
from kontaktstelle.accounts.mixins import OfficeStaffRequiredMixin
from kontaktstelle.offices.models import Room, Site
from kontaktstelle.web.validators import EARLIEST_DATE, LATEST_DATE


def week_start(day):
    return day - datetime.timedelta(days=day.weekday())


def _asked_week(value):
    """The day of ``?woche=``, or None for anything unreadable or implausible (this week)."""
    try:
        asked = parse_date(value or "")
    except ValueError:  # well-formed but no date, e.g. 2027-02-31
        return None
    return asked if asked and EARLIEST_DATE <= asked <= LATEST_DATE else None


class RoomPlanView(OfficeStaffRequiredMixin, DetailView):
    """A week of a site's rooms (``?woche=2027-01-11``, any day of it; default: this week).
    A constant number of queries, however many groups meet there."""

    template_name = "groups/room_plan.html"
    context_object_name = "site"

    def get_queryset(self):
        return Site.objects.for_user(self.request.user).prefetch_related(
            Prefetch("rooms", queryset=Room.objects.order_by("name"))
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        site = self.object
        asked = _asked_week(self.request.GET.get("woche"))
        monday = week_start(asked or timezone.localdate())
        sunday = monday + datetime.timedelta(days=6)
        rooms = list(site.rooms.all())
        room_ids = [room.pk for room in rooms]
        # The groups meeting in these rooms first, so that the rules are found through
        # two indexes (room, group) rather than by joining every rule of the network.
        groups_here = list(Group.objects.filter(room_id__in=room_ids).values_list("pk", flat=True))
        in_site = Q(room_id__in=room_ids) | Q(room__isnull=True, group_id__in=groups_here)
        rules = (
            MeetingRule.objects.filter(in_site)
            .exclude(group__status=Group.Status.CLOSED)
            .select_related("group__room", "room")
            .prefetch_related("dates", "group__meeting_pauses")
        )
        found = [
            item
            for rule in rules
            for item in schedules.occurrences(
                [rule], rule.group.meeting_pauses.all(), monday, sunday
            )
        ]
        found.sort(key=lambda item: (item.starts_at, item.rule.group.name))
        days = []
        for offset in range(7):
            day = monday + datetime.timedelta(days=offset)
            today = [item for item in found if item.day == day]
            days.append(
                {
                    "day": day,
                    "entries": today,
                    "cells": [
                        [item for item in today if schedules.effective_room(item.rule) == room]
                        for room in rooms
                    ],
                }
            )
        context.update(
            rooms=rooms,
            days=days,
            monday=monday,
            sunday=sunday,
            previous_week=monday - datetime.timedelta(days=7),
            next_week=monday + datetime.timedelta(days=7),
            this_week=week_start(timezone.localdate()),
        )
        return context
