"""The starters' log of the meetings they accompanied."""

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from starters.models.accompaniments import Accompaniment
from starters.models.profiles import Starter

MAX_DURATION_MINUTES = 8 * 60
NOTE_MAX_LENGTH = 500
CORRECTION_WINDOW = datetime.timedelta(days=14)
LOG_MISSING_AFTER = datetime.timedelta(days=3)


class MeetingTopic(models.TextChoices):
    """What an accompanied meeting worked on."""

    GETTING_TO_KNOW = "getting_to_know", _("getting to know each other")
    RULES = "rules", _("group rules")
    STRUCTURE = "structure", _("structure of the conversation")
    ORGANISATION = "organisation", _("organisation and room")
    ROLES = "roles", _("roles in the group")
    WITHDRAWAL = "withdrawal", _("preparing the withdrawal")
    FAREWELL = "farewell", _("farewell")


class MeetingLogQuerySet(models.QuerySet):
    def for_user(self, user):
        """Staff see their office's logs; a starter those of accompaniments they are on."""
        if user.is_office_staff:
            return self.filter(accompaniment__office=user.office)
        starter = getattr(user, "starter", None)
        if starter is None:
            return self.none()
        return self.filter(
            accompaniment__assignments__starter=starter,
            accompaniment__assignments__state__in=["accepted", "ended"],
        ).distinct()


class MeetingLog(models.Model):
    """One accompanied meeting, logged by a starter (often on a phone right after it).

    Never what members said: the note is about the group process and capped in length.
    """

    accompaniment = models.ForeignKey(
        Accompaniment,
        verbose_name=_("accompaniment"),
        on_delete=models.CASCADE,
        related_name="meeting_logs",
    )
    held_on = models.DateField(_("date"))
    starts_at = models.TimeField(_("start"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration in minutes"),
        validators=[MinValueValidator(1), MaxValueValidator(MAX_DURATION_MINUTES)],
    )
    participants = models.PositiveSmallIntegerField(
        _("participants"), validators=[MaxValueValidator(200)]
    )
    newcomers = models.PositiveSmallIntegerField(
        _("of them new"), default=0, validators=[MaxValueValidator(200)]
    )
    worked_on = models.JSONField(_("worked on"), default=list, blank=True)
    process_note = models.TextField(
        _("note on the group process"),
        max_length=NOTE_MAX_LENGTH,
        blank=True,
        help_text=_(
            "How the group works together, in a few words. Never what members said, "
            "nothing about anyone's health, no names."
        ),
    )
    wants_talk = models.BooleanField(_("I would like to talk to staff"), default=False)
    talk_done_at = models.DateTimeField(_("talk done"), null=True, blank=True)
    travel_km = models.DecimalField(
        _("travel distance in km"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    travel_costs = models.DecimalField(
        _("travel costs in euros"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Tickets or parking, for reimbursement."),
    )
    next_meeting_on = models.DateField(_("next meeting"), null=True, blank=True)
    accompanied_by = models.ManyToManyField(
        Starter,
        verbose_name=_("accompanied by"),
        related_name="meeting_logs",
    )
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("logged by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("logged"), default=timezone.now)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    objects = MeetingLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting log")
        verbose_name_plural = _("meeting logs")
        ordering = ["held_on", "starts_at"]
        # The statistics and the network view count a period's meetings across offices:
        # by day, or from the offices' accompaniments (all that the count needs, read
        # from the index alone).
        indexes = [
            models.Index(fields=["held_on"], name="starters_meetinglog_held_on"),
            models.Index(
                fields=["accompaniment", "held_on"],
                include=["id", "duration_minutes"],
                name="starters_meetinglog_counted",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["accompaniment", "held_on"],
                name="starters_meetinglog_one_per_day",
                violation_error_message=_("A meeting on this day is already logged."),
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=1)
                & Q(duration_minutes__lte=MAX_DURATION_MINUTES),
                name="starters_meetinglog_duration",
            ),
            models.CheckConstraint(
                condition=Q(newcomers__lte=F("participants")),
                name="starters_meetinglog_newcomers_within_participants",
                violation_error_message=_("There cannot be more newcomers than participants."),
            ),
            models.CheckConstraint(
                condition=Q(travel_km__isnull=True) | Q(travel_km__gte=0),
                name="starters_meetinglog_travel_km_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(travel_costs__isnull=True) | Q(travel_costs__gte=0),
                name="starters_meetinglog_travel_costs_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.accompaniment.group} – {self.held_on:%d.%m.%Y}"

    @property
    def starts(self):
        """The meeting's start as an aware datetime in the office's time zone."""
        return timezone.make_aware(datetime.datetime.combine(self.held_on, self.starts_at))

    @property
    def ends(self):
        return self.starts + datetime.timedelta(minutes=self.duration_minutes)

    @property
    def hours(self):
        return round(self.duration_minutes / 60, 2)

    def worked_on_labels(self):
        labels = dict(MeetingTopic.choices)
        return [labels[code] for code in self.worked_on if code in labels]

    def starter_may_edit(self, today=None):
        """The starters correct their own log for 14 days; after that only staff."""
        today = today or timezone.localdate()
        return timezone.localtime(self.created_at).date() + CORRECTION_WINDOW >= today
