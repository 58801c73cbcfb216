"""Issue 21: a group's meeting times live only in its rules. A weekday and start time
typed on the group form after the rules came in (0014) become a weekly rule, for a
group that has no rule yet; then the two fields go."""

from django.db import migrations

# The same conversion as 0014's (a weekly rule of two hours from today).
from groups.migrations import _weekday_rules


def weekly_rules_from_weekday(apps, schema_editor):
    _weekday_rules.convert(apps, without_rules_only=True)


class Migration(migrations.Migration):
    dependencies = [
        ("groups", "0015_founding_exchange"),
    ]

    operations = [
        migrations.RunPython(weekly_rules_from_weekday, migrations.RunPython.noop),
        migrations.RemoveField(model_name="group", name="weekday"),
        migrations.RemoveField(model_name="group", name="start_time"),
    ]
