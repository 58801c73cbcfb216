"""Forms of accompaniments: the request, the offer, the answer, completion and follow-up."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from groups.models import Group
from kontaktstelle.accounts.models import Membership, User
from starters.documents import blocked_message
from starters.forms.widgets import DATE, TIME
from starters.matching import affected_message
from starters.models import (
    Accompaniment,
    Qualification,
    Starter,
)
from starters.models.accompaniments import MAX_MEETINGS


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
        elif starter and self.candidates[starter.pk].documents:
            self.add_error(
                "starter", blocked_message(starter, self.candidates[starter.pk].documents)
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


class ExtendForm(forms.Form):
    planned_meetings = forms.IntegerField(label=_("Planned meetings"), min_value=1)
    reason = forms.CharField(label=_("Reason"), max_length=300)
