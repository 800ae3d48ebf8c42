"""Benchmark of the readers' and editors' pages (not a test): response time, SQL queries and size.

For each size (1k, 20k, 100k, 1M events by default), in a dedicated PostgreSQL database
(tension_bench_pages unless BENCH_PAGES_DATABASE_URL or --url says otherwise), the rows of bench/run.py's
populate() are made, then varied here (event types of every category, eight countries, one event in ten
a draft or in review, one title in a hundred about a Patriot battery, and one event with a reaction chain
around it), and each page is requested in-process through Django's test Client (DEBUG off):

  timeline          /                                   unfiltered
  filtered          /?country=LT&category=warning       a few per cent of the events
  search common     /?q=forces                          full-text search, a word in every title
  search rare       /?q=patriot                         full-text search, a word in 1% of the titles
  event             /events/<slug>/                     an event with reactions both ways
  export 1 MiB      /export.csv?date_from=…&date_to=…   time to the first MiB of the stream (COPY path)
  map               /map/                               unfiltered (issue 13)
  embed             /embed/                             unfiltered (issue 13)
  trends            /trends/                            the latest month's trends of every scope (issue 22)
  pair              /dyads/lithuania/russia/            a pair of adversaries (issue 22)
  admin list        /admin/events/event/                logged in as a superuser
  admin published   /admin/events/event/?status__exact=published

Two warm-up requests, then up to --repeat timed ones (fewer, at least --min-repeat, when a page is slow,
so that the 1M run stays within minutes), then one more under CaptureQueriesContext for the number of
queries (not timed: the debug cursor slows it). Median and p95 (nearest rank) are in milliseconds.
Results go to bench/results/pages-<timestamp>.json (gitignored) and a markdown table is printed.

    .venv/bin/python bench/pages.py                       # 1k, 20k, 100k, 1M (about 8 minutes on 2 cores)
    .venv/bin/python bench/pages.py --sizes 1000,20000    # quicker
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import RESULTS, bulk_load, ensure_database, populate, setup_django  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/tension_bench_pages?pool=0"
EXPORT_BYTES = 2**20
EXPORT_QUERY = "date_from=2000-01-01&date_to=2004-12-31"
# The event the detail page shows: CHAIN_EVENT responds to CHAIN_EVENT - 1 (made by populate), and here
# DIRECT events respond to it, and a chain of CHAIN events hangs from the first of them.
CHAIN_OFFSET, DIRECT, CHAIN = 500, 8, 6
COUNTRIES = (
    ("LT", "Lithuania"),
    ("LV", "Latvia"),
    ("EE", "Estonia"),
    ("PL", "Poland"),
    ("FI", "Finland"),
    ("DE", "Germany"),
    ("BY", "Belarus"),
    ("RU", "Russia"),
)


# --- the data: populate() and what the pages need besides ------------------------------------


def vary() -> dict:
    """Spread populate()'s rows (all one type, one country, published, one title) over the taxonomy,
    eight countries and the workflow, in one UPDATE; add a reaction chain; return what the pages ask for."""
    from django.contrib.auth.models import User
    from django.db import connection
    from django.db.models import Count

    from events.models import Country, Event, EventType

    type_ids = list(EventType.objects.order_by("slug").values_list("pk", flat=True))
    country_ids = [
        Country.objects.get_or_create(iso2=iso2, defaults={"name": name, "slug": name.lower()})[0].pk
        for iso2, name in COUNTRIES
    ]
    types = ", ".join(map(str, type_ids))
    countries = ", ".join(map(str, country_ids))
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM events_event")
        first, last = cursor.fetchone()
        centre = first + min(CHAIN_OFFSET, (last - first) // 2)
        centre += -centre % 5  # populate() made it a reaction to centre - 1 (it does so when id % 5 = 0)
        reacting = list(range(centre + 1, centre + 1 + DIRECT + CHAIN))
    # One pass over the table (each UPDATE rewrites every row it touches and all its index entries),
    # as a bulk load: the per-day totals' row trigger would upsert twice per row (minutes at 1M rows).
    with bulk_load(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE events_event SET "
            f"event_type_id = (ARRAY[{types}])[1 + (id * 7) % {len(type_ids)}], "
            # id / 7, not id / 3: populate() gives a day's events ids 9,000 apart, and 9,000 / 3 being a
            # multiple of 8 put each day's events in one country, so no Lithuanian warning was made.
            f"location_country_id = (ARRAY[{countries}])[1 + (id / 7) % {len(country_ids)}], "
            # No parameters (the expressions use %): the bounds are integers.
            f"status = CASE WHEN id BETWEEN {int(centre) - 1} AND {int(reacting[-1])} THEN 'published' "
            "WHEN id % 20 = 1 THEN 'draft' WHEN id % 20 = 2 THEN 'in_review' ELSE 'published' END, "
            "title = CASE WHEN id % 100 = 7 THEN 'Patriot battery ' || id || ' deployed near Vilnius' "
            "ELSE title END"
        )
    with connection.cursor() as cursor:
        direct, chain = reacting[:DIRECT], reacting[DIRECT:]
        pairs = [(event, centre) for event in direct]
        pairs += [(event, parent) for parent, event in zip([direct[0], *chain], chain, strict=False)]
        cursor.execute("DELETE FROM events_reaction WHERE event_id = ANY(%s)", [reacting])
        for event, parent in pairs:
            cursor.execute(
                "INSERT INTO events_reaction "
                "(created_at, updated_at, event_id, responds_to_id, kind, note, basis_judgement) "
                "SELECT now(), now(), %s, %s, 'response', '', 'Generated for the benchmark.' WHERE EXISTS "
                "(SELECT 1 FROM events_event e, events_event p WHERE e.id = %s AND p.id = %s AND p.date <= e.date)",
                [event, parent, event, parent],
            )
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("SELECT slug FROM events_event WHERE id = %s", [centre])
        slug = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM events_reaction WHERE event_id = %s OR responds_to_id = %s", [centre, centre]
        )
        links = cursor.fetchone()[0]
    if not User.objects.filter(username="bench-admin").exists():
        User.objects.create_superuser("bench-admin", "bench@example.org", None)
    status = dict(Event.objects.order_by().values_list("status").annotate(n=Count("id")))
    return {"slug": slug, "reaction_links": links, "statuses": status}


# Pages also timed as a cached repeat (an anonymous reader's second request, events/caching.py); every
# other measurement empties the cache before each request, so it times the page's real work.
CACHED = ("timeline", "one year")


def pages(slug: str) -> list[tuple[str, str, bool]]:
    """(label, url, as superuser)"""
    return [
        ("timeline", "/", False),
        ("one year", "/?date_from=2010-01-01&date_to=2010-12-31", False),
        ("filtered", "/?country=LT&category=warning", False),
        ("search common", "/?q=forces", False),
        ("search rare", "/?q=patriot", False),
        ("event", f"/events/{slug}/", False),
        ("export 1 MiB", f"/export.csv?{EXPORT_QUERY}", False),
        ("map", "/map/", False),
        ("embed", "/embed/", False),
        ("trends", "/trends/", False),
        ("pair", "/dyads/lithuania/russia/", False),
        ("admin list", "/admin/events/event/", True),
        ("admin published", "/admin/events/event/?status__exact=published", True),
    ]


# --- one page ---------------------------------------------------------------------------------


def fetch(client, url: str) -> tuple[int, float, float]:
    """One request, read as a browser would: (body bytes, seconds, seconds spent closing it). For a
    stream (the export) the clock stops at its first MiB; closing it then (as when a client goes away)
    ends the COPY early, and what that costs is the third value."""
    started = time.perf_counter()
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url}: HTTP {response.status_code}")
    if not response.streaming:
        return len(response.content), time.perf_counter() - started, 0.0
    size = 0
    try:
        for piece in response.streaming_content:
            size += len(piece)
            if size >= EXPORT_BYTES:
                break
        seconds = time.perf_counter() - started
    finally:
        closing = time.perf_counter()
        response.close()
    return size, seconds, time.perf_counter() - closing


def nearest_rank(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def measure(
    client, url: str, *, repeat: int, min_repeat: int, budget: float, slow: float, cached: bool = False
) -> dict:
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    closes = []

    def timed() -> tuple[float, int]:
        if not cached:
            cache.clear()
        size, seconds, closing = fetch(client, url)
        closes.append(closing)
        return seconds, size

    warm = [timed()[0]]
    if warm[0] > slow:
        # A page slower than `slow` seconds is requested once more only, timed and counted together (the
        # debug cursor's cost is lost in the noise there): enough to see it, and the run stays short.
        with CaptureQueriesContext(connection) as queries:
            seconds, size = timed()
        times, count = [seconds], 1
    else:
        warm.append(timed()[0])
        # A slow page gets fewer timed requests (never fewer than min_repeat): the budget is per page.
        count = max(min_repeat, min(repeat, int(budget / max(min(warm), 1e-6))))
        times, size = [], 0
        for _ in range(count):
            seconds, size = timed()
            times.append(seconds)
        if not cached:
            cache.clear()
        with CaptureQueriesContext(connection) as queries:
            fetch(client, url)
    return {
        "url": url,
        "requests": count,
        "warm_up_ms": [round(t * 1000, 2) for t in warm],
        "median_ms": statistics.median(times) * 1000,
        "p95_ms": nearest_rank(times, 0.95) * 1000,
        "queries": len(queries),
        "bytes": size,
        "times_ms": [round(t * 1000, 2) for t in times],
        "close_median_ms": statistics.median(closes) * 1000,
    }


# --- the driver -------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,20000,100000,1000000")
    parser.add_argument("--url", default=os.environ.get("BENCH_PAGES_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--repeat", type=int, default=15, help="timed requests per page (after 2 warm-ups)")
    parser.add_argument("--min-repeat", type=int, default=5, help="timed requests per page, however slow")
    parser.add_argument("--budget", type=float, default=6.0, help="seconds of timed requests per page, about")
    parser.add_argument("--slow", type=float, default=3.0, help="a first request slower than this: time one more only")
    parser.add_argument("--only", default="", help="comma-separated page labels to time (default: all)")
    args = parser.parse_args()
    if "tension_bench_pages" not in args.url.rsplit("/", 1)[-1]:
        sys.exit("The benchmark truncates the events tables: use a database named tension_bench_pages*.")
    # The test Client's host, and its session cookie over plain HTTP, with DEBUG off.
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("SECURE_COOKIES", "0")
    ensure_database(args.url)
    setup_django(args.url)
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    assert not settings.DEBUG, "measure with DEBUG off"
    call_command("migrate", verbosity=0)
    results, made = [], {}
    for size in (int(s) for s in args.sizes.split(",")):
        started = time.perf_counter()
        populate(size)
        populated = time.perf_counter() - started
        data = vary()
        made[size] = {"populate_s": populated, "vary_s": time.perf_counter() - started - populated} | data
        print(
            f"{size:>9,} events made in {populated:.0f}s, varied in {made[size]['vary_s']:.0f}s "
            f"({data['reaction_links']} reaction links on {data['slug']})",
            file=sys.stderr,
        )
        reader, editor = Client(), Client()
        editor.force_login(User.objects.get(username="bench-admin"))
        only = {label.strip() for label in args.only.split(",") if label.strip()}
        listed = [page for page in pages(data["slug"]) if not only or page[0] in only]
        measured = [(label, url, staff, False) for label, url, staff in listed]
        measured += [(f"{label} cached", url, staff, True) for label, url, staff in listed if label in CACHED]
        for label, url, staff, cached in measured:
            result = measure(
                editor if staff else reader,
                url,
                repeat=args.repeat,
                min_repeat=args.min_repeat,
                budget=args.budget,
                slow=args.slow,
                cached=cached,
            )
            result.update(events=size, page=label)
            results.append(result)
            closing = f"  (closing: {result['close_median_ms']:.0f} ms)" if result["close_median_ms"] else ""
            print(
                f"{size:>9,} {label:<16} median {result['median_ms']:8.1f} ms  p95 {result['p95_ms']:8.1f} ms  "
                f"{result['queries']:3} queries  {result['bytes']:>9,} bytes  (n={result['requests']}){closing}",
                file=sys.stderr,
            )
        connection.close()
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    (RESULTS / f"pages-{stamp}.json").write_text(
        json.dumps({"url": args.url.split("@")[-1], "made": made, "results": results}, indent=1, default=str)
    )
    print("| events | page | median ms | p95 ms | n | queries | kB |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['events']:,} | {r['page']} | {r['median_ms']:,.1f} | {r['p95_ms']:,.1f} | {r['requests']} "
            f"| {r['queries']} | {r['bytes'] / 1000:,.1f} |"
        )


if __name__ == "__main__":
    main()
