"""Writing millions of generated rows quickly, with a progress bar.

The generator chooses primary keys itself, so that the rows of one table can point to
those of another without reading them back, and hands over plain rows. On PostgreSQL
they are streamed with COPY, the fastest way in; elsewhere (the tests on SQLite) they
go through ``executemany`` after Django's own conversion of each value. Sequences are
set past the written ids at the end, so the app creates rows as usual afterwards.
"""

import itertools
import sys
import time

from django.core.management.color import no_style
from django.db import connection, models
from django.utils import timezone

BATCH = 5_000  # rows per executemany call (the SQLite path)


class Progress:
    """A one-line progress bar per step on stderr: label, rows, bar, share, seconds.

    Redrawn at most five times a second; when stderr is not a terminal (CI logs), only
    the finished line of each step is written.
    """

    WIDTH = 30

    def __init__(self, stream=None, enabled=True):
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.interactive = enabled and self.stream.isatty()

    def step(self, label, total):
        return _Step(self, label, total)


class _Step:
    def __init__(self, progress, label, total):
        self.progress, self.label, self.total = progress, label, max(total, 1)
        self.done, self.started, self.drawn = 0, time.perf_counter(), 0.0

    def advance(self, count):
        self.done += count
        now = time.perf_counter()
        if self.progress.interactive and now - self.drawn > 0.2:
            self.drawn = now
            self._draw(end="\r")

    def finish(self):
        if self.progress.enabled:
            self._draw(end="\n")

    def _draw(self, end):
        share = min(self.done / self.total, 1.0)
        bar = "#" * round(share * Progress.WIDTH)
        elapsed = time.perf_counter() - self.started
        self.progress.stream.write(
            f"  {self.label:<34} {self.done:>10,} [{bar:.<{Progress.WIDTH}}] {share:4.0%}"
            f" {elapsed:6.1f}s{end}"
        )
        self.progress.stream.flush()


class Writer:
    """Bulk-writes rows of a model, handing out the primary keys itself."""

    def __init__(self, progress):
        self.progress = progress
        self.next_id = {}
        self.written = {}  # model -> rows written

    def ids(self, model, count):
        """``count`` fresh primary keys of ``model``, past every id in its table."""
        if model not in self.next_id:
            last = model._base_manager.aggregate(last=models.Max("pk"))["last"] or 0
            self.next_id[model] = last + 1
        start = self.next_id[model]
        self.next_id[model] += count
        return range(start, start + count)

    def id_stream(self, model):
        """Fresh ids of ``model`` one at a time, for rows counted only as they are made."""
        # The first id is read now: while COPY streams, the connection takes no query.
        start = self.ids(model, 0).start

        def stream():
            for pk in itertools.count(start):
                self.next_id[model] = pk + 1
                yield pk

        return stream()

    def write(self, model, rows, total, label=None):
        """Write ``rows``, dicts by field name (a relation's value is the related id).

        A missing field gets the model's default ("" for text, the declared default
        otherwise; now for ``auto_now`` dates), a missing id a fresh one.
        """
        fields = list(model._meta.local_concrete_fields)
        now = timezone.now()
        defaults = [
            now
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
            # A default that is a callable (timezone.now, list) is made once for all rows.
            else field.get_default()
            for field in fields
        ]
        ids = self.id_stream(model)
        names = [field.name for field in fields]
        pk_name = model._meta.pk.name

        def values():
            for row in rows:
                if pk_name not in row:
                    row[pk_name] = next(ids)
                yield [
                    row.get(name, default) for name, default in zip(names, defaults, strict=True)
                ]

        return self._write(model, fields, values(), total, label)

    def write_pairs(self, model, fields, rows, total, label=None):
        """Write tuples of the ``fields`` given, with fresh ids: for big link tables."""
        fields = [model._meta.pk.name, *fields]
        ids = self.id_stream(model)
        rows = ((next(ids), *row) for row in rows)
        return self._write(model, [model._meta.get_field(f) for f in fields], rows, total, label)

    def _write(self, model, fields, rows, total, label):
        step = self.progress.step(label or model._meta.db_table, total)
        columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
        table = connection.ops.quote_name(model._meta.db_table)
        if connection.vendor == "postgresql":
            written = self._copy(table, columns, fields, rows, step)
        else:
            written = self._insert(table, columns, fields, rows, step)
        self.written[model] = self.written.get(model, 0) + written
        step.finish()
        return written

    @staticmethod
    def _copy(table, columns, fields, rows, step):
        # psycopg converts dates, times, decimals and booleans itself; JSON needs
        # Django's adapter (psycopg would take a Python list for an array).
        json_columns = [i for i, field in enumerate(fields) if isinstance(field, models.JSONField)]
        written = 0
        with connection.cursor() as cursor:
            sql = f"COPY {table} ({columns}) FROM STDIN"  # names from the models
            with cursor.cursor.copy(sql) as copy:
                for row in rows:
                    for i in json_columns:
                        row[i] = fields[i].get_db_prep_save(row[i], connection)
                    copy.write_row(row)
                    written += 1
                    if not written % 1000:
                        step.advance(1000)
        step.advance(written % 1000)
        return written

    @staticmethod
    def _insert(table, columns, fields, rows, step):
        placeholders = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"
        written = 0
        with connection.cursor() as cursor:
            while batch := list(itertools.islice(rows, BATCH)):
                cursor.executemany(
                    sql,
                    [
                        [
                            f.get_db_prep_save(v, connection)
                            for f, v in zip(fields, row, strict=True)
                        ]
                        for row in batch
                    ],
                )
                written += len(batch)
                step.advance(len(batch))
        return written

    def reset_sequences(self):
        """Let the database hand out ids after the ones written here."""
        statements = connection.ops.sequence_reset_sql(no_style(), list(self.written))
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
