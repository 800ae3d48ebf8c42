"""Readers' responses cached per address and data version, with ETag/Last-Modified for a 304 on a repeat.

The data version (events.selectors.data_version(), the clock the API's ETags read too) moves in the
transaction of every write to what readers see: a publication, a change, a retraction, a new source. A
cached response is keyed on the full path (so on the query string), the data version and the release
(settings.RELEASE), so a change or a deployment makes every old entry unreachable at once; nothing has
to be deleted, and several app servers sharing Redis (CACHE_URL) agree without talking to each other.
The cost of a hit is one primary-key query (the version) and one cache read.

Only anonymous GET/HEAD requests are cached or answered 304: a logged-in editor sees the same pages
with their own links, always fresh.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from functools import wraps

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified, StreamingHttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date, quote_etag

from events.selectors import data_version

# How long an entry may live unused (a change of data version makes it unreachable much sooner).
CACHE_SECONDS = 24 * 60 * 60
# A streamed response (the CSV export) is written to the cache in blocks as it goes out, and kept only if
# it ends within MAX_CACHED_BYTES (a filtered view, typically); a bigger one streams from the database as
# before, not kept (a local-memory cache would hold it in the process), and a repeat gets a 304 by ETag.
MAX_CACHED_BYTES = 256 * 1024
CACHED_BLOCK_BYTES = 64 * 1024
# The headers a cached response keeps; the rest (Date, the cache's own) are made afresh.
KEPT_HEADERS = ("Content-Type", "Content-Disposition", "Content-Language")


def cached_for_readers(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Cache the view's 200 responses to anonymous readers; answer a repeat with 304."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method not in ("GET", "HEAD") or request.user.is_authenticated:
            return view(request, *args, **kwargs)
        version = data_version()
        tag = f'"{version.tag}"'
        last_modified = version.changed_at.timestamp()
        not_modified = get_conditional_response(request, etag=tag, last_modified=int(last_modified))
        if not_modified is not None:
            return _validators(not_modified, tag, last_modified)
        key = "page:" + hashlib.sha256(f"{tag}|{request.get_full_path()}".encode()).hexdigest()
        stored = cache.get(key)
        if stored is not None and _complete(key, stored):
            if "blocks" in stored:
                response = StreamingHttpResponse(_cached_blocks(key, stored["blocks"]))
            else:
                response = HttpResponse(stored["content"])
            for name, value in stored["headers"].items():
                response[name] = value
            response["X-Cache"] = "hit"
            return _validators(response, tag, last_modified)
        response = view(request, *args, **kwargs)
        if response.status_code != 200 or response.cookies:
            return response
        if response.streaming:
            response.streaming_content = _kept_while_streamed(response.streaming_content, _kept(response), key)
        else:
            cache.set(key, {"content": response.content, "headers": _kept(response)}, CACHE_SECONDS)
        response["X-Cache"] = "miss"
        return _validators(response, tag, last_modified)

    return wrapper


def _complete(key: str, stored: dict) -> bool:
    """A streamed entry is usable while its blocks are in the cache: the first (oldest, evicted first)
    and the last are checked without reading them; a block gone later still fails the response."""
    blocks = stored.get("blocks")
    return not blocks or (cache.has_key(f"{key}:0") and cache.has_key(f"{key}:{blocks - 1}"))


def _kept(response: HttpResponse | StreamingHttpResponse) -> dict[str, str]:
    return {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}


def _kept_while_streamed(content: Iterator[bytes], headers: dict[str, str], key: str) -> Iterator[bytes]:
    """Stream on as before while writing the content to the cache in blocks of CACHED_BLOCK_BYTES, so
    memory stays flat whatever the size; the entry that points at the blocks is written last, so a
    response cut short (or past MAX_CACHED_BYTES) is never served from the cache."""
    block: list[bytes] = []
    block_size = blocks = written = 0
    for chunk in content:
        yield chunk
        if written > MAX_CACHED_BYTES:
            continue
        block.append(chunk)
        block_size += len(chunk)
        written += len(chunk)
        if block_size >= CACHED_BLOCK_BYTES:
            cache.set(f"{key}:{blocks}", b"".join(block), CACHE_SECONDS)
            blocks, block, block_size = blocks + 1, [], 0
    if written <= MAX_CACHED_BYTES:
        if block:
            cache.set(f"{key}:{blocks}", b"".join(block), CACHE_SECONDS)
            blocks += 1
        cache.set(key, {"blocks": blocks, "headers": headers}, CACHE_SECONDS)


def _cached_blocks(key: str, blocks: int) -> Iterator[bytes]:
    for number in range(blocks):
        block = cache.get(f"{key}:{number}")
        if block is None:  # evicted meanwhile: the response cannot be completed, so it must fail visibly
            raise RuntimeError(f"cache block {number} of {key} is gone")
        yield block


def _validators(response: HttpResponse, tag: str, last_modified: float) -> HttpResponse:
    """ETag and Last-Modified, and 'revalidate every time': a browser keeps the page but asks first."""
    response["ETag"] = quote_etag(tag)
    response["Last-Modified"] = http_date(last_modified)
    patch_cache_control(response, no_cache=True, public=True)
    patch_vary_headers(response, ("Cookie",))
    if isinstance(response, HttpResponseNotModified):
        response.content = b""
    return response
