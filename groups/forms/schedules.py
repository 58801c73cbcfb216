"""The staff's schedule forms: a meeting rule, more dates of a rule, a pause."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from groups.models import MeetingPause, MeetingRule
from kontaktstelle.offices.models import Room

DATE_INPUTS = ("%d.%m.%Y", "%Y-%m-%d", "%d.%m.%y")


class DateListField(forms.CharField):
    """Dates, one a line or separated by commas ("14.01.2027")."""

    widget = forms.Textarea(attrs={"rows": 3})

    def clean(self, value):
        text = super().clean(value)
        days = []
        for part in text.replace(",", "\n").replace(";", "\n").split():
            for pattern in DATE_INPUTS:
                try:
                    days.append(datetime.datetime.strptime(part, pattern).date())
                    break
                except ValueError:
                    continue
            else:
                raise forms.ValidationError(
                    _("“%(value)s” is not a date; write it as 14.01.2027."),
                    params={"value": part},
                )
        return sorted(set(days))


class MeetingRuleForm(forms.ModelForm):
    dates = DateListField(
        label=_("Dates"),
        required=False,
        help_text=_("For irregular meetings: one date a line, e.g. 14.01.2027."),
    )

    class Meta:
        model = MeetingRule
        fields = [
            "kind",
            "weekday",
            "weeks_of_month",
            "dates",
            "start_time",
            "end_time",
            "room",
            "starts_on",
            "note",
        ]
        widgets = {
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "end_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, office, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = (
            Room.objects.for_office(office).select_related("site").order_by("site__name", "name")
        )
        self.fields["room"].empty_label = _("the group's own room or place")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == MeetingRule.Kind.DATES and not cleaned.get("dates"):
            self.add_error("dates", _("List at least one date."))
        return cleaned


class MeetingDatesForm(forms.Form):
    dates = DateListField(label=_("More dates"))


class MeetingPauseForm(forms.ModelForm):
    class Meta:
        model = MeetingPause
        fields = ["starts_on", "ends_on", "reason"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def clean(self):
        cleaned = super().clean()
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The pause cannot end before it starts."))
        return cleaned
