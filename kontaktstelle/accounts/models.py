"""Users and their role in an office or network; invitations to set a first password."""

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kontaktstelle.notifications.models import Notification


class UserManager(BaseUserManager):
    use_in_migrations = True

    def for_user(self, user):
        """Staff and office admins: the accounts of their office; anyone else: their own."""
        if not user.is_authenticated:
            return self.none()
        if user.is_office_staff:
            return self.filter(membership__office=user.office)
        return self.filter(pk=user.pk)

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

    def notification_kinds(self):
        """The kinds of notification this user's role receives, in the settings' order."""
        kind = Notification.Kind
        if self.role == Membership.Role.STARTER:
            return [
                kind.OFFER,
                kind.OFFER_WITHDRAWN,
                kind.MEETING_TOMORROW,
                kind.LOG_MISSING,
                kind.CERTIFICATE_SIGNED,
                kind.DOCUMENT_EXPIRING,
            ]
        if self.role in (Membership.Role.STAFF, Membership.Role.OFFICE_ADMIN):
            return [
                kind.OFFER_ANSWERED,
                kind.TALK,
                kind.TOPIC_CONFLICT,
                kind.PLANNED_END,
                kind.FOLLOW_UP,
                kind.CONFIRMATION,
                kind.FOUNDING_EXCHANGE,
                kind.DOCUMENT_EXPIRING,
            ]
        return []

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
        "kontaktstelle.Office",
        verbose_name=_("office"),
        on_delete=models.CASCADE,
        related_name="memberships",
        null=True,
        blank=True,
    )
    network = models.ForeignKey(
        "kontaktstelle.Network",
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
