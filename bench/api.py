"""Benchmark of the JSON API and the GeoJSON/TimelineJS exports beside the CSV export (not a test).

For each size, in the same PostgreSQL database and run as bench/run.py (tension_bench unless
BENCH_DATABASE_URL says otherwise; the data is made by run.py's populate()):

  first page     GET /api/events/?page_size=100, repeated: pages per second (the median request)
  filtered page  GET /api/events/?country=LT&date_from=2010-01-01&sort=-escalation, repeated
  deep page      the page 90 % of the way through the record, by its cursor, repeated
  304            the first page again with its ETag: what a polling client pays
  walk           every event through `next` links at page_size=1000: seconds, events per second, and the
                 median and 95th percentile of a page's time
  feed page      GET /api/changes/?limit=1000, the first page of the change feed, repeated
  feed walk      the whole change feed through `next` links at limit=1000: seconds and changes per second
  geojson        /export.geojson of the whole record, streamed to the end
  timelinejs     /export.timeline.json of the whole record, streamed to the end
  copy, raw      the CSV export's COPY path and PostgreSQL's own COPY of the table (run.py's children)

Requests go through Django's test client in one process (no network, no server): the figures are
the application's own cost. Throttling is switched off for the run. The change feed reads the revision
history, which populate()'s bulk SQL does not write: each generated event gets the history row its
publication would have left (`record_history`), a second apart, and the triggers keep the feed's index
from them as from any write.

    .venv/bin/python bench/api.py --sizes 100000,1000000
    .venv/bin/python bench/api.py --sizes 1000000 --reuse --skip feed_walk,geojson   # the walk's pages at 1M
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run  # noqa: E402  (bench/run.py: the database, the data and the export measurements)

REPEAT = 20


def timed(client, url: str, **headers) -> tuple[float, object]:
    started = time.perf_counter()
    response = client.get(url, **headers)
    if response.streaming:
        size = sum(len(piece) for piece in response.streaming_content)
    else:
        size = len(response.content)
    seconds = time.perf_counter() - started
    assert response.status_code in (200, 304), (url, response.status_code)
    response.size = size
    return seconds, response


def median_rate(client, url: str, **headers) -> dict:
    times = [timed(client, url, **headers)[0] for _ in range(REPEAT)]
    middle = statistics.median(times)
    return {"median_ms": middle * 1000, "per_second": 1 / middle}


# What --skip may leave out: the slow parts at a million events.
SKIPPABLE = ("feed_walk", "geojson", "timelinejs")


def measure(size: int, skip: frozenset[str] = frozenset()) -> dict:
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    result: dict = {}
    result["first_page"] = median_rate(client, "/api/events/?page_size=100")
    result["filtered_page"] = median_rate(client, "/api/events/?page_size=100&country=LT&date_from=2010-01-01")
    # The walk: every event, through the cursor links.
    started, url, events, pages, deep = time.perf_counter(), "/api/events/?page_size=1000", 0, 0, None
    page_times = []
    while url:
        seconds, response = timed(client, url)
        page_times.append(seconds)
        body = response.json()
        events += len(body["results"])
        pages += 1
        url = body["next"]
        if deep is None and url and events >= 0.9 * size:
            deep = url
    walk = time.perf_counter() - started
    result["walk"] = {
        "seconds": walk,
        "events": events,
        "pages": pages,
        "events_per_second": events / walk,
        "page_ms_median": statistics.median(page_times) * 1000,
        "page_ms_p95": statistics.quantiles(page_times, n=20)[-1] * 1000 if len(page_times) > 1 else 0,
    }
    result["feed_page"] = median_rate(client, "/api/changes/?limit=1000")
    started, url, changes, pages = time.perf_counter(), "/api/changes/?limit=1000", 0, 0
    if "feed_walk" in skip:
        url = None
    while url:
        _, response = timed(client, url)
        body = response.json()
        changes += len(body["changes"])
        pages += 1
        url = body["next"] if body["more"] else None
    feed = time.perf_counter() - started
    if "feed_walk" not in skip:
        result["feed_walk"] = {"seconds": feed, "changes": changes, "pages": pages}
        result["feed_walk"]["changes_per_second"] = changes / feed
    if deep:
        result["deep_page"] = median_rate(client, deep.replace("page_size=1000", "page_size=100"))
    _, first = timed(client, "/api/events/?page_size=100")
    result["not_modified"] = median_rate(client, "/api/events/?page_size=100", HTTP_IF_NONE_MATCH=first["ETag"])
    for name, url in (("geojson", "/export.geojson"), ("timelinejs", "/export.timeline.json")):
        if name in skip:
            continue
        seconds, response = timed(client, url)
        result[name] = {"seconds": seconds, "bytes": response.size, "events_per_second": events / seconds}
    return result


def record_history() -> None:
    """One history row per event, as its publication through the admin leaves ("+", a second apart, after
    the vocabulary was last edited: actors, types and countries come before the events that name them).
    The feed's index (LatestChange) starts empty and is kept from these writes by its triggers, as from
    any write."""
    from django.db import connection

    from events.models import Actor, Country, Event, EventType, LatestChange

    history = Event.history.model
    shared = [f.column for f in history._meta.concrete_fields if f.column in {c.column for c in Event._meta.fields}]
    columns = ", ".join(map(connection.ops.quote_name, shared))
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {history._meta.db_table}, {LatestChange._meta.db_table}")
        for model in (Actor, Country, EventType):
            cursor.execute(f"UPDATE {model._meta.db_table} SET updated_at = TIMESTAMPTZ '2024-12-31'")
        cursor.execute(
            f"INSERT INTO {history._meta.db_table} ({columns}, history_date, history_type) "
            f"SELECT {columns}, TIMESTAMPTZ '2025-01-01' + id * INTERVAL '1 second', '+' FROM {Event._meta.db_table}"
        )
        cursor.execute(f"ANALYZE {history._meta.db_table}, {LatestChange._meta.db_table}")


def run_api_child(url: str, size: int, skip: str) -> dict:
    args = [sys.executable, __file__, "--child", "--url", url, "--size", str(size), "--skip", skip]
    env = {**os.environ, "API_THROTTLE_RATE": "", "ALLOWED_HOSTS": "localhost"}
    output = subprocess.run(args, check=True, capture_output=True, text=True, env=env).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--url", default=os.environ.get("BENCH_DATABASE_URL", run.DEFAULT_URL))
    parser.add_argument("--reuse", action="store_true", help="keep the database's events if it holds that many")
    parser.add_argument("--skip", default="", help=f"comma-separated parts to leave out: {', '.join(SKIPPABLE)}")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if unknown := set(filter(None, args.skip.split(","))) - set(SKIPPABLE):
        sys.exit(f"--skip: unknown part(s) {', '.join(sorted(unknown))}; choose among {', '.join(SKIPPABLE)}")
    if args.child:
        run.setup_django(args.url, static=False)
        from timeline.gunicorn_conf import post_worker_init

        post_worker_init(worker=None)  # what a production worker does once the app is up
        print(json.dumps(measure(args.size, frozenset(filter(None, args.skip.split(","))))))
        return
    if "tension_bench" not in args.url:
        sys.exit("The benchmark truncates the events tables: use a database named tension_bench*.")
    run.ensure_database(args.url)
    run.setup_django(args.url, static=False)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)  # a reused database may predate the code's migrations
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        started = time.perf_counter()
        if not (args.reuse and run.held_events() == size):
            run.populate(size)
            print(f"{size:>9,} events made in {time.perf_counter() - started:.0f}s", file=sys.stderr)
        started = time.perf_counter()
        record_history()
        print(f"{size:>9,} events' history written in {time.perf_counter() - started:.1f}s", file=sys.stderr)
        exports = {path: run.run_child(args.url, path, trace=False) for path in ("copy", "raw")}
        api = run_api_child(args.url, size, args.skip)
        results.append({"events": size, "api": api, "exports": exports})
        print(f"{size:>9,} done", file=sys.stderr)
    run.RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    (run.RESULTS / f"api-{stamp}.json").write_text(json.dumps({"url": args.url.split("@")[-1], "results": results}))
    print_table(results)


def print_table(results: list[dict]) -> None:
    print(
        "| events | API first page (pages/s) | filtered page | page at 90 % | 304 | full walk (s, events/s) "
        "| walk page ms (median, p95) "
        "| feed page (pages/s) | feed walk (s, changes/s) | GeoJSON (s) | TimelineJS (s) | CSV COPY (s, rows/s) "
        "| PostgreSQL COPY (s, rows/s) | COPY ÷ raw | walk ÷ CSV COPY (events/s) |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        api, copy, raw = r["api"], r["exports"]["copy"], r["exports"]["raw"]
        n = r["events"]
        deep = f"{api['deep_page']['per_second']:.0f}" if "deep_page" in api else "–"
        feed = api.get("feed_walk")
        feed_walk = f"{feed['seconds']:.1f} s, {feed['changes_per_second']:,.0f}/s" if feed else "–"
        geojson, timelinejs = (
            f"{api[name]['seconds']:.1f}" if name in api else "–" for name in ("geojson", "timelinejs")
        )
        print(
            f"| {n:,} | {api['first_page']['per_second']:.0f} | {api['filtered_page']['per_second']:.0f} | {deep} "
            f"| {api['not_modified']['per_second']:.0f} "
            f"| {api['walk']['seconds']:.1f} s, {api['walk']['events_per_second']:,.0f}/s "
            f"| {api['walk']['page_ms_median']:.0f}, {api['walk']['page_ms_p95']:.0f} "
            f"| {api['feed_page']['per_second']:.1f} "
            f"| {feed_walk} | {geojson} | {timelinejs} "
            f"| {copy['seconds']:.1f} s, {n / copy['seconds']:,.0f}/s "
            f"| {raw['seconds']:.1f} s, {n / raw['seconds']:,.0f}/s "
            f"| {(n / copy['seconds']) / (n / raw['seconds']):.2f} "
            f"| {api['walk']['events_per_second'] / (n / copy['seconds']):.2f} |"
        )


if __name__ == "__main__":
    main()
