"""The yearly check of a group's entry (Datenabgleich): by e-mail link or by phone."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from groups.models.groups import Group
from kontaktstelle.offices.models import OfficeScopedQuerySet

MAX_REMINDERS = 2


class VerificationQuerySet(OfficeScopedQuerySet):
    office_lookup = "group__office"

    def running(self):
        """Not reviewed and not closed: at most one per group (a database constraint)."""
        return self.filter(reviewed_at__isnull=True, closed_at__isnull=True)

    def waiting(self):
        """Sent by e-mail, not answered and not closed by staff."""
        return self.filter(answered_at__isnull=True, closed_at__isnull=True)

    def to_review(self):
        """Answered with proposed changes that staff have not looked at yet."""
        return self.filter(
            answered_at__isnull=False, reviewed_at__isnull=True, closed_at__isnull=True
        )

    def unanswered(self, now=None):
        """Waiting, though both reminders went out and the last link has expired."""
        now = now or timezone.now()
        return self.waiting().filter(reminders_sent__gte=MAX_REMINDERS, expires_at__lte=now)


class Verification(models.Model):
    """One round of the yearly check of a group's entry.

    By e-mail: the group's contact person gets a one-time link (only its hash is
    stored); up to two reminders carry a new link each, the old one stops working.
    An answer that confirms everything confirms the group at once; an answer with
    changes waits for staff, who take it over field by field. By phone: staff record
    the answer themselves. Proposed values are kept only until staff have reviewed them.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", _("e-mail link")
        PHONE = "phone", _("phone")

    class Meets(models.TextChoices):
        YES = "yes", _("yes, the group still meets")
        PAUSED = "paused", _("the group is pausing")
        NO = "no", _("no, the group no longer meets")

    group = models.ForeignKey(
        Group, verbose_name=_("group"), on_delete=models.CASCADE, related_name="verifications"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    # NULL, not "": checks without a live link (by phone, answered) must not collide.
    token_hash = models.CharField(  # noqa: DJ001
        _("token hash"), max_length=64, unique=True, null=True
    )
    created_at = models.DateTimeField(_("started"), default=timezone.now)
    last_sent_at = models.DateTimeField(_("last sent"), null=True, blank=True)
    expires_at = models.DateTimeField(_("link expires"), null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(_("reminders sent"), default=0)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    still_meets = models.CharField(
        _("does the group still meet?"), max_length=10, choices=Meets.choices, blank=True
    )
    consent_renewed = models.BooleanField(_("consent to publish renewed"), default=False)
    proposed = models.JSONField(
        _("proposed changes"),
        default=dict,
        blank=True,
        help_text=_("Field name and proposed value; emptied once staff have reviewed them."),
    )
    accepted_fields = models.JSONField(_("changes taken over"), default=list, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    closed_at = models.DateTimeField(
        _("closed"),
        null=True,
        blank=True,
        help_text=_("Staff confirmed the group otherwise; the link no longer works."),
    )

    objects = VerificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("data check")
        verbose_name_plural = _("data checks")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One running check per group: two runs of the sender cannot both start one.
            models.UniqueConstraint(
                fields=["group"],
                condition=Q(reviewed_at__isnull=True, closed_at__isnull=True),
                name="groups_verification_one_open_per_group",
            ),
            models.CheckConstraint(
                condition=Q(reminders_sent__lte=MAX_REMINDERS),
                name="groups_verification_at_most_two_reminders",
            ),
        ]

    def __str__(self):
        return f"{self.group} ({self.created_at:%Y-%m-%d})"

    @property
    def has_changes(self):
        """Whether staff must look at the answer: changes, a pause or end, no consent."""
        return (
            bool(self.proposed)
            or self.still_meets not in ("", self.Meets.YES)
            or not self.consent_renewed
        )
