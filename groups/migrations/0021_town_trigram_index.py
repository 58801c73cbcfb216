# The directory's town filter (``place``) matches inside the town and district names
# (``icontains``, in SQL ``UPPER(city) LIKE UPPER('%…%')``), which a B-tree index cannot
# serve: with a search word, each group found for the word was probed for its town.
# On PostgreSQL a trigram index of the public groups' towns and districts serves it
# (pg_trgm, a trusted extension that ships with PostgreSQL: the database's owner may
# create it). Where the extension cannot be created the filter works as before, only
# without the index; SQLite has neither and needs none at its scale.

from django.db import migrations

INDEX = "groups_group_public_town_trgm"


def create(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        if not cursor.fetchone():
            cursor.execute("SAVEPOINT town_trigram")
            try:
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            except Exception as error:  # noqa: BLE001  (no privilege: go on without)
                cursor.execute("ROLLBACK TO SAVEPOINT town_trigram")
                print(f"\n  pg_trgm not available ({error}); the town filter goes unindexed.")
                return
            cursor.execute("RELEASE SAVEPOINT town_trigram")
        cursor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON groups_group USING gin "
            "(UPPER(city::text) gin_trgm_ops, UPPER(district::text) gin_trgm_ops) "
            "WHERE NOT (listing = 'unlisted') AND NOT (status = 'closed')"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):

    dependencies = [
        ("groups", "0020_public_format_index"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
