"""Applications to become an In-Gang-Setzer:in, and the e-mail texts of their steps.

An application moves through a pipeline: applied -> interview arranged -> in training
(in a cohort) -> active, or is rejected (with a reason) from any open step. The
database guards what each step needs (check constraints); ``starters.services
.applications`` makes the moves. Applications not accepted are erased after the
retention period (``RETENTION_DAYS["application"]``, ``apply_retention``).
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kontaktstelle.offices.models import Office, OfficeScopedQuerySet
from kontaktstelle.web.validators import validate_phone
from starters.models.profiles import Starter
from starters.models.training import TrainingCohort

MOTIVATION_MAX_LENGTH = 1500


class ApplicationStatus(models.TextChoices):
    APPLIED = "applied", _("applied")
    INTERVIEW = "interview", _("interview arranged")
    TRAINING = "training", _("in training")
    ACTIVE = "active", _("active")
    REJECTED = "rejected", pgettext_lazy("application step", "declined")

    @classmethod
    def open(cls):
        return [cls.APPLIED, cls.INTERVIEW, cls.TRAINING]

    @classmethod
    def closed(cls):
        return [cls.ACTIVE, cls.REJECTED]


class VolunteerApplicationQuerySet(OfficeScopedQuerySet):
    def not_accepted_before(self, now):
        """Applications not accepted whose retention period has run out at ``now``.

        Declined: counted from the refusal. Still applied or with an interview: from their
        last step (nobody pursued them). In training: from the cohort's last day (the
        training ended without them becoming active). Active ones are never erased here:
        they belong to the starter's record.
        """
        since = now - datetime.timedelta(days=settings.RETENTION_DAYS["application"])
        Status = ApplicationStatus
        return self.filter(
            Q(status=Status.REJECTED, closed_at__lt=since)
            | Q(status=Status.APPLIED, created_at__lt=since)
            | Q(status=Status.INTERVIEW, interview_arranged_at__lt=since)
            | Q(status=Status.TRAINING, cohort__ends_on__lt=since.date())
        )


class VolunteerApplication(models.Model):
    """Someone applying to become an In-Gang-Setzer:in with one office."""

    Status = ApplicationStatus

    office = models.ForeignKey(
        Office,
        verbose_name=_("office"),
        on_delete=models.CASCADE,
        related_name="volunteer_applications",
    )
    status = models.CharField(
        _("step"), max_length=20, choices=Status.choices, default=Status.APPLIED
    )
    name = models.CharField(_("name"), max_length=120)
    email = models.EmailField(_("e-mail address"))
    phone = models.CharField(_("phone"), max_length=30, blank=True, validators=[validate_phone])
    town = models.CharField(
        _("town or postcode area"),
        max_length=100,
        help_text=_(
            "Where you live, roughly: a town, district or the first digits of the postcode."
        ),
    )
    motivation = models.TextField(
        _("why you would like to become an In-Gang-Setzer:in"),
        max_length=MOTIVATION_MAX_LENGTH,
    )
    availability = models.CharField(
        _("when you have time"),
        max_length=300,
        blank=True,
        help_text=_("For example: weekday evenings, every other Saturday."),
    )
    consent_at = models.DateTimeField(_("consent given"))
    consent_text = models.TextField(
        _("text consented to"), help_text=_("Exactly as shown on the form.")
    )
    interview_at = models.DateTimeField(_("interview on"), null=True, blank=True)
    cohort = models.ForeignKey(
        TrainingCohort,
        verbose_name=_("training cohort"),
        on_delete=models.RESTRICT,
        related_name="applications",
        null=True,
        blank=True,
    )
    starter = models.OneToOneField(
        Starter,
        verbose_name=_("In-Gang-Setzer:in"),
        on_delete=models.CASCADE,
        related_name="application",
        null=True,
        blank=True,
    )
    rejection_reason = models.CharField(_("reason for declining"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("applied"), auto_now_add=True)
    interview_arranged_at = models.DateTimeField(_("interview arranged"), null=True, blank=True)
    training_started_at = models.DateTimeField(_("training joined"), null=True, blank=True)
    closed_at = models.DateTimeField(_("active or declined since"), null=True, blank=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    objects = VolunteerApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("application as In-Gang-Setzer:in")
        verbose_name_plural = _("applications as In-Gang-Setzer:in")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["office", "status"], name="starters_application_step")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ApplicationStatus.values),
                name="starters_volunteerapplication_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                name="starters_volunteerapplication_rejected_has_reason",
                violation_error_message=_("Please give a reason for declining."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=ApplicationStatus.closed(), closed_at__isnull=False)
                | Q(status__in=ApplicationStatus.open(), closed_at__isnull=True),
                name="starters_volunteerapplication_closed_iff_final",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["interview", "training", "active"])
                | Q(interview_at__isnull=False, interview_arranged_at__isnull=False),
                name="starters_volunteerapplication_interview_step",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["training", "active"])
                | Q(cohort__isnull=False, training_started_at__isnull=False),
                name="starters_volunteerapplication_training_step",
            ),
            models.CheckConstraint(
                condition=Q(status="active", starter__isnull=False)
                | (~Q(status="active") & Q(starter__isnull=True)),
                name="starters_volunteerapplication_active_iff_starter",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("starters:application_detail", kwargs={"pk": self.pk})

    @property
    def audit_label(self):
        """How the audit trail names it: without the applicant's name, which it outlives."""
        return f"{self._meta.verbose_name} #{self.pk}"

    @property
    def is_open(self):
        return self.status in ApplicationStatus.open()

    @property
    def erased_after(self):
        """The day a declined application is erased (None while it is not declined)."""
        if self.status != ApplicationStatus.REJECTED or self.closed_at is None:
            return None
        return self.closed_at + datetime.timedelta(days=settings.RETENTION_DAYS["application"])


class ApplicationEmailTextQuerySet(OfficeScopedQuerySet):
    pass


class ApplicationEmailText(models.Model):
    """An office's own wording of the e-mail an applicant gets at one step.

    Without one, the text shipped in ``starters.application_emails`` is sent.
    """

    office = models.ForeignKey(
        Office,
        verbose_name=_("office"),
        on_delete=models.CASCADE,
        related_name="application_email_texts",
    )
    step = models.CharField(_("step"), max_length=20, choices=ApplicationStatus.choices)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"), max_length=4000)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    objects = ApplicationEmailTextQuerySet.as_manager()

    class Meta:
        verbose_name = _("e-mail text for applicants")
        verbose_name_plural = _("e-mail texts for applicants")
        ordering = ["office", "step"]
        constraints = [
            models.UniqueConstraint(
                fields=["office", "step"], name="starters_applicationemailtext_once_per_step"
            ),
            models.CheckConstraint(
                condition=Q(step__in=ApplicationStatus.values),
                name="starters_applicationemailtext_step_valid",
            ),
        ]

    def __str__(self):
        return f"{self.office}: {self.get_step_display()}"
