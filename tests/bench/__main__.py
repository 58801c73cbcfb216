"""``python -m tests.bench``: what ``make bench`` and ``make bench-http`` run.

    python -m tests.bench                    # both scales: data when needed, timings
    python -m tests.bench --scales small     # one scale only
    python -m tests.bench --regenerate       # make the data anew first
    python -m tests.bench generate --scales large
    python -m tests.bench http               # the load run on the large database
    python -m tests.bench report             # print the last results again

Each scale is measured in a process of its own (the ``scale`` command), because
Django's settings, and so the database, are fixed once per process.
"""

import argparse
import os
import subprocess  # runs this module again, never a shell  # nosec B404
import sys
import time

from tests.bench import BenchError, database, report

COMMANDS = ["run", "generate", "scale", "http", "report"]


def setup_django(scale):
    """Point this process at the scale's database with the benchmark's settings."""
    import django

    os.environ["DATABASE_URL"] = database.url_for(scale)
    os.environ["BENCH_SCALE"] = scale
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.bench.settings"
    django.setup()


def prepare(name, regenerate=False):
    """The scale's database, created, migrated and filled when it is not complete yet.

    Returns the summary of the generation (read back from its file when reused).
    """
    url = database.url_for(name)
    if regenerate:
        database.drop(url)
    if not database.exists(url):
        database.create(url)
    setup_django(name)
    from django.core.management import call_command
    from django.db import connection

    from tests.bench import generate
    from tests.bench.loading import Progress

    scale = generate.SCALES[name]
    call_command("migrate", verbosity=0, interactive=False)
    # Debug off serves the static files' hashed names from the manifest, as in production.
    call_command("collectstatic", verbosity=0, interactive=False)
    summary_path = report.RESULTS_DIR / f"generation-{name}.json"
    if generate.has_expected_counts(scale):
        print(f"{name}: reusing {connection.settings_dict['NAME']} (counts as expected)")
        summary = report.load(summary_path) if summary_path.exists() else {}
        return {**summary, "reused": True}
    if not generate.is_empty():
        print(f"{name}: {connection.settings_dict['NAME']} is incomplete: making it anew")
        connection.close()
        database.drop(url)
        database.create(url)
        call_command("migrate", verbosity=0, interactive=False)
    print(f"{name}: generating into {connection.settings_dict['NAME']}", flush=True)
    summary = generate.generate(scale, Progress())
    started = time.perf_counter()
    with connection.cursor() as cursor:
        # As autovacuum would have done on a live database: statistics for the planner
        # and a visibility map for index-only scans.
        cursor.execute("VACUUM ANALYZE")
    summary["vacuum_analyze_seconds"] = round(time.perf_counter() - started, 1)
    print(
        f"{name}: generated in {summary['seconds']} s "
        f"(+ {summary['vacuum_analyze_seconds']} s VACUUM ANALYZE)"
    )
    report.save({**summary, "reused": False}, summary_path)
    return summary


def measure_scale(name, args):
    """Prepare one scale and time its pages (in this process); writes scale-<name>.json."""
    generation = prepare(name, args.regenerate)
    from groups.search import invalidate_lexicon
    from kontaktstelle.web import public_cache
    from tests.bench import measure

    # A shared cache may still hold pages of data generated before.
    invalidate_lexicon()
    public_cache.invalidate()

    subjects = measure.find_subjects()
    print(f"{name}: measuring as the personas of {subjects.office}", flush=True)
    rows = measure.measure(
        measure.pages(subjects),
        measure.clients(subjects),
        requests=args.requests,
        warmups=args.warmups,
    )
    for row in rows:
        row["scale"] = name
    report.save(
        {"scale": name, "generation": generation, "context": measure.context(), "rows": rows},
        report.RESULTS_DIR / f"scale-{name}.json",
    )
    write_plans(name, rows)


def write_plans(name, rows):
    """The slowest queries of each page with their plans, for reading."""
    parts = []
    for row in rows:
        for plan in row.get("plans", []):
            parts.append(
                f"== {row['page']} ({name}) — {plan['ms']} ms\n{plan['sql']}\n\n{plan['plan']}\n"
            )
    if parts:
        (report.RESULTS_DIR / f"explain-{name}.txt").write_text("\n".join(parts))


def run(args):
    """Every scale in its own process, then the one table and results.json."""
    scales = {}
    for name in args.scales:
        command = [sys.executable, "-m", "tests.bench", "scale", "--scales", name]
        command += [f"--requests={args.requests}", f"--warmups={args.warmups}"]
        command += ["--regenerate"] if args.regenerate else []
        subprocess.run(command, check=True)  # nosec B603
        scales[name] = report.load(report.RESULTS_DIR / f"scale-{name}.json")
    rows = report.evaluate([row for scale in scales.values() for row in scale["rows"]])
    previous = report.load()
    versions = {scale["context"]["database_version"] for scale in scales.values()}
    results = {
        "machine": {**report.machine(), "postgresql": ", ".join(sorted(versions))},
        "scales": {
            name: {"generation": scale["generation"], "context": scale["context"]}
            for name, scale in scales.items()
        },
        "targets": {
            "pages_ms": report.TARGETS,
            "max_growth": report.MAX_GROWTH,
            "min_http_ratio": report.MIN_HTTP_RATIO,
            "realistic_run": report.REALISTIC,
        },
        "rows": rows,
    }
    if "http" in previous:
        results["http"] = previous["http"]  # the last load run stays until the next one
    path = report.save(results)
    print()
    print(report.table(rows))
    print(f"\nWritten to {path}; slowest queries with their plans in explain-<scale>.txt")


def generate(args):
    """Only the data; several scales one after the other, each in its own process."""
    if len(args.scales) == 1:
        prepare(args.scales[0], args.regenerate)
        return
    for name in args.scales:
        command = [sys.executable, "-m", "tests.bench", "generate", "--scales", name]
        command += ["--regenerate"] if args.regenerate else []
        subprocess.run(command, check=True)  # nosec B603


def http(args):
    # On the large database; ``--scales small`` tries the run out on the small one.
    scale = args.scales[-1]
    prepare(scale, args.regenerate)
    from tests.bench import http as load_run

    print(f"{scale}: load run, {args.connections} connections", flush=True)
    results = load_run.run(
        connections=args.connections,
        seconds=args.seconds,
        workers=args.workers,
        requests=args.zipf_requests,
    )
    version = database.server_version(database.url_for(scale))
    results["machine"] = {**report.machine(), "postgresql": version}
    report.save(results, report.RESULTS_DIR / "http.json")
    previous = report.load()
    path = report.save({**previous, "http": results})
    print()
    print(report.http_table(results))
    print(f"\nWritten to {path}")


def show(_args):
    results = report.load()
    if not results:
        sys.exit("No results yet: run `make bench`.")
    if results.get("rows"):
        print(report.table(results["rows"]))
    if results.get("http"):
        print()
        print(report.http_table(results["http"]))


def parse(argv):
    parser = argparse.ArgumentParser(prog="python -m tests.bench", description=__doc__)
    parser.add_argument("command", nargs="?", default="run", choices=COMMANDS)
    parser.add_argument("--scales", nargs="+", default=["small", "large"])
    parser.add_argument("--regenerate", action="store_true", help="make the data anew")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page")
    parser.add_argument("--warmups", type=int, default=3, help="untimed requests first")
    parser.add_argument("--seconds", type=int, default=60, help="length of each load run")
    parser.add_argument("--connections", type=int, default=32, help="of the load run")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn (2 x cores + 1)")
    parser.add_argument(
        "--zipf-requests",
        type=int,
        default=10_000,
        help="of the load run's Zipf mix (near-me: half, HSDS API: a quarter)",
    )
    return parser.parse_args(argv)


def main(argv=None):
    args = parse(argv)
    try:
        dispatch(args)
    except BenchError as error:
        sys.exit(f"bench: {error}")
    except subprocess.CalledProcessError as error:
        sys.exit(f"bench: {' '.join(error.cmd[1:])} failed (exit code {error.returncode}).")


def dispatch(args):
    if args.command == "run":
        run(args)
    elif args.command == "scale":
        (name,) = args.scales
        measure_scale(name, args)
    elif args.command == "generate":
        generate(args)
    elif args.command == "http":
        http(args)
    else:
        show(args)


if __name__ == "__main__":
    main()
