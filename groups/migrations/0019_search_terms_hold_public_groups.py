"""Search terms hold only public groups, and a copy of what the ranking sorts by besides
the weight (the group's audience and lower-case name) and of its format, for their
covering index (0020), ordered as a one-term search ranks: a search reads that index
alone (``groups.search.Ranking``)."""

from django.db import migrations, models
from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import Lower


def copy_from_groups(apps, schema_editor):
    Group = apps.get_model("groups", "Group")
    GroupSearchTerm = apps.get_model("groups", "GroupSearchTerm")
    public = Group.objects.exclude(listing="unlisted").exclude(status="closed")
    GroupSearchTerm.objects.exclude(group__in=public.values("pk")).delete()
    group = Group.objects.filter(pk=OuterRef("group_id"))
    GroupSearchTerm.objects.update(
        audience=Subquery(group.values("audience")[:1]),
        format=Subquery(group.values("format")[:1]),
        sort_name=Subquery(group.values(lower=Lower("name"))[:1]),
    )
    # SQLite's LOWER() folds ASCII letters only: the rest as groups.search writes them.
    for pk, name in public.exclude(Q(name__regex=r"^[ -~]*$")).values_list("pk", "name"):
        GroupSearchTerm.objects.filter(group_id=pk).update(sort_name=name.lower())


class Migration(migrations.Migration):
    dependencies = [
        ("groups", "0018_public_updated_index"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="groupsearchterm",
            name="groups_searchterm_term",
        ),
        migrations.AddField(
            model_name="groupsearchterm",
            name="audience",
            field=models.CharField(
                choices=[
                    ("affected", "affected people"),
                    ("relatives", "relatives"),
                    ("both", "affected people and relatives"),
                ],
                default="affected",
                max_length=20,
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="groupsearchterm",
            name="format",
            field=models.CharField(
                choices=[("in_person", "in person"), ("online", "online"), ("hybrid", "hybrid")],
                default="in_person",
                max_length=20,
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="groupsearchterm",
            name="sort_name",
            field=models.CharField(default="", max_length=200),
            preserve_default=False,
        ),
        # The new index comes in 0020: PostgreSQL refuses to index a table with the
        # deferred checks of the rows this changed still pending in its transaction.
        migrations.RunPython(copy_from_groups, migrations.RunPython.noop, elidable=True),
    ]
