"""Volunteers (In-Gang-Setzer:innen): their profile, languages, qualifications and weekly times."""

import datetime

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, F, Max, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce, TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kontaktstelle.offices.models import Office, OfficeScopedQuerySet, Site
from kontaktstelle.web.validators import validate_phone

MAX_CAPACITY = 10


DEFAULT_CAPACITY = 2


# A starter who has not been to an exchange meeting or supervision for longer is flagged.
EXCHANGE_INTERVAL = datetime.timedelta(days=365)


class Language(models.Model):
    """A language a starter speaks; matching compares it with a group's needs."""

    code = models.CharField(_("code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("language")
        verbose_name_plural = _("languages")
        ordering = ["name"]

    def __str__(self):
        return self.name


class QualificationQuerySet(models.QuerySet):
    def for_office(self, office):
        """The programme's qualifications and those the office added itself."""
        return self.filter(Q(office__isnull=True) | Q(office=office))


class Qualification(models.Model):
    """What a starter may take on, e.g. founding accompaniment or groups of relatives.

    The programme's qualifications have a ``code`` the software refers to (matching,
    the basic training); an office may add its own, which have none.
    """

    class Code(models.TextChoices):
        FOUNDING = "founding", _("founding accompaniment")
        IMPULSE = "impulse", _("impulse accompaniment of existing groups")
        MIGRATION = "migration", _("groups of people with migration experience")
        CAREGIVING = "caregiving", _("groups of caregiving relatives")
        YOUNG = "young", _("young self-help (18–35)")
        ONLINE = "online", _("online groups")

    office = models.ForeignKey(
        Office,
        verbose_name=_("office"),
        on_delete=models.CASCADE,
        related_name="qualifications",
        null=True,
        blank=True,
        help_text=_("Empty for the programme's own qualifications."),
    )
    code = models.CharField(_("code"), max_length=20, choices=Code.choices, blank=True)
    name = models.CharField(_("name"), max_length=120)

    objects = QualificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                condition=~Q(code=""),
                name="starters_qualification_code_unique",
            ),
            models.UniqueConstraint(
                "office",
                models.functions.Lower("name"),
                name="starters_qualification_office_name_ci_unique",
                violation_error_message=_("This qualification already exists."),
            ),
        ]

    def __str__(self):
        return self.name


class StarterQuerySet(OfficeScopedQuerySet):
    def with_last_exchange(self):
        """Annotate the date of the last exchange meeting or supervision attended."""
        TrainingEvent = apps.get_model("starters", "TrainingEvent")

        return self.annotate(
            last_exchange_on=Max(
                "attendances__event__date",
                filter=Q(attendances__event__kind__in=TrainingEvent.Kind.exchange_kinds()),
            )
        )

    @staticmethod
    def _exchange_counted_from():
        """Where the 12 months without exchange start for someone who never attended one:
        their last completed training, else their volunteer agreement, else the day their
        record was created."""
        CohortParticipation = apps.get_model("starters", "CohortParticipation")

        last_training = (
            CohortParticipation.objects.filter(starter=OuterRef("pk"), completed_on__isnull=False)
            .order_by("-completed_on")
            .values("completed_on")[:1]
        )
        return Coalesce(Subquery(last_training), "agreement_signed_on", TruncDate("created_at"))

    def with_exchange_counted_from(self):
        """Annotate ``last_exchange_on`` and ``exchange_counted_from`` (see above)."""
        return self.with_last_exchange().annotate(
            exchange_counted_from=self._exchange_counted_from()
        )

    def exchange_overdue(self, today=None):
        """Active or paused starters without exchange meeting or supervision for 12 months.

        Counted from their last completed training, else from their volunteer agreement,
        else from the day their record was created: someone trained this year is not
        overdue."""
        Attendance = apps.get_model("starters", "Attendance")
        TrainingEvent = apps.get_model("starters", "TrainingEvent")

        today = today or timezone.localdate()
        since = today - EXCHANGE_INTERVAL
        recent = Attendance.objects.filter(
            starter=OuterRef("pk"),
            event__kind__in=TrainingEvent.Kind.exchange_kinds(),
            event__date__gt=since,
            event__date__lte=today,
        )
        return (
            self.filter(status__in=[Starter.Status.ACTIVE, Starter.Status.PAUSED])
            .alias(counted_from=self._exchange_counted_from())
            .filter(counted_from__lte=since)
            .exclude(Exists(recent))
        )

    def available_at(self, weekday=None, daytime=None):
        """Starters with an availability on that weekday overlapping that time of day."""
        slots = Availability.objects.filter(starter=OuterRef("pk"))
        if weekday is not None and weekday != "":
            slots = slots.filter(weekday=weekday)
        if daytime:
            start, end = Availability.DAYTIMES[daytime]
            slots = slots.filter(starts_at__lt=end, ends_at__gt=start)
        return self.filter(Exists(slots))

    def with_record(self):
        """Prefetch what a starter's page shows of their record: languages, qualifications,
        sites, weekly times, trainings and attended events (newest first)."""
        Attendance = apps.get_model("starters", "Attendance")
        CohortParticipation = apps.get_model("starters", "CohortParticipation")

        return self.prefetch_related(
            "languages",
            "qualifications",
            "sites",
            "availabilities",
            Prefetch(
                "participations",
                queryset=CohortParticipation.objects.select_related("cohort").order_by(
                    "-cohort__starts_on"
                ),
            ),
            Prefetch(
                "attendances",
                queryset=Attendance.objects.select_related("event").order_by("-event__date"),
            ),
        )

    def with_free_capacity(self):
        """Annotate ``free_capacity``: accompaniments a starter can still take on."""
        return self.annotate(free_capacity=F("capacity") - F("load"))


class Starter(models.Model):
    """An In-Gang-Setzer:in: a trained volunteer of one office.

    Name and e-mail address live on the linked user account, which is also their login.
    """

    class Status(models.TextChoices):
        IN_TRAINING = "in_training", _("in training")
        ACTIVE = "active", _("active")
        PAUSED = "paused", _("paused")
        RETIRED = "retired", _("retired")

    office = models.ForeignKey(
        Office, verbose_name=_("office"), on_delete=models.CASCADE, related_name="starters"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        on_delete=models.PROTECT,
        related_name="starter",
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True, validators=[validate_phone])
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.IN_TRAINING
    )
    status_since = models.DateField(_("status since"), default=timezone.localdate)
    paused_until = models.DateField(
        _("paused until"), null=True, blank=True, help_text=_("Only while paused.")
    )
    languages = models.ManyToManyField(
        Language, verbose_name=_("languages spoken"), related_name="starters", blank=True
    )
    qualifications = models.ManyToManyField(
        Qualification, verbose_name=_("qualifications"), related_name="starters", blank=True
    )
    capacity = models.PositiveSmallIntegerField(
        _("accompaniments at once"),
        default=DEFAULT_CAPACITY,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_CAPACITY)],
        help_text=_("How many accompaniments they take on at the same time (0 to 10)."),
    )
    calendar_token_hash = models.CharField(
        _("calendar link"), max_length=64, blank=True, editable=False, db_index=True
    )
    load = models.PositiveSmallIntegerField(
        _("accompaniments taken on"),
        default=0,
        editable=False,
        help_text=_(
            "Kept by the app: open offers and accepted assignments of open accompaniments."
        ),
    )
    sites = models.ManyToManyField(
        Site, verbose_name=_("sites they can reach"), related_name="starters", blank=True
    )
    towns = models.CharField(
        _("towns they can reach"),
        max_length=300,
        blank=True,
        help_text=_("Separate several towns or districts with a comma."),
    )
    has_car = models.BooleanField(_("travels by car"), default=False)
    uses_public_transport = models.BooleanField(_("travels by public transport"), default=False)
    excluded_topics = models.ManyToManyField(
        "groups.Topic",
        verbose_name=_("topics they do not accompany"),
        related_name="+",
        blank=True,
        help_text=_(
            "Topics that affect them personally: starters accompany the process, never "
            "their own topic."
        ),
    )
    agreement_signed_on = models.DateField(
        _("volunteer agreement signed on"),
        null=True,
        blank=True,
        help_text=_(
            "The agreement covers the task, reimbursement of expenses and the duty of "
            "confidentiality."
        ),
    )
    agreement_renewed_on = models.DateField(
        _("volunteer agreement last renewed on"),
        null=True,
        blank=True,
        help_text=_("Its validity counts from the later of signing and renewal."),
    )
    consent_given_on = models.DateField(
        _("consent to data processing given on"), null=True, blank=True
    )
    # Never the certificate or what it says: only its date and when staff saw it.
    police_certificate_issued_on = models.DateField(
        _("extended police certificate dated"), null=True, blank=True
    )
    police_certificate_seen_on = models.DateField(
        _("extended police certificate seen on"), null=True, blank=True
    )
    notes = models.TextField(
        _("notes (staff only)"),
        blank=True,
        max_length=2000,
        help_text=_("Never shown to the starter. Nothing about their health."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    objects = StarterQuerySet.as_manager()

    class Meta:
        verbose_name = _("In-Gang-Setzer:in")
        verbose_name_plural = _("In-Gang-Setzer:innen")
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__lte=MAX_CAPACITY),
                name="starters_starter_capacity_range",
                violation_error_message=_("The capacity must be between 0 and 10."),
            ),
            models.CheckConstraint(
                condition=Q(load__lte=F("capacity")),
                name="starters_starter_load_within_capacity",
                violation_error_message=_(
                    "This person already takes on as many accompaniments as they agreed to."
                ),
            ),
            models.CheckConstraint(
                condition=Q(status="paused") | Q(paused_until__isnull=True),
                name="starters_starter_paused_until_only_paused",
                violation_error_message=_("Only a paused starter has a date to pause until."),
            ),
            models.CheckConstraint(
                condition=Q(
                    police_certificate_issued_on__isnull=True,
                    police_certificate_seen_on__isnull=True,
                )
                | Q(
                    police_certificate_issued_on__isnull=False,
                    police_certificate_seen_on__isnull=False,
                    police_certificate_seen_on__gte=F("police_certificate_issued_on"),
                ),
                name="starters_starter_police_certificate_seen_after_issue",
                violation_error_message=_(
                    "A police certificate is recorded with its date and the day it was seen, "
                    "which cannot be before its date."
                ),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("starters:starter_detail", kwargs={"pk": self.pk})

    @property
    def name(self):
        return self.user.name or self.user.email

    @property
    def email(self):
        return self.user.email

    @property
    def town_list(self):
        return [town.strip() for town in self.towns.split(",") if town.strip()]


class Availability(models.Model):
    """A weekly time window in which a starter can accompany meetings."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    class Daytime(models.TextChoices):
        MORNING = "morning", _("mornings (before 12)")
        AFTERNOON = "afternoon", _("afternoons (12 to 17)")
        EVENING = "evening", _("evenings (from 17)")

    DAYTIMES = {
        "morning": (datetime.time(0, 0), datetime.time(12, 0)),
        "afternoon": (datetime.time(12, 0), datetime.time(17, 0)),
        "evening": (datetime.time(17, 0), datetime.time(23, 59)),
    }

    starter = models.ForeignKey(
        Starter,
        verbose_name=_("In-Gang-Setzer:in"),
        on_delete=models.CASCADE,
        related_name="availabilities",
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    starts_at = models.TimeField(_("from"))
    ends_at = models.TimeField(_("until"))

    class Meta:
        verbose_name = _("availability")
        verbose_name_plural = _("availabilities")
        ordering = ["weekday", "starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="starters_availability_ends_after_start",
                violation_error_message=_("The end must be after the start."),
            ),
            models.CheckConstraint(
                condition=Q(weekday__gte=0, weekday__lte=6),
                name="starters_availability_weekday_range",
            ),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"

    def clean(self):
        super().clean()
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The end must be after the start.")})
