"""Hours and travel costs: the starter's own (monthly, claim per month, CSV) and staff's
view of a starter of their office. Nothing of another starter or office is reachable."""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.generic import View

from kontaktstelle.web import spreadsheets
from kontaktstelle.web.fetch import fetch
from starters import expenses
from starters.mixins import OwnStarterMixin, StaffStarterMixin


def chosen_year(request):
    """The year asked for (?jahr=), within reason; else this year."""
    this_year = timezone.localdate().year
    try:
        year = int(request.GET.get("jahr", this_year))
    except ValueError:
        return this_year
    return year if 2000 <= year <= this_year + 1 else this_year


def checked_month(year, month):
    if not (2000 <= year <= timezone.localdate().year + 1 and 1 <= month <= 12):
        raise Http404
    return year, month


def travel_context(starter, year):
    rows = expenses.monthly(starter, year)
    return {
        "starter": starter,
        "year": year,
        "rows": rows,
        "totals": expenses.totals(rows),
        "km_rate": expenses.km_rate(),
        "this_year": timezone.localdate().year,
    }


def claim_context(starter, year, month):
    start, _end, trips = expenses.trips(starter, year, month)
    return {
        "starter": starter,
        "month": start,
        "trips": trips,
        "totals": expenses.totals(trips, keys=("km", "km_euros", "costs", "total")),
        "km_rate": expenses.km_rate(),
    }


def csv_response(starter, year):
    response = HttpResponse(expenses.csv_file(starter, year), spreadsheets.CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="stunden-fahrtkosten-{year}.csv"'
    return response


class OwnTravelView(OwnStarterMixin, View):
    def get(self, request):
        context = travel_context(self.starter, chosen_year(request))
        return render(request, "starters/own_travel.html", context)


class OwnClaimView(OwnStarterMixin, View):
    def get(self, request, year, month):
        context = claim_context(self.starter, *checked_month(year, month))
        return render(request, "starters/travel_claim.html", context)


class OwnHoursCsvView(OwnStarterMixin, View):
    def get(self, request, year):
        return csv_response(self.starter, checked_month(year, 1)[0])


class StarterClaimView(StaffStarterMixin, View):
    def get(self, request, pk, year, month):
        starter = fetch(self.get_queryset(), request.user, pk=pk)
        context = claim_context(starter, *checked_month(year, month)) | {"for_staff": True}
        return render(request, "starters/travel_claim.html", context)


class StarterHoursCsvView(StaffStarterMixin, View):
    def get(self, request, pk, year):
        starter = fetch(self.get_queryset(), request.user, pk=pk)
        return csv_response(starter, checked_month(year, 1)[0])
