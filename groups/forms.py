from django import forms
from django.utils.translation import gettext_lazy as _

from groups.models import Group, Topic, TopicCategory
from kontaktstelle.models import Room


class GroupForm(forms.ModelForm):
    class Meta:
        model = Group
        fields = [
            "name",
            "topics",
            "description",
            "audience",
            "age_group",
            "languages",
            "format",
            "status",
            "accepts_new_members",
            "founded_on",
            "schedule",
            "weekday",
            "start_time",
            "room",
            "street",
            "postcode",
            "city",
            "district",
            "step_free",
            "accessible_toilet",
            "hearing_loop",
            "listing",
            "consent_published_on",
            "consent_scope",
            "contact_route",
            "public_email",
            "public_phone",
            "contact_name",
            "contact_email",
            "contact_phone",
            "last_confirmed_on",
            "internal_notes",
        ]
        widgets = {
            "topics": forms.SelectMultiple(attrs={"size": 10}),
            "description": forms.Textarea(attrs={"rows": 5}),
            "internal_notes": forms.Textarea(attrs={"rows": 3}),
            "founded_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "consent_published_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "last_confirmed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def __init__(self, *args, office, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = (
            Room.objects.for_office(office).select_related("site").order_by("site__name", "name")
        )
        self.fields["topics"].queryset = Topic.objects.select_related("category").order_by("name")
        self.fields["step_free"].help_text = _(
            "Only for an address; where the group meets in a room, the room's data counts."
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("room") and any(
            cleaned.get(field) for field in ("street", "postcode", "city")
        ):
            self.add_error("room", _("Choose either a room of the office or an address, not both."))
        return cleaned


class GroupFilterForm(forms.Form):
    """Filters and sorting of the staff group list; invalid values are ignored."""

    SORTS = {
        "name": "name",
        "-updated": "-updated_at",
        "confirmed": "last_confirmed_on",
    }

    q = forms.CharField(label=_("Name contains"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("all but closed")), *Group.Status.choices],
    )
    category = forms.ModelChoiceField(
        label=_("Topic category"),
        required=False,
        queryset=TopicCategory.objects.order_by("name"),
        empty_label=_("all"),
    )
    listing = forms.ChoiceField(
        label=_("Listing"), required=False, choices=[("", _("all")), *Group.Listing.choices]
    )
    overdue = forms.BooleanField(label=_("Confirmation overdue"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("name", _("name")),
            ("-updated", _("last changed")),
            ("confirmed", _("oldest confirmation first")),
        ],
    )

    def filter(self, queryset):
        if not self.is_valid():
            return queryset.exclude(status=Group.Status.CLOSED).order_by("name")
        data = self.cleaned_data
        if data["q"]:
            queryset = queryset.filter(name__icontains=data["q"])
        if data["status"]:
            queryset = queryset.filter(status=data["status"])
        else:
            queryset = queryset.exclude(status=Group.Status.CLOSED)
        if data["category"]:
            queryset = queryset.filter(topics__category=data["category"]).distinct()
        if data["listing"]:
            queryset = queryset.filter(listing=data["listing"])
        if data["overdue"]:
            queryset = queryset.needs_confirmation()
        return queryset.order_by(self.SORTS.get(data["sort"] or "name"), "name")
