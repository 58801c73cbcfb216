from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from kontaktstelle.consents import Consent
from kontaktstelle.models import Notification


class LoginForm(AuthenticationForm):
    """Login by e-mail address; the error never tells whether the address exists."""

    error_messages = {
        "invalid_login": _("The e-mail address or the password is not correct. Please try again."),
        "inactive": _("The e-mail address or the password is not correct. Please try again."),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"] = forms.EmailField(
            label=_("E-mail address"),
            widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
        )


def consent_channel_field(help_text):
    """How a consent staff record was given (the web form records its own)."""
    return forms.ChoiceField(
        label=_("Consent given"),
        choices=[
            choice for choice in Consent.Channel.choices if choice[0] != Consent.Channel.WEB_FORM
        ],
        initial=Consent.Channel.PAPER,
        required=False,
        help_text=help_text,
    )


class NotificationSettingsForm(forms.Form):
    """One checkbox per kind of notification the user's role receives: also by e-mail?"""

    def __init__(self, *args, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        for kind in kinds:
            self.fields[kind] = forms.BooleanField(
                label=Notification.Kind(kind).label, required=False
            )
