"""The programme's qualifications and the languages starters commonly speak."""

from django.db import migrations

QUALIFICATIONS = [
    ("founding", "Gründungsbegleitung"),
    ("impulse", "Impulsbegleitung bestehender Gruppen"),
    ("migration", "Gruppen von Menschen mit Migrationserfahrung"),
    ("caregiving", "Gruppen pflegender Angehöriger"),
    ("young", "Junge Selbsthilfe"),
    ("online", "Online-Gruppen"),
]

LANGUAGES = [
    ("de", "Deutsch"),
    ("en", "Englisch"),
    ("ar", "Arabisch"),
    ("bg", "Bulgarisch"),
    ("fa-af", "Dari"),
    ("gsg", "Deutsche Gebärdensprache"),
    ("fr", "Französisch"),
    ("el", "Griechisch"),
    ("it", "Italienisch"),
    ("hr", "Kroatisch"),
    ("ku", "Kurdisch"),
    ("de-ls", "Leichte Sprache"),
    ("ps", "Paschtu"),
    ("fa", "Persisch (Farsi)"),
    ("pl", "Polnisch"),
    ("pt", "Portugiesisch"),
    ("ro", "Rumänisch"),
    ("ru", "Russisch"),
    ("sr", "Serbisch"),
    ("es", "Spanisch"),
    ("ti", "Tigrinya"),
    ("tr", "Türkisch"),
    ("uk", "Ukrainisch"),
    ("vi", "Vietnamesisch"),
]


def load(apps, schema_editor):
    Qualification = apps.get_model("starters", "Qualification")
    Language = apps.get_model("starters", "Language")
    for code, name in QUALIFICATIONS:
        Qualification.objects.update_or_create(code=code, defaults={"name": name})
    for code, name in LANGUAGES:
        Language.objects.update_or_create(code=code, defaults={"name": name})


def unload(apps, schema_editor):
    apps.get_model("starters", "Qualification").objects.filter(office__isnull=True).delete()
    apps.get_model("starters", "Language").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("starters", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
