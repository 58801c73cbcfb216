"""Issue 20: lay terms, English names and relatives' phrases in the thesaurus, then a
new search index for every group (the new synonyms and the new compound rules)."""

import importlib

from django.db import migrations

from groups import search
from kontaktstelle.web import public_cache

BATCH = 1000


def load_and_reindex(apps, schema_editor):
    importlib.import_module("groups.migrations.0002_thesaurus").load(apps, schema_editor)
    Topic = apps.get_model("groups", "Topic")
    Synonym = apps.get_model("groups", "Synonym")
    Group = apps.get_model("groups", "Group")
    GroupSearchTerm = apps.get_model("groups", "GroupSearchTerm")
    known_words = search.lexicon_of(
        [
            *Topic.objects.values_list("name", flat=True),
            *Synonym.objects.values_list("term", flat=True),
        ]
    )
    ids = list(Group.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        groups = Group.objects.filter(pk__in=batch).prefetch_related("topics__synonyms")
        GroupSearchTerm.objects.filter(group_id__in=batch).delete()
        GroupSearchTerm.objects.bulk_create(
            GroupSearchTerm(group_id=group.pk, term=term, weight=weight)
            for group in groups
            for term, weight in search.terms_for_group(group, known_words).items()
        )
    search.invalidate_lexicon()
    public_cache.invalidate()


class Migration(migrations.Migration):
    dependencies = [("groups", "0012_near_me_and_missed_searches")]

    operations = [migrations.RunPython(load_and_reindex, migrations.RunPython.noop)]
