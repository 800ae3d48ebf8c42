"""Real servers for the production tests: gunicorn as `make serve` starts it, and a TCP proxy the test
controls, standing between the app and PostgreSQL so that a test can take the database away and bring
it back (the shared PostgreSQL server itself is never stopped)."""

from __future__ import annotations

import os
import random
import socket
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


def free_port() -> int:
    for port in random.sample(list(PORTS), len(PORTS)):
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {PORTS.start}-{PORTS.stop - 1}")


def get(url: str, timeout: float = 30) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) for a GET, whatever the status."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
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
            # Ready when a worker has loaded the app and answers (a static file: no database needed),
            # so that what a test times is the request, not the worker's start.
            try:
                if get(f"{self.url}/static/css/site.css", timeout=60)[0]:
                    return self
            except OSError:
                time.sleep(0.2)
        self.__exit__()
        raise RuntimeError(f"gunicorn did not start: {self.log.read_text()}")

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
    - down():    stop listening and cut every open connection (the database is gone: refused)
    - silent():  accept and never answer (a black hole: only a timeout ends the wait)
    - cut_after(n): from now on, close each connection after n more bytes from upstream (lost mid-way)
    """

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.port = free_port()
        self.listener = socket.socket()
        self.listening = False
        self._reserve()
        self.connections: list[socket.socket] = []
        self.mode = "forward"
        self.budget: int | None = None
        self.lock = threading.Lock()

    def _reserve(self) -> None:
        # Bound but not listening: the port is ours (no other server takes it) and connecting is refused.
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port))

    def up(self, mode: str = "forward") -> None:
        self.mode = mode
        if not self.listening:
            self.listener.listen(64)
            self.listening = True
            threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def silent(self) -> None:
        self.up(mode="silent")

    def down(self) -> None:
        if self.listening:
            # shutdown() first: on Linux it wakes the thread blocked in accept(); close() alone would not,
            # and the port would keep accepting.
            try:
                self.listener.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self.listener.close()
            self.listening = False
            self._reserve()
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
        self.listener.close()

    def cut_after(self, nbytes: int) -> None:
        with self.lock:
            self.budget = nbytes

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
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
