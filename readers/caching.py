"""Every anonymous GET cached per address and data version, with ETag/Last-Modified for a 304 on a repeat.

The data version (events.selectors.data_version(), the clock the API's ETags read too) moves in the
transaction of every write to what readers see: a publication, a change, a retraction, a new source, a
source check. A cached response is keyed on the full address (scheme, host, path and query string), the
headers the view declares it varies on (the API's Accept), the data version and the release
(settings.RELEASE), so a change or a deployment makes every old entry unreachable at once; nothing has
to be deleted, and several app servers sharing Redis (CACHE_URL) agree without talking to each other.
The cost of a hit is one primary-key query (the version) and one cache read, or none for a page this
process served lately (readers/first_level.py, in front of Redis).

Only anonymous GET/HEAD requests are cached or answered 304: a signed-in editor (who may see previews)
sees the same pages with their own links, always fresh, and never fills the shared cache. A response
that sets a cookie or used the CSRF token is not kept either. The one exception is a view that never
reads the session (same_for_everyone: the embed, which a host's page frames): everyone gets its one
answer, which does not vary on Cookie.

A whole body is kept as it is, and its gzip beside it once a reader first accepts gzip (compressed once):
a reader whose browser accepts gzip gets it. Only what this module serves is compressed, that is only
what any reader may be served, never a page that carries a session or a CSRF token (Django's BREACH
note): the admin is not.

A spike of readers on a page nobody has asked for at this version renders it once: the first request
claims the key in the cache (an atomic add, which every process sharing Redis sees) and renders; the
others wait for its entry, or render themselves if the claim ends with nothing kept (an error, a body too
large, a stream) or lasts past CLAIM_SECONDS.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable, Iterator
from functools import partial, wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified, StreamingHttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date, parse_etags, quote_etag
from django.utils.text import compress_string

from events.selectors import RecordVersion, data_version
from readers import first_level

# How long an entry is kept (a change of data version makes it unreachable much sooner).
CACHE_SECONDS = 24 * 60 * 60
# A whole body is kept up to settings.CACHE_MAX_ENTRY_BYTES (the largest map, a page of 1,000 events);
# past it, it is served but not kept. A streamed response (the CSV export, GeoJSON, TimelineJS) is written
# to the cache in blocks as it goes out, and kept only if it ends within MAX_STREAMED_BYTES (a filtered
# view, typically); a bigger one streams from the database as before, not kept (a local-memory cache
# would hold it in the process), and a repeat gets a 304 by ETag.
MAX_STREAMED_BYTES = 256 * 1024
CACHED_BLOCK_BYTES = 64 * 1024
# Headers made afresh for each answer; every other header the view set is kept with the body.
FRESH_HEADERS = frozenset(
    {"date", "expires", "etag", "last-modified", "cache-control", "content-length", "content-encoding", "x-cache"}
)
# Shorter bodies are not worth compressing (GZipMiddleware's threshold).
MIN_COMPRESSED_BYTES = 200
ACCEPTS_GZIP = re.compile(r"\bgzip\b")
# An entry's encodings are kept under keys of their own (the gzip one once a reader accepts it): a hit
# reads only the one it sends.
IDENTITY, GZIP = "identity", "gzip"
# How long the requests that find a page being rendered wait for it (past it, they render it too), and how
# often they look.
CLAIM_SECONDS = 30
CLAIM_POLL_SECONDS = 0.02


def response_etag(version: RecordVersion, request: HttpRequest) -> str:
    """The ETag of an answer to this address at this version: the readers' cache and the API's conditional
    requests (api/versioning.py) give the same one, signed in or not."""
    return hashlib.sha256(f"{version.tag} {request.get_full_path()}".encode()).hexdigest()[:32]


def version_seen_by(request: HttpRequest) -> RecordVersion:
    """The data version as this request first read it: one query a request, however many layers ask (this
    cache, then the API's conditional requests, api/versioning.py), and one version for all they answer."""
    if not hasattr(request, "record_version"):
        request.record_version = data_version()
    return request.record_version


def cached_for_readers(
    view: Callable[..., HttpResponse] | None = None,
    *,
    varies_on: tuple[str, ...] = (),
    same_for_everyone: bool = False,
) -> Callable[..., Any]:
    """Cache the view's 200 responses to anonymous readers; answer a repeat with 304. `varies_on` names
    the request headers the answer depends on beyond the address (e.g. Accept, for a view that negotiates
    its media type): each value is an entry of its own. `same_for_everyone`: the view ignores who asks,
    so the session is not read and signed-in readers share the cache."""
    if view is None:
        return partial(cached_for_readers, varies_on=varies_on, same_for_everyone=same_for_everyone)
    varies = ("Accept-Encoding",) if same_for_everyone else ("Cookie", "Accept-Encoding")

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method not in ("GET", "HEAD") or not (same_for_everyone or request.user.is_anonymous):
            return view(request, *args, **kwargs)
        version = version_seen_by(request)
        tag = response_etag(version, request)
        last_modified = version.changed_at.timestamp()
        named = named_etag(request, tag)
        if named:
            # Only a successful answer to this address at this version carried this ETag: a 304 on one query.
            return _validators(HttpResponseNotModified(), named, last_modified, varies)
        address = "|".join([request.build_absolute_uri(), *(request.headers.get(name, "") for name in varies_on)])
        key = "page:" + hashlib.sha256(f"{version.tag}|{address}".encode()).hexdigest()
        encoding = GZIP if ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", "")) else IDENTITY
        stored = _stored(key, encoding)
        claimed = stored is None and cache.add(f"{key}:rendering", True, CLAIM_SECONDS)
        if stored is None and not claimed:
            stored = _rendered_meanwhile(key, encoding)
        if stored is not None and _complete(key, stored):
            response = _from_cache(key, stored)
            response["X-Cache"] = "hit"
            return _answer(request, response, tag, last_modified, varies)
        try:
            response = view(request, *args, **kwargs)
            if getattr(response, "is_rendered", True) is False:  # a template or DRF response, rendered later
                response.render()
            if response.status_code != 200 or response.cookies or request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
                return response  # an error, or a reader's own (a cookie, a form's CSRF token): never shared
            headers = {name: value for name, value in response.items() if name.lower() not in FRESH_HEADERS}
            if response.streaming:
                response.streaming_content = _kept_while_streamed(response.streaming_content, headers, key)
            elif len(response.content) <= settings.CACHE_MAX_ENTRY_BYTES:
                identity = {"content": response.content, "headers": headers}
                entries = {IDENTITY: identity}
                if encoding == GZIP:
                    entries[GZIP] = _gzipped(identity)
                cache.set_many({f"{key}:{name}": entry for name, entry in entries.items()}, CACHE_SECONDS)
                first_level.put(f"{key}:{encoding}", entries[encoding])
                response = _from_cache(key, entries[encoding])
            response["X-Cache"] = "miss"
            return _answer(request, response, tag, last_modified, varies)
        finally:
            if claimed:
                cache.delete(f"{key}:rendering")

    return wrapper


def _rendered_meanwhile(key: str, encoding: str) -> dict | None:
    """The entry another request is rendering, once it is kept; None if its claim ends (or lasts past
    CLAIM_SECONDS) with none: this request renders the page itself."""
    deadline = time.monotonic() + CLAIM_SECONDS
    while time.monotonic() < deadline:
        time.sleep(CLAIM_POLL_SECONDS)
        stored = _stored(key, encoding)
        if stored is not None:
            return stored
        if not cache.has_key(f"{key}:rendering"):
            return _stored(key, encoding)  # kept between the two looks, or never
    return None


def named_etag(request: HttpRequest, etag: str) -> str | None:
    """How If-None-Match names this ETag (strong, or weak as a gzipped answer gave it), if it does."""
    for named in parse_etags(request.headers.get("If-None-Match", "")):
        if named.removeprefix("W/") == quote_etag(etag):
            return named
    return None


def _answer(
    request: HttpRequest, response: HttpResponse, tag: str, last_modified: float, varies: tuple[str, ...]
) -> HttpResponse:
    """The response, or a 304 where another precondition holds (If-Modified-Since, If-None-Match: *):
    only now that the request is known to succeed (RFC 9110 §13.2.1). The ETag of a gzipped body is weak
    (§8.8.1: the same content, other bytes); it still answers 304."""
    etag = ("W/" if response.get("Content-Encoding") == "gzip" else "") + quote_etag(tag)
    answer = get_conditional_response(request, etag=etag, last_modified=int(last_modified), response=response)
    return _validators(answer, etag, last_modified, varies)


def _stored(key: str, encoding: str) -> dict | None:
    """The entry of this encoding, from this process's first level or the cache. The gzip of a body is
    made when a reader first accepts it (a client that never asks for gzip, such as one walking the API's
    pages, costs no compression), then kept."""
    stored = first_level.get(f"{key}:{encoding}")
    if stored is not None:
        return stored
    stored = cache.get(f"{key}:{encoding}")
    if stored is None and encoding == GZIP:
        identity = cache.get(f"{key}:{IDENTITY}")
        if identity is not None and "content" in identity:
            stored = _gzipped(identity)
            cache.set(f"{key}:{GZIP}", stored, CACHE_SECONDS)
    if stored is not None:
        first_level.put(f"{key}:{encoding}", stored)
    return stored


def _gzipped(identity: dict) -> dict:
    """The gzip entry of a body kept as it is: compressed where that makes it shorter, else the same entry."""
    content = identity["content"]
    compressed = compress_string(content) if len(content) >= MIN_COMPRESSED_BYTES else content
    if len(compressed) >= len(content):
        return identity
    return {"content": compressed, "headers": identity["headers"] | {"Content-Encoding": "gzip"}}


def _from_cache(key: str, stored: dict) -> HttpResponse:
    if "blocks" in stored:
        response = StreamingHttpResponse(_cached_blocks(key, stored["blocks"]))
    else:
        response = HttpResponse(stored["content"])
    for name, value in stored["headers"].items():
        response[name] = value
    return response


def _complete(key: str, stored: dict) -> bool:
    """A streamed entry is usable while its blocks are in the cache: the first (oldest, evicted first)
    and the last are checked without reading them; a block gone later still fails the response."""
    blocks = stored.get("blocks")
    return not blocks or (cache.has_key(f"{key}:0") and cache.has_key(f"{key}:{blocks - 1}"))


def _kept_while_streamed(content: Iterator[bytes], headers: dict[str, str], key: str) -> Iterator[bytes]:
    """Stream on as before while writing the content to the cache in blocks of CACHED_BLOCK_BYTES, so
    memory stays flat whatever the size; the entry that points at the blocks is written last, so a
    response cut short (or past MAX_STREAMED_BYTES) is never served from the cache. Kept as it is for
    either encoding: compressing it would hold a whole body in memory."""
    block: list[bytes] = []
    block_size = blocks = written = 0
    for chunk in content:
        yield chunk
        if written > MAX_STREAMED_BYTES:
            continue
        block.append(chunk)
        block_size += len(chunk)
        written += len(chunk)
        if block_size >= CACHED_BLOCK_BYTES:
            cache.set(f"{key}:{blocks}", b"".join(block), CACHE_SECONDS)
            blocks, block, block_size = blocks + 1, [], 0
    if written <= MAX_STREAMED_BYTES:
        if block:
            cache.set(f"{key}:{blocks}", b"".join(block), CACHE_SECONDS)
            blocks += 1
        entry = {"blocks": blocks, "headers": headers}
        cache.set_many({f"{key}:{name}": entry for name in (IDENTITY, GZIP)}, CACHE_SECONDS)


def _cached_blocks(key: str, blocks: int) -> Iterator[bytes]:
    for number in range(blocks):
        block = cache.get(f"{key}:{number}")
        if block is None:  # evicted meanwhile: the response cannot be completed, so it must fail visibly
            raise RuntimeError(f"cache block {number} of {key} is gone")
        yield block


def _validators(response: HttpResponse, etag: str, last_modified: float, varies: tuple[str, ...]) -> HttpResponse:
    """ETag and Last-Modified, and 'revalidate every time': a browser keeps the page but asks first."""
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    patch_cache_control(response, no_cache=True, public=True)
    patch_vary_headers(response, varies)
    if isinstance(response, HttpResponseNotModified):
        response.content = b""
    return response
