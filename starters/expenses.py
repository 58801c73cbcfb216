"""A starter's hours and travel costs by month: for their own overview, a reimbursement
claim per month (printable, A4), staff's view of the record, and a CSV file.

Hours count the meetings the starter accompanied; travel (kilometres and tickets or
parking) counts the logs the starter wrote, since each writes their own journey.
Kilometres are paid at ``KONTAKTSTELLE_TRAVEL_EURO_PER_KM``.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import formats
from django.utils.translation import gettext as _

from kontaktstelle.web import spreadsheets
from starters.models import MeetingLog

CENT = Decimal("0.01")


def km_rate():
    return Decimal(str(settings.KONTAKTSTELLE_TRAVEL_EURO_PER_KM))


def _euros(value):
    return (value or Decimal(0)).quantize(CENT)


def _money(value):
    """Euros with two decimals as German Excel reads them ("2,40")."""
    return formats.number_format(_euros(value), 2)


def year_bounds(year):
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def monthly(starter, year):
    """One row per month of ``year`` with meetings or travel, in date order (one query)."""
    start, end = year_bounds(year)
    accompanied = MeetingLog.accompanied_by.through.objects.filter(
        meetinglog=OuterRef("pk"), starter=starter
    )
    own = Q(logged_by=starter.user_id)
    # The logs the person accompanied or logged, found by their ids (two index lookups),
    # not by testing every log of the year (170,000 in the benchmark's large network).
    theirs = (
        MeetingLog.accompanied_by.through.objects.filter(starter=starter)
        .order_by()
        .values("meetinglog_id")
        .union(MeetingLog.objects.filter(own).order_by().values("pk"))
    )
    months = (
        MeetingLog.objects.filter(held_on__range=(start, end), pk__in=theirs)
        .alias(accompanied=Exists(accompanied))
        .annotate(month=TruncMonth("held_on"))
        .values("month")
        .annotate(
            meetings=Count("pk", filter=Q(accompanied=True)),
            minutes=Sum("duration_minutes", filter=Q(accompanied=True)),
            km=Sum("travel_km", filter=own),
            costs=Sum("travel_costs", filter=own),
        )
        .order_by("month")
    )
    rows = []
    for month in months:
        km = month["km"] or Decimal(0)
        costs = _euros(month["costs"])
        km_euros = _euros(km * km_rate())
        rows.append(
            {
                "month": _month(month["month"]),
                "meetings": month["meetings"],
                "hours": Decimal(month["minutes"] or 0) / 60,
                "km": km,
                "km_euros": km_euros,
                "costs": costs,
                "total": km_euros + costs,
            }
        )
    return rows


def totals(rows, keys=("meetings", "hours", "km", "km_euros", "costs", "total")):
    return {key: sum((row[key] for row in rows), Decimal(0)) for key in keys}


def _month(value):
    return datetime.date(value.year, value.month, 1)


def trips(starter, year, month):
    """The logs the starter wrote in that month, with what a claim lists of each."""
    start = datetime.date(year, month, 1)
    end = (start + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    logs = (
        MeetingLog.objects.filter(logged_by=starter.user_id, held_on__range=(start, end))
        .select_related("accompaniment__group")
        .order_by("held_on", "starts_at")
    )
    result = []
    for log in logs:
        km = log.travel_km or Decimal(0)
        result.append(
            {
                "log": log,
                "km": km,
                "km_euros": _euros(km * km_rate()),
                "costs": _euros(log.travel_costs),
                "total": _euros(km * km_rate()) + _euros(log.travel_costs),
            }
        )
    return start, end, result


def csv_file(starter, year):
    """Every meeting the starter accompanied or wrote in ``year``, for a spreadsheet."""
    start, end = year_bounds(year)
    accompanied = MeetingLog.accompanied_by.through.objects.filter(
        meetinglog=OuterRef("pk"), starter=starter
    )
    logs = (
        MeetingLog.objects.filter(held_on__range=(start, end))
        .annotate(accompanied=Exists(accompanied))
        .filter(Q(accompanied=True) | Q(logged_by=starter.user_id))
        .select_related("accompaniment__group")
        .order_by("held_on", "starts_at")
    )
    rows = [
        [
            _("Date"),
            _("Group"),
            _("Start"),
            _("Hours"),
            _("Kilometres"),
            _("Kilometre allowance (EUR)"),
            _("Tickets and parking (EUR)"),
        ]
    ]
    for log in logs:
        own_trip = log.logged_by_id == starter.user_id
        km = (log.travel_km or Decimal(0)) if own_trip else Decimal(0)
        minutes = log.duration_minutes if log.accompanied else 0
        rows.append(
            [
                log.held_on.strftime("%d.%m.%Y"),
                log.accompaniment.group.name,
                log.starts_at.strftime("%H:%M"),
                float(round(Decimal(minutes) / 60, 2)),
                float(km),
                _money(km * km_rate()),
                _money(log.travel_costs if own_trip else None),
            ]
        )
    return spreadsheets.csv_bytes(rows)
