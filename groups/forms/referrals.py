"""The form of a referral's follow-up: one answer per group the person was referred to."""

from django import forms
from django.utils.translation import gettext_lazy as _

from groups.models import ReferralAnswer


class FollowUpForm(forms.Form):
    """A choice for each referred group, all preselected with the answer clicked in the
    e-mail, so that one button confirms it."""

    def __init__(self, *args, groups, chosen=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.groups = list(groups)
        initial = chosen if chosen in ReferralAnswer.Answer.values else None
        for group in self.groups:
            self.fields[f"group_{group.pk}"] = forms.ChoiceField(
                label=group.name,
                choices=ReferralAnswer.Answer.choices,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                initial=initial,
                error_messages={"required": _("Please choose an answer for this group.")},
            )

    def answers(self):
        """The chosen answer of each group."""
        return {group: self.cleaned_data[f"group_{group.pk}"] for group in self.groups}
