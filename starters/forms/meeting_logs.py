"""The meeting log, made for a phone right after the meeting."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from starters.forms.widgets import DATE, TIME
from starters.models import (
    MeetingLog,
    MeetingTopic,
)
from starters.models.meeting_logs import MAX_DURATION_MINUTES, NOTE_MAX_LENGTH


class MeetingLogForm(forms.ModelForm):
    """A minute on a phone right after the meeting; refuses impossible values."""

    worked_on = forms.MultipleChoiceField(
        label=_("What did the meeting work on?"),
        choices=MeetingTopic.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    partner_present = forms.BooleanField(
        label=_("My tandem partner was there too"), required=False, initial=True
    )

    class Meta:
        model = MeetingLog
        fields = [
            "held_on",
            "starts_at",
            "duration_minutes",
            "participants",
            "newcomers",
            "worked_on",
            "process_note",
            "wants_talk",
            "travel_km",
            "travel_costs",
            "next_meeting_on",
        ]
        widgets = {
            "held_on": DATE,
            "starts_at": TIME,
            "next_meeting_on": DATE,
            "process_note": forms.Textarea(attrs={"rows": 3, "maxlength": NOTE_MAX_LENGTH}),
            "duration_minutes": forms.NumberInput(
                attrs={"min": 1, "max": MAX_DURATION_MINUTES, "step": 5, "inputmode": "numeric"}
            ),
            "participants": forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"}),
            "newcomers": forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"}),
            # Text with a decimal keypad, read the German way: "12,5" is 12.5 km. A
            # number field would drop the comma in a browser set to English (125 km).
            "travel_km": forms.TextInput(attrs={"inputmode": "decimal"}),
            "travel_costs": forms.TextInput(attrs={"inputmode": "decimal"}),
        }

    def __init__(self, *args, accompaniment, tandem=False, for_staff=False, **kwargs):
        self.accompaniment = accompaniment
        if not kwargs.get("instance"):
            kwargs.setdefault(
                "initial",
                {
                    "held_on": timezone.localdate(),
                    "starts_at": accompaniment.meeting_time,
                    "duration_minutes": 90,
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["duration_minutes"].help_text = _("At most 8 hours (480 minutes).")
        self.fields["duration_minutes"].widget.attrs["min"] = 1
        if not tandem or self.instance.pk:
            del self.fields["partner_present"]
        for name in ("travel_km", "travel_costs"):
            self.fields[name].localize = True
            self.fields[name].widget.is_localized = True
        if for_staff:  # staff correct a starter's log: it speaks of the starter
            self.fields["wants_talk"].label = _("The In-Gang-Setzer:in would like to talk")
            self.fields["travel_km"].help_text = _("As the In-Gang-Setzer:in logged it.")

    def clean_held_on(self):
        held_on = self.cleaned_data["held_on"]
        today = timezone.localdate()
        if held_on > today + datetime.timedelta(days=1):
            raise forms.ValidationError(
                _("A meeting can be logged at the earliest the day before."), code="future"
            )
        started = self.accompaniment.started_on
        if started and held_on < started:
            raise forms.ValidationError(
                _("The accompaniment started on %(date)s: the meeting cannot be earlier.")
                % {"date": started.strftime("%d.%m.%Y")},
                code="before_start",
            )
        return held_on

    def clean(self):
        data = super().clean()
        participants, newcomers = data.get("participants"), data.get("newcomers")
        if participants is not None and newcomers is not None and newcomers > participants:
            self.add_error(
                "newcomers",
                forms.ValidationError(
                    _("There cannot be more newcomers than participants."), code="newcomers"
                ),
            )
        held_on, next_on = data.get("held_on"), data.get("next_meeting_on")
        if held_on and next_on and next_on <= held_on:
            self.add_error(
                "next_meeting_on",
                forms.ValidationError(
                    _("The next meeting comes after this one."), code="next_before"
                ),
            )
        return data
