"""The settings of a user's notifications."""

from django import forms

from kontaktstelle.notifications.models import Notification


class NotificationSettingsForm(forms.Form):
    """One checkbox per kind of notification the user's role receives: also by e-mail?"""

    def __init__(self, *args, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        for kind in kinds:
            self.fields[kind] = forms.BooleanField(
                label=Notification.Kind(kind).label, required=False
            )
