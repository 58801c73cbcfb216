"""The office admin's view of the audit trail (/intern/protokoll/): read only."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import ListView

from kontaktstelle.accounts.mixins import OfficeAdminRequiredMixin
from kontaktstelle.audit.models import AuditEntry
from kontaktstelle.web.mixins import FilteredListMixin
from kontaktstelle.web.validators import validate_plausible_date as plausible

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(
        label=gettext_lazy("Action"),
        choices=[("", gettext_lazy("all")), *AuditEntry.Action.choices],
        required=False,
    )
    start = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=DATE, validators=[plausible]
    )
    end = forms.DateField(
        label=gettext_lazy("To"), required=False, widget=DATE, validators=[plausible]
    )

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise forms.ValidationError(_("The period ends before it starts."), code="inverted")
        return data

    def filter(self, entries):
        """The entries matching the valid fields; a wrong field filters nothing."""
        if not self.is_bound:
            return entries
        self.is_valid()
        data = self.cleaned_data
        if data.get("action"):
            entries = entries.filter(action=data["action"])
        if "__all__" in self.errors:
            return entries
        if data.get("start"):
            entries = entries.filter(at__gte=_start_of(data["start"]))
        if data.get("end"):
            entries = entries.filter(at__lt=_start_of(data["end"] + datetime.timedelta(days=1)))
        return entries


def _start_of(day):
    """Midnight at the start of the day, in the office's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class AuditLogView(OfficeAdminRequiredMixin, FilteredListMixin, ListView):
    """The office's audit entries, newest first, filtered by action and period."""

    template_name = "kontaktstelle/audit_log.html"
    context_object_name = "entries"
    paginate_by = 50
    filter_form_class = AuditFilterForm

    def get_queryset(self):
        entries = AuditEntry.objects.for_office(self.request.user.office).select_related(
            "target_type"
        )
        return self.filtered(entries)
