"""The benchmark's own PostgreSQL databases, one per scale.

``BENCH_DATABASE_URL`` (default ``postgres://postgres@127.0.0.1:5432/kontaktstelle_bench``)
names the server and the stem of the names: the scale is appended
(``kontaktstelle_bench_small``, ``kontaktstelle_bench_large``). The app's own
``DATABASE_URL`` is never used, and a database without "bench" in its name is never
dropped.
"""

import os
from urllib.parse import urlsplit, urlunsplit

import dj_database_url
import psycopg
from psycopg import sql

from tests.bench import BenchError

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/kontaktstelle_bench"


def url_for(scale):
    """The database URL of a scale."""
    parts = urlsplit(os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL)
    return urlunsplit(parts._replace(path=f"{parts.path.rstrip('/')}_{scale}"))


def _name(url):
    return dj_database_url.parse(url)["NAME"]


def _server(url):
    """A connection to the server's maintenance database, outside any transaction."""
    config = dj_database_url.parse(url)
    try:
        return psycopg.connect(
            dbname="postgres",
            user=config["USER"] or None,
            password=config["PASSWORD"] or None,
            host=config["HOST"] or None,
            port=config["PORT"] or None,
            autocommit=True,
        )
    except psycopg.OperationalError as error:
        raise BenchError(
            f"PostgreSQL cannot be reached at {config['HOST']}:{config['PORT']} ({error}). "
            "Start it, or point BENCH_DATABASE_URL at a server."
        ) from error


def exists(url):
    with _server(url) as connection:
        found = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [_name(url)]
        ).fetchone()
    return found is not None


def create(url):
    with _server(url) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(_name(url))))


def drop(url):
    """Drop a benchmark database (ending its connections, e.g. of a stray gunicorn)."""
    name = _name(url)
    if "bench" not in name:
        raise BenchError(f"Refusing to drop {name!r}: not a benchmark database.")
    with _server(url) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def server_version(url):
    with _server(url) as connection:
        return connection.execute("SHOW server_version").fetchone()[0]
