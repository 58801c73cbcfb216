"""The statistics page of an office, its CSV/XLSX exports and the printable report."""

import datetime

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import View

from kontaktstelle.accounts.mixins import OfficeStaffRequiredMixin, RoleRequiredMixin
from kontaktstelle.accounts.models import Membership
from kontaktstelle.audit import services as audit
from kontaktstelle.offices.models import Site
from kontaktstelle.reports import statistics
from kontaktstelle.web import spreadsheets
from kontaktstelle.web.validators import validate_plausible_date

MAX_YEARS = 10


class PeriodForm(forms.Form):
    start = forms.DateField(
        label=gettext_lazy("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=[validate_plausible_date],
    )
    end = forms.DateField(
        label=gettext_lazy("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=[validate_plausible_date],
    )
    site = forms.ModelChoiceField(
        label=gettext_lazy("Site"), queryset=Site.objects.none(), required=False
    )

    def __init__(self, *args, office=None, **kwargs):
        super().__init__(*args, **kwargs)
        if office is None:  # the network: no sites
            del self.fields["site"]
            return
        self.fields["site"].queryset = office.sites.order_by("name")
        self.fields["site"].empty_label = _("all sites")

    def clean(self):
        data = super().clean()
        year = timezone.localdate().year
        start = data.get("start") or datetime.date(year, 1, 1)
        end = data.get("end") or datetime.date(start.year, 12, 31)
        if end < start:
            raise forms.ValidationError(_("The period ends before it starts."), code="inverted")
        if (end - start).days > MAX_YEARS * 366:
            raise forms.ValidationError(
                _("Please choose at most %(years)s years.") % {"years": MAX_YEARS},
                code="too_long",
            )
        data["period"] = statistics.Period(start, end)
        return data


def chosen_period(request, office=None):
    """The period asked for, or this year with a message when the input is wrong."""
    form = PeriodForm(request.GET or None, office=office)
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["period"], form.cleaned_data.get("site")
    if form.is_bound:
        for error in form.non_field_errors():
            messages.error(request, error)
    year = timezone.localdate().year
    return form, statistics.Period(datetime.date(year, 1, 1), datetime.date(year, 12, 31)), None


BAR_ROW = 34  # height of one row of the SVG chart: the label above, its bar below
BAR_WIDTH = 380  # the longest bar
# More bars than a chart and its table fit on one A4 sheet: the printed report shows
# the table alone, which can go on over the next sheet (a chart cannot).
PRINTED_BARS = 15


def bars(rows):
    """Rows (label, number) laid out for the SVG bar chart: position and bar length."""
    largest = max((n or 0 for _label, n in rows), default=0)
    laid_out = []
    for index, (label, n) in enumerate(rows):
        width = round(BAR_WIDTH * (n or 0) / largest) if largest else 0
        top = index * BAR_ROW
        laid_out.append(
            {
                "label": str(label),
                "n": n,
                "label_y": top + 12,
                "bar_y": top + 16,
                "number_y": top + 28,
                "width": width,
                "number_x": width + 6,
            }
        )
    return laid_out


class StatisticsView(OfficeStaffRequiredMixin, View):
    template_name = "kontaktstelle/statistics.html"

    def period(self, request):
        office = request.user.office
        site_id = request.GET.get("site")
        if site_id and not (site_id.isdigit() and office.sites.filter(pk=site_id).exists()):
            raise Http404  # a site of another office, or none at all
        return chosen_period(request, office)

    def tables(self, office, period, site):
        consultations = statistics.consultation_figures(office, period, site)
        previous = statistics.consultation_totals(office, period.previous_year(), site)
        groups = statistics.group_figures(office, period)
        programme = statistics.programme_figures([office], period)
        follow_up = statistics.follow_up_figures(office, period, site)
        c, p = consultations["totals"], programme["counts"]
        pc = previous["totals"]
        pp = statistics.programme_counts([office], period.previous_year())
        key_rows = [
            (_("Consultations"), c["total"], pc["total"]),
            (_("Referrals to groups"), c["referrals"], pc["referrals"]),
            (_("Referrals to professional counselling"), c["counselling"], pc["counselling"]),
            (
                _("Founding interests"),
                consultations["founding_interests"],
                previous["founding_interests"],
            ),
            (_("Information only"), c["information"], pc["information"]),
            (
                _("Referrals: went to the group, of the answers (%)"),
                follow_up["total"]["share"],
                None,
            ),
            (_("Share of young self-help (%)"), c["young_share"], pc["young_share"]),
            (_("New groups"), groups["new"], None),
            (_("Groups at the end of the period"), groups["at_end"], None),
            (_("Requests for accompaniment"), p["requests"], pp["requests"]),
            (_("Accompaniments started"), p["started"], pp["started"]),
            (_("Accompaniments completed"), p["completed"], pp["completed"]),
            (_("Accompaniments cancelled"), p["cancelled"], pp["cancelled"]),
            (_("Accompanied meetings"), p["meetings"], pp["meetings"]),
            (_("Volunteer hours in meetings"), p["volunteer_hours"], pp["volunteer_hours"]),
            (_("Active In-Gang-Setzer:innen"), p["active_starters"], pp["active_starters"]),
            (
                _("Average meetings per accompaniment"),
                p["average_meetings"],
                pp["average_meetings"],
            ),
            (
                _("Groups still meeting after 6 months (%)"),
                p["follow_up_share"],
                pp["follow_up_share"],
            ),
        ]
        return {
            "summary": {
                "title": _("Figures and the year before"),
                "header": [_("Figure"), _("This period"), _("A year earlier")],
                "rows": key_rows,
            },
            "follow_up": follow_up_table(follow_up),
            "by_month": {
                "title": _("Consultations by month"),
                "rows": [(date.strftime("%m/%Y"), n) for date, n in consultations["by_month"]],
            },
            "by_channel": {
                "title": _("Consultations by channel"),
                "rows": consultations["by_channel"],
            },
            "by_asker": {"title": _("Who asks"), "rows": consultations["by_asker"]},
            "by_site": {"title": _("Consultations by site"), "rows": consultations["by_site"]},
            "top_topics": {
                "title": _("Top 10 requested topics"),
                "rows": consultations["top_topics"],
            },
            "by_counselling": {
                "title": _("Referrals to professional counselling"),
                "rows": consultations["by_counselling"],
            },
            "by_category": {"title": _("Groups by category"), "rows": groups["by_category"]},
            "started_by_kind": {
                "title": _("Accompaniments started by kind"),
                "rows": programme["started_by_kind"],
            },
            "completed_by_kind": {
                "title": _("Accompaniments completed by kind"),
                "rows": programme["completed_by_kind"],
            },
            "completed_by_outcome": {
                "title": _("Accompaniments completed by outcome"),
                "rows": programme["completed_by_outcome"],
            },
            "accompanied_topics": {
                "title": _("Topics of accompanied groups"),
                "rows": programme["topics"],
            },
        }, programme

    def starters_table(self, office, period):
        return {
            "title": _("Hours and accompaniments per In-Gang-Setzer:in"),
            "header": [_("Name"), _("Accompaniments"), _("Meetings"), _("Hours")],
            "rows": [
                (
                    starter.name,
                    starter.accompaniments,
                    starter.meetings,
                    round((starter.minutes or 0) / 60, 1),
                )
                for starter in statistics.starter_rows(office, period)
            ],
        }

    def get(self, request):
        office = request.user.office
        form, period, site = self.period(request)
        export = request.GET.get("export")
        table_key = request.GET.get("table")
        if export in ("csv", "xlsx"):
            if table_key == "starters":
                table = self.starters_table(office, period)
            else:
                table = self.tables(office, period, site)[0].get(table_key)
            if table is None:
                raise Http404
            name = f"{table_key}-{period.start}-{period.end}"
            audit.record(request.user, audit.Action.EXPORT, target=f"{name}.{export}")
            return export_table(table, export, name)
        tables, programme = self.tables(office, period, site)
        charts = {
            key: {
                **table,
                "bars": bars(table["rows"]),
                "height": BAR_ROW * len(table["rows"]),
                "prints_table_only": len(table["rows"]) > PRINTED_BARS,
            }
            for key, table in tables.items()
            if key not in TABLES_WITHOUT_CHART
        }
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "period": period,
                "site": site,
                "summary": tables["summary"],
                "follow_up": tables["follow_up"],
                "small": statistics.SMALL,
                "charts": charts,
                "programme": programme,
                "office": office,
                "query": request.GET.urlencode(),
                # The printed report's cover: its year when the period is one, and the day.
                "report_year": calendar_year(period),
                "today": timezone.localdate(),
            },
        )


TABLES_WITHOUT_CHART = ("summary", "follow_up")


def follow_up_table(figures):
    """The referrals' follow-up by topic area, as shown and exported: "–" where hidden."""

    def cells(row):
        return [
            row["asked"],
            *("–" if row[key] is None else row[key] for key in ("answered", "arrived", "share")),
        ]

    return {
        "title": _("Follow-up of referrals to groups, by topic area"),
        "header": [
            _("Topic area"),
            _("Asked"),
            _("Answers"),
            _("Went there"),
            _("Went there (%)"),
        ],
        "rows": [[row["label"], *cells(row)] for row in figures["rows"]]
        + ([[_("All topic areas"), *cells(figures["total"])]] if figures["rows"] else []),
    }


def calendar_year(period):
    """The year a period covers from 1 January to 31 December, else None."""
    year = period.start.year
    if (period.start, period.end) == (datetime.date(year, 1, 1), datetime.date(year, 12, 31)):
        return year
    return None


def export_table(table, kind, name):
    rows = [table.get("header") or [_("Label"), _("Number")], *table["rows"]]
    if kind == "csv":
        response = HttpResponse(
            spreadsheets.csv_bytes(rows), content_type=spreadsheets.CSV_CONTENT_TYPE
        )
    else:
        response = HttpResponse(
            spreadsheets.xlsx_bytes(table["title"], rows),
            content_type=spreadsheets.XLSX_CONTENT_TYPE,
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{kind}"'
    return response


PEOPLE = ["starters", "answered", "still"]


class NetworkStatisticsView(RoleRequiredMixin, View):
    """Coordinators: the programme's figures per office and summed, counts only."""

    allowed_roles = (Membership.Role.COORDINATOR,)
    template_name = "kontaktstelle/network_overview.html"

    def get(self, request):
        network = request.user.membership.network
        form, period, _site = chosen_period(request)
        offices = list(network.offices.order_by("name"))
        rows, total = statistics.programme_by_office(offices, period)
        rows = statistics.suppress_small(rows, PEOPLE)
        if len(rows) == 1:  # the sum is the one office's figure: hide it alike
            total.update({key: None for key in PEOPLE if rows[0][key] is None})
        if total["starters"] is None:
            total["hours"] = None
        if total["answered"] is None or total["still"] is None:
            total["follow_up_share"] = None
        for row in rows:
            if row["starters"] is None:
                row["hours"] = None
            if row["answered"] is None or row["still"] is None:
                row["follow_up_share"] = None
        export = request.GET.get("export")
        if export in ("csv", "xlsx"):
            name = f"netzwerk-{period.start}-{period.end}"
            audit.record(request.user, audit.Action.EXPORT, target=f"{name}.{export}")
            return export_table(network_table(network, period, rows, total), export, name)
        return render(
            request,
            self.template_name,
            {
                "network": network,
                "form": form,
                "period": period,
                "rows": rows,
                "total": total,
                "benchmark": statistics.FOLLOW_UP_BENCHMARK,
                "small": statistics.SMALL,
                "query": request.GET.urlencode(),
            },
        )


def network_table(network, period, rows, total):
    """The network page's table as an export: the same figures, "–" where hidden."""

    def shown(value):
        return "–" if value is None else value

    def share(row):
        return "–" if row["follow_up_share"] is None else row["follow_up_share"]

    columns = ["requests", "started", "completed", "cancelled", "meetings"]
    hidden_total = total["starters"] is None or 0 < total["starters"] < statistics.SMALL
    return {
        "title": f"{network.name} {period}",
        "header": [
            _("Office"),
            _("Requests"),
            _("Started"),
            _("Completed"),
            _("Cancelled"),
            _("Meetings"),
            _("Volunteer hours"),
            _("Active In-Gang-Setzer:innen"),
            _("Still meeting after 6 months (%)"),
            _("Since the start"),
        ],
        "rows": [
            [
                row["office"].name,
                *(row[key] for key in columns),
                shown(row["hours"]),
                shown(row["starters"]),
                share(row),
                row["since_start"],
            ]
            for row in rows
        ]
        + [
            [
                _("Network"),
                *(total[key] for key in columns),
                "–" if hidden_total else total["hours"],
                "–" if hidden_total else total["starters"],
                "–"
                if total["follow_up_share"] is None or total["answered"] < statistics.SMALL
                else total["follow_up_share"],
                total["since_start"],
            ]
        ],
    }
