"""Forms of the founding-interest exchange: its view, a request to another office, and a
founding interest that staff enter (from a phone call or a visit)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from groups import exchange, geo
from groups.forms.public import FoundingInterestForm
from groups.models import Topic
from kontaktstelle.consent.forms import consent_channel_field
from kontaktstelle.offices.models import Office


def clean_postcode(value):
    """A known German postcode, or "" (empty); else a German error message."""
    postcode = value.strip()
    if postcode and geo.postcode_centre(postcode) is None:
        raise forms.ValidationError(_("Please enter a German postcode (five digits)."))
    return postcode


class ExchangeFilterForm(forms.Form):
    """Around which place and how far the exchange counts; invalid values fall back to
    the office's sites and the default radius."""

    near = forms.CharField(
        label=_("Around postcode"),
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    radius = forms.TypedChoiceField(
        label=_("Distance"),
        choices=[(km, f"{km} km") for km in exchange.RADII_KM],
        coerce=int,
        initial=exchange.DEFAULT_RADIUS_KM,
        required=False,
        empty_value=None,
    )

    def clean_near(self):
        return clean_postcode(self.cleaned_data["near"])

    def place(self, office):
        """(postcode or "", radius in km, [points]) to count around."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        radius = data.get("radius") or exchange.DEFAULT_RADIUS_KM
        near = data.get("near") or ""
        points = [geo.postcode_centre(near)] if near else exchange.office_points(office)
        return near, radius, points


class NetworkRequestForm(forms.Form):
    """Ask another office of the network to bring its interested people together with
    ours: names the topic and the region, never a person."""

    topic = forms.ModelChoiceField(queryset=Topic.objects.all(), widget=forms.HiddenInput)
    to_office = forms.ModelChoiceField(queryset=Office.objects.none(), widget=forms.HiddenInput)
    near = forms.CharField(required=False, max_length=10, widget=forms.HiddenInput)
    radius = forms.TypedChoiceField(
        choices=[(km, km) for km in exchange.RADII_KM], coerce=int, widget=forms.HiddenInput
    )

    def __init__(self, *args, office, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_office"].queryset = exchange.scope_of(office).exclude(pk=office.pk)

    def clean_near(self):
        return clean_postcode(self.cleaned_data["near"])


class StaffFoundingInterestForm(FoundingInterestForm):
    """A founding interest staff enter for a person who called or came by."""

    consent_channel = consent_channel_field(help_text="")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["website"]
        self.fields["topic"].label = _("Topic of the group")
        self.fields["topic"].help_text = _(
            "Words of the thesaurus or their synonyms; several separated by commas."
        )
        self.fields["name"].label = _("Name (a first name is enough)")
        self.fields["email"].label = _("E-mail address")
        self.fields["phone"].label = _("Or phone number")
        self.fields["postcode"].label = _("Postcode (optional)")
        self.fields["postcode"].help_text = _("Only its first three digits are stored.")
        self.fields["message"].label = _("Note (optional)")
        self.fields["message"].help_text = _("Nothing about the person's health, please.")
        self.fields["consent"].label = _(
            "The person agrees that the office stores these details to help them start a "
            "group and deletes them when they are no longer needed."
        )
        self.fields["match_consent"].label = _(
            "The person agrees to be brought together with others who want a group on the "
            "same topic: the offices of the network count their topic and postcode area, "
            "without name; their contact data stays with this office."
        )
        self.fields["consent_channel"].initial = "phone"
        self.order_fields(
            ["topic", "name", "email", "phone", "postcode", "message", "match_consent", "consent"]
        )

    def clean_website(self):
        return ""

    def clean(self):
        cleaned = super().clean()
        topic = cleaned.get("topic")
        if cleaned.get("match_consent") and topic and not Topic.objects.from_text(topic):
            self.add_error(
                "topic",
                _(
                    "No topic of the thesaurus was recognised: the exchange counts only "
                    "thesaurus topics. Please use its words."
                ),
            )
        return cleaned
