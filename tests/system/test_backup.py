"""Backups as the README describes them: the demo data saved and restored, nothing lost.

PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore`` into a new database. SQLite:
the online backup (``sqlite3 db.sqlite3 ".backup copy.sqlite3"`` uses the same API as
Python's ``Connection.backup``). Every table of the copy has the same rows as the original.
"""

import hashlib
import sqlite3
import subprocess
from importlib import import_module

import psycopg
import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from groups.models import Topic
from tests.processes import database_url

pytestmark = pytest.mark.django_db(transaction=True)


def fingerprints(cursor, tables, quote):
    """Each table's row count and a hash of its rows, independent of their order."""
    result = {}
    for table in tables:
        if connection.vendor == "postgresql":  # the row's text: the same whatever the driver
            cursor.execute(f"SELECT row_::text FROM {quote(table)} AS row_")
        else:
            cursor.execute(f"SELECT * FROM {quote(table)}")
        rows = sorted(repr(row) for row in cursor.fetchall())
        result[table] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return result


def original():
    tables = connection.introspection.table_names()
    with connection.cursor() as cursor:
        return tables, fingerprints(cursor, tables, connection.ops.quote_name)


@pytest.fixture
def demo(settings):
    # An earlier transactional test may have flushed the thesaurus its migration loads.
    if not Topic.objects.exists():
        import_module("groups.migrations.0002_thesaurus").load(apps, None)
    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)


def sqlite_backup(tables, tmp_path):
    copy = tmp_path / "backup.sqlite3"
    connection.ensure_connection()
    with sqlite3.connect(copy) as target:
        connection.connection.backup(target)
    # Read as Django reads it: declared types (dates, decimals) converted alike.
    with sqlite3.connect(
        copy, detect_types=sqlite3.PARSE_DECLTYPES | sqlite3.PARSE_COLNAMES
    ) as restored:
        return fingerprints(restored.cursor(), tables, connection.ops.quote_name)


def pg_dump_and_restore(tables, tmp_path):
    source = database_url()
    dump = tmp_path / "kontaktstelle.dump"
    subprocess.run(
        ["pg_dump", "--format=custom", f"--file={dump}", f"--dbname={source}"],  # noqa: S607
        check=True,
    )
    name = f"{connection.settings_dict['NAME']}_restored"
    with psycopg.connect(source, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    restored_url = source.rsplit("/", 1)[0] + f"/{name}"
    try:
        subprocess.run(
            ["pg_restore", "--no-owner", f"--dbname={restored_url}", str(dump)],  # noqa: S607
            check=True,
        )
        with psycopg.connect(restored_url) as restored:
            return fingerprints(restored.cursor(), tables, connection.ops.quote_name)
    finally:
        with psycopg.connect(source, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')


def test_the_backup_of_the_demo_data_restores_every_row(demo, tmp_path):
    tables, before = original()
    assert before["groups_group"][0] > 100 and before["groups_consultation"][0] > 2000
    assert before["starters_meetinglog"][0] > 50
    if connection.vendor == "postgresql":
        after = pg_dump_and_restore(tables, tmp_path)
    else:
        after = sqlite_backup(tables, tmp_path)
    assert after == before
