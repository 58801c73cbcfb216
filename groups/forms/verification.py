"""Forms of the yearly data check: the contact person's page, the staff's review and call."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from groups.models import Group, Verification
from groups.verification import PROPOSABLE_FIELDS

CONSENT_TEXT = _(
    "We agree that the office goes on publishing the entry of our group in its "
    "directory as shown above. We can withdraw this at any time."
)


ADDRESS_FIELDS = ("street", "postcode", "city", "district")


class SelfServiceForm(forms.ModelForm):
    """The entry as the public sees it, for the group's contact person to confirm or correct."""

    still_meets = forms.ChoiceField(
        label=_("Does the group still meet?"),
        choices=Verification.Meets.choices,
        widget=forms.RadioSelect,
    )
    consent = forms.BooleanField(label=CONSENT_TEXT, required=False)

    class Meta:
        model = Group
        fields = list(PROPOSABLE_FIELDS)
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "accepts_new_members": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["accepts_new_members"].label = _("Does the group take new members?")
        if self.instance.room_id:  # it meets in a room of the office: the office's to change
            for name in ADDRESS_FIELDS:
                del self.fields[name]

    def clean_postcode(self):
        postcode = self.cleaned_data.get("postcode", "").strip()
        if postcode and not re.fullmatch(r"[0-9]{5}", postcode):
            raise forms.ValidationError(_("A postcode has five digits, e.g. 12345."))
        return postcode

    def changes(self):
        return {name: self.cleaned_data[name] for name in PROPOSABLE_FIELDS if name in self.fields}


class ReviewForm(forms.Form):
    """Which of the proposed changes staff take over (all ticked to start with)."""

    accepted = forms.MultipleChoiceField(
        label=_("Take over"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["accepted"].choices = [(name, label) for name, label, *_rest in rows]
        self.initial.setdefault("accepted", [name for name, *_rest in rows])


class CallForm(forms.Form):
    """What a group said on the phone: staff record it."""

    still_meets = forms.ChoiceField(
        label=_("Does the group still meet?"),
        choices=Verification.Meets.choices,
        widget=forms.RadioSelect,
    )
    consent_renewed = forms.BooleanField(
        label=_("The group agrees that its entry stays published (consent renewed)."),
        required=False,
    )


class ConfirmGroupsForm(forms.Form):
    """The groups staff mark as confirmed, out of those of their office."""

    groups = forms.ModelMultipleChoiceField(queryset=Group.objects.none())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["groups"].queryset = Group.objects.for_user(user).exclude(
            status=Group.Status.CLOSED
        )
        self.fields["groups"].error_messages["required"] = _(
            "Select at least one group to confirm."
        )
