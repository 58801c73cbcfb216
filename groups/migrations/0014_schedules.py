"""Issue 21: structured schedules. Meeting rules, their listed dates and pauses; every
group with a weekday and a start time gets a weekly rule (two hours long); the free-text
rhythm stays on the group and is shown as a note."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

from groups.migrations import _weekday_rules


def weekly_rules_from_weekday(apps, schema_editor):
    _weekday_rules.convert(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("groups", "0013_thesaurus_round_two"),
        ("kontaktstelle", "0011_consent_by_phone"),
    ]

    operations = [
        migrations.CreateModel(
            name="MeetingRule",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("weekly", "weekly"),
                            ("biweekly", "every two weeks"),
                            ("monthly", "on weeks of the month"),
                            ("dates", "irregular, on listed dates"),
                        ],
                        default="weekly",
                        max_length=20,
                        verbose_name="rhythm",
                    ),
                ),
                (
                    "weekday",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        choices=[
                            (0, "Monday"),
                            (1, "Tuesday"),
                            (2, "Wednesday"),
                            (3, "Thursday"),
                            (4, "Friday"),
                            (5, "Saturday"),
                            (6, "Sunday"),
                        ],
                        null=True,
                        verbose_name="weekday",
                    ),
                ),
                (
                    "weeks_of_month",
                    models.CharField(
                        blank=True,
                        help_text="For a monthly rule, e.g. “2,4” for the 2nd and 4th; “-1” is the last.",
                        max_length=20,
                        verbose_name="weeks of the month",
                    ),
                ),
                ("start_time", models.TimeField(verbose_name="start time")),
                ("end_time", models.TimeField(verbose_name="end time")),
                (
                    "starts_on",
                    models.DateField(
                        default=django.utils.timezone.localdate,
                        help_text="For every two weeks: the date of a first meeting.",
                        verbose_name="valid from",
                    ),
                ),
                ("note", models.CharField(blank=True, max_length=200, verbose_name="note")),
                (
                    "group",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="meeting_rules",
                        to="groups.group",
                        verbose_name="self-help group",
                    ),
                ),
                (
                    "room",
                    models.ForeignKey(
                        blank=True,
                        help_text="Empty: the group's own room or place.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="meeting_rules",
                        to="kontaktstelle.room",
                        verbose_name="room",
                    ),
                ),
            ],
            options={
                "verbose_name": "meeting rule",
                "verbose_name_plural": "meeting rules",
                "ordering": ["weekday", "start_time", "id"],
            },
        ),
        migrations.CreateModel(
            name="MeetingDate",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("date", models.DateField(verbose_name="date")),
                (
                    "rule",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="dates",
                        to="groups.meetingrule",
                        verbose_name="meeting rule",
                    ),
                ),
            ],
            options={
                "verbose_name": "meeting date",
                "verbose_name_plural": "meeting dates",
                "ordering": ["date"],
            },
        ),
        migrations.CreateModel(
            name="MeetingPause",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("starts_on", models.DateField(verbose_name="from")),
                (
                    "ends_on",
                    models.DateField(
                        blank=True,
                        help_text="Empty: until further notice.",
                        null=True,
                        verbose_name="until",
                    ),
                ),
                ("reason", models.CharField(blank=True, max_length=200, verbose_name="reason")),
                (
                    "group",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="meeting_pauses",
                        to="groups.group",
                        verbose_name="self-help group",
                    ),
                ),
            ],
            options={
                "verbose_name": "meeting pause",
                "verbose_name_plural": "meeting pauses",
                "ordering": ["starts_on"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("ends_on__isnull", True),
                            ("ends_on__gte", models.F("starts_on")),
                            _connector="OR",
                        ),
                        name="groups_meetingpause_ends_after_start",
                        violation_error_message="The pause cannot end before it starts.",
                    )
                ],
            },
        ),
        migrations.AddIndex(
            model_name="meetingrule",
            index=models.Index(
                fields=["group", "weekday", "start_time"], name="groups_rule_group_day"
            ),
        ),
        migrations.AddIndex(
            model_name="meetingrule",
            index=models.Index(fields=["room", "weekday"], name="groups_rule_room_day"),
        ),
        migrations.AddConstraint(
            model_name="meetingrule",
            constraint=models.CheckConstraint(
                condition=models.Q(("end_time__gt", models.F("start_time"))),
                name="groups_meetingrule_end_after_start",
                violation_error_message="The end time must be after the start time.",
            ),
        ),
        migrations.AddConstraint(
            model_name="meetingrule",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("kind", "dates"), ("weekday__isnull", True)),
                    models.Q(
                        models.Q(("kind", "dates"), _negated=True),
                        ("weekday__gte", 0),
                        ("weekday__lte", 6),
                    ),
                    _connector="OR",
                ),
                name="groups_meetingrule_weekday_by_kind",
                violation_error_message="A rule on listed dates has no weekday; every other rule needs one.",
            ),
        ),
        migrations.AddConstraint(
            model_name="meetingdate",
            constraint=models.UniqueConstraint(
                fields=("rule", "date"),
                name="groups_meetingdate_rule_date_unique",
                violation_error_message="This date is already listed.",
            ),
        ),
        migrations.RunPython(weekly_rules_from_weekday, migrations.RunPython.noop),
    ]
