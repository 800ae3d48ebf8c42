"""Load benchmark of the production command (not a test): requests/s, p50 and p99 per URL, and errors.

`make serve` (check --deploy, migrate, collectstatic, gunicorn with gthread workers) on PostgreSQL, in
a dedicated database (tension_bench_load unless BENCH_LOAD_DATABASE_URL says otherwise) holding the
demo record plus 100,000 generated events (bench/run.py's populate). Then 20 clients, each on its own
keep-alive connection, cycle through a fixed mix for 30 s:

    /healthz              the reference: the cheapest request through the same stack (one SELECT 1)
    /                     the timeline
    /?…                   a filtered timeline (an actor and a period)
    /events/<slug>/       an event page (the demo record's seed event)
    /feed/                the Atom feed
    /export.csv?…         a small export (one month)
    /admin/events/event/  the admin change list, signed in

and the same again while 4 more clients each stream full exports (every event) back to back. Every
answer other than 200, and every broken connection, is an error; there must be none. Results go to
bench/results/load-<timestamp>.json (gitignored) and a markdown table is printed.

With --sqlite-export it checks the embedded default instead: `make serve` on a SQLite file holding
100,000 generated events, and one full /export.csv read to the end (rows counted, time, MiB/s).

    make bench-load                        # about 5 minutes on 2 cores, most of it making the data
    .venv/bin/python bench/load.py --duration 10 --clients 10
    .venv/bin/python bench/load.py --sqlite-export
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import RESULTS, ROOT, ensure_database, populate, setup_django  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/tension_bench_load"
EVENTS = 100_000
BIND = ("127.0.0.1", int(os.environ.get("BENCH_LOAD_PORT", "8190")))
REFERENCE = "health"


def prepare(url: str) -> tuple[dict[str, str], str]:
    """The record (demo + EVENTS generated) and a signed-in admin session; returns the mix and the cookie."""
    setup_django(url)
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    from events.models import Event

    call_command("migrate", verbosity=0)
    if Event.objects.filter(slug__startswith="bench-").count() != EVENTS:
        populate(EVENTS)
    call_command("load_demo", verbosity=0)
    admin, _ = User.objects.get_or_create(username="bench-admin", defaults={"is_staff": True, "is_superuser": True})
    session = SessionStore()
    session[SESSION_KEY] = str(admin.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = admin.get_session_auth_hash()
    session.create()
    seed = Event.objects.public().filter(slug__contains="patriot").order_by("date").first()
    mix = {
        REFERENCE: "/healthz",
        "timeline": "/",
        "filtered": "/?actor=russia&date_from=2021-01-01&date_to=2023-12-31",
        "event page": f"/events/{seed.slug}/",
        "feed": "/feed/",
        "small export": "/export.csv?date_from=2024-03-01&date_to=2024-03-31",
        "admin change list": "/admin/events/event/",
    }
    return mix, f"sessionid={session.session_key}"


def serve(url: str, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "0",
        "SECURE_COOKIES": "0",  # plain HTTP on 127.0.0.1
        "SECRET_KEY": os.environ["SECRET_KEY"],
        "ALLOWED_HOSTS": BIND[0],
        "GUNICORN_BIND": f"{BIND[0]}:{BIND[1]}",
        "GUNICORN_ACCESS_LOG": "",
    }
    process = subprocess.Popen(
        ["make", "--no-print-directory", "serve"],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # make, gunicorn and its workers stop together
    )
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"make serve exited:\n{log.read_text()}")
        try:
            with socket.create_connection(BIND, timeout=1):
                return process
        except OSError:
            time.sleep(1)
    stop(process)
    sys.exit("make serve did not start within 10 minutes")


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=60)


class Client(threading.Thread):
    """One keep-alive connection cycling through `paths` until `stop_at`; records (name, seconds, ok)."""

    def __init__(self, paths: list[tuple[str, str]], cookie: str, stop_at: float, offset: int) -> None:
        super().__init__(daemon=True)
        self.paths, self.cookie, self.stop_at, self.offset = paths, cookie, stop_at, offset
        self.samples: list[tuple[str, float, bool]] = []
        self.bytes = 0

    def run(self) -> None:
        connection = http.client.HTTPConnection(*BIND, timeout=300)
        turn = self.offset
        while time.monotonic() < self.stop_at:
            name, path = self.paths[turn % len(self.paths)]
            turn += 1
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers={"Cookie": self.cookie})
                response = connection.getresponse()
                self.bytes += len(response.read())
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                connection.close()
                connection = http.client.HTTPConnection(*BIND, timeout=300)
            self.samples.append((name, time.perf_counter() - started, ok))
        connection.close()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def phase(mix: dict[str, str], cookie: str, *, clients: int, duration: float, exports: int) -> dict:
    paths = list(mix.items())
    stop_at = time.monotonic() + duration
    readers = [Client(paths, cookie, stop_at, offset=n) for n in range(clients)]
    streams = [Client([("full export", "/export.csv")], cookie, stop_at, offset=0) for _ in range(exports)]
    for client in readers + streams:
        client.start()
    for client in readers + streams:
        client.join()
    by_name: dict[str, list[tuple[float, bool]]] = {}
    for client in readers + streams:
        for name, seconds, ok in client.samples:
            by_name.setdefault(name, []).append((seconds, ok))
    urls = {}
    for name, samples in by_name.items():
        times = [seconds for seconds, _ in samples]
        urls[name] = {
            "requests": len(samples),
            "per_second": round(len(samples) / duration, 1),
            "p50_ms": round(1000 * statistics.median(times), 1),
            "p99_ms": round(1000 * percentile(times, 0.99), 1),
            "errors": sum(1 for _, ok in samples if not ok),
        }
    reference = urls[REFERENCE]["p50_ms"]
    for figures in urls.values():
        figures["p50_vs_healthz"] = round(figures["p50_ms"] / reference, 1)
    total = sum(len(client.samples) for client in readers)
    result = {
        "clients": clients,
        "exports": exports,
        "seconds": duration,
        "requests_per_second": round(total / duration, 1),
        "errors": sum(figures["errors"] for figures in urls.values()),
        "urls": urls,
    }
    if exports:
        result["export_mib_per_second"] = round(sum(s.bytes for s in streams) / duration / 2**20, 1)
    return result


def table(result: dict) -> str:
    lines = [
        "| URL | req/s | p50 ms | p99 ms | p50 ÷ healthz | errors |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, f in result["urls"].items():
        lines.append(
            f"| {name} | {f['per_second']} | {f['p50_ms']} | {f['p99_ms']} | {f['p50_vs_healthz']} | {f['errors']} |"
        )
    return "\n".join(lines)


def fill_sqlite() -> None:
    """EVENTS published events, each with an initiator and a source, made with the ORM (no SQL dialect)."""
    from django.core.management import call_command
    from django.utils import timezone

    from events.models import Actor, Event, EventActor, EventType, Source

    call_command("migrate", verbosity=0)
    if Event.objects.count() == EVENTS:
        return
    kind = EventType.objects.get(slug="official-warning")
    nato, _ = Actor.objects.get_or_create(slug="nato", defaults={"name": "NATO"})
    now = timezone.now()
    for start in range(0, EVENTS, 5000):
        events = Event.objects.bulk_create(
            Event(
                slug=f"bench-{n}",
                title=f"Warning {n} against more foreign forces, stationed near the border",
                summary=f"Russia warned, on day {n}, against the stationing of additional foreign forces.",
                date=datetime.date(2000, 1, 1) + datetime.timedelta(days=n % 9000),
                event_type=kind,
                escalation=kind.default_escalation,
                status=Event.Status.PUBLISHED,
                published_at=now,
            )
            for n in range(start, start + 5000)
        )
        EventActor.objects.bulk_create(EventActor(event=e, actor=nato, role=EventActor.Role.INITIATOR) for e in events)
        Source.objects.bulk_create(
            Source(event=e, url=f"https://news.example/{e.slug}", publisher="News", kind="news") for e in events
        )


def sqlite_export() -> None:
    path = RESULTS / "load.sqlite3"
    url = f"sqlite:///{path}"
    setup_django(url)
    fill_sqlite()
    server = serve(url, RESULTS / "load-sqlite-serve.log")
    try:
        started = time.perf_counter()
        connection = http.client.HTTPConnection(*BIND, timeout=600)
        connection.request("GET", "/export.csv")
        response = connection.getresponse()
        body = response.read()
        seconds = time.perf_counter() - started
    finally:
        stop(server)
    rows = body.count(b"\r\n") - 1
    print(
        f"SQLite, {EVENTS} events: /export.csv {response.status}, {rows} rows, {len(body) / 2**20:.1f} MiB "
        f"in {seconds:.1f} s ({len(body) / 2**20 / seconds:.1f} MiB/s)"
    )
    if response.status != 200 or rows != EVENTS:
        sys.exit("the export did not complete")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default=os.environ.get("BENCH_LOAD_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--exports", type=int, default=4, help="full exports streaming in the second phase")
    parser.add_argument("--sqlite-export", action="store_true", help="a full export on SQLite instead")
    args = parser.parse_args()
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
    if args.sqlite_export:
        RESULTS.mkdir(parents=True, exist_ok=True)
        return sqlite_export()
    if "tension_bench" not in args.url.rsplit("/", 1)[-1]:
        sys.exit("The benchmark truncates the events tables: use a database whose name contains tension_bench.")
    ensure_database(args.url)
    mix, cookie = prepare(args.url)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    server = serve(args.url, RESULTS / f"load-{stamp}-serve.log")
    try:
        phase(mix, cookie, clients=4, duration=5, exports=0)  # warm-up: workers, pools, caches
        plain = phase(mix, cookie, clients=args.clients, duration=args.duration, exports=0)
        streaming = phase(mix, cookie, clients=args.clients, duration=args.duration, exports=args.exports)
    finally:
        stop(server)
    report = {
        "when": stamp,
        "events": EVENTS,
        "gunicorn": {key: os.environ.get(key, "default") for key in ("GUNICORN_WORKERS", "GUNICORN_THREADS")},
        "pages": plain,
        "with_exports": streaming,
    }
    (RESULTS / f"load-{stamp}.json").write_text(json.dumps(report, indent=2))
    print(
        f"## {args.clients} clients, {args.duration:.0f} s: {plain['requests_per_second']} req/s, "
        f"{plain['errors']} errors\n\n{table(plain)}\n"
    )
    print(
        f"## the same while {args.exports} full exports stream ({streaming.get('export_mib_per_second')} MiB/s "
        f"of CSV): {streaming['requests_per_second']} req/s, {streaming['errors']} errors\n\n{table(streaming)}"
    )
    if plain["errors"] or streaming["errors"]:
        sys.exit("errors: see the tables")


if __name__ == "__main__":
    main()
