"""A news site for the source tests: a threaded http.server on 127.0.0.1 (http, or https with a
certificate of its own) whose pages a test sets (and changes between two checks), which records every
request it gets and how many it served at once."""

from __future__ import annotations

import http.server
import ssl
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.servers import free_port


@dataclass
class Answer:
    """What the server answers on one path."""

    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before the answer starts
    chunks: int = 1  # the body in this many pieces…
    chunk_delay: float = 0.0  # …this many seconds apart
    content_length: bool = True


def article(
    *,
    title: str = "Lithuania to host Patriot air defence systems on rotation",
    publisher: str = "LRT English",
    published: str = "2024-03-07T10:15:00+02:00",
    text: str = (
        "On 7 March 2024 Lithuania's defence minister announced that a European NATO ally would deploy "
        "Patriot air defence systems on rotation. The first battery is expected in the coming months, the "
        "minister told reporters in Vilnius, and will protect critical infrastructure."
    ),
    lang: str = "en",
) -> bytes:
    """A news article as such sites write them: OpenGraph and JSON-LD (NewsArticle) in the head, a menu,
    the article and a footer."""
    return f"""<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8">
<title>{title} | {publisher}</title>
<meta property="og:type" content="article">
<meta property="og:title" content="{title}">
<meta property="og:site_name" content="{publisher}">
<meta property="article:published_time" content="{published}">
<script type="application/ld+json">{{"@context": "https://schema.org", "@type": "NewsArticle",
 "headline": "{title}", "datePublished": "{published}",
 "publisher": {{"@type": "Organization", "name": "{publisher}"}}}}</script>
</head><body>
<nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav>
<article><h1>{title}</h1><p>{text}</p>
<p>The announcement follows months of talks between the allies on air defence for the Baltic states.</p></article>
<footer>© {publisher}. All rights reserved.</footer>
</body></html>""".encode()


class PageServer:
    """`with PageServer() as site:` serves site.pages on a free port of the project's test range."""

    def __init__(self, *, tls: tuple[Path, Path] | None = None) -> None:
        self.tls = tls  # (certificate, key), PEM files: serve https
        self.pages: dict[str, Answer] = {}
        self.requests: list[tuple[str, str]] = []  # (path, Host header), in the order received
        self.request_times: list[float] = []
        self.in_flight = 0
        self.most_at_once = 0
        self.lock = threading.Lock()
        self.port = free_port()

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"{'https' if self.tls else 'http'}://{host}:{self.port}{path}"

    def __enter__(self) -> PageServer:
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                with site.lock:
                    site.requests.append((self.path, self.headers.get("Host", "")))
                    site.request_times.append(time.monotonic())
                    site.in_flight += 1
                    site.most_at_once = max(site.most_at_once, site.in_flight)
                try:
                    self.answer(site.pages.get(self.path, Answer(b"<html><body>Not here</body></html>", 404)))
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up, as it should on a slow or oversized page
                finally:
                    with site.lock:
                        site.in_flight -= 1

            def answer(self, page: Answer) -> None:
                time.sleep(page.delay)
                self.send_response(page.status)
                self.send_header("Content-Type", page.content_type)
                if page.content_length:
                    self.send_header("Content-Length", str(len(page.body)))
                for name, value in page.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                size = max(1, -(-len(page.body) // page.chunks))
                for start in range(0, len(page.body), size):
                    self.wfile.write(page.body[start : start + size])
                    self.wfile.flush()
                    time.sleep(page.chunk_delay)

            def log_message(self, *args) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True  # a slow answer still sleeping must not hold the test's end
        if self.tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*self.tls)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        # A short poll: shutdown() waits for it, and every test stops a server.
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.server.shutdown()
        self.server.server_close()

    def paths(self) -> list[str]:
        return [path for path, _ in self.requests]


def self_signed_certificate(folder: Path, host: str) -> tuple[Path, Path]:
    """A new key and a certificate for `host` alone, signed by itself (openssl), as PEM files."""
    certificate, key = folder / f"{host}.crt", folder / f"{host}.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        + ["-days", "1", "-subj", f"/CN={host}", "-addext", f"subjectAltName=DNS:{host}"]
        + ["-keyout", str(key), "-out", str(certificate)],
        check=True,
        capture_output=True,
    )
    return certificate, key
