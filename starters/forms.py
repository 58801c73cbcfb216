import datetime
import itertools

from django import forms
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from groups.models import Group, Topic
from kontaktstelle.consent.forms import consent_channel_field
from kontaktstelle.models import Membership, Site, User
from starters.matching import affected_message
from starters.models import (
    Accompaniment,
    Availability,
    Certificate,
    Language,
    MeetingLog,
    MeetingTopic,
    Qualification,
    Starter,
    TrainingCohort,
    TrainingEvent,
)
from starters.models.accompaniments import MAX_MEETINGS
from starters.models.meetings import MAX_DURATION_MINUTES, NOTE_MAX_LENGTH

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
MAX_CERTIFICATE_YEARS = 10


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


class AccompanimentForm(forms.ModelForm):
    class Meta:
        model = Accompaniment
        fields = [
            "group",
            "kind",
            "requested_by",
            "requested_on",
            "meeting_weekday",
            "meeting_time",
            "meeting_place",
            "language",
            "needs",
            "agreed_on",
            "agreement",
            "planned_meetings",
            "planned_end",
            "responsible",
        ]
        widgets = {
            "requested_on": DATE,
            "agreed_on": DATE,
            "planned_end": DATE,
            "meeting_time": TIME,
            "needs": forms.CheckboxSelectMultiple,
            "agreement": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, office, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = (
            Group.objects.for_office(office).exclude(status=Group.Status.CLOSED).order_by("name")
        )
        self.fields["responsible"].queryset = User.objects.filter(
            membership__office=office,
            membership__role__in=[Membership.Role.STAFF, Membership.Role.OFFICE_ADMIN],
        ).order_by("name")
        self.fields["needs"].queryset = Qualification.objects.for_office(office).order_by("name")
        self.fields["planned_meetings"].help_text = _(
            "Founding: usually 6, at most 8. Existing group: usually 3, at most 6."
        )

    def clean(self):
        cleaned = super().clean()
        kind, meetings = cleaned.get("kind"), cleaned.get("planned_meetings")
        if kind and meetings is not None:
            limit = MAX_MEETINGS[kind]
            if not 1 <= meetings <= limit:
                self.add_error(
                    "planned_meetings",
                    _("For this kind, plan between 1 and %(limit)s meetings.") % {"limit": limit},
                )
        return cleaned


class OfferForm(forms.Form):
    starter = forms.ModelChoiceField(label=_("In-Gang-Setzer:in"), queryset=Starter.objects.none())
    choice_reason = forms.CharField(
        label=_("Why this person (required if not suggested)"), max_length=300, required=False
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = {c.starter.pk: c for c in candidates}
        self.fields["starter"].queryset = Starter.objects.filter(pk__in=self.candidates)
        # Someone personally affected by a topic of the group is never offered.
        self.fields["starter"].choices = [("", "---------")] + [
            (c.starter.pk, c.starter.name) for c in candidates if not c.affected
        ]
        best = next((c for c in candidates if c.suggested), None)
        if best and not self.is_bound:
            self.initial.setdefault("starter", best.starter.pk)

    def clean(self):
        cleaned = super().clean()
        starter = cleaned.get("starter")
        if starter and self.candidates[starter.pk].affected:
            self.add_error(
                "starter", affected_message(starter, self.candidates[starter.pk].affected)
            )
        elif (
            starter
            and not self.candidates[starter.pk].suggested
            and not cleaned.get("choice_reason", "").strip()
        ):
            self.add_error(
                "choice_reason",
                _("This person is not among the suggestions: please give a reason."),
            )
        return cleaned


class CompleteForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[("", "---------"), *Accompaniment.Outcome.choices]
    )
    completed_on = forms.DateField(label=_("Ended on"), widget=DATE)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"completed_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class FollowUpForm(forms.Form):
    result = forms.ChoiceField(
        label=_("Does the group still meet?"), choices=Accompaniment.FollowUp.choices
    )
    followed_up_on = forms.DateField(label=_("Asked on"), widget=DATE)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"followed_up_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AnswerForm(ReasonForm):
    """The starter's answer to an offer: the reason is for declining."""

    reason = forms.CharField(
        label=_("Reason for declining (optional)"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


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


class ExtendForm(forms.Form):
    planned_meetings = forms.IntegerField(label=_("Planned meetings"), min_value=1)
    reason = forms.CharField(label=_("Reason"), max_length=300)
