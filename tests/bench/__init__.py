"""Performance at national scale: benchmark data, page timings and an HTTP load run.

Run through ``make bench`` / ``make bench-http`` (``python -m tests.bench``); the
README's "Performance benchmark" part says what is measured and how to read it.

- ``generate``: offices, groups (with the search index), starters, accompaniments,
  meeting logs and consultations at a scale, written in bulk (``loading``);
- ``measure``: the key pages through Django's full request cycle, as their personas;
- ``http``: gunicorn under load from wrk, beside a minimal view;
- ``workload``: the load run's realistic requests, drawn by Zipf from thousands;
- ``report``: the table, the targets and ``var/bench/results.json``.

The benchmark runs on databases of its own (``database``), with the settings in
``tests.bench.settings`` and the URLconf ``tests.bench.urls``, which
adds the baseline view; the product itself has no extra address.
"""


class BenchError(Exception):
    """The benchmark cannot go on; the message says why and what to do."""
