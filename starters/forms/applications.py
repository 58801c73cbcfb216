"""Forms of applications as In-Gang-Setzer:in: the public form and the staff's steps."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from starters import application_emails
from starters.models import ApplicationStatus, TrainingCohort, VolunteerApplication
from starters.models.applications import MOTIVATION_MAX_LENGTH


class ApplicationForm(forms.ModelForm):
    """What a visitor tells the office about themselves, with consent and a spam trap."""

    consent = forms.BooleanField(
        label=_(
            "I agree that the contact office stores my details to process my application "
            "and deletes them if I do not become an In-Gang-Setzer:in."
        ),
        error_messages={"required": _("Please agree so that we may process your application.")},
    )
    # A field people never see (hidden by CSS and from screen readers); bots fill it in.
    website = forms.CharField(
        required=False,
        label=_("Leave this field empty"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    class Meta:
        model = VolunteerApplication
        fields = ["name", "email", "phone", "town", "availability", "motivation"]
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "name"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
            "motivation": forms.Textarea(attrs={"rows": 5, "maxlength": MOTIVATION_MAX_LENGTH}),
        }
        help_texts = {
            "motivation": _(
                "A few sentences are enough, e.g. your experience with groups. Please do not "
                "write about your health here."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].label = _("Your name")
        self.fields["email"].label = _("Your e-mail address")
        self.fields["phone"].label = _("Your phone number (optional)")
        self.fields["town"].label = _("Where you live (town, district or postcode area)")
        self.fields["availability"].label = _("When do you have time? (optional)")
        self.fields["motivation"].label = _("Why would you like to become an In-Gang-Setzer:in?")

    def clean_website(self):
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(_("Please leave this field empty."))
        return ""


class ApplicationFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Step"),
        required=False,
        choices=[("", _("all steps")), *ApplicationStatus.choices],
    )

    def filter(self, queryset):
        if self.is_valid() and self.cleaned_data["status"]:
            return queryset.filter(status=self.cleaned_data["status"])
        return queryset


class InterviewForm(forms.Form):
    interview_at = forms.DateTimeField(
        label=_("Interview on"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )

    def clean_interview_at(self):
        value = self.cleaned_data["interview_at"]
        if value < timezone.now() - datetime.timedelta(hours=1):
            raise forms.ValidationError(_("The interview cannot lie in the past."))
        return value


class TrainingForm(forms.Form):
    cohort = forms.ModelChoiceField(label=_("Training cohort"), queryset=TrainingCohort.objects)

    def __init__(self, *args, office, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cohort"].queryset = (
            TrainingCohort.objects.for_office(office)
            .filter(ends_on__gte=timezone.localdate())
            .order_by("starts_on")
        )
        self.fields["cohort"].empty_label = _("choose a cohort")


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for declining"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 300}),
        help_text=_("For the office's record; it is not sent to the applicant."),
    )


class EmailTextForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(
        label=_("Text"), max_length=4000, widget=forms.Textarea(attrs={"rows": 14})
    )

    def _known_placeholders(self, name):
        text = self.cleaned_data[name]
        unknown = application_emails.unknown_placeholders(text)
        if unknown:
            raise forms.ValidationError(
                _("Unknown placeholder: %(names)s. Please use only those listed below.")
                % {"names": ", ".join("{" + name + "}" for name in unknown)}
            )
        return text

    def clean_subject(self):
        return self._known_placeholders("subject")

    def clean_body(self):
        return self._known_placeholders("body")
