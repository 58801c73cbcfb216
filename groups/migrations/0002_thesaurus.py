"""Load the shipped German topic thesaurus (groups/data/thesaurus.json)."""

import json
from pathlib import Path

from django.db import migrations

THESAURUS = Path(__file__).resolve().parent.parent / "data" / "thesaurus.json"


def load(apps, schema_editor):
    TopicCategory = apps.get_model("groups", "TopicCategory")
    Topic = apps.get_model("groups", "Topic")
    Synonym = apps.get_model("groups", "Synonym")
    data = json.loads(THESAURUS.read_text(encoding="utf-8"))
    for category_data in data["categories"]:
        category, _ = TopicCategory.objects.get_or_create(
            slug=category_data["slug"], defaults={"name": category_data["name"]}
        )
        for topic_data in category_data["topics"]:
            topic = Topic.objects.filter(name__iexact=topic_data["name"]).first()
            if topic is None:
                topic = Topic.objects.create(category=category, name=topic_data["name"])
            terms = {term.lower(): term for term in reversed(topic_data["synonyms"])}
            for known in topic.synonyms.values_list("term", flat=True):
                terms.pop(known.lower(), None)
            Synonym.objects.bulk_create(Synonym(topic=topic, term=term) for term in terms.values())


class Migration(migrations.Migration):
    dependencies = [("groups", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
