"""The visitors' forms: directory search, contact request, founding interest, correction hint."""

import datetime

from django import forms
from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from groups import geo
from groups.models import Group, Inquiry, MeetingRule, TopicCategory
from kontaktstelle.offices.selectors import offices_knowing_others

# The directory's times of day, by the start of a meeting: [from, to).
DAYTIMES = {
    "vormittags": (None, datetime.time(12)),
    "nachmittags": (datetime.time(12), datetime.time(17)),
    "abends": (datetime.time(17), None),
}
# The value of ``stelle`` that searches every office of the network.
WHOLE_NETWORK = "alle"


class DirectoryFilterForm(forms.Form):
    """Search and filters of the public directory; invalid values are dropped, not errors."""

    q = forms.CharField(label=_("Search"), required=False)
    category = forms.ModelChoiceField(
        label=_("Topic area"),
        required=False,
        queryset=TopicCategory.objects.order_by("name"),
        empty_label=_("all topic areas"),
        to_field_name="slug",
    )
    near = forms.CharField(
        label=_("Postcode or town"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code"}),
    )
    radius = forms.TypedChoiceField(
        label=_("Distance"),
        required=False,
        choices=[(km, f"{km} km") for km in geo.RADII_KM],
        coerce=int,
        empty_value=None,
        initial=geo.DEFAULT_RADIUS_KM,
    )
    # Before "near": the words of a town or district (still read from older links).
    place = forms.CharField(label=_("Town or district"), required=False, max_length=100)
    format = forms.ChoiceField(
        label=_("Format"), required=False, choices=[("", _("any")), *Group.Format.choices]
    )
    language = forms.CharField(label=_("Language"), required=False, max_length=50)
    accessible = forms.BooleanField(label=_("step-free access"), required=False)
    relatives = forms.BooleanField(label=_("for relatives"), required=False)
    young = forms.BooleanField(label=_("young self-help (18–35)"), required=False)
    open_to_new = forms.BooleanField(label=_("welcomes new members"), required=False)
    weekday = forms.TypedChoiceField(
        label=_("Weekday"),
        required=False,
        choices=[("", _("any day")), *MeetingRule.Weekday.choices],
        coerce=int,
        empty_value=None,
    )
    daytime = forms.ChoiceField(
        label=_("Time of day"),
        required=False,
        choices=[
            ("", _("any time")),
            ("vormittags", _("mornings (before 12)")),
            ("nachmittags", _("afternoons (12 to 5 pm)")),
            ("abends", _("evenings (from 5 pm)")),
        ],
    )
    # Whose groups: an office's slug, "alle" for the whole network; unset, the office the
    # installation shows (KONTAKTSTELLE_PUBLIC_OFFICE), else the whole network.
    stelle = forms.SlugField(required=False, max_length=50, widget=forms.HiddenInput)

    def __init__(self, data=None):
        if data is not None and data.get("radius") not in {str(km) for km in geo.RADII_KM}:
            data = data.copy()  # the list shows the distance that is searched
            data["radius"] = str(geo.DEFAULT_RADIUS_KM)
        super().__init__(data)
        if self.is_bound:
            # Invalid values drop out of cleaned_data and are ignored, never an error page.
            self.is_valid()

    @property
    def query(self):
        return (self.cleaned_data.get("q") or "").strip()[:200] if self.is_bound else ""

    def clean_near(self):
        text = self.cleaned_data["near"].strip()
        if not text:
            return None
        try:
            return geo.find_place(text)
        except geo.PlaceNotFound as error:
            raise forms.ValidationError(str(error)) from None

    @property
    def near_place(self):
        """The ``geo.Place`` to search around, or None."""
        return self.cleaned_data.get("near") if self.is_bound else None

    @property
    def radius_km(self):
        data = self.cleaned_data if self.is_bound else {}
        return data.get("radius") or geo.DEFAULT_RADIUS_KM

    @cached_property
    def office(self):
        """The office whose groups are searched; None: every office of the network."""
        slug = (self.cleaned_data.get("stelle") if self.is_bound else "") or ""
        if slug == WHOLE_NETWORK:
            return None
        slug = slug or settings.PUBLIC_OFFICE_SLUG
        return offices_knowing_others().filter(slug=slug).first() if slug else None

    def filter(self, queryset, by_format=True):
        data = self.cleaned_data if self.is_bound else {}
        if self.office:
            queryset = queryset.filter(office=self.office)
        if data.get("category"):
            # EXISTS, not a join: no duplicate rows to remove, so the list keeps its index.
            queryset = queryset.filter(
                Exists(
                    Group.topics.through.objects.filter(
                        group=OuterRef("pk"), topic__category=data["category"]
                    )
                )
            )
        if data.get("place"):
            place = data["place"].strip()
            queryset = queryset.filter(Q(city__icontains=place) | Q(district__icontains=place))
        if by_format and data.get("format"):
            queryset = queryset.filter(format=data["format"])
        if data.get("language"):
            queryset = queryset.filter(languages__icontains=data["language"].strip())
        if data.get("accessible"):
            queryset = queryset.accessible()
        if data.get("relatives"):
            queryset = queryset.filter(audience__in=[Group.Audience.RELATIVES, Group.Audience.BOTH])
        if data.get("young"):
            queryset = queryset.filter(age_group=Group.AgeGroup.YOUNG)
        if data.get("open_to_new"):
            queryset = queryset.filter(accepts_new_members=Group.NewMembers.YES)
        if data.get("weekday") is not None or data.get("daytime"):
            queryset = queryset.filter(Exists(self._meeting_rules()))
        return queryset

    def within(self):
        """The public groups a search is restricted to: an office's and the filters', but
        for the format, which ``search_format`` gives (the arguments of
        ``groups.search.ranked_groups``)."""
        return self.filter(Group.objects.public(), by_format=False)

    @property
    def search_format(self):
        """The format a search is restricted to (the search terms know it), or None."""
        return (self.cleaned_data.get("format") if self.is_bound else None) or None

    def _meeting_rules(self):
        """The group's rules on the chosen weekday and time of day (EXISTS, by index)."""
        data = self.cleaned_data
        rules = MeetingRule.objects.filter(group=OuterRef("pk"))
        if data.get("weekday") is not None:
            rules = rules.filter(weekday=data["weekday"])
        start, end = DAYTIMES.get(data.get("daytime"), (None, None))
        if start:
            rules = rules.filter(start_time__gte=start)
        if end:
            rules = rules.filter(start_time__lt=end)
        return rules

    def topic_area_filters(self):
        """(topic area's id, format or None, step-free) when a topic area is chosen
        across the network and no other filter is set that the search terms do not know
        (they list a topic area's groups: ``groups.search.Ranking.in_topic_area``); else
        None."""
        data = self.cleaned_data if self.is_bound else {}
        known = {"q", "radius", "stelle", "category", "format", "accessible"}
        if self.office or not data.get("category") or self._chosen() - known:
            return None
        return data["category"].pk, data.get("format") or None, bool(data.get("accessible"))

    @property
    def has_filters(self):
        return bool(self._chosen() - {"q", "radius", "stelle"})

    @property
    def has_more_filters(self):
        """Whether a filter under "More filters" is set (the place has its own row)."""
        return bool(self._chosen() - {"q", "near", "radius", "stelle"})

    def _chosen(self):
        """The names of the fields with a value. Not "if value": Monday is weekday 0."""
        data = self.cleaned_data if self.is_bound else {}
        return {
            name
            for name, value in data.items()
            if value is not None and value != "" and value is not False
        }


class VisitorForm(forms.ModelForm):
    """Common part of the public forms: contact details, consent, spam trap."""

    consent = forms.BooleanField(
        label=_(
            "I agree that the contact office stores my details to answer this request and "
            "deletes them when they are no longer needed."
        ),
        error_messages={"required": _("Please agree so that we may answer you.")},
    )
    # A field people never see (hidden by CSS and from screen readers); bots fill it in.
    website = forms.CharField(
        required=False,
        label=_("Leave this field empty"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    class Meta:
        model = Inquiry
        fields = ["name", "email", "phone", "message"]
        widgets = {"message": forms.Textarea(attrs={"rows": 4, "maxlength": 2000})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].label = _("Your name (a first name is enough)")
        self.fields["email"].label = _("Your e-mail address")
        self.fields["phone"].label = _("Or your phone number")
        self.fields["message"].label = _("Message (optional)")
        self.fields["message"].help_text = _(
            "Please do not write about your health here; we will talk in person."
        )

    def clean_website(self):
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(_("Please leave this field empty."))
        return ""

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("email") and not cleaned.get("phone") and not self.has_error("email"):
            raise forms.ValidationError(
                _("Please give an e-mail address or a phone number so that we can reach you.")
            )
        return cleaned


class ContactRequestForm(VisitorForm):
    # Empty, the same markup on every group page (``visitor_forms.visitor_form_fields``).
    same_for_everyone = True

    class Meta(VisitorForm.Meta):
        fields = ["name", "email", "phone", "asker", "message"]
        widgets = VisitorForm.Meta.widgets | {"asker": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["asker"].label = _("You are asking (optional)")
        self.fields["asker"].choices = Inquiry.Asker.choices
        self.fields["asker"].required = False


class CorrectionForm(VisitorForm):
    """ "Angaben falsch?": a visitor tells the office what is out of date on a group's page."""

    same_for_everyone = True

    class Meta(VisitorForm.Meta):
        fields = ["message", "name", "email", "phone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["message"].label = _("What is not right any more?")
        self.fields["message"].help_text = _(
            "For example a new meeting time or place; please no names of members."
        )
        self.fields["message"].required = True
        # Labels of their own: the page holds the contact form too.
        self.fields["name"].label = _("Your name, in case we have a question")
        self.fields["email"].label = _("Your e-mail address, in case we have a question")
        self.fields["phone"].label = _("Or your phone number, in case we have a question")
        self.fields["consent"].label = _(
            "I agree that the contact office stores my details to check this hint and "
            "deletes them when they are no longer needed."
        )


class FoundingInterestForm(VisitorForm):
    """ "Gruppe gründen", with what the founding-interest exchange counts: the postcode
    (only its area is stored) and the consent to be brought together with others."""

    postcode = forms.CharField(
        label=_("Your postcode (optional)"),
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
        help_text=_(
            "We store only its first three digits: enough to know who lives near you, "
            "never where exactly."
        ),
    )
    match_consent = forms.BooleanField(
        label=_(
            "The contact offices of the network may bring me together with others who want "
            "a group on the same topic. For this they count my topic and postcode area, "
            "without my name; my contact data stays with this office."
        ),
        required=False,
    )

    class Meta(VisitorForm.Meta):
        fields = ["topic", "name", "email", "phone", "message"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].label = _("On which topic would you like to start a group?")
        self.fields["topic"].required = True
        # The postcode with the contact data; the consents last, just before "Send".
        self.order_fields(["topic", "name", "email", "phone", "postcode", "message"])

    def clean_postcode(self):
        postcode = self.cleaned_data["postcode"].strip()
        if not postcode:
            return ""
        if not postcode.isdigit() or len(postcode) != 5 or geo.postcode_centre(postcode) is None:
            raise forms.ValidationError(_("Please enter a German postcode (five digits)."))
        return postcode

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("match_consent")
            and not cleaned.get("postcode")
            and not self.has_error("postcode")
        ):
            self.add_error(
                "postcode", _("To be brought together with others, please give your postcode.")
            )
        return cleaned

    @property
    def postcode_area(self):
        """What is stored of the postcode: its first three digits."""
        return self.cleaned_data.get("postcode", "")[:3]
