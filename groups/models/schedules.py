"""When and where a group meets: meeting rules, their irregular dates, and pauses.

The occurrence maths lives in ``groups.schedules``; these models only hold the rules.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kontaktstelle.offices.models import Room

# The weeks a monthly rule may name: the 1st to 4th, and -1 for the last.
WEEKS_OF_MONTH = (1, 2, 3, 4, -1)


WEEK_NAMES = {
    1: _("1st"),
    2: _("2nd"),
    3: _("3rd"),
    4: _("4th"),
    -1: _("last"),
}


def parse_weeks_of_month(value):
    """ "2,4" → [2, 4]; raises ValueError for anything but 1–4 and -1."""
    weeks = []
    for part in (value or "").split(","):
        part = part.strip()
        if not part:
            continue
        week = int(part)
        if week not in WEEKS_OF_MONTH:
            raise ValueError(week)
        if week not in weeks:
            weeks.append(week)
    return sorted(weeks, key=lambda w: (w == -1, w))


class MeetingRule(models.Model):
    """A rule by which a group meets: weekly, every two weeks, on weeks of the month,
    or on listed dates; with a start and an end time and a room."""

    class Kind(models.TextChoices):
        WEEKLY = "weekly", _("weekly")
        BIWEEKLY = "biweekly", _("every two weeks")
        MONTHLY = "monthly", _("on weeks of the month")
        DATES = "dates", _("irregular, on listed dates")

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    group = models.ForeignKey(
        "groups.Group",
        verbose_name=_("self-help group"),
        on_delete=models.CASCADE,
        related_name="meeting_rules",
    )
    kind = models.CharField(_("rhythm"), max_length=20, choices=Kind.choices, default=Kind.WEEKLY)
    weekday = models.PositiveSmallIntegerField(
        _("weekday"), choices=Weekday.choices, null=True, blank=True
    )
    weeks_of_month = models.CharField(
        _("weeks of the month"),
        max_length=20,
        blank=True,
        help_text=_("For a monthly rule, e.g. “2,4” for the 2nd and 4th; “-1” is the last."),
    )
    start_time = models.TimeField(_("start time"))
    end_time = models.TimeField(_("end time"))
    room = models.ForeignKey(
        Room,
        verbose_name=_("room"),
        on_delete=models.SET_NULL,
        related_name="meeting_rules",
        null=True,
        blank=True,
        help_text=_("Empty: the group's own room or place."),
    )
    starts_on = models.DateField(
        _("valid from"),
        default=timezone.localdate,
        help_text=_("For every two weeks: the date of a first meeting."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("meeting rule")
        verbose_name_plural = _("meeting rules")
        ordering = ["weekday", "start_time", "id"]
        indexes = [
            # The directory's weekday and time-of-day filter (EXISTS on the group's rules).
            models.Index(fields=["group", "weekday", "start_time"], name="groups_rule_group_day"),
            models.Index(fields=["room", "weekday"], name="groups_rule_room_day"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=models.F("start_time")),
                name="groups_meetingrule_end_after_start",
                violation_error_message=_("The end time must be after the start time."),
            ),
            models.CheckConstraint(
                condition=Q(kind="dates", weekday__isnull=True)
                | (~Q(kind="dates") & Q(weekday__gte=0, weekday__lte=6)),
                name="groups_meetingrule_weekday_by_kind",
                violation_error_message=_(
                    "A rule on listed dates has no weekday; every other rule needs one."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.group}: {self.get_kind_display()} {self.start_time:%H:%M}"

    @property
    def weeks(self):
        return parse_weeks_of_month(self.weeks_of_month)

    def clean(self):
        super().clean()
        errors = {}
        if self.kind == self.Kind.DATES:
            self.weekday = None
        elif self.weekday is None:
            errors["weekday"] = _("Choose the weekday the group meets on.")
        if self.kind == self.Kind.MONTHLY:
            try:
                weeks = parse_weeks_of_month(self.weeks_of_month)
            except ValueError:
                errors["weeks_of_month"] = _(
                    "Give the weeks as numbers 1 to 4 or -1 (last), separated by commas."
                )
            else:
                if not weeks:
                    errors["weeks_of_month"] = _("Give at least one week of the month.")
                else:
                    self.weeks_of_month = ",".join(str(w) for w in weeks)
        else:
            self.weeks_of_month = ""
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            errors["end_time"] = _("The end time must be after the start time.")
        if errors:
            raise ValidationError(errors)

    def describe(self):
        """How the rule reads: "on the 2nd and 4th Tuesday of the month, 19:00–21:00"."""
        weekday = self.get_weekday_display()
        if self.kind == self.Kind.WEEKLY:
            rhythm = _("every %(weekday)s") % {"weekday": weekday}
        elif self.kind == self.Kind.BIWEEKLY:
            rhythm = _("every two weeks on %(weekday)s") % {"weekday": weekday}
        elif self.kind == self.Kind.MONTHLY:
            names = [str(WEEK_NAMES[week]) for week in self.weeks]
            weeks = f" {_('and')} ".join(
                [", ".join(names[:-1]), names[-1]] if len(names) > 1 else names
            )
            rhythm = _("on the %(weeks)s %(weekday)s of the month") % {
                "weeks": weeks,
                "weekday": weekday,
            }
        else:
            rhythm = _("on single dates")
        return _("%(rhythm)s, %(start)s–%(end)s") % {
            "rhythm": rhythm,
            "start": f"{self.start_time:%H:%M}",
            "end": f"{self.end_time:%H:%M}",
        }

    @property
    def duration(self):
        start = datetime.datetime.combine(datetime.date.min, self.start_time)
        return datetime.datetime.combine(datetime.date.min, self.end_time) - start


class MeetingDate(models.Model):
    """One date of a rule on listed dates (kind "dates")."""

    rule = models.ForeignKey(
        MeetingRule,
        verbose_name=_("meeting rule"),
        on_delete=models.CASCADE,
        related_name="dates",
    )
    date = models.DateField(_("date"))

    class Meta:
        verbose_name = _("meeting date")
        verbose_name_plural = _("meeting dates")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "date"],
                name="groups_meetingdate_rule_date_unique",
                violation_error_message=_("This date is already listed."),
            ),
        ]

    def __str__(self):
        return f"{self.rule.group}: {self.date:%d.%m.%Y}"


class MeetingPause(models.Model):
    """A time in which a group does not meet: a summer break, or until further notice."""

    group = models.ForeignKey(
        "groups.Group",
        verbose_name=_("self-help group"),
        on_delete=models.CASCADE,
        related_name="meeting_pauses",
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(
        _("until"), null=True, blank=True, help_text=_("Empty: until further notice.")
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("meeting pause")
        verbose_name_plural = _("meeting pauses")
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="groups_meetingpause_ends_after_start",
                violation_error_message=_("The pause cannot end before it starts."),
            ),
        ]

    def __str__(self):
        return f"{self.group}: {self.starts_on:%d.%m.%Y}–{self.ends_on or '…'}"

    def covers(self, day):
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)
