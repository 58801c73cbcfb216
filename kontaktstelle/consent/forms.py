"""The staff's field for how a consent was given (the web form records its own)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kontaktstelle.consent.models import Consent


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
