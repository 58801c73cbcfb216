"""Self-help groups, their history and their search terms."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from groups.models.topics import Topic
from kontaktstelle.offices.models import Office, OfficeScopedQuerySet, Room

# How often a group's entry is confirmed (KONTAKTSTELLE_CONFIRMATION_DAYS, a year).
CONFIRMATION_INTERVAL = datetime.timedelta(days=settings.CONFIRMATION_DAYS)


class GroupQuerySet(OfficeScopedQuerySet):
    def public(self):
        """Groups a visitor may see: listed, with consent, and not closed."""
        return self.exclude(listing=Group.Listing.UNLISTED).exclude(status=Group.Status.CLOSED)

    def needs_confirmation(self, today=None):
        """Not closed, and last confirmed (or, never confirmed, created) over a year ago."""
        today = today or timezone.localdate()
        due = today - CONFIRMATION_INTERVAL
        return self.exclude(status=Group.Status.CLOSED).filter(
            Q(last_confirmed_on__isnull=True, created_at__date__lt=due)
            | Q(last_confirmed_on__lt=due)
        )

    def accessible(self):
        """Step-free: the room's access where the group meets in a room, else its own."""
        return self.filter(Q(room__step_free=True) | Q(room__isnull=True, step_free=True))


class Group(models.Model):
    """A self-help group known to an office, listed publicly or not."""

    class Audience(models.TextChoices):
        AFFECTED = "affected", _("affected people")
        RELATIVES = "relatives", _("relatives")
        BOTH = "both", _("affected people and relatives")

    class AgeGroup(models.TextChoices):
        ALL = "all", _("all ages")
        YOUNG = "young", _("young self-help (18–35)")
        SENIORS = "seniors", _("seniors")

    class Format(models.TextChoices):
        IN_PERSON = "in_person", _("in person")
        ONLINE = "online", _("online")
        HYBRID = "hybrid", _("hybrid")

    class Status(models.TextChoices):
        FOUNDING = "founding", _("being founded")
        ACTIVE = "active", _("active")
        PAUSED = "paused", _("paused")
        CLOSED = "closed", _("closed")

    class NewMembers(models.TextChoices):
        YES = "yes", _("welcome")
        NO = "no", _("not at the moment")
        WAITING_LIST = "waiting_list", _("waiting list")

    class Listing(models.TextChoices):
        PUBLIC_WITH_PLACE = "public_with_place", _("public, with meeting place")
        PUBLIC_WITHOUT_PLACE = (
            "public_without_place",
            _("public without meeting place (contact only through the office)"),
        )
        UNLISTED = "unlisted", _("not listed (only for referrals by staff)")

    class ContactRoute(models.TextChoices):
        OFFICE = "office", _("through the office")
        GROUP_EMAIL = "group_email", _("the group's own e-mail address")
        GROUP_PHONE = "group_phone", _("the group's own phone number")

    office = models.ForeignKey(
        Office, verbose_name=_("office"), on_delete=models.CASCADE, related_name="groups"
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name in addresses"), max_length=220, unique=True)
    topics = models.ManyToManyField(
        Topic, verbose_name=_("topics"), related_name="groups", blank=True
    )
    description = models.TextField(_("description"), blank=True, max_length=3000)
    audience = models.CharField(
        _("for whom"), max_length=20, choices=Audience.choices, default=Audience.AFFECTED
    )
    age_group = models.CharField(
        _("age focus"), max_length=20, choices=AgeGroup.choices, default=AgeGroup.ALL
    )
    languages = models.CharField(
        _("languages"),
        max_length=200,
        default="Deutsch",
        help_text=_("Separate several languages with a semicolon."),
    )
    format = models.CharField(
        _("format"), max_length=20, choices=Format.choices, default=Format.IN_PERSON
    )
    schedule = models.CharField(
        _("meeting rhythm"),
        max_length=200,
        blank=True,
        help_text=_("As the group says it, e.g. “every 2nd and 4th Tuesday, 7 pm”."),
    )
    room = models.ForeignKey(
        Room,
        verbose_name=_("room"),
        on_delete=models.SET_NULL,
        related_name="groups",
        null=True,
        blank=True,
        help_text=_("Where the group meets at one of the office's sites."),
    )
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    district = models.CharField(_("district"), max_length=100, blank=True)
    step_free = models.BooleanField(_("step-free access"), default=False)
    accessible_toilet = models.BooleanField(_("accessible toilet"), default=False)
    hearing_loop = models.BooleanField(_("hearing loop"), default=False)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE
    )
    accepts_new_members = models.CharField(
        _("new members"), max_length=20, choices=NewMembers.choices, default=NewMembers.YES
    )
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    listing = models.CharField(
        _("listing"),
        max_length=30,
        choices=Listing.choices,
        default=Listing.PUBLIC_WITHOUT_PLACE,
    )
    consent_published_on = models.DateField(_("consent to publish given on"), null=True, blank=True)
    consent_scope = models.CharField(
        _("consent covers"),
        max_length=300,
        blank=True,
        help_text=_("What the group agreed to have published."),
    )
    contact_route = models.CharField(
        _("public contact route"),
        max_length=20,
        choices=ContactRoute.choices,
        default=ContactRoute.OFFICE,
    )
    public_email = models.EmailField(_("public e-mail address of the group"), blank=True)
    public_phone = models.CharField(_("public phone of the group"), max_length=50, blank=True)
    contact_name = models.CharField(_("contact person (staff only)"), max_length=150, blank=True)
    contact_email = models.EmailField(_("contact person's e-mail (staff only)"), blank=True)
    contact_phone = models.CharField(
        _("contact person's phone (staff only)"), max_length=50, blank=True
    )
    last_confirmed_on = models.DateField(_("data last confirmed on"), null=True, blank=True)
    # Where "near me" places the group: the centre of its postcode area (of its room's
    # site, or its own), never finer; set by ``groups.geo``, None when unknown or online.
    latitude = models.FloatField(_("latitude"), null=True, blank=True, editable=False)
    longitude = models.FloatField(_("longitude"), null=True, blank=True, editable=False)
    internal_notes = models.TextField(_("internal notes (staff only)"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    objects = GroupQuerySet.as_manager()

    class Meta:
        verbose_name = _("self-help group")
        verbose_name_plural = _("self-help groups")
        ordering = ["name"]
        indexes = [
            models.Index(fields=["office", "status"], name="groups_group_office_status"),
            # The directory without a query lists the public groups by name, a page at a
            # time: this index hands them over in that order, so the page is read, not
            # the 100,000 groups of a network sorted. With the room and the step-free
            # flag included, the filters (a topic area, step-free access) and the
            # search's ranking read the public groups from the index alone.
            models.Index(
                fields=["name", "id"],
                name="groups_group_public_by_name",
                condition=~Q(listing="unlisted") & ~Q(status="closed"),
                include=["room", "step_free"],
            ),
            # The open-data API's modified_after: the public groups changed since a moment,
            # counted and paged from this index, not from a scan of every group.
            models.Index(
                fields=["updated_at"],
                name="groups_group_public_updated",
                condition=~Q(listing="unlisted") & ~Q(status="closed"),
            ),
            # A search with a format ("Trauer, online"): the ids of the public groups of
            # that format, read from the index and merged with the search's terms.
            models.Index(
                fields=["format", "id"],
                name="groups_group_public_format",
                condition=~Q(listing="unlisted") & ~Q(status="closed"),
            ),
            # Counting the public groups of a topic area (or another EXISTS filter) with
            # step-free access: one pass over the public ids with their room and step-free
            # flag, read from the index and hashed against the area's groups, instead of
            # probing each of the area's groups in the table.
            models.Index(
                fields=["id"],
                include=["room", "step_free"],
                name="groups_group_public_access",
                condition=~Q(listing="unlisted") & ~Q(status="closed"),
            ),
            # "Near me": a bounding box on the public groups with a place, read from the index.
            models.Index(
                fields=["latitude", "longitude"],
                name="groups_group_public_geo",
                condition=~Q(listing="unlisted") & ~Q(status="closed") & Q(latitude__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(contact_route="office") | Q(consent_published_on__isnull=False),
                name="groups_group_own_contact_needs_consent",
                violation_error_message=_(
                    "The group's own e-mail or phone may only be published with its "
                    "consent: enter the date of the consent."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(contact_route="group_email") | ~Q(public_email=""),
                name="groups_group_email_route_needs_email",
                violation_error_message=_("Enter the group's public e-mail address."),
            ),
            models.CheckConstraint(
                condition=~Q(contact_route="group_phone") | ~Q(public_phone=""),
                name="groups_group_phone_route_needs_phone",
                violation_error_message=_("Enter the group's public phone number."),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("groups:group_detail", kwargs={"pk": self.pk})

    def get_public_url(self):
        return reverse("groups:public_group", kwargs={"slug": self.slug})

    @property
    def is_public(self):
        return self.listing != self.Listing.UNLISTED and self.status != self.Status.CLOSED

    @property
    def shows_place(self):
        return self.listing == self.Listing.PUBLIC_WITH_PLACE

    @property
    def step_free_access(self):
        """Step-free access where it meets: its room's if it meets in one, else its own
        (as ``GroupQuerySet.accessible`` filters)."""
        return self.room.step_free if self.room_id else self.step_free

    def accessibility(self):
        """(step-free, accessible toilet, hearing loop): from the room where it meets there."""
        source = self.room if self.room_id else self
        return source.step_free, source.accessible_toilet, source.hearing_loop

    @property
    def confirmation_overdue(self):
        if self.status == self.Status.CLOSED:
            return False
        due = timezone.localdate() - CONFIRMATION_INTERVAL
        if self.last_confirmed_on is None:
            # A new record is counted from its creation, not as overdue at once.
            created = timezone.localdate(self.created_at) if self.created_at else due
            return created < due
        return self.last_confirmed_on < due

    def public_town(self):
        """The town its public page shows: its room's site's when listed with place there."""
        if self.shows_place and self.room_id:
            return self.room.site.city
        return self.city

    def language_list(self):
        return [item.strip() for item in self.languages.split(";") if item.strip()]


class GroupChange(models.Model):
    """One entry of a group's history: who changed what, when (visible to staff)."""

    class Action(models.TextChoices):
        CREATED = "created", _("created")
        CHANGED = "changed", _("changed")
        CLOSED = "closed", _("closed")
        IMPORTED = "imported", _("imported")
        CONFIRMED = "confirmed", _("data confirmed")

    group = models.ForeignKey(
        Group, verbose_name=_("group"), on_delete=models.CASCADE, related_name="changes"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    fields = models.JSONField(
        _("changed fields"),
        default=list,
        help_text=_("Labels of the changed fields; values are not copied here."),
    )

    class Meta:
        verbose_name = _("change of a group")
        verbose_name_plural = _("changes of groups")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.group}: {self.get_action_display()} {self.at:%Y-%m-%d}"


class GroupSearchTerm(models.Model):
    """One normalised word under which a public group is found in the directory.

    The directory looks terms up by equality, so an ordinary B-tree index does the
    work on PostgreSQL and SQLite alike, however many groups there are. Only public
    groups have terms, and each term carries what the ranking sorts by besides its
    weight (the group's audience and its name in lower case) and the group's format
    and step-free access: so a search (also "online") reads the index alone and never
    the groups. A public group also has a term for each topic area of its topics
    (``groups.search.topic_area_term``, weight 0, which no query word can be, sorted by
    the name as it is): the directory lists a topic area's groups there. Rebuilt by
    ``groups.search.reindex_groups`` whenever a group, its topics or its room change.
    """

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="search_terms")
    term = models.CharField(max_length=64)
    weight = models.PositiveSmallIntegerField()
    # Copies of the group's, for the ranking (``groups.search.Ranking``) and its most
    # used filter ("online").
    audience = models.CharField(max_length=20, choices=Group.Audience.choices)
    format = models.CharField(max_length=20, choices=Group.Format.choices)
    sort_name = models.CharField(max_length=200)  # a topic area's term: the name as it is
    # Its room's when it meets in one, else its own (``GroupQuerySet.accessible``).
    step_free = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("search term")
        verbose_name_plural = _("search terms")
        indexes = [
            # Covering: the ranking reads everything it needs from the index alone, and
            # for one term in the order it ranks (by weight, then by name).
            models.Index(
                fields=["term", "-weight", "sort_name", "group"],
                name="groups_searchterm_ranked",
                include=["audience", "format", "step_free"],
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "term"], name="groups_groupsearchterm_group_term_unique"
            ),
        ]

    def __str__(self):
        return self.term
