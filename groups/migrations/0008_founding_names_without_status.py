"""A group's name no longer carries "(in Gründung)": its status says so, as a badge."""

from django.db import migrations

SUFFIXES = (" (in Gründung)", " (being founded)")


def strip_status_from_names(apps, schema_editor):
    Group = apps.get_model("groups", "Group")
    for suffix in SUFFIXES:
        for group in Group.objects.filter(name__endswith=suffix).only("pk", "name"):
            group.name = group.name[: -len(suffix)].strip()
            group.save(update_fields=["name"])


class Migration(migrations.Migration):
    dependencies = [("groups", "0007_directory_filter_indexes")]

    operations = [migrations.RunPython(strip_status_from_names, migrations.RunPython.noop)]
