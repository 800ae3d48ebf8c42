"""Real servers for the production tests: gunicorn as `make serve` starts it, and a TCP proxy the test
controls, standing between the app and PostgreSQL so that a test can take the database away and bring
it back (the shared PostgreSQL server itself is never stopped)."""

from __future__ import annotations

import fcntl
import hashlib
import os
import random
import shutil
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
# The ports this project's test servers may use; each server takes a free one.
PORTS = range(int(os.environ.get("TEST_PORT_FIRST", "8100")), int(os.environ.get("TEST_PORT_LAST", "8199")) + 1)
TEST_SECRET_KEY = "production-test-key-3f9a1c7e5b2d8046-QWERTYUIOPASDFGHJKLZXCVBNM"
STATIC_CACHE = ROOT / ".pytest_cache"


def production_environment() -> dict[str, str]:
    """The environment of a production command (manage.py, gunicorn): the real settings module, DEBUG off."""
    return {
        **{key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "timeline.settings",
        "DEBUG": "0",
        "SECURE_COOKIES": "0",  # plain HTTP on 127.0.0.1
        "SECRET_KEY": TEST_SECRET_KEY,
    }


def static_sources_key() -> str:
    """What `collectstatic` reads: every file the finders find (ours and the apps'), the pinned versions
    (Django's and whitenoise's processing) and the production settings that say how to collect."""
    from django.contrib.staticfiles.finders import get_finders

    from timeline import settings as production

    key = hashlib.sha256()
    for finder in get_finders():
        for path, storage in sorted(finder.list([]), key=lambda found: found[0]):
            key.update(f"{path}\n".encode())
            with storage.open(path) as file:
                key.update(hashlib.sha256(file.read()).digest())
    key.update((ROOT / "requirements.txt").read_bytes())
    how = {name: value for name, value in vars(production).items() if name.startswith(("STATIC", "WHITENOISE_"))}
    how.update(STORAGES=production.STORAGES, INSTALLED_APPS=production.INSTALLED_APPS)
    key.update(repr({name: value for name, value in how.items() if not callable(value)}).encode())
    return key.hexdigest()[:16]


def collected_static_root(key: str) -> Path:
    """A STATIC_ROOT filled by `collectstatic` as `make serve` runs it (hashed names, gzip and brotli files
    beside them), kept in .pytest_cache while `key` (static_sources_key) is unchanged: brotli-compressing
    every file takes a minute of CPU. One process collects at a time (a lock); the others wait and reuse."""
    root = STATIC_CACHE / f"staticfiles-{key}"
    STATIC_CACHE.mkdir(exist_ok=True)
    with (STATIC_CACHE / "staticfiles.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not root.is_dir():
            for stale in STATIC_CACHE.glob("staticfiles-*"):
                shutil.rmtree(stale, ignore_errors=True)
            # Collected aside and renamed when complete: an interrupted run leaves nothing to reuse.
            partial = root.with_name(f"{root.name}-partial")
            subprocess.run(
                [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
                cwd=ROOT,
                env={**production_environment(), "STATIC_ROOT": str(partial)},
                check=True,
                capture_output=True,
                timeout=600,
            )
            partial.rename(root)
    return root


def collect_static_in_background(key: str) -> threading.Thread:
    """collected_static_root(key) started now in a thread, so that a cold cache is filled while other tests run."""
    thread = threading.Thread(target=collected_static_root, args=(key,), daemon=True)
    thread.start()
    return thread


def own_ports() -> list[int]:
    """This test process's share of PORTS: each of xdist's workers (gw0, gw1, …) takes its own slice, so
    two workers never pick one port at the same moment."""
    count = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    index = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
    return list(PORTS)[index % count :: count]


# Ports free_port() handed out: their probe is closed before the server binds, so another call in this
# process must not hand them out again (two servers given one port: the second fails to bind and the
# first answers for both).
HANDED_OUT: set[int] = set()


def listening_socket() -> tuple[socket.socket, int]:
    """A socket listening on a free port of this process's share of PORTS, and that port."""
    ports = [port for port in own_ports() if port not in HANDED_OUT]
    for port in random.sample(ports, len(ports)):
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            listener.bind(("127.0.0.1", port))
            listener.listen(64)
        except OSError:
            listener.close()
            continue
        return listener, port
    raise RuntimeError(f"no free port in this process's share of {PORTS.start}-{PORTS.stop - 1}")


def free_port() -> int:
    """A port of PORTS nothing listens on now, for a server to take; never the same twice in a process."""
    probe, port = listening_socket()
    probe.close()
    HANDED_OUT.add(port)
    return port


def get(url: str, timeout: float = 30, *, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) for a GET, whatever the status."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


class Gunicorn:
    """`gunicorn -c timeline/gunicorn_conf.py` (make serve's server) with DEBUG off on a free port."""

    def __init__(self, *, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.env = {
            **{key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"},
            "DEBUG": "0",
            "SECURE_COOKIES": "0",  # plain HTTP on 127.0.0.1
            "SECRET_KEY": TEST_SECRET_KEY,
            "ALLOWED_HOSTS": "127.0.0.1",
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "GUNICORN_WORKERS": "1",
            "GUNICORN_THREADS": "4",
            "GUNICORN_ACCESS_LOG": "",
            **env,
        }

    def __enter__(self) -> Gunicorn:
        self.log_file = self.log.open("w")
        self.process = subprocess.Popen(
            [str(GUNICORN), "-c", "timeline/gunicorn_conf.py"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.log.read_text()}")
            # Ready when this gunicorn listens on its port (not another server that holds it) and a worker
            # has loaded the app and answers (a static file: no database needed), so that what a test
            # times is the request, not the worker's start.
            try:
                if self.listening() and get(f"{self.url}/static/css/site.css", timeout=60)[0]:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.__exit__()
        raise RuntimeError(f"gunicorn did not start: {self.log.read_text()}")

    def listening(self) -> bool:
        self.log_file.flush()
        return f"Listening at: {self.url} ({self.process.pid})" in self.log.read_text()

    def __exit__(self, *exc_info) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log_file.close()

    def output(self) -> str:
        self.log_file.flush()
        return self.log.read_text()


class TcpProxy:
    """Forwards 127.0.0.1:<port> to an upstream; the test opens, closes or silences it at will.

    - up():      accept and forward (the database is there)
    - down():    reset every new connection and cut every open one (the database is gone: refused)
    - silent():  accept and never answer (a black hole: only a timeout ends the wait)
    - cut_after(n): from now on, close each connection after n more bytes from upstream (lost mid-way)

    The port listens from start to close, whatever the mode: a port that is only bound can be bound
    again by another test server (both with SO_REUSEADDR), and the proxy would then fail to listen.
    """

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.mode = "down"
        self.budget: int | None = None
        self.lock = threading.Lock()
        self.connections: list[socket.socket] = []
        self.listener, self.port = listening_socket()
        threading.Thread(target=self._accept, daemon=True).start()

    def up(self, mode: str = "forward") -> None:
        self.mode = mode

    def silent(self) -> None:
        self.up(mode="silent")

    def down(self) -> None:
        self.mode = "down"
        with self.lock:
            for connection in self.connections:
                try:
                    connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                connection.close()
            self.connections.clear()

    def close(self) -> None:
        self.down()
        try:
            # shutdown() first: on Linux it wakes the thread blocked in accept(); close() alone would not.
            self.listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.listener.close()

    def cut_after(self, nbytes: int) -> None:
        with self.lock:
            self.budget = nbytes

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.mode == "down":
                # Linger 0: close() sends a reset, as a closed port refuses, at once.
                client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                client.close()
                continue
            with self.lock:
                self.connections.append(client)
            if self.mode == "silent":
                continue
            try:
                server = socket.create_connection(self.upstream)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.connections.append(server)
            threading.Thread(target=self._pump, args=(client, server, False), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, True), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket, from_upstream: bool) -> None:
        try:
            while data := source.recv(65536):
                if from_upstream:
                    with self.lock:
                        if self.budget is not None:
                            data = data[: self.budget]
                            self.budget -= len(data)
                    if not data:
                        break
                target.sendall(data)
        except OSError:
            pass
        for end in (source, target):
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
