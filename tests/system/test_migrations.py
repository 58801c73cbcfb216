"""An existing database upgrades without loss (issue 18).

The demo data is loaded, the schema is taken back to where it was before this wave's
migrations (the resilience tables, the notification settings, the names of groups being
founded), and then upgraded again: every table of the old schema keeps all its rows.
"""

import importlib

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection

BEFORE = [("kontaktstelle", "0006_consent_records"), ("groups", "0007_directory_filter_indexes")]


def row_counts():
    tables = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        counts = {}
        for model in apps.get_models(include_auto_created=True):
            table = model._meta.db_table
            if table in tables:
                cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
                counts[table] = cursor.fetchone()[0]
    return counts


@pytest.mark.django_db(transaction=True)
def test_the_demo_database_survives_a_downgrade_and_upgrade(settings, capsys):
    settings.DEBUG = True  # seed_demo refuses to run on a production database
    # A transactional test starts from empty tables: the thesaurus that `migrate` loads
    # into every real database is loaded again first, as the upgrade expects it.
    importlib.import_module("groups.migrations.0002_thesaurus").load(apps, None)
    call_command("seed_demo")
    before = row_counts()
    assert before["groups_group"] > 100 and before["starters_meetinglog"] > 50
    for app, migration in BEFORE:
        call_command("migrate", app, migration, verbosity=0)
    old_schema = set(connection.introspection.table_names())
    assert "kontaktstelle_outgoingemail" not in old_schema  # really the old schema
    call_command("migrate", verbosity=0)
    after = row_counts()
    kept = {table: count for table, count in before.items() if table in old_schema}
    assert {table: after[table] for table in kept} == kept
    assert "kontaktstelle_outgoingemail" in set(connection.introspection.table_names())


@pytest.mark.django_db(transaction=True)
def test_the_search_terms_upgrade_to_what_a_reindex_writes(settings):
    """groups.0023 fills in step-free access and the topic areas' terms in SQL: the same
    rows as the app's own reindex of every group."""
    from groups.models import Group, GroupSearchTerm
    from groups.search import reindex_groups

    settings.DEBUG = True
    importlib.import_module("groups.migrations.0002_thesaurus").load(apps, None)
    call_command("seed_demo")
    reindex_groups(Group.objects.values_list("pk", flat=True))
    fields = ("group", "term", "weight", "audience", "format", "sort_name", "step_free")
    indexed = set(GroupSearchTerm.objects.values_list(*fields))
    assert {row[-1] for row in indexed} == {True, False}
    assert any(row[1].startswith("bereich:") for row in indexed)
    call_command("migrate", "groups", "0022_public_access_index", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM groups_groupsearchterm WHERE term LIKE 'bereich:%%'")
        assert cursor.fetchone()[0] == 0
    call_command("migrate", verbosity=0)
    assert set(GroupSearchTerm.objects.values_list(*fields)) == indexed
