"""A bounded first level of the readers' cache in each process, in front of a shared cache (Redis).

A hit on the shared cache costs a round trip and the unpickling of the body; the pages a spike of
readers asks for are few, so each worker keeps the latest it served in its own memory. It holds exactly
what the shared cache holds under the same key, and a key names a data version (readers/caching.py): an
entry here can only be the answer of its version, never a newer one's, so two app servers still agree
(tests/test_two_servers.py) and nothing needs invalidating.
Entries are dropped least recently used first, past FIRST_LEVEL_BYTES of bodies.

With the default local-memory cache (one process) there is nothing to save: the first level is off.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from django.conf import settings
from django.core.cache import cache

# Bodies held per process; a body past a tenth of it is left to the shared cache alone.
FIRST_LEVEL_BYTES = 32 * 1024 * 1024
LARGEST_BODY = FIRST_LEVEL_BYTES // 10
IN_PROCESS_BACKEND = "django.core.cache.backends.locmem.LocMemCache"

_entries: OrderedDict[str, dict] = OrderedDict()
_held = 0
_lock = threading.Lock()


def _in_use() -> bool:
    return settings.CACHES["default"]["BACKEND"] != IN_PROCESS_BACKEND


def _size(entry: dict) -> int:
    return len(entry.get("content", b""))


def get(key: str) -> dict | None:
    """The entry kept under this key of the shared cache, if this process holds it."""
    if not _in_use():
        return None
    full = cache.make_key(key)  # the shared cache's own key: its prefix separates sites sharing a process
    with _lock:
        entry = _entries.get(full)
        if entry is not None:
            _entries.move_to_end(full)
        return entry


def put(key: str, entry: dict) -> None:
    """Hold a whole body's entry (a streamed export's, which points at blocks, is left to the shared cache)."""
    global _held
    if not _in_use() or "content" not in entry or _size(entry) > LARGEST_BODY:
        return
    full = cache.make_key(key)
    with _lock:
        if full in _entries:
            return
        _entries[full] = entry
        _held += _size(entry)
        while _held > FIRST_LEVEL_BYTES:
            _, dropped = _entries.popitem(last=False)
            _held -= _size(dropped)
