"""Real servers for the production tests: gunicorn as `make serve` starts it, and a TCP proxy the test
controls, standing between the app and PostgreSQL so that a test can take the database away and bring
it back (the shared PostgreSQL server itself is never stopped)."""

from __future__ import annotations

import os
import random
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


def listening_socket() -> tuple[socket.socket, int]:
    """A socket listening on a free port of PORTS, and that port."""
    for port in random.sample(list(PORTS), len(PORTS)):
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            listener.bind(("127.0.0.1", port))
            listener.listen(64)
        except OSError:
            listener.close()
            continue
        return listener, port
    raise RuntimeError(f"no free port in {PORTS.start}-{PORTS.stop - 1}")


def free_port() -> int:
    """A port of PORTS nothing listens on now, for a server to take."""
    probe, port = listening_socket()
    probe.close()
    return port


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
