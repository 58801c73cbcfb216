"""Forms of a volunteer's documents: a renewed agreement, a police certificate seen, and
the office's rules for them."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kontaktstelle.offices.models import MAX_RENEWAL_YEARS, Office
from starters.forms.widgets import DATE


def _not_in_future(day):
    if day and day > timezone.localdate():
        raise forms.ValidationError(_("This date cannot be in the future."))
    return day


class AgreementForm(forms.Form):
    signed_on = forms.DateField(
        label=_("Volunteer agreement signed (or renewed) on"),
        widget=DATE,
        help_text=_("Its validity starts again from this day."),
    )

    def clean_signed_on(self):
        return _not_in_future(self.cleaned_data["signed_on"])


class PoliceCertificateForm(forms.Form):
    issued_on = forms.DateField(label=_("Date on the certificate"), widget=DATE)
    seen_on = forms.DateField(label=_("Seen on"), widget=DATE)
    seen = forms.BooleanField(
        label=_("I have seen the original certificate."),
        help_text=_(
            "Do not copy, scan or keep the certificate or anything it says: only its date "
            "and that it was seen are recorded."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seen_on"].initial = timezone.localdate

    def clean_issued_on(self):
        return _not_in_future(self.cleaned_data["issued_on"])

    def clean_seen_on(self):
        return _not_in_future(self.cleaned_data["seen_on"])

    def clean(self):
        cleaned = super().clean()
        issued, seen = cleaned.get("issued_on"), cleaned.get("seen_on")
        if issued and seen and seen < issued:
            self.add_error("seen_on", _("The certificate cannot have been seen before its date."))
        return cleaned


class DocumentRulesForm(forms.ModelForm):
    class Meta:
        model = Office
        fields = [
            "agreement_renewal_years",
            "requires_police_certificate",
            "police_certificate_renewal_years",
            "requires_exchange_attendance",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agreement_renewal_years"].widget.attrs.update(
            {"min": 0, "max": MAX_RENEWAL_YEARS}
        )
        self.fields["police_certificate_renewal_years"].widget.attrs.update(
            {"min": 1, "max": MAX_RENEWAL_YEARS}
        )
