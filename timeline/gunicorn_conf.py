"""gunicorn's settings for `make serve`, from the environment (gunicorn reads this file with -c).

gthread workers: each worker runs GUNICORN_THREADS requests at once, so a long streamed export holds
one thread, not a whole worker, and pages keep answering beside it. The timeout is the worker's
heartbeat (a gthread worker's main loop keeps it alive while threads stream), not a limit on how
long a response may take; keep it above DATABASE_CONNECT_TIMEOUT.
"""

import gc
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
worker_class = "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
# gunicorn 27's control socket lives in one per-user path; several instances on one machine would share it.
control_socket_disable = True
# "-" is stderr; an empty value turns the access log off.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
# The app (settings, database pool) loads in each worker, after the fork: psycopg's pool threads
# and connections must not be shared between processes.
preload_app = False
wsgi_app = "timeline.wsgi:application"


def post_worker_init(worker: object) -> None:
    """What the worker loaded (Django, the apps, the settings) lives as long as it does: frozen out of the
    garbage collector's walks, a collection walks only what requests allocate (bench/api.py's process does
    the same, so that its pages cost what a worker's do)."""
    gc.collect()
    gc.freeze()
