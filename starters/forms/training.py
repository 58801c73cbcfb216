"""Forms of training: qualifications, cohorts, events, participants, certificates."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from starters.forms.widgets import DATE
from starters.models import (
    Qualification,
    Starter,
    TrainingCohort,
    TrainingEvent,
)

MAX_CERTIFICATE_YEARS = 10


class QualificationForm(forms.ModelForm):
    class Meta:
        model = Qualification
        fields = ["name"]

    def __init__(self, *args, office, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.office = office

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if (
            Qualification.objects.for_office(self.instance.office)
            .filter(name__iexact=name)
            .exists()
        ):
            raise forms.ValidationError(_("This qualification already exists."))
        return name


class TrainingFormMixin:
    def __init__(self, *args, office, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grants"].queryset = Qualification.objects.for_office(office).order_by("name")


class CohortForm(TrainingFormMixin, forms.ModelForm):
    class Meta:
        model = TrainingCohort
        fields = ["name", "starts_on", "ends_on", "place", "trainers", "hours", "grants"]
        widgets = {"starts_on": DATE, "ends_on": DATE, "grants": forms.CheckboxSelectMultiple}

    def __init__(self, *args, office, **kwargs):
        super().__init__(*args, office=office, **kwargs)
        if not self.instance.pk:
            self.initial.setdefault(
                "grants",
                list(Qualification.objects.filter(code=Qualification.Code.FOUNDING)),
            )

    def clean(self):
        cleaned = super().clean()
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The last day cannot be before the first day."))
        return cleaned


class EventForm(TrainingFormMixin, forms.ModelForm):
    class Meta:
        model = TrainingEvent
        fields = ["kind", "title", "date", "hours", "place", "trainers", "grants"]
        widgets = {"date": DATE, "grants": forms.CheckboxSelectMultiple}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("grants") and cleaned.get("kind") != TrainingEvent.Kind.CONTINUING_EDUCATION:
            self.add_error("grants", _("Only a continuing education course grants qualifications."))
        return cleaned


class StarterChoiceForm(forms.Form):
    """Pick starters of the office: participants of a cohort, attendees of an event."""

    starters = forms.ModelMultipleChoiceField(
        label=_("In-Gang-Setzer:innen"),
        queryset=Starter.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["starters"].queryset = queryset.select_related("user").order_by("user__name")
        self.fields["starters"].label_from_instance = lambda starter: starter.name


class CompletionForm(forms.Form):
    completed_on = forms.DateField(label=_("Completed on"), widget=DATE)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"completed_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class CertificateRequestForm(forms.Form):
    period_start = forms.DateField(label=_("From"), widget=DATE)
    period_end = forms.DateField(label=_("Until"), widget=DATE)

    def __init__(self, *args, **kwargs):
        today = timezone.localdate()
        kwargs.setdefault(
            "initial", {"period_start": datetime.date(today.year, 1, 1), "period_end": today}
        )
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end:
            if end < start:
                self.add_error("period_end", _("The end cannot be before the start."))
            elif (end - start).days > 366 * MAX_CERTIFICATE_YEARS:
                self.add_error("period_end", _("Please choose a period of at most ten years."))
            if start > timezone.localdate():
                self.add_error("period_start", _("The period cannot start in the future."))
        return cleaned


def starter_choices(office, exclude=None):
    """Starters of the office who can still take part in training (not retired)."""
    queryset = Starter.objects.for_office(office).exclude(status=Starter.Status.RETIRED)
    return queryset.exclude(exclude) if exclude is not None else queryset
