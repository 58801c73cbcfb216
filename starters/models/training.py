"""Training of volunteers: cohorts, events (education, exchange, supervision), certificates."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kontaktstelle.offices.models import Office, OfficeScopedQuerySet
from starters.models.profiles import Qualification, Starter


class TrainingCohortQuerySet(OfficeScopedQuerySet):
    pass


class TrainingCohort(models.Model):
    """A run of the basic training (Schulungsdurchgang) with its participants."""

    office = models.ForeignKey(
        Office, verbose_name=_("office"), on_delete=models.CASCADE, related_name="cohorts"
    )
    name = models.CharField(_("name"), max_length=200)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    trainers = models.CharField(_("trainers"), max_length=300, blank=True)
    hours = models.DecimalField(
        _("hours of training"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    grants = models.ManyToManyField(
        Qualification,
        verbose_name=_("qualifications granted on completion"),
        related_name="+",
        blank=True,
    )
    participants = models.ManyToManyField(
        Starter,
        through="CohortParticipation",
        verbose_name=_("participants"),
        related_name="cohorts",
    )

    objects = TrainingCohortQuerySet.as_manager()

    class Meta:
        verbose_name = _("training cohort")
        verbose_name_plural = _("training cohorts")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="starters_trainingcohort_ends_after_start",
                violation_error_message=_("The last day cannot be before the first day."),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("starters:cohort_detail", kwargs={"pk": self.pk})


class CohortParticipationQuerySet(OfficeScopedQuerySet):
    office_lookup = "cohort__office"


class CohortParticipation(models.Model):
    """A starter taking part in a cohort; ``completed_on`` once they finished it."""

    cohort = models.ForeignKey(
        TrainingCohort,
        verbose_name=_("training cohort"),
        on_delete=models.CASCADE,
        related_name="participations",
    )
    starter = models.ForeignKey(
        Starter,
        verbose_name=_("In-Gang-Setzer:in"),
        on_delete=models.CASCADE,
        related_name="participations",
    )
    completed_on = models.DateField(_("completed on"), null=True, blank=True)

    objects = CohortParticipationQuerySet.as_manager()

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "starter"],
                name="starters_cohortparticipation_once",
                violation_error_message=_("This person already takes part in this cohort."),
            ),
        ]

    def __str__(self):
        return f"{self.starter} – {self.cohort}"


class TrainingEventQuerySet(OfficeScopedQuerySet):
    pass


class TrainingEvent(models.Model):
    """A continuing education course, exchange meeting or supervision session."""

    class Kind(models.TextChoices):
        CONTINUING_EDUCATION = "continuing_education", _("continuing education")
        EXCHANGE = "exchange", _("exchange meeting")
        SUPERVISION = "supervision", _("supervision")

        @classmethod
        def exchange_kinds(cls):
            return [cls.EXCHANGE, cls.SUPERVISION]

    office = models.ForeignKey(
        Office, verbose_name=_("office"), on_delete=models.CASCADE, related_name="training_events"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    date = models.DateField(_("date"))
    hours = models.DecimalField(
        _("duration in hours"),
        max_digits=4,
        decimal_places=1,
        default=2,
        validators=[MinValueValidator(0.5), MaxValueValidator(24)],
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    trainers = models.CharField(_("led by"), max_length=300, blank=True)
    grants = models.ManyToManyField(
        Qualification,
        verbose_name=_("qualifications granted by attending"),
        related_name="+",
        blank=True,
        help_text=_("For qualifying courses, e.g. a course on groups with migration experience."),
    )
    attendees = models.ManyToManyField(
        Starter, through="Attendance", verbose_name=_("attendees"), related_name="events"
    )

    objects = TrainingEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("training event")
        verbose_name_plural = _("training events")
        ordering = ["-date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0, hours__lte=24),
                name="starters_trainingevent_hours_range",
                violation_error_message=_("The duration must be between 0.5 and 24 hours."),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("starters:event_detail", kwargs={"pk": self.pk})


class Attendance(models.Model):
    """A starter attended a training event."""

    event = models.ForeignKey(
        TrainingEvent,
        verbose_name=_("training event"),
        on_delete=models.CASCADE,
        related_name="attendances",
    )
    starter = models.ForeignKey(
        Starter,
        verbose_name=_("In-Gang-Setzer:in"),
        on_delete=models.CASCADE,
        related_name="attendances",
    )

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [
            models.UniqueConstraint(fields=["event", "starter"], name="starters_attendance_once"),
        ]

    def __str__(self):
        return f"{self.starter} – {self.event}"


class CertificateQuerySet(OfficeScopedQuerySet):
    office_lookup = "starter__office"

    def for_user(self, user):
        """Staff: their office's certificates; a starter: their own."""
        if user.is_authenticated and user.is_starter:
            return self.filter(starter__user=user)
        return super().for_user(user)


class Certificate(models.Model):
    """A certificate of volunteer work (Tätigkeitsnachweis) for a period.

    A starter (or staff) asks for it; a staff member signs it off, which freezes the
    figures in ``content`` so that the signed document never changes afterwards.
    """

    starter = models.ForeignKey(
        Starter,
        verbose_name=_("In-Gang-Setzer:in"),
        on_delete=models.CASCADE,
        related_name="certificates",
    )
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("until"))
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed off by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    signed_on = models.DateField(_("signed off on"), null=True, blank=True)
    content = models.JSONField(_("figures as signed off"), null=True, blank=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("certificate of volunteer work")
        verbose_name_plural = _("certificates of volunteer work")
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="starters_certificate_period_order",
                violation_error_message=_("The end of the period cannot be before its start."),
            ),
            models.CheckConstraint(
                condition=Q(signed_on__isnull=True, signed_by__isnull=True, content__isnull=True)
                | Q(signed_on__isnull=False, signed_by__isnull=False, content__isnull=False),
                name="starters_certificate_signed_complete",
            ),
        ]

    def __str__(self):
        return f"{self.starter}: {self.period_start:%d.%m.%Y}–{self.period_end:%d.%m.%Y}"

    @property
    def is_signed(self):
        return self.signed_on is not None
