"""Render benchmark (not a test): the timeline page in headless Chromium beside the libraries readers know.

For each size (100, 1k, 3k, 10k, 100k events by default), in its own PostgreSQL database (tension_bench_render
unless BENCH_RENDER_DATABASE_URL or --url says otherwise), bench/run.py's populate() and bench/pages.py's
vary() make the record; the events the timeline shows (published, not retracted) are then drawn, in the
same run, by:

  tension timeline   /  of our server as deployed (collectstatic, gunicorn, whitenoise, DEBUG off)
  timelinejs         TimelineJS 3 (Knight Lab), one slide per event
  vis-timeline       vis-timeline, one item per event
  plotly scatter     plotly.js alone (full bundle), one SVG marker per event, y = escalation
  plotly scattergl   the same with WebGL

The peers are installed from the npm registry into bench/peers/node_modules (gitignored, never committed:
`npm install --prefix bench/peers`, which this script runs when they are missing) and their pages are
written to bench/.render/ (gitignored) with the events as JSON, served from a local static server.

Each measurement is a fresh browser (Debian's Chromium, headless, every request leaving 127.0.0.1
blocked): navigation start → "chart-drawn", the performance mark each page sets in the frame after its
chart is drawn; the median of --runs. Ours is drawn first as a still picture, in the page's HTML
(readers/figures/poster.py; static/js/chart-loader.js marks the first frame), then by plotly.js, interactive:
"chart-interactive" (static/js/chart-poster.js answering on it; timeline.js when plotly.js draws alone),
reported beside it. And the first answer to a reader (bench/first_answer.py): navigation start → the first
hover label after a real mouse move over a marker; on a phone (390 × 844, CPU 4× slower) the first tap's
label, and how long a tap's label took after the tap. A page that has not drawn within
--timeout seconds counts as "> timeout" and is not run again at that size. Also measured: the bytes of a
first visit (every response's body gzipped at level 6, as a compressing server or proxy sends it;
whitenoise sends our static files so compressed), the
bytes of a repeat visit in the same browser (what went over the wire: headers and bodies not answered
from the cache or by a 304), and the server time of the page's HTML (in-process, Django's test client,
DEBUG off, the cache emptied before each request; and cached).

    .venv/bin/python bench/render.py                          # 100 … 100k, 3 runs: about 15 minutes
    .venv/bin/python bench/render.py --sizes 100,1000 --runs 1
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from first_answer import OBSERVER, PHONE, as_a_phone, first_answer  # noqa: E402
from pages import vary  # noqa: E402
from run import RESULTS, ROOT, ensure_database, populate, setup_django  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/tension_bench_render?pool=0"
BENCH = ROOT / "bench"
PEERS = BENCH / "peers"
PAGES = BENCH / ".render"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    # Every host but 127.0.0.1 is unreachable (a peer's web fonts, say). Not by routing requests through
    # Playwright: that would switch the browser's HTTP cache off, and the repeat visit measures it.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
DRAWN = "performance.getEntriesByName('chart-drawn').length > 0"
INTERACTIVE = "performance.getEntriesByName('chart-interactive').length > 0"
PLOTLY_DRAWN = "performance.getEntriesByName('chart-plotly').length > 0"
SERVER_REPEAT = 7

# --- the peers' pages: each loads its library, fetches the same events, draws, marks "chart-drawn" -------
# (DRAWN_HERE is where each page, once its library says the chart is drawn, sets the mark)

MARK = "requestAnimationFrame(function () { performance.mark('chart-drawn'); });"
PEER_PAGES = {
    "timelinejs": (
        '<link rel="stylesheet" href="../peers/node_modules/@knight-lab/timelinejs/dist/css/timeline.css">'
        '<script src="../peers/node_modules/@knight-lab/timelinejs/dist/js/timeline.js"></script>',
        """var timeline = new TL.Timeline("chart", {events: events.map(function (e) {
             var d = e[0].split("-");
             return {start_date: {year: +d[0], month: +d[1], day: +d[2]}, text: {headline: e[1]}};
           })}, {script_path: new URL("../peers/node_modules/@knight-lab/timelinejs/dist/js/", location.href).href});
           timeline.on("loaded", function () { DRAWN_HERE });""",
    ),
    "vis-timeline": (
        '<link rel="stylesheet" href="../peers/node_modules/vis-timeline/styles/vis-timeline-graph2d.min.css">'
        '<script src="../peers/node_modules/vis-timeline/standalone/umd/vis-timeline-graph2d.min.js"></script>',
        """var items = new vis.DataSet(events.map(function (e, i) {
             return {id: i, start: e[0], content: e[1], title: e[1]};
           }));
           var timeline = new vis.Timeline(document.getElementById("chart"), items, {tooltip: {delay: 0}});
           var once = false;
           timeline.on("changed", function () { if (!once) { once = true; DRAWN_HERE } });""",
    ),
    "plotly scatter": (
        '<script src="../peers/node_modules/plotly.js-dist-min/plotly.min.js"></script>',
        """Plotly.newPlot("chart", [{type: "scatter", mode: "markers", x: events.map(function (e) { return e[0]; }),
             y: events.map(function (e) { return e[2]; }), text: events.map(function (e) { return e[1]; })}],
             {height: 620}).then(function () { DRAWN_HERE });""",
    ),
    "plotly scattergl": (
        '<script src="../peers/node_modules/plotly.js-dist-min/plotly.min.js"></script>',
        """Plotly.newPlot("chart", [{type: "scattergl", mode: "markers", x: events.map(function (e) { return e[0]; }),
             y: events.map(function (e) { return e[2]; }), text: events.map(function (e) { return e[1]; })}],
             {height: 620}).then(function () { DRAWN_HERE });""",
    ),
}
TARGETS = ["tension timeline", *PEER_PAGES]


def peer_page(head: str, draw: str, data: str) -> str:
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>peer</title>
<meta name="viewport" content="width=device-width, initial-scale=1">{head}
<style>#chart {{ width: 100%; height: 620px; }}</style></head><body><div id="chart"></div>
<script>fetch("{data}").then(function (r) {{ return r.json(); }}).then(function (events) {{
{draw.replace("DRAWN_HERE", MARK)} }});</script>
</body></html>"""


def ensure_peers() -> None:
    if not (PEERS / "node_modules" / "vis-timeline").exists():
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--ignore-scripts"], cwd=PEERS, check=True)


def write_peer_pages(size: int) -> dict[str, str]:
    """The shown events as JSON ([date, title, escalation]), and one page per peer; returns their paths."""
    from events.selectors import event_filter

    events = [
        [day.isoformat(), title, float(escalation)]
        for day, title, escalation in event_filter(params={})
        .qs.order_by("date", "id")
        .values_list("date", "title", "escalation")
    ]
    PAGES.mkdir(exist_ok=True)
    data = f"events-{size}.json"
    (PAGES / data).write_text(json.dumps(events))
    paths = {}
    for name, (head, draw) in PEER_PAGES.items():
        path = f"{name.replace(' ', '-')}-{size}.html"
        (PAGES / path).write_text(peer_page(head, draw, data))
        paths[name] = f".render/{path}"
    return paths, len(events)


# --- servers ------------------------------------------------------------------------------------------


def free(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def start_app(url: str, port: int) -> subprocess.Popen:
    """Our server as a reader meets it, by the production command's parts (make serve): collectstatic
    (compressed, hashed names) and gunicorn with timeline/gunicorn_conf.py, DEBUG off, whitenoise."""
    if not free(port):
        sys.exit(f"port {port} is taken: choose another with --port")
    env = os.environ | {
        "DATABASE_URL": url,
        "DEBUG": "0",
        "SECURE_COOKIES": "0",  # plain HTTP on 127.0.0.1
        "ALLOWED_HOSTS": "127.0.0.1",
        "STATIC_ROOT": str(PAGES / "static"),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_ACCESS_LOG": "/dev/null",
    }
    env.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"], cwd=ROOT, env=env, check=True
    )
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "-c", "timeline/gunicorn_conf.py"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        if not free(port):
            return server
        time.sleep(0.1)
    server.terminate()
    sys.exit("our server did not start")


WARM_UP_REQUESTS = 8  # enough for each of gunicorn's workers (2 by default) to have answered a few


def warm_up(url: str) -> None:
    """Our server as it runs in production: its workers have answered before (imports done, templates
    compiled). Without this, the first runs of the smallest size met a fresh worker each and took twice
    as long as the rest. The warm-up asks for the same view under another address (an explicit default
    sort), so the measured address still finds the page cache empty on its first run."""
    for _ in range(WARM_UP_REQUESTS):
        with urllib.request.urlopen(f"{url}?sort=-date", timeout=60) as response:
            response.read()


def start_static(port: int) -> ThreadingHTTPServer:
    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), partial(Quiet, directory=str(BENCH)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# --- one measurement: a fresh browser ----------------------------------------------------------------


def measure_once(url: str, *, timeout: float, with_bytes: bool = False, phone: bool = False) -> dict:
    """One fresh browser in a child process, killed past the timeout: a page that keeps the main thread
    busy (vis-timeline at 100k items) also stalls Playwright's in-page timeouts."""
    command = [sys.executable, __file__, "--one", url, "--timeout", str(timeout)]
    command += (["--bytes"] if with_bytes else []) + (["--phone"] if phone else [])
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, _ = child.communicate(timeout=timeout + 30)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)  # the child, its Playwright driver and its Chromium
        child.communicate()
        return {"drawn_ms": None}
    if child.returncode:
        print(f"measuring {url} failed: counted as not drawn", file=sys.stderr)
        return {"drawn_ms": None}
    return json.loads(out.strip().splitlines()[-1])


def open_once(playwright, url: str, *, timeout: float, with_bytes: bool, phone: bool) -> dict:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        context = browser.new_context(**(PHONE if phone else {"viewport": {"width": 1280, "height": 800}}))
        context.add_init_script(OBSERVER)
        page = context.new_page()
        if phone:
            as_a_phone(page)
        first: list = []
        finished: dict[str, list] = {"first": [], "repeat": []}
        visit = ["first"]  # which visit the finished requests belong to
        page.on("response", lambda response: first.append(response))
        page.on("requestfinished", lambda request: finished[visit[0]].append(request))
        page.goto(url, wait_until="commit")
        # TimelineJS has no labels to hover: its slide, drawn at once, is its answer (bench/first_answer.py).
        answer = {} if "timelinejs" in url else first_answer(page, phone=phone, timeout=timeout)
        if not wait_drawn(page, timeout):
            return {"drawn_ms": None}
        drawn = page.evaluate("performance.getEntriesByName('chart-drawn')[0].startTime")
        result = {"drawn_ms": drawn, "label_ms": drawn, "answer_ms": None} | answer
        # Ours draws its still picture first (readers/figures/poster.py), and answers on it.
        ours = page.evaluate("!!document.getElementById('timeline-chart')")
        if ours and wait_drawn(page, timeout, INTERACTIVE):
            result["interactive_ms"] = page.evaluate("performance.getEntriesByName('chart-interactive')[0].startTime")
        if with_bytes:
            # Ours loads plotly.js once the reader's pointer rests (static/js/chart-loader.js): counted too.
            if ours and not phone:
                wait_drawn(page, timeout, PLOTLY_DRAWN)
                settle(page)
            result["first_visit_gzip_bytes"] = sum(gzip_size(response) for response in first)
            result["first_visit_requests"] = len(first)
            settle(page)
            result["first_visit_wire_bytes"] = sum(wire_size(request) for request in finished["first"])
            visit[0] = "repeat"
            page.goto(url, wait_until="commit")
            wait_drawn(page, timeout)
            settle(page)
            result["repeat_visit_bytes"] = sum(wire_size(request) for request in finished["repeat"])
        return result
    finally:
        browser.close()


def settle(page) -> None:
    """Until no request is under way (a busy page may never say so: then go on after 15 s)."""
    try:
        page.wait_for_load_state("networkidle", timeout=15_000)
    except Exception:  # noqa: BLE001 — Playwright's TimeoutError
        pass


def wait_drawn(page, timeout: float, mark: str = DRAWN) -> bool:
    """Poll for the mark from here: Playwright's wait_for_function evaluates a function in the page,
    which our Content-Security-Policy (no eval) rightly refuses."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if page.evaluate(mark):
                return True
        except Exception:  # noqa: BLE001 — the document is being replaced (navigation): ask again
            pass
        page.wait_for_timeout(25)
    return False


def gzip_size(response) -> int:
    try:
        return len(gzip.compress(response.body(), compresslevel=6))
    except Exception:  # noqa: BLE001 — a redirect or an aborted request has no body
        return 0


def wire_size(request) -> int:
    sizes = request.sizes()
    return sizes["responseHeadersSize"] + sizes["responseBodySize"]


# --- server time of the HTML ---------------------------------------------------------------------------


def server_times() -> dict:
    from django.core.cache import cache
    from django.test import Client

    client = Client()
    fresh, cached = [], []
    client.get("/")
    for _ in range(SERVER_REPEAT):
        cache.clear()
        started = time.perf_counter()
        assert client.get("/").status_code == 200
        fresh.append(time.perf_counter() - started)
        started = time.perf_counter()
        assert client.get("/")["X-Cache"] == "hit"
        cached.append(time.perf_counter() - started)
    return {"html_ms": statistics.median(fresh) * 1000, "html_cached_ms": statistics.median(cached) * 1000}


# --- the driver ---------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100,1000,3000,10000,100000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds a page may take to draw")
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_RENDER_PORT", "8650")))
    parser.add_argument("--url", default=os.environ.get("BENCH_RENDER_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--one", help=argparse.SUPPRESS)  # a child process: measure this URL once
    parser.add_argument("--bytes", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--phone", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            result = open_once(playwright, args.one, timeout=args.timeout, with_bytes=args.bytes, phone=args.phone)
            print(json.dumps(result))
        return
    if "tension_bench_render" not in args.url.rsplit("/", 1)[-1]:
        sys.exit("The benchmark truncates the events tables: use a database named tension_bench_render*.")
    if not Path(CHROMIUM).exists():
        sys.exit(f"{CHROMIUM} is missing")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    # Playwright's sync API runs an event loop in this thread; our ORM calls are plain synchronous ones.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    ensure_peers()
    ensure_database(args.url)
    setup_django(args.url)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    static = start_static(args.port + 1)
    app = start_app(args.url, args.port)
    results = []
    try:
        for size in (int(s) for s in args.sizes.split(",")):
            populate(size)
            vary()
            connection.close()
            peers, shown = write_peer_pages(size)
            timing = server_times()
            warm_up(f"http://127.0.0.1:{args.port}/")
            urls = {"tension timeline": f"http://127.0.0.1:{args.port}/"}
            urls |= {name: f"http://127.0.0.1:{args.port + 1}/{path}" for name, path in peers.items()}
            for target in TARGETS:
                runs = []
                for run in range(args.runs):
                    runs.append(measure_once(urls[target], timeout=args.timeout, with_bytes=run == 0))
                    if runs[-1]["drawn_ms"] is None:
                        break  # past the timeout: once is enough
                drawn = [r["drawn_ms"] for r in runs]
                interactive = [r["interactive_ms"] for r in runs if "interactive_ms" in r]
                result = {
                    "events": size,
                    "shown": shown,
                    "target": target,
                    "drawn_ms": None if None in drawn else statistics.median(drawn),
                    "runs_ms": drawn,
                    **{k: v for k, v in runs[0].items() if k not in ("drawn_ms", "interactive_ms")},
                }
                if interactive:
                    result["interactive_ms"] = statistics.median(interactive)
                phone = [measure_once(urls[target], timeout=args.timeout, phone=True) for _ in range(args.runs)]
                for prefix, measured in (("", runs), ("phone_", phone)):
                    for key in ("label_ms", "answer_ms", *(("interactive_ms",) if prefix else ())):
                        result[prefix + key] = median_of(measured, key)
                if target == "tension timeline":
                    result |= timing
                results.append(result)
                print(f"{size:>7,} {target:<17} {describe(result, args.timeout)}", file=sys.stderr)
    finally:
        app.terminate()
        app.wait(timeout=10)
        static.shutdown()
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    (RESULTS / f"render-{stamp}.json").write_text(json.dumps(results, indent=1))
    print_table(results, args.timeout)
    print_answers(results)


def median_of(runs: list[dict], key: str) -> float | None:
    """The median of the runs' values, None when a run has none (past the timeout, or never answered)."""
    values = [run.get(key) for run in runs]
    return None if not values or None in values else statistics.median(values)


def describe(result: dict, timeout: float) -> str:
    drawn = f"{result['drawn_ms']:,.0f} ms" if result["drawn_ms"] is not None else f"> {timeout:.0f} s"
    extra = ""
    if "first_visit_gzip_bytes" in result:
        extra = f"  first visit {result['first_visit_gzip_bytes'] / 1024:,.0f} KiB gz"
        extra += f" ({result['first_visit_wire_bytes'] / 1024:,.0f} KiB on the wire)"
        extra += f", repeat {result['repeat_visit_bytes'] / 1024:,.1f} KiB"
    if "html_ms" in result:
        extra += f"  HTML {result['html_ms']:,.0f} ms (cached {result['html_cached_ms']:,.1f} ms)"
    if "interactive_ms" in result:
        extra += f"  interactive {result['interactive_ms']:,.0f} ms"
    for key in ("label_ms", "answer_ms", "phone_label_ms", "phone_answer_ms", "phone_interactive_ms"):
        if result.get(key) is not None:
            extra += f"  {key} {result[key]:,.0f}"
    return f"drawn {drawn}  runs {result['runs_ms']}{extra}"


def print_table(results: list[dict], timeout: float) -> None:
    def cell(result: dict) -> str:
        return f"{result['drawn_ms']:,.0f} ms" if result["drawn_ms"] is not None else f"> {timeout:.0f} s"

    def kib(result: dict, key: str) -> str:
        """Bytes are counted on a page that has drawn; one past the timeout has none to show."""
        return f"{result[key] / 1024:,.0f}" if key in result else "—"

    sizes = sorted({r["events"] for r in results})
    by = {(r["events"], r["target"]): r for r in results}
    print(
        "| events (shown) | " + " | ".join(TARGETS) + " | ours interactive | first visit KiB gz (ours / TimelineJS) "
        "| repeat KiB | HTML ms (cached) |"
    )
    print("|---:|" + "---:|" * (len(TARGETS) + 4))
    for size in sizes:
        ours = by[(size, "tension timeline")]
        timelinejs = by.get((size, "timelinejs"), {})
        print(
            f"| {size:,} ({ours['shown']:,}) | "
            + " | ".join(cell(by[(size, target)]) for target in TARGETS if (size, target) in by)
            + (f" | {ours['interactive_ms']:,.0f} ms" if "interactive_ms" in ours else " | –")
            + f" | {kib(ours, 'first_visit_gzip_bytes')} / {kib(timelinejs, 'first_visit_gzip_bytes')}"
            f" | {ours.get('repeat_visit_bytes', 0) / 1024:,.1f}"
            f" | {ours['html_ms']:,.0f} ({ours['html_cached_ms']:,.1f}) |"
        )


def print_answers(results: list[dict]) -> None:
    """Navigation → the first label answered (desktop: hover; phone: tap), and a phone's tap → its label."""

    def ms(result: dict | None, key: str) -> str:
        return "—" if result is None or result.get(key) is None else f"{result[key]:,.0f}"

    by = {(r["events"], r["target"]): r for r in results}
    print("\n| events | " + " | ".join(f"{t} hover / tap" for t in TARGETS) + " | tap → label ms (ours / peers) |")
    print("|---:|" + "---:|" * (len(TARGETS) + 1))
    for size in sorted({r["events"] for r in results}):
        rows = [by.get((size, target)) for target in TARGETS]
        cells = [f"{ms(r, 'label_ms')} / {ms(r, 'phone_label_ms')}" for r in rows]
        taps = " / ".join(ms(r, "phone_answer_ms") for r in rows)
        print(f"| {size:,} | " + " | ".join(cells) + f" | {taps} |")


if __name__ == "__main__":
    if shutil.which("npm") is None and not (PEERS / "node_modules").exists():
        sys.exit("npm is needed once, to install the peers into bench/peers/node_modules")
    main()
