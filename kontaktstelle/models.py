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
        TOPIC_CONFLICT = "topic_conflict", _("group topic affects an In-Gang-Setzer:in")
        OFFER_ANSWERED = "offer_answered", _("offer accepted or declined")
        OFFER_WITHDRAWN = "offer_withdrawn", _("offer withdrawn by the office")
        CERTIFICATE_SIGNED = "certificate_signed", _("certificate signed off")

        @classmethod
        def for_role(cls, role):
            """The kinds a user of this role can receive, in the order of the settings."""
            if role == Membership.Role.STARTER:
                return [
                    cls.OFFER,
                    cls.OFFER_WITHDRAWN,
                    cls.MEETING_TOMORROW,
                    cls.LOG_MISSING,
                    cls.CERTIFICATE_SIGNED,
                ]
            if role in (Membership.Role.STAFF, Membership.Role.OFFICE_ADMIN):
                return [
                    cls.OFFER_ANSWERED,
                    cls.TALK,
                    cls.TOPIC_CONFLICT,
                    cls.PLANNED_END,
                    cls.FOLLOW_UP,
                    cls.CONFIRMATION,
                ]
            return []

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
    by_email = models.BooleanField(_("also by e-mail"), default=True)
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


class AuditEntryError(Exception):
    """Audit entries are written once: they are never changed (but anonymised) or deleted."""


class AuditEntryQuerySet(models.QuerySet):
    """Refuses bulk updates and deletes, so that no code path rewrites the trail by accident.

    Django's cascades go through the plain base manager: deleting a user or a content type
    still sets the entries' links to NULL, and the copied labels keep the record readable.
    """

    def update(self, **kwargs):
        raise AuditEntryError("Audit entries cannot be changed.")

    def delete(self):
        raise AuditEntryError("Audit entries cannot be deleted.")

    def for_office(self, office):
        return self.filter(office=office)


class AuditEntry(models.Model):
    """Who looked at an export or changed personal data, permissions or legal texts.

    Only the names of changed fields are kept, never their values. Written by
    ``kontaktstelle.audit.services.record``; the labels of actor and target are copied, so that an
    entry stays readable when the person or record is gone. ``anonymise_person`` is the
    only change ever made to an entry: when a person's data is erased.
    """

    class Action(models.TextChoices):
        EXPORT = "export", _("export viewed or downloaded")
        PERSONAL_DATA_CHANGED = "personal_data_changed", _("personal data changed")
        PERSONAL_DATA_DELETED = "personal_data_deleted", _("personal data deleted or erased")
        PERMISSIONS_CHANGED = "permissions_changed", _("permissions changed")
        ACCOUNT_CREATED = "account_created", _("account created")
        ACCOUNT_DEACTIVATED = "account_deactivated", _("account deactivated")
        ACCOUNT_REACTIVATED = "account_reactivated", _("account reactivated")
        LEGAL_TEXT_CHANGED = "legal_text_changed", _("legal text changed")

    at = models.DateTimeField(_("time"), default=timezone.now)
    actor = models.ForeignKey(
        User,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    actor_label = models.CharField(_("by (as recorded)"), max_length=300, blank=True)
    office = models.ForeignKey(
        Office,
        verbose_name=_("office"),
        on_delete=models.PROTECT,
        related_name="audit_entries",
        null=True,
        blank=True,
    )
    action = models.CharField(_("action"), max_length=30, choices=Action.choices)
    target_type = models.ForeignKey(
        "contenttypes.ContentType",
        verbose_name=_("kind of record"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    target_id = models.CharField(_("record number"), max_length=64, blank=True)
    target_label = models.CharField(_("record"), max_length=300, blank=True)
    subject = models.ForeignKey(
        User,
        verbose_name=_("person concerned"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
        help_text=_("The person with an account whose data the entry is about."),
    )
    fields = models.JSONField(
        _("changed fields"),
        default=list,
        blank=True,
        help_text=_("Labels of the changed fields; values are not copied here."),
    )
    request_id = models.CharField(_("request ID"), max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["office", "-at"], name="kontaktstelle_audit_office_at")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()}: {self.target_label}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditEntryError("Audit entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditEntryError("Audit entries cannot be deleted.")

    @classmethod
    def anonymise_person(cls, user):
        """Remove what names an erased person from the trail; the entries themselves stay.

        Where they acted, their name and IP address are removed; where the entry is about
        them, its record label. Time, action, office and field names stay, so the trail
        still shows that something was done. Returns the number of entries anonymised.
        """
        entries = models.QuerySet(cls).filter(Q(actor=user) | Q(subject=user))
        count = entries.count()
        now = timezone.now()
        # The plain QuerySet: the one sanctioned update of the trail.
        models.QuerySet(cls).filter(actor=user).update(
            actor_label="", ip_address=None, anonymised_at=now
        )
        models.QuerySet(cls).filter(subject=user).update(target_label="", anonymised_at=now)
        return count


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
        User,
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


# Consent records live in their own module; importing them here lets Django find them.
from kontaktstelle.consent.models import Consent  # noqa: E402, F401


class NotificationPreference(models.Model):
    """A user's choice for one kind of notification: in the app only, or also by e-mail.

    Without a row a kind is also e-mailed; notifications are always shown in the app.
    """

    user = models.ForeignKey(
        User,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Notification.Kind.choices)
    by_email = models.BooleanField(_("also by e-mail"), default=True)

    class Meta:
        verbose_name = _("notification setting")
        verbose_name_plural = _("notification settings")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind"], name="kontaktstelle_notificationpreference_once"
            ),
        ]

    def __str__(self):
        return f"{self.user_id} {self.kind}: {self.by_email}"


class CacheVersion(models.Model):
    """A counter that moves with every change to what a cache holds.

    It lives in the database, beside the data, and moves in the same transaction: a
    cached page is served only under the version read before it was rendered, so
    nothing stale is served even when the cache missed an invalidation while it was
    down (``kontaktstelle/public_cache.py``).
    """

    name = models.CharField(_("name"), max_length=50, primary_key=True)
    value = models.BigIntegerField(_("version"), default=0)

    class Meta:
        verbose_name = _("cache version")
        verbose_name_plural = _("cache versions")

    def __str__(self):
        return f"{self.name}: {self.value}"


class RateLimitEvent(models.Model):
    """One counted attempt at something limited per hour (a password reset, a web form).

    ``key`` is a keyed hash of what is counted (an e-mail address, an IP address), never
    the value itself; rows older than a day are removed as new ones come in.
    """

    scope = models.CharField(_("scope"), max_length=40)
    key = models.CharField(_("key"), max_length=64)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("counted attempt")
        verbose_name_plural = _("counted attempts")
        indexes = [
            models.Index(
                fields=["scope", "key", "created_at"], name="kontaktstelle_ratelimit_count"
            ),
            models.Index(fields=["created_at"], name="kontaktstelle_ratelimit_age"),
        ]

    def __str__(self):
        return f"{self.scope} {self.created_at:%Y-%m-%d %H:%M}"


class OutgoingEmail(models.Model):
    """An e-mail on its way (an invitation, a password reset): sent after the commit,
    retried by ``send_reminders`` while the mail server is down or slow.

    A row exists only while its e-mail waits: it is deleted once sent, or when it could
    not be sent before ``expires_at`` (its link would no longer work).
    """

    recipient = models.EmailField(_("recipient"))
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    claimed_at = models.DateTimeField(_("being sent since"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.subject} ({self.created_at:%Y-%m-%d %H:%M})"
