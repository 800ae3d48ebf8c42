"""Load benchmark of the production command (not a test): requests/s, p50 and p99 per URL, as ratios to /healthz.

`make serve` (check --deploy, migrate, collectstatic, gunicorn with gthread workers) on PostgreSQL, in
a dedicated database (tension_bench_load unless BENCH_LOAD_DATABASE_URL says otherwise) holding the
demo record plus 100,000 generated events (bench/run.py's populate), the readers' cache in Redis
(CACHE_URL, as in production). Each URL in turn is warmed by one request, then loaded by wrk (a C load
generator, apt `wrk`: the client is never the bottleneck) for --duration seconds at each of
--connections (20 and 100), 2 threads, keep-alive, gzip accepted as a browser does, wrk's 2 s timeout:

    /healthz              the reference, in the same run: the cheapest request through the same stack
    static CSS            whitenoise, before any middleware touches the database
    /                     the timeline
    /?country=LT&…        a filtered timeline
    /feed/                the Atom feed
    /events/<slug>/       an event page (the demo record's seed event)
    /api/events/          the API's first page
    /map/, /embed/        the map and the embed other sites frame
    /admin/events/event/  the admin change list, signed in (a session cookie)

An answer is counted by status (bench/wrk_report.lua); an error is a socket error, a timeout or any status
but 200, except that at more connections than the server has threads a 503 is the overload answer it
is allowed. Results go to bench/results/load-<timestamp>.json (gitignored) and a markdown table is printed
with each URL's requests/s as a ratio to /healthz's at the same connections.

With --sqlite-export it checks the embedded default instead: `make serve` on a SQLite file holding
100,000 generated events, and one full /export.csv read to the end (rows counted, time, MiB/s).

    make bench-load                        # about 10 minutes on 2 cores, a few of them making the data
    .venv/bin/python bench/load.py --duration 10 --connections 20
    .venv/bin/python bench/load.py --duration 10 --paths /,/embed/      # these two beside /healthz
    .venv/bin/python bench/load.py --sqlite-export
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import RESULTS, ROOT, ensure_database, populate, setup_django  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/tension_bench_load"
EVENTS = 100_000
BIND = ("127.0.0.1", int(os.environ.get("BENCH_LOAD_PORT", "8190")))
# The readers' cache as production has it (docs/operators.md: set CACHE_URL): one Redis for every worker,
# so a page one worker rendered is every worker's. Emptied before the run, so "warmed" means this run's.
CACHE_URL = os.environ.get("BENCH_LOAD_CACHE_URL", "redis://127.0.0.1:6379/15")
REFERENCE = "/healthz"
ADMIN = "admin change list"
REPORT = Path(__file__).resolve().parent / "wrk_report.lua"
OVERLOADED = 503


def prepare(url: str) -> tuple[dict[str, str], str]:
    """The record (demo + EVENTS generated) and a signed-in admin session; returns the URLs and the cookie."""
    setup_django(url)
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.templatetags.static import static

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
    urls = {
        "`/healthz` (reference)": REFERENCE,
        "static CSS (whitenoise)": static("css/site.css"),
        "`/` (the timeline)": "/",
        "`/?country=LT&category=warning`": "/?country=LT&category=warning",
        "`/feed/`": "/feed/",
        "event page": f"/events/{seed.slug}/",
        "`/api/events/`": "/api/events/",
        "`/map/`": "/map/",
        "`/embed/`": "/embed/",
        ADMIN: "/admin/events/event/",
    }
    return urls, f"sessionid={session.session_key}"


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
        "API_THROTTLE_RATE": "",  # wrk is one address: the per-address throttle would answer it 429s
        "CACHE_URL": CACHE_URL,
    }
    import redis

    redis.Redis.from_url(CACHE_URL).flushdb()
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


# What a reader's browser sends (Chromium's): the cached pages are kept gzipped beside their plain bytes, and
# a spike of readers is served the gzip. Without it wrk asked for the map's 1.3 MB instead of its 70 KB.
ACCEPT_ENCODING = "gzip, deflate, br"


def warm(path: str, cookie: str) -> int:
    connection = http.client.HTTPConnection(*BIND, timeout=120)
    connection.request("GET", path, headers={"Cookie": cookie, "Accept-Encoding": ACCEPT_ENCODING})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.status


def wrk(path: str, *, connections: int, duration: float, cookie: str) -> dict:
    """One wrk run against `path`: its report (bench/wrk_report.lua) with requests/s and the errors."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration:g}s", "--timeout", "2s", "-s", str(REPORT)]
    command += ["-H", f"Accept-Encoding: {ACCEPT_ENCODING}"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run([*command, f"http://{BIND[0]}:{BIND[1]}{path}"], check=True, capture_output=True, text=True)
    line = next(line for line in output.stdout.splitlines() if line.startswith("WRK "))
    report = json.loads(line.removeprefix("WRK "))
    statuses = {int(status): n for status, n in report["statuses"].items()}
    sockets = report["connect"] + report["read"] + report["write"]
    return {
        "requests": report["requests"],
        "per_second": round(report["requests"] / (report["duration_us"] / 1e6), 1),
        "p50_ms": round(report["p50_us"] / 1000, 1),
        "p99_ms": round(report["p99_us"] / 1000, 1),
        "timeouts": report["timeout"],
        "socket_errors": sockets,
        "statuses": statuses,
        "overloaded": statuses.get(OVERLOADED, 0),
        "errors": sockets + report["timeout"] + sum(n for s, n in statuses.items() if s not in (200, OVERLOADED)),
    }


def level(urls: dict[str, str], cookie: str, *, connections: int, duration: float) -> dict:
    figures = {}
    for name, path in urls.items():
        signed_in = cookie if name == ADMIN else ""
        status = warm(path, signed_in)
        if status != 200:
            sys.exit(f"{path}: {status} on warming")
        figures[name] = wrk(path, connections=connections, duration=duration, cookie=signed_in)
    reference = figures[next(iter(urls))]["per_second"]
    for f in figures.values():
        f["vs_healthz"] = round(f["per_second"] / reference, 2)
    return figures


def table(figures: dict) -> str:
    lines = [
        "| URL | req/s | ÷ `/healthz` | p50 ms | p99 ms | timeouts | 503 | other errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, f in figures.items():
        others = f["errors"] - f["timeouts"]
        # wrk keeps no latency for an answer past its timeout: none to show when every answer was.
        answered = f["timeouts"] < f["requests"]
        p50, p99 = (f"{f['p50_ms']:,.0f}", f"{f['p99_ms']:,.0f}") if answered else ("–", "–")
        lines.append(
            f"| {name} | {f['per_second']:,.1f} | {f['vs_healthz']:.2f} | {p50} | {p99} "
            f"| {f['timeouts']} | {f['overloaded']} | {others} |"
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
    parser.add_argument("--connections", default="20,100", help="wrk's connections, one run of every URL each")
    parser.add_argument("--duration", type=float, default=15.0, help="seconds of each wrk run")
    parser.add_argument("--paths", default="", help="only these paths (comma-separated), beside /healthz")
    parser.add_argument("--sqlite-export", action="store_true", help="a full export on SQLite instead")
    args = parser.parse_args()
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
    if args.sqlite_export:
        RESULTS.mkdir(parents=True, exist_ok=True)
        return sqlite_export()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")
    if "tension_bench" not in args.url.rsplit("/", 1)[-1]:
        sys.exit("The benchmark truncates the events tables: use a database whose name contains tension_bench.")
    ensure_database(args.url)
    urls, cookie = prepare(args.url)
    if args.paths:
        chosen = set(args.paths.split(","))
        urls = {name: path for name, path in urls.items() if path == REFERENCE or path in chosen}
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    server = serve(args.url, RESULTS / f"load-{stamp}-serve.log")
    levels = {}
    try:
        for connections in (int(c) for c in args.connections.split(",")):
            levels[connections] = level(urls, cookie, connections=connections, duration=args.duration)
    finally:
        stop(server)
    report = {
        "when": stamp,
        "events": EVENTS,
        "load_average": os.getloadavg(),
        "gunicorn": {key: os.environ.get(key, "default") for key in ("GUNICORN_WORKERS", "GUNICORN_THREADS")},
        "levels": levels,
    }
    (RESULTS / f"load-{stamp}.json").write_text(json.dumps(report, indent=2))
    print(f"Load average at the end: {', '.join(f'{n:.1f}' for n in report['load_average'])}\n")
    for connections, figures in levels.items():
        print(f"## {connections} connections, {args.duration:g} s a URL\n\n{table(figures)}\n")
    if any(f["errors"] for name, f in levels[min(levels)].items() if name != ADMIN):
        sys.exit("errors on an anonymous URL at the fewest connections: see the table")


if __name__ == "__main__":
    main()
