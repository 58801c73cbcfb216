from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, email):
        # Logins are case-insensitive: "Anna@Example.org" finds "anna@example.org".
        return self.get(email__iexact=email)

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in: staff, office admin, starter or coordinator.

    The e-mail address is the login. Which office a user sees is decided by their
    membership, not by anything on the user.
    """

    email = models.EmailField(
        _("e-mail address"),
        unique=True,
        error_messages={"unique": _("A user with this e-mail address already exists.")},
    )
    name = models.CharField(_("name"), max_length=150, blank=True)
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Inactive accounts cannot log in. Deactivate instead of deleting."),
    )
    is_staff = models.BooleanField(
        _("platform operator"),
        default=False,
        help_text=_("Operators of the whole installation; office admins do not need this."),
    )
    date_joined = models.DateTimeField(_("created"), default=timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["name", "email"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="kontaktstelle_user_email_ci_unique",
                violation_error_message=_("A user with this e-mail address already exists."),
            ),
        ]

    def __str__(self):
        return self.name or self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).strip()

    def get_full_name(self):
        return self.name

    def get_short_name(self):
        return self.name or self.email

    @property
    def membership_or_none(self):
        try:
            return self.membership
        except Membership.DoesNotExist:
            return None

    @property
    def role(self):
        membership = self.membership_or_none
        return membership.role if membership else None

    @property
    def office(self):
        membership = self.membership_or_none
        return membership.office if membership else None

    @property
    def is_office_staff(self):
        """Staff and office admins: they work on their office's records."""
        return self.role in (Membership.Role.STAFF, Membership.Role.OFFICE_ADMIN)

    @property
    def is_office_admin(self):
        return self.role == Membership.Role.OFFICE_ADMIN

    @property
    def is_starter(self):
        return self.role == Membership.Role.STARTER

    @property
    def is_coordinator(self):
        return self.role == Membership.Role.COORDINATOR


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

    class Meta:
        verbose_name = _("office")
        verbose_name_plural = _("offices")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("office_public", kwargs={"slug": self.slug})


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


class Membership(models.Model):
    """A user's role: in one office, or, for coordinators, in one network."""

    class Role(models.TextChoices):
        OFFICE_ADMIN = "office_admin", _("office admin")
        STAFF = "staff", _("staff member")
        STARTER = "starter", _("In-Gang-Setzer:in")
        COORDINATOR = "coordinator", _("programme coordinator")

    user = models.OneToOneField(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="membership"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    office = models.ForeignKey(
        Office,
        verbose_name=_("office"),
        on_delete=models.CASCADE,
        related_name="memberships",
        null=True,
        blank=True,
    )
    network = models.ForeignKey(
        Network,
        verbose_name=_("network"),
        on_delete=models.CASCADE,
        related_name="memberships",
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["role"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(role="coordinator", office__isnull=True, network__isnull=False)
                    | (~Q(role="coordinator") & Q(office__isnull=False, network__isnull=True))
                ),
                name="kontaktstelle_membership_scope_matches_role",
                violation_error_message=_(
                    "Coordinators belong to a network; everyone else belongs to an office."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.user}: {self.get_role_display()} ({self.office or self.network})"


class InvitationQuerySet(models.QuerySet):
    def usable(self, now=None):
        now = now or timezone.now()
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now)


class Invitation(models.Model):
    """A single-use, expiring link by which a new user sets their first password.

    Only a hash of the token is stored: a database dump does not hold working links.
    """

    class State(models.TextChoices):
        OPEN = "open", _("sent, not yet used")
        ACCEPTED = "accepted", _("accepted")
        EXPIRED = "expired", _("expired")
        REVOKED = "revoked", _("replaced by a newer invitation")

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="invitations"
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    invited_by = models.ForeignKey(
        User,
        verbose_name=_("invited by"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
    )
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("replaced"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.user} ({self.created_at:%Y-%m-%d})"

    @property
    def state(self):
        if self.accepted_at:
            return self.State.ACCEPTED
        if self.revoked_at:
            return self.State.REVOKED
        if self.expires_at <= timezone.now():
            return self.State.EXPIRED
        return self.State.OPEN


class Notification(models.Model):
    """Something a user should know or do, shown in the app and sent by e-mail once.

    ``key`` names the occasion (e.g. ``meeting:12:2026-11-24``); the unique constraint on
    user, kind and key is what makes a reminder go out once, however many servers run
    ``send_reminders`` at the same time. Delivery is claimed by a conditional update.
    """

    class Kind(models.TextChoices):
        OFFER = "offer", _("new offer")
        MEETING_TOMORROW = "meeting_tomorrow", _("accompanied meeting tomorrow")
        LOG_MISSING = "log_missing", _("meeting log missing")
        PLANNED_END = "planned_end", _("accompaniment at its planned end")
        FOLLOW_UP = "follow_up", _("follow-up due")
        CONFIRMATION = "confirmation", _("group's yearly confirmation due")
        TALK = "talk", _("In-Gang-Setzer:in would like to talk")

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    key = models.CharField(_("occasion"), max_length=100)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"), max_length=2000)
    url = models.CharField(_("link"), max_length=300)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    claimed_at = models.DateTimeField(_("being sent since"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "key"], name="kontaktstelle_notification_once"
            ),
        ]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self):
        return f"{self.user}: {self.subject}"
