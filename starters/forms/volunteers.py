"""Forms of a volunteer's record: profile (their own and staff's), weekly times, filters."""

import itertools

from django import forms
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from groups.models import Topic
from kontaktstelle.accounts.models import User
from kontaktstelle.consent.forms import consent_channel_field
from kontaktstelle.offices.models import Site
from starters.forms.widgets import DATE, TIME
from starters.models import (
    Availability,
    Certificate,
    Language,
    Qualification,
    Starter,
)


class ProfileForm(forms.ModelForm):
    """What a starter keeps current themselves; staff edit it too (``StarterForm``)."""

    name = forms.CharField(label=_("Name"), max_length=150)

    class Meta:
        model = Starter
        fields = [
            "phone",
            "languages",
            "capacity",
            "sites",
            "towns",
            "has_car",
            "uses_public_transport",
            "excluded_topics",
        ]
        widgets = {
            "languages": forms.CheckboxSelectMultiple,
            "sites": forms.CheckboxSelectMultiple,
            "excluded_topics": forms.CheckboxSelectMultiple,
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        }

    field_order = ["name"]

    def __init__(self, *args, office, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["name"].initial = self.instance.user.name
        self.fields["sites"].queryset = Site.objects.for_office(office).order_by("name")
        self.fields["languages"].queryset = Language.objects.order_by("name")
        topics = Topic.objects.select_related("category").order_by("category__name", "name")
        self.fields["excluded_topics"].queryset = topics
        # Grouped by category: 190 topics are found by their area (and the search box).
        groups = {}
        for topic in topics:
            groups.setdefault(topic.category.name, []).append((topic.pk, topic.name))
        self.fields["excluded_topics"].choices = list(groups.items())
        self.fields["capacity"].widget.attrs.update({"min": 0, "max": 10})

    def clean_capacity(self):
        capacity = self.cleaned_data["capacity"]
        if capacity < self.instance.load:
            raise forms.ValidationError(
                _("%(load)s accompaniments are running: the capacity cannot be lower.")
                % {"load": self.instance.load}
            )
        return capacity


class StarterForm(ProfileForm):
    """The whole profile, for staff: also status, qualifications, agreement and notes."""

    email = forms.EmailField(label=_("E-mail address"), help_text=_("Also their login."))
    consent_channel = consent_channel_field(
        _("How they gave their consent; recorded when you enter or change its date.")
    )

    class Meta(ProfileForm.Meta):
        fields = [
            "status",
            "paused_until",
            *ProfileForm.Meta.fields,
            "qualifications",
            "agreement_signed_on",
            "consent_given_on",
            "consent_channel",
            "notes",
        ]
        widgets = ProfileForm.Meta.widgets | {
            "qualifications": forms.CheckboxSelectMultiple,
            "paused_until": DATE,
            "agreement_signed_on": DATE,
            "consent_given_on": DATE,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    field_order = ["name", "email"]

    def __init__(self, *args, office, **kwargs):
        super().__init__(*args, office=office, **kwargs)
        if self.instance.pk:
            self.fields["email"].initial = self.instance.user.email
        self.fields["qualifications"].queryset = Qualification.objects.for_office(office).order_by(
            "name"
        )

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"]).strip()
        taken = User.objects.annotate(lower=Lower("email")).filter(lower=email.lower())
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.user_id)
        if taken.exists():
            raise forms.ValidationError(_("A user with this e-mail address already exists."))
        return email

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("paused_until") and cleaned.get("status") != Starter.Status.PAUSED:
            self.add_error("paused_until", _("Only a paused starter has a date to pause until."))
        return cleaned


class AvailabilityForm(forms.ModelForm):
    class Meta:
        model = Availability
        fields = ["weekday", "starts_at", "ends_at"]
        widgets = {"starts_at": TIME, "ends_at": TIME}

    def clean(self):
        cleaned = super().clean()
        starts_at, ends_at = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", _("The end must be after the start."))
        return cleaned


class BaseAvailabilityFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        keys = ("weekday", "starts_at", "ends_at")
        windows = sorted(
            tuple(form.cleaned_data[key] for key in keys)
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and all(form.cleaned_data.get(key) is not None for key in keys)
        )
        for (day, _start, end), (next_day, next_start, _end) in itertools.pairwise(windows):
            if day == next_day and next_start < end:
                raise forms.ValidationError(
                    _("Two times on %(day)s overlap. Please combine them into one.")
                    % {"day": Availability.Weekday(day).label},
                    code="overlap",
                )


AvailabilityFormSet = forms.inlineformset_factory(
    Starter,
    Availability,
    form=AvailabilityForm,
    formset=BaseAvailabilityFormSet,
    extra=1,
    can_delete=True,
    max_num=21,
    validate_max=True,
)


class StarterFilterForm(forms.Form):
    """Filters of the staff list of starters; invalid values are ignored."""

    q = forms.CharField(label=_("Name contains"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("all but retired")), *Starter.Status.choices],
    )
    qualification = forms.ModelChoiceField(
        label=_("Qualification"), required=False, queryset=Qualification.objects.none()
    )
    language = forms.ModelChoiceField(
        label=_("Language"), required=False, queryset=Language.objects.order_by("name")
    )
    site = forms.ModelChoiceField(label=_("Site"), required=False, queryset=Site.objects.none())
    weekday = forms.TypedChoiceField(
        label=_("Available on"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("any day")), *Availability.Weekday.choices],
    )
    daytime = forms.ChoiceField(
        label=_("Time of day"),
        required=False,
        choices=[("", _("any time")), *Availability.Daytime.choices],
    )
    free_capacity = forms.BooleanField(label=_("Can take on more"), required=False)
    exchange_overdue = forms.BooleanField(
        label=_("No exchange or supervision for 12 months"), required=False
    )
    certificate_pending = forms.BooleanField(label=_("Certificate to sign off"), required=False)

    def __init__(self, *args, office, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["qualification"].queryset = Qualification.objects.for_office(office).order_by(
            "name"
        )
        self.fields["site"].queryset = Site.objects.for_office(office).order_by("name")

    def filter(self, queryset):
        if not self.is_valid():
            return queryset.exclude(status=Starter.Status.RETIRED)
        data = self.cleaned_data
        if data["q"]:
            queryset = queryset.filter(user__name__icontains=data["q"])
        if data["status"]:
            queryset = queryset.filter(status=data["status"])
        else:
            queryset = queryset.exclude(status=Starter.Status.RETIRED)
        if data["qualification"]:
            queryset = queryset.filter(qualifications=data["qualification"])
        if data["language"]:
            queryset = queryset.filter(languages=data["language"])
        if data["site"]:
            queryset = queryset.filter(sites=data["site"])
        if data["weekday"] is not None or data["daytime"]:
            queryset = queryset.available_at(data["weekday"], data["daytime"])
        if data["free_capacity"]:
            queryset = queryset.filter(status=Starter.Status.ACTIVE, free_capacity__gt=0)
        if data["exchange_overdue"]:
            queryset = queryset.exchange_overdue()
        if data["certificate_pending"]:
            queryset = queryset.filter(
                pk__in=Certificate.objects.filter(signed_on__isnull=True).values("starter")
            )
        return queryset
