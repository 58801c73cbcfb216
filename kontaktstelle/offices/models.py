"""Networks, offices, sites, rooms and legal texts: the tenant every record belongs to."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kontaktstelle.offices.origins import parse_origins, validate_origins

# The longest renewal period an office can set for a volunteer's document.
MAX_RENEWAL_YEARS = 10


class Network(models.Model):
    """Offices that run the In-Gang-Setzer programme together; coordinators see it."""

    name = models.CharField(_("name"), max_length=200, unique=True)

    class Meta:
        verbose_name = _("network")
        verbose_name_plural = _("networks")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Office(models.Model):
    """A self-help contact office (KISS): the tenant every record belongs to."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name in addresses"), max_length=80, unique=True)
    network = models.ForeignKey(
        Network,
        verbose_name=_("network"),
        on_delete=models.PROTECT,
        related_name="offices",
        null=True,
        blank=True,
    )
    email = models.EmailField(_("e-mail address"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    website = models.URLField(_("website"), blank=True)
    accompaniments_before = models.PositiveIntegerField(
        _("In-Gang-Setzungen before this app"),
        default=0,
        help_text=_("Counted into the programme's running total since its start."),
    )
    introduction = models.TextField(
        _("introduction"),
        blank=True,
        help_text=_("A few sentences on the public start page."),
    )
    embed_origins = models.TextField(
        _("websites allowed to embed the directory"),
        blank=True,
        validators=[validate_origins],
        help_text=_(
            "One address per line, e.g. https://www.example.org: only these websites may "
            "show the directory in a frame."
        ),
    )
    founding_alert_threshold = models.PositiveSmallIntegerField(
        _("founding-interest alert from"),
        default=3,
        validators=[MinValueValidator(2), MaxValueValidator(99)],
        help_text=_(
            "Staff are told when this many people near the office want a group on the "
            "same topic (founding-interest exchange)."
        ),
    )
    # The volunteers' documents that expire (read by ``starters.documents``).
    agreement_renewal_years = models.PositiveSmallIntegerField(
        _("renew the volunteer agreement every (years)"),
        default=2,
        validators=[MaxValueValidator(MAX_RENEWAL_YEARS)],
        help_text=_("0: the agreement does not expire."),
    )
    requires_police_certificate = models.BooleanField(
        _("volunteers need an extended police certificate"),
        default=False,
        help_text=_(
            "Only its date and that staff saw it are recorded, never the certificate itself. "
            "Without a valid one, no new accompaniment can be offered."
        ),
    )
    police_certificate_renewal_years = models.PositiveSmallIntegerField(
        _("the police certificate is valid for (years)"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_RENEWAL_YEARS)],
        help_text=_("Counted from the date on the certificate."),
    )
    requires_exchange_attendance = models.BooleanField(
        _("volunteers must attend an exchange meeting or supervision every 12 months"),
        default=False,
        help_text=_("Otherwise no new accompaniment can be offered to them."),
    )

    class Meta:
        verbose_name = _("office")
        verbose_name_plural = _("offices")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(founding_alert_threshold__gte=2),
                name="kontaktstelle_office_founding_alert_threshold_min",
                violation_error_message=_("A group needs at least two people."),
            ),
            models.CheckConstraint(
                condition=models.Q(agreement_renewal_years__lte=MAX_RENEWAL_YEARS),
                name="kontaktstelle_office_agreement_renewal_range",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    police_certificate_renewal_years__gte=1,
                    police_certificate_renewal_years__lte=MAX_RENEWAL_YEARS,
                ),
                name="kontaktstelle_office_police_certificate_renewal_range",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("office_public", kwargs={"slug": self.slug})

    @property
    def embed_origin_list(self):
        """The websites that may show the office's directory in a frame (normalised)."""
        try:
            return parse_origins(self.embed_origins)
        except ValidationError:
            return []


class OfficeScopedQuerySet(models.QuerySet):
    """Querysets of records that belong to one office.

    Views fetch through ``for_user`` so that another office's record answers 404,
    as if it did not exist.
    """

    office_lookup = "office"

    def for_office(self, office):
        return self.filter(**{self.office_lookup: office})

    def for_user(self, user):
        if not user.is_authenticated or not user.is_office_staff:
            return self.none()
        return self.for_office(user.office)


class SiteQuerySet(OfficeScopedQuerySet):
    pass


class Site(models.Model):
    """A location (Standort) of an office, with its address and opening hours."""

    office = models.ForeignKey(
        Office, verbose_name=_("office"), on_delete=models.CASCADE, related_name="sites"
    )
    name = models.CharField(_("name"), max_length=200)
    street = models.CharField(_("street and number"), max_length=200)
    postcode = models.CharField(_("postcode"), max_length=10)
    city = models.CharField(_("city"), max_length=100)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    opening_hours = models.TextField(
        _("opening hours"), blank=True, help_text=_("One line per day or time span.")
    )

    objects = SiteQuerySet.as_manager()

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["office", "name"],
                name="kontaktstelle_site_office_name_unique",
                violation_error_message=_("This office already has a site with this name."),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("site_detail", kwargs={"pk": self.pk})

    @property
    def opening_hours_lines(self):
        return [line for line in self.opening_hours.splitlines() if line.strip()]


class RoomQuerySet(OfficeScopedQuerySet):
    office_lookup = "site__office"


class Room(models.Model):
    """A group room (Gruppenraum) at a site."""

    site = models.ForeignKey(
        Site, verbose_name=_("site"), on_delete=models.CASCADE, related_name="rooms"
    )
    name = models.CharField(_("name"), max_length=200)
    capacity = models.PositiveSmallIntegerField(_("seats"))
    step_free = models.BooleanField(_("step-free access"), default=False)
    accessible_toilet = models.BooleanField(_("accessible toilet"), default=False)
    hearing_loop = models.BooleanField(_("hearing loop"), default=False)

    objects = RoomQuerySet.as_manager()

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "name"],
                name="kontaktstelle_room_site_name_unique",
                violation_error_message=_("This site already has a room with this name."),
            ),
            models.CheckConstraint(
                condition=Q(capacity__gte=1),
                name="kontaktstelle_room_capacity_positive",
                violation_error_message=_("A room needs at least one seat."),
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.site})"


class LegalTextQuerySet(OfficeScopedQuerySet):
    pass


class LegalText(models.Model):
    """An office's privacy notice, imprint or accessibility statement, as plain text.

    Until the office admin saves one, the public page shows the shipped template
    (``kontaktstelle.offices.legal.default_text``).
    """

    class Kind(models.TextChoices):
        PRIVACY = "privacy", _("privacy notice")
        IMPRINT = "imprint", _("imprint")
        ACCESSIBILITY = "accessibility", _("accessibility statement")

    office = models.ForeignKey(
        Office, verbose_name=_("office"), on_delete=models.CASCADE, related_name="legal_texts"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    body = models.TextField(
        _("text"),
        max_length=20000,
        help_text=_(
            "Plain text: an empty line starts a new paragraph; web and e-mail addresses "
            "become links."
        ),
    )
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last changed by"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )

    objects = LegalTextQuerySet.as_manager()

    class Meta:
        verbose_name = _("legal text")
        verbose_name_plural = _("legal texts")
        ordering = ["kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["office", "kind"], name="kontaktstelle_legaltext_office_kind_unique"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.office})"
