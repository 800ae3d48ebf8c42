"""Benchmark of the CSV export (not a test): rows per second and peak memory at 10k, 100k and 1M events.

For each size, in a dedicated PostgreSQL database (tension_bench unless BENCH_DATABASE_URL says otherwise):
  python  the Python streaming path (exports.csv.python_csv), consumed fully
  copy    the COPY fast path (exports.csv.copy_csv), the one /export.csv takes on PostgreSQL
  raw     PostgreSQL's own `COPY events_event TO STDOUT (FORMAT csv)` of the same rows: the floor

Each measurement runs in a fresh process, so ru_maxrss (the process's peak resident memory) is its own;
the COPY paths run --repeat times (3) and keep the median time and the largest memory growth;
the Python path is also run once more under tracemalloc (peak of Python allocations), which slows it,
so its time comes from the first run. Results go to bench/results/<timestamp>.json (gitignored) and a
markdown table is printed.

With --sqlite, the same rows go into a SQLite file (bench/results/tension_bench.sqlite3 unless --url
names another) and the Python path, the only one SQLite has, is measured the same way.

    .venv/bin/python bench/run.py                      # 10k, 100k, 1M (about 10 minutes on 2 cores)
    .venv/bin/python bench/run.py --sizes 10000,100000  # quicker
    .venv/bin/python bench/run.py --sqlite              # the SQLite path
    .venv/bin/python bench/run.py --sizes 1000000 --paths copy,raw --reuse  # the COPY ratio on loaded data
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import resource
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/tension_bench?pool=0"
PATHS = ("python", "copy", "raw")
RESULTS = ROOT / "bench" / "results"
SQLITE_URL = f"sqlite:///{RESULTS / 'tension_bench.sqlite3'}"


def setup_django(url: str, *, static: bool = True) -> None:
    """Django on the benchmark's database; `static=False` skips collectstatic (minutes on a busy machine),
    for measurements that render no page (the exports, the API)."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "timeline.settings")
    os.environ.setdefault("DEBUG", "0")
    # DEBUG off needs a key as strong as production's (the settings refuse a weak one).
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    # Pages name their static files through collectstatic's manifest when DEBUG is off.
    if static:
        call_command("collectstatic", "--noinput", verbosity=0)


def ensure_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    name = url.rsplit("/", 1)[1].split("?")[0]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


# --- the data --------------------------------------------------------------------------------

# What differs between the two databases in the generated rows: the series of numbers g, a date g days
# on, a line break.
DIALECTS = {
    "postgresql": {
        "series": "generate_series(1, {size}) g",
        "days_on": "DATE '2000-01-01' + ({days})",
        "line_break": "chr(10)",
    },
    "sqlite": {
        "series": "(WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < {size}) "
        "SELECT g FROM s) s",
        "days_on": "date('2000-01-01', ({days}) || ' days')",
        "line_break": "char(10)",
    },
}
LOADED_TABLES = ("events_event", "events_eventactor", "events_source", "events_reaction")


@contextmanager
def bulk_load() -> Iterator[None]:
    """Writes to many events at once, with the per-row triggers out of the way and the per-day totals
    rebuilt from the events after, as docs/operators.md says to do for bulk loads: the totals' row trigger would
    upsert once per row (minutes at 1M rows). PostgreSQL disables that trigger and sets the export's
    joined lists aside (export_lists.suspended: rebuilt once after); SQLite cannot disable a
    trigger, so the loaded tables' triggers (totals, data version) are dropped and made again from their
    own definitions."""
    from django.db import connection

    from events import summary
    from events.db import export_lists, totals

    sqlite_triggers = []
    on_postgresql = connection.vendor == "postgresql"
    lists_set_aside = export_lists.suspended() if on_postgresql else nullcontext()
    totals_set_aside = totals.suspended() if on_postgresql else nullcontext()
    with connection.cursor() as cursor:
        if not on_postgresql:
            placeholders = ", ".join(["%s"] * len(LOADED_TABLES))
            cursor.execute(
                f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ({placeholders})",
                LOADED_TABLES,
            )
            sqlite_triggers = cursor.fetchall()
            for name, _ in sqlite_triggers:
                cursor.execute(f"DROP TRIGGER {name}")
    try:
        with lists_set_aside, totals_set_aside:
            yield
    finally:
        with connection.cursor() as cursor:
            for _, definition in sqlite_triggers:
                cursor.execute(definition)
    summary.rebuild()


def populate(size: int) -> None:
    """`size` published events, each with an initiator, a target, one or two sources, and every fifth a
    reaction; made with generate_series from one template row, so new columns need no change here."""
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    dialect = DIALECTS[connection.vendor]
    with bulk_load():
        _generate(size, dialect)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def _generate(size: int, dialect: dict[str, str]) -> None:
    from django.db import connection

    from events.models import Actor, Country, Event, EventActor, EventType, Reaction, Source

    with connection.cursor() as cursor:
        for model in (Reaction, EventActor, Source, Event):
            table = model._meta.db_table
            cursor.execute(f"DELETE FROM {table}" if connection.vendor == "sqlite" else f"TRUNCATE {table} CASCADE")
    lt, _ = Country.objects.get_or_create(iso2="LT", defaults={"name": "Lithuania", "slug": "lithuania"})
    actors = [
        Actor.objects.get_or_create(slug=slug, defaults={"name": name})[0]
        for slug, name in (("nato", "NATO"), ("russia", "Russia"), ("lithuania", "Lithuania"))
    ]
    template = Event.objects.create(
        title="template",
        slug="bench-template",
        date=datetime.date(2020, 1, 1),
        summary="template",
        event_type=EventType.objects.get(slug="official-warning"),
        location_country=lt,
        location_name="Vilnius",
        status=Event.Status.PUBLISHED,
    )
    varied = {
        "slug": "'bench-' || g",
        "title": "'Warning ' || g || ' against more foreign forces, \"stationed\" near the border'",
        "date": dialect["days_on"].format(days="g % 9000"),
        "summary": "'Russia warned, on day ' || g || ', against the stationing of additional foreign forces; "
        "the ministry said it would respond.' || CASE WHEN g % 10 = 0 "
        f"THEN {dialect['line_break']} || 'A second paragraph.' ELSE '' END",
        "escalation": "((g % 201) - 100) / 10.0",
        "latitude": "CASE WHEN g % 4 = 0 THEN NULL ELSE 54.68700 + (g % 100) / 1000.0 END",
        "longitude": "CASE WHEN g % 4 = 0 THEN NULL ELSE 25.27900 END",
    }
    columns = [f.column for f in Event._meta.concrete_fields if f.column != "id"]
    select = ", ".join(varied.get(column, f"t.{connection.ops.quote_name(column)}") for column in columns)

    def actor_of(number: str) -> str:
        cases = " ".join(f"WHEN {n} THEN {actor.pk}" for n, actor in enumerate(actors))
        return f"CASE ({number}) % {len(actors)} {cases} END"

    series = dialect["series"].format(size=int(size))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO events_event ({', '.join(map(connection.ops.quote_name, columns))}) "
            # No parameters (the expressions use %): both values are integers.
            f"SELECT {select} FROM events_event t, {series} WHERE t.id = {int(template.pk)}"
        )
        cursor.execute("DELETE FROM events_event WHERE id = %s", [template.pk])
        cursor.execute(
            f"INSERT INTO events_eventactor (event_id, actor_id, role) "
            f"SELECT id, {actor_of('id')}, 'initiator' FROM events_event "
            f"UNION ALL SELECT id, {actor_of('id + 1')}, 'target' FROM events_event"
        )
        source_columns = "created_at, updated_at, url, publisher, title, kind, excerpt, event_id"
        cursor.execute(
            f"INSERT INTO events_source ({source_columns}) "
            "SELECT CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 'https://news.example/' || slug, 'News', '', 'news', '', id "
            "FROM events_event UNION ALL "
            "SELECT CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 'https://other.example/' || id, 'Other', '', 'news', '', id "
            "FROM events_event WHERE id % 2 = 0"
        )
        cursor.execute(
            "INSERT INTO events_reaction "
            "(created_at, updated_at, event_id, responds_to_id, kind, note, basis_judgement) "
            "SELECT CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, e.id, p.id, 'response', '', 'Generated for the benchmark.' "
            "FROM events_event e "
            "JOIN events_event p ON p.id = e.id - 1 WHERE e.id % 5 = 0 AND p.date <= e.date"
        )


def held_events() -> int:
    from events.models import Event

    return Event.objects.count()


# --- one measurement (in its own process) ----------------------------------------------------


def measure(path: str, *, trace: bool) -> dict:
    from django.db import connection

    from events.filters import sort_order
    from events.models import event_path_parts
    from events.selectors import event_filter
    from exports import csv as export

    # A serving process has its URLconf loaded; this fresh one would import it (0.2 s) at the export's
    # first reverse() of the event URL, inside the timing: reverse it once before.
    event_path_parts()
    events = event_filter(params={}).qs
    if path == "python":
        pieces = export.python_csv(events, base_url="https://tension.example/")
    elif path == "copy":
        pieces = export.copy_csv(events, ordering=sort_order(None), base_url="https://tension.example/")
    else:
        pieces = raw_copy(connection)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    size = lines = 0
    for piece in pieces:
        size += len(piece)
        lines += piece.count(b"\n")
    seconds = time.perf_counter() - started
    result = {"path": path, "seconds": seconds, "bytes": size, "lines": lines}
    if trace:
        result["tracemalloc_peak"] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    # ru_maxrss is in KiB on Linux: the growth of the process's peak while the export ran.
    result["rss_growth"] = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) * 1024
    return result


def raw_copy(connection):
    with connection.cursor() as cursor:
        with cursor.copy("COPY events_event TO STDOUT WITH (FORMAT csv)") as copy:
            yield from (bytes(row) for row in copy)


# --- the driver ------------------------------------------------------------------------------


def run_child(url: str, path: str, *, trace: bool) -> dict:
    args = [sys.executable, __file__, "--child", path, "--url", url] + (["--trace"] if trace else [])
    output = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def mib(value: float) -> str:
    return f"{value / 2**20:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--repeat", type=int, default=3, help="runs of each COPY path (the median is kept)")
    parser.add_argument("--sqlite", action="store_true", help=f"the Python path on SQLite ({SQLITE_URL})")
    parser.add_argument("--paths", default=",".join(PATHS), help="which paths to measure (python,copy,raw)")
    parser.add_argument("--reuse", action="store_true", help="keep the database's events if it holds that many")
    parser.add_argument("--child", choices=PATHS, help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        setup_django(args.url, static=False)
        print(json.dumps(measure(args.child, trace=args.trace)))
        return
    url, paths = (SQLITE_URL, ("python",)) if args.sqlite else (args.url, tuple(args.paths.split(",")))
    if not set(paths) <= set(PATHS):
        sys.exit(f"--paths: choose among {', '.join(PATHS)}")
    if "tension_bench" not in url:
        sys.exit("The benchmark truncates the events tables: use a database named tension_bench*.")
    RESULTS.mkdir(parents=True, exist_ok=True)
    if not args.sqlite:
        ensure_database(url)
    setup_django(url, static=False)
    database = "sqlite" if args.sqlite else "postgresql"
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        started = time.perf_counter()
        if not (args.reuse and held_events() == size):
            populate(size)
            print(f"{size:>9,} events made in {time.perf_counter() - started:.0f}s", file=sys.stderr)
        for path in paths:
            # The two COPY paths take about a second: the median of `repeat` runs (each in its own
            # process) steadies their ratio; the Python path, minutes at 1M events, runs once.
            runs = sorted(
                (run_child(url, path, trace=False) for _ in range(1 if path == "python" else args.repeat)),
                key=lambda run: run["seconds"],
            )
            result = runs[len(runs) // 2] | {"rss_growth": max(run["rss_growth"] for run in runs)}
            if path == "python":
                result["tracemalloc_peak"] = run_child(url, path, trace=True)["tracemalloc_peak"]
            result.update(events=size, database=database, rows_per_second=size / result["seconds"])
            results.append(result)
            print(f"{size:>9,} {path:<6} {result['seconds']:.2f}s", file=sys.stderr)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    (RESULTS / f"export-{stamp}.json").write_text(json.dumps({"url": url.split("@")[-1], "results": results}))
    raw = {r["events"]: r["rows_per_second"] for r in results if r["path"] == "raw"}
    print(
        "| events | database | path | seconds | rows/s | ÷ raw COPY | MiB out | peak Python alloc (MiB) "
        "| RSS growth (MiB) |"
    )
    print("|---:|---|---|---:|---:|---:|---:|---:|---:|")
    for r in results:
        peak = mib(r["tracemalloc_peak"]) if "tracemalloc_peak" in r else "–"
        ratio = f"{r['rows_per_second'] / raw[r['events']]:.2f}" if r["events"] in raw else "–"
        print(
            f"| {r['events']:,} | {r['database']} | {r['path']} | {r['seconds']:.2f} | {r['rows_per_second']:,.0f} "
            f"| {ratio} | {mib(r['bytes'])} | {peak} | {mib(r['rss_growth'])} |"
        )


if __name__ == "__main__":
    main()
