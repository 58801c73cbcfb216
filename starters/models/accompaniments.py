"""Accompaniments (In-Gang-Setzungen): the request, its lifecycle and the starters on it."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kontaktstelle.offices.models import Office, OfficeScopedQuerySet
from starters.models.profiles import Availability, Language, Qualification, Starter

# The programme's published limits of meetings per accompaniment.
MAX_MEETINGS = {"founding": 8, "impulse": 6, "crisis": 6}
DEFAULT_MEETINGS = {"founding": 6, "impulse": 3, "crisis": 3}
MAX_STARTERS = 2  # one starter, or two as a tandem
FOLLOW_UP_AFTER = datetime.timedelta(days=182)  # about six months after completion
OFFER_REMINDER_AFTER = datetime.timedelta(days=3)


class AccompanimentQuerySet(OfficeScopedQuerySet):
    def open(self):
        return self.filter(status__in=Accompaniment.Status.open_states())

    def follow_up_overdue(self, today=None):
        today = today or timezone.localdate()
        return self.filter(
            status=Accompaniment.Status.COMPLETED,
            follow_up_on__isnull=True,
            completed_on__lte=today - FOLLOW_UP_AFTER,
        )

    def at_planned_end(self, today=None):
        """Active accompaniments whose planned end date has come."""
        today = today or timezone.localdate()
        return self.filter(status=Accompaniment.Status.ACTIVE, planned_end__lte=today)


class Accompaniment(models.Model):
    """A group's request for In-Gang-Setzer:innen and what became of it.

    requested -> offered -> active -> completed, or cancelled from any open state;
    the state changes live in ``starters.accompaniment_services``.
    """

    class Kind(models.TextChoices):
        FOUNDING = "founding", _("founding accompaniment of a new group")
        IMPULSE = "impulse", _("impulse for an existing group")
        CRISIS = "crisis", _("existing group in a crisis")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("requested")
        OFFERED = "offered", _("offered")
        ACTIVE = "active", _("active")
        COMPLETED = "completed", _("completed")
        CANCELLED = "cancelled", _("cancelled")

        @classmethod
        def open_states(cls):
            return [cls.REQUESTED, cls.OFFERED, cls.ACTIVE]

    class Outcome(models.TextChoices):
        CONTINUES = "continues", _("group continues on its own")
        NEEDS_SUPPORT = "needs_support", _("group needs more support")
        DISSOLVED = "dissolved", _("group dissolved")
        OTHER = "other", _("other")

    class FollowUp(models.TextChoices):
        STILL_MEETS = "still_meets", _("group still meets")
        DISSOLVED = "dissolved", _("group no longer meets")
        UNKNOWN = "unknown", _("could not be found out")

    office = models.ForeignKey(
        Office,
        verbose_name=_("office"),
        on_delete=models.CASCADE,
        related_name="accompaniments",
    )
    group = models.ForeignKey(
        "groups.Group",
        verbose_name=_("group"),
        on_delete=models.PROTECT,
        related_name="accompaniments",
    )
    inquiry = models.ForeignKey(
        "groups.Inquiry",
        verbose_name=_("from the founding interest"),
        on_delete=models.SET_NULL,
        related_name="accompaniments",
        null=True,
        blank=True,
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.REQUESTED
    )
    requested_by = models.CharField(
        _("asked by"),
        max_length=200,
        help_text=_("A role or first name is enough, e.g. “founder of the group”."),
    )
    requested_on = models.DateField(_("asked on"), default=timezone.localdate)
    meeting_weekday = models.PositiveSmallIntegerField(
        _("meeting day"),
        choices=Availability.Weekday.choices,
        null=True,
        blank=True,
    )
    meeting_time = models.TimeField(_("meeting time"), null=True, blank=True)
    meeting_place = models.CharField(_("meeting place"), max_length=200, blank=True)
    language = models.ForeignKey(
        Language,
        verbose_name=_("language needed"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text=_("Only if the group does not speak German."),
    )
    needs = models.ManyToManyField(
        Qualification,
        verbose_name=_("qualifications needed"),
        related_name="+",
        blank=True,
        help_text=_("E.g. migration, caregiving relatives, young self-help, online."),
    )
    agreed_on = models.DateField(_("agreed with the group on"), null=True, blank=True)
    agreement = models.TextField(
        _("what was agreed"),
        blank=True,
        max_length=1000,
        help_text=_("The frame of the accompaniment, never what members said."),
    )
    planned_meetings = models.PositiveSmallIntegerField(_("planned meetings"))
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    extension_reason = models.CharField(
        _("reason for extending the plan"), max_length=300, blank=True
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible staff member"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    started_on = models.DateField(_("started on"), null=True, blank=True)
    completed_on = models.DateField(_("ended on"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    outcome_note = models.CharField(_("note on the outcome"), max_length=300, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    follow_up_on = models.DateField(_("followed up on"), null=True, blank=True)
    follow_up = models.CharField(
        _("follow-up after six months"), max_length=20, choices=FollowUp.choices, blank=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = AccompanimentQuerySet.as_manager()

    class Meta:
        verbose_name = _("accompaniment")
        verbose_name_plural = _("accompaniments")
        ordering = ["requested_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_meetings__gte=1)
                & (
                    Q(kind="founding", planned_meetings__lte=MAX_MEETINGS["founding"])
                    | (~Q(kind="founding") & Q(planned_meetings__lte=MAX_MEETINGS["impulse"]))
                ),
                name="starters_accompaniment_planned_meetings_limit",
                violation_error_message=_(
                    "A new group is accompanied for at most 8 meetings, an existing one for "
                    "at most 6."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(status="completed") | Q(completed_on__isnull=False) & ~Q(outcome=""),
                name="starters_accompaniment_completed_has_outcome",
            ),
            models.CheckConstraint(
                condition=Q(follow_up_on__isnull=True) | Q(status="completed"),
                name="starters_accompaniment_follow_up_after_completion",
            ),
        ]

    def __str__(self):
        return f"{self.group} ({self.get_kind_display()})"

    def get_absolute_url(self):
        return reverse("starters:accompaniment_detail", kwargs={"pk": self.pk})

    @property
    def is_open(self):
        return self.status in self.Status.open_states()

    @property
    def follow_up_due_on(self):
        return self.completed_on + FOLLOW_UP_AFTER if self.completed_on else None

    @property
    def max_meetings(self):
        return MAX_MEETINGS[self.kind]

    def has_a_free_place(self):
        """Room for one more starter: fewer than a tandem asked or on it (prefetch-friendly)."""
        current = (Assignment.State.OFFERED, Assignment.State.ACCEPTED)
        return sum(a.state in current for a in self.assignments.all()) < MAX_STARTERS

    def progress(self, logged):
        """How far ``logged`` meetings are along the plan, for a progress bar."""
        return min(100, round(100 * logged / self.planned_meetings)) if self.planned_meetings else 0


class AssignmentQuerySet(models.QuerySet):
    def for_user(self, user):
        """Staff: their office's assignments; a starter: their own."""
        if user.is_authenticated and user.is_office_staff:
            return self.filter(accompaniment__office=user.office)
        if user.is_authenticated and user.is_starter:
            return self.filter(starter__user=user)
        return self.none()

    def current(self):
        """Offers still open and accepted assignments of open accompaniments."""
        return self.filter(
            state__in=[Assignment.State.OFFERED, Assignment.State.ACCEPTED],
            accompaniment__status__in=Accompaniment.Status.open_states(),
        )

    def unanswered_since(self, moment):
        return self.filter(state=Assignment.State.OFFERED, offered_at__lt=moment)


class Assignment(models.Model):
    """A starter on an accompaniment: offered, then accepted or declined."""

    class State(models.TextChoices):
        OFFERED = "offered", _("offered, no answer yet")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")
        WITHDRAWN = "withdrawn", _("withdrawn by the office")
        ENDED = "ended", _("ended")

    accompaniment = models.ForeignKey(
        Accompaniment,
        verbose_name=_("accompaniment"),
        on_delete=models.CASCADE,
        related_name="assignments",
    )
    starter = models.ForeignKey(
        Starter,
        verbose_name=_("In-Gang-Setzer:in"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.OFFERED
    )
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("offered by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    offered_at = models.DateTimeField(_("offered"), default=timezone.now)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    decline_reason = models.CharField(_("reason for declining"), max_length=300, blank=True)
    choice_reason = models.CharField(
        _("why this person"),
        max_length=300,
        blank=True,
        help_text=_("Required when the person was not among the suggestions."),
    )

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["offered_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["accompaniment", "starter"],
                name="starters_assignment_once_per_accompaniment",
                violation_error_message=_("This person was already asked for this group."),
            ),
        ]

    def __str__(self):
        return f"{self.starter} – {self.accompaniment}"

    def get_absolute_url(self):
        return reverse("starters:own_offer", kwargs={"pk": self.pk})

    @property
    def display_state(self):
        """The state as the starter lives it: an accepted offer of a running
        accompaniment is running, of a completed one completed."""
        status = self.accompaniment.status
        if self.state in (self.State.ACCEPTED, self.State.ENDED):
            if status == Accompaniment.Status.ACTIVE:
                return _("running")
            if status == Accompaniment.Status.COMPLETED:
                return _("completed")
            if status == Accompaniment.Status.CANCELLED:
                return _("cancelled")
        return self.get_state_display()
