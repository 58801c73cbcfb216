"""The staff's forms: groups, the list's filters, topics, the import, consultations."""

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from groups import referrals, scheduling
from groups.models import Consultation, Group, Synonym, Topic, TopicCategory
from kontaktstelle.consent.forms import consent_channel_field
from kontaktstelle.offices.models import Room


class GroupForm(forms.ModelForm):
    consent_channel = consent_channel_field(
        _("How the group gave its consent to publish; recorded when you enter or change its date.")
    )
    publish_without_consent = forms.BooleanField(
        label=_("Publish although no consent of the group is recorded"),
        required=False,
    )

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
            "consent_channel",
            "consent_scope",
            "publish_without_consent",
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
        self.fields["schedule"].help_text = _(
            "As the group says it, e.g. “every 2nd and 4th Tuesday, 7 pm”. The days and times "
            "themselves are entered under “Meeting times” after saving: the directory's filter, "
            "the next dates and the calendar use those."
        )

    def clean(self):
        cleaned = super().clean()
        publishing = cleaned.get("listing") not in (None, Group.Listing.UNLISTED) and (
            self.instance.pk is None or self.instance.listing == Group.Listing.UNLISTED
        )
        if (
            publishing
            and not cleaned.get("consent_published_on")
            and not cleaned.get("publish_without_consent")
        ):
            self.add_error(
                "publish_without_consent",
                _(
                    "No consent of the group to publish is recorded. Please enter the date "
                    "of its consent, or confirm that you publish the group anyway."
                ),
            )
        if cleaned.get("room") and any(
            cleaned.get(field) for field in ("street", "postcode", "city")
        ):
            self.add_error("room", _("Choose either a room of the office or an address, not both."))
        room = cleaned.get("room")
        if self.instance.pk and room and room.pk != self.instance.room_id:
            # Its meeting rules without a room of their own move along into the new room.
            taken = scheduling.check_group_room(self.instance, room)
            if taken:
                self.add_error("room", taken)
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


class TopicForm(forms.ModelForm):
    class Meta:
        model = Topic
        fields = ["category", "name"]


class SynonymForm(forms.ModelForm):
    class Meta:
        model = Synonym
        fields = ["topic", "term"]
        labels = {"term": _("Word seekers use")}


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File (.csv or .xlsx)"),
        help_text=_("Columns as in the export; German column headers are accepted too."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )


TOPIC_SEPARATOR = ";"


class FocusedRadioSelect(forms.RadioSelect):
    """Radio buttons whose chosen option (or the first) has the focus when the page opens."""

    def optgroups(self, name, value, attrs=None):
        groups = super().optgroups(name, value, attrs)
        options = [option for _group, group, _index in groups for option in group]
        if options:
            chosen = next((option for option in options if option["selected"]), options[0])
            chosen["attrs"] = {**chosen["attrs"], "autofocus": True}
        return groups


class ConsultationForm(forms.ModelForm):
    """Recorded in seconds with the keyboard; anonymous: no name, nothing that was said."""

    topic_names = forms.CharField(
        label=_("Topics"),
        required=False,
        max_length=500,
        help_text=_(
            "Separate several with a semicolon; synonyms are understood, and words for who"
            " asks (such as “Angehörige”) go to “Who asks”."
        ),
        widget=forms.TextInput(attrs={"list": "topic-names", "autocomplete": "off"}),
    )
    # Only when counting: the person's consent and address for the one follow-up e-mail.
    follow_up = forms.BooleanField(
        label=_("The person agrees to one e-mail in four weeks"),
        required=False,
        help_text=_(
            "It asks whether they got to the group. Their address is used for nothing else"
            " and erased after the answer, or after eight weeks."
        ),
    )
    follow_up_email = forms.EmailField(
        label=_("E-mail address for the follow-up"),
        required=False,
        help_text=_("Stored only with the consent above and a referral to a group."),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    # Words for who asks that staff type into the topics (the thesaurus is German, so
    # are these), as written once gender marks (":", "*", "_", "/") are taken out. A
    # topic or synonym of the same name wins.
    GENDER_MARKS = str.maketrans("", "", ":*_/")
    AUDIENCE_WORDS = {
        **dict.fromkeys(
            [
                "angehörige",
                "angehöriger",
                "angehörigen",
                "eltern",
                "elternteil",
                "mutter",
                "partner",
                "partnerin",
                "partnerinnen",
                "ehepartner",
                "ehepartnerin",
                "tochter",
                "sohn",
            ],
            Consultation.Asker.RELATIVE,
        ),
        **dict.fromkeys(
            ["betroffene", "betroffener", "betroffen", "selbst betroffen"],
            Consultation.Asker.AFFECTED,
        ),
        **dict.fromkeys(
            ["fachkraft", "fachkräfte", "fachleute", "fachperson"],
            Consultation.Asker.PROFESSIONAL,
        ),
    }

    class Meta:
        model = Consultation
        fields = [
            "held_on",
            "site",
            "channel",
            "asker",
            "young",
            "referred_groups",
            "counselling",
            "founding_interest",
            "information_only",
        ]
        widgets = {
            "held_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "channel": FocusedRadioSelect,  # the form is the page: start typing at once
            "asker": forms.RadioSelect,
            # Without JavaScript a plain list; group-picker.js makes it a search field.
            "referred_groups": forms.SelectMultiple(attrs={"size": 10}),
        }

    def __init__(self, *args, office, **kwargs):
        super().__init__(*args, **kwargs)
        self.office = office
        self.audience_words = []  # words of the topic input taken as who asks
        self.fields["site"].queryset = office.sites.order_by("name")
        if not self.is_bound and not self.initial.get("site"):
            sites = list(self.fields["site"].queryset.values_list("pk", flat=True)[:2])
            if len(sites) == 1:  # an office with one site: nothing to choose
                self.initial["site"] = sites[0]
        offered = ~Q(status=Group.Status.CLOSED)
        if self.instance.pk:  # a correction keeps referrals to groups closed since
            offered |= Q(pk__in=self.instance.referred_groups.values("pk"))
        self.fields["referred_groups"].queryset = (
            Group.objects.for_office(office).filter(offered).order_by("name")
        )
        self.fields["referred_groups"].help_text = _(
            "Hold Ctrl (⌘ on a Mac) to choose several groups."
        )
        self.fields["counselling"].choices = [("", _("none")), *Consultation.Counselling.choices]
        self.fields["channel"].choices = Consultation.Channel.choices
        self.fields["asker"].choices = Consultation.Asker.choices
        if self.instance.pk:
            self.initial["topic_names"] = f"{TOPIC_SEPARATOR} ".join(
                topic.name for topic in self.instance.topics.all()
            )
            del self.fields["follow_up"], self.fields["follow_up_email"]

    def clean_held_on(self):
        held_on = self.cleaned_data["held_on"]
        if held_on > timezone.localdate():
            raise forms.ValidationError(_("A consultation cannot be in the future."), code="future")
        return held_on

    def clean_topic_names(self):
        names = [
            name.strip()
            for name in self.cleaned_data["topic_names"].split(TOPIC_SEPARATOR)
            if name.strip()
        ]
        topics, unknown = [], []
        for name in names:
            topic = Topic.objects.named(name)
            if topic is not None:
                if topic not in topics:
                    topics.append(topic)
            elif self.audience_of(name):
                self.audience_words.append(name)
            else:
                unknown.append(name)
        if unknown:
            raise forms.ValidationError(
                _("Unknown topic: %(names)s. Choose from the list or add it under Topics.")
                % {"names": ", ".join(unknown)},
                code="unknown_topic",
            )
        return topics

    @classmethod
    def audience_of(cls, word):
        """Who asks, if ``word`` is a word for it ("Angehörige", "Partner:in"), else None."""
        return cls.AUDIENCE_WORDS.get(word.strip().casefold().translate(cls.GENDER_MARKS))

    def apply_audience_words(self, data):
        """Words for who asks in the topic input choose it, unless it is chosen otherwise."""
        askers = {self.audience_of(word) for word in self.audience_words}
        if not askers:
            return
        chosen = data.get("asker")
        if len(askers) == 1 and not chosen and self.has_error("asker", "required"):
            data["asker"] = askers.pop()
            del self.errors["asker"]
        elif len(askers) > 1 or (chosen and chosen not in askers):
            self.add_error(
                "topic_names",
                forms.ValidationError(
                    _(
                        "“%(words)s” says who asks, and that differs from the choice under"
                        " “Who asks”. Remove the word here or change the choice there."
                    )
                    % {"words": ", ".join(self.audience_words)},
                    code="audience_conflict",
                ),
            )

    def clean(self):
        data = super().clean()
        self.apply_audience_words(data)
        referred = bool(data.get("referred_groups")) or bool(data.get("counselling"))
        founding = data.get("founding_interest")
        if data.get("information_only") and (referred or founding):
            raise forms.ValidationError(
                _("“Information only” cannot go with a referral or a founding interest."),
                code="information_only",
            )
        if not (referred or founding or data.get("information_only")):
            raise forms.ValidationError(
                _("Please choose the outcome: a referral, a founding interest or information."),
                code="no_outcome",
            )
        self.check_follow_up(data)
        return data

    def check_follow_up(self, data):
        """The follow-up needs a referral to a group, an address, and a recent date."""
        if not data.get("follow_up"):
            data["follow_up_email"] = ""  # carried over from a web request, not agreed to
            return
        if not data.get("referred_groups"):
            self.add_error(
                "follow_up",
                forms.ValidationError(
                    _("A follow-up is only asked after a referral to a group."),
                    code="follow_up_without_referral",
                ),
            )
        elif not data.get("follow_up_email") and "follow_up_email" not in self.errors:
            self.add_error(
                "follow_up_email",
                forms.ValidationError(
                    _("Please enter the e-mail address for the follow-up."),
                    code="follow_up_without_email",
                ),
            )
        elif data.get("held_on") and referrals.too_old(data["held_on"]):
            self.add_error(
                "follow_up",
                forms.ValidationError(
                    _("This consultation is too long ago for a follow-up."),
                    code="follow_up_too_old",
                ),
            )

    def save(self, commit=True):
        consultation = super().save(commit=False)
        consultation.office = self.office
        if commit:
            consultation.save()
            self.save_m2m()
            consultation.topics.set(self.cleaned_data["topic_names"])
        return consultation
