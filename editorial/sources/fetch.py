"""The guarded fetch: one web page, bounded in time, size and redirects, never from an address it must not reach.

A source's URL is typed by an editor (or imported), and the server fetches it: without a guard that is a
way to make our server read its own admin port, the cloud's metadata service or a machine of the
intranet. So every hop, the first and each redirect, is checked the same way before any byte is sent:

- http or https only, with a host;
- the host is resolved once, every address it resolves to is checked (`address_refusal`), and the
  connection goes to the address that was checked (never resolved again: no DNS-rebinding gap), with
  the name still sent as Host and checked against the TLS certificate;
- loopback, private and other non-public addresses are refused unless SOURCE_FETCH_ALLOW_PRIVATE is on;
  link-local (where clouds serve their metadata), unspecified ("0.0.0.0" reaches this machine),
  multicast and reserved addresses are refused even then.

The page must answer within SOURCE_FETCH_TIMEOUT seconds in all (connecting, redirects and reading
together), be HTML, and hold at most SOURCE_FETCH_MAX_BYTES once decompressed; at most MAX_REDIRECTS
redirects are followed. Every refusal is a FetchError whose message says what happened in words; a
page that is not there any more (404, 410, a name that no longer resolves) is a PageGone.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from urllib.parse import urljoin, urlsplit

import urllib3
from django.conf import settings
from django.utils import timezone

from editorial.models import GONE_STATUSES
from events.models import WEB_URL_SCHEMES

MAX_REDIRECTS = 5
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
READ_CHUNK_BYTES = 64 * 1024
DEFAULT_PORTS = {"http": 80, "https": 443}

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Refused whatever the setting: no source is ever there, and each is a way into this machine or its cloud.
NEVER_REACHED: tuple[tuple[str, Callable[[IpAddress], bool]], ...] = (
    ("an unspecified", lambda address: address.is_unspecified or address in ipaddress.ip_network("0.0.0.0/8")),
    ("a link-local", lambda address: address.is_link_local),
    ("a multicast", lambda address: address.is_multicast),
    ("a reserved", lambda address: address.is_reserved and not address.is_loopback),  # ::1 is in ::/8
)
# Refused unless SOURCE_FETCH_ALLOW_PRIVATE: this machine and the networks behind it.
PRIVATE: tuple[tuple[str, Callable[[IpAddress], bool]], ...] = (
    ("a loopback", lambda address: address.is_loopback),
    ("a private", lambda address: address.is_private),
    ("a non-public", lambda address: not address.is_global),
)


class FetchError(Exception):
    """The page could not be fetched; the message says why, for an editor or an operator."""


class PageGone(FetchError):
    """The page is not there any more: the server says so (404, 410), or its host name no longer exists."""

    def __init__(self, message: str, *, status: int | None, final_url: str) -> None:
        super().__init__(message)
        self.status = status
        self.final_url = final_url


@dataclass(frozen=True)
class Page:
    """An HTML page as fetched: where it was asked for and where it was found, in bytes and the charset
    its server declared (if any)."""

    url: str
    final_url: str
    status: int
    content: bytes
    charset: str | None
    fetched_at: datetime = field(default_factory=timezone.now)


def address_refusal(address: IpAddress, *, allow_private: bool) -> str | None:
    """Why a connection to this address is refused ("a loopback address"), or None when it is allowed."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    for kind, test in NEVER_REACHED:
        if test(address):
            return f"{address} is {kind} address: no source is fetched from it"
    for kind, test in PRIVATE:
        if test(address) and not allow_private:
            return (
                f"{address} is {kind} address: sources are fetched from public addresses only "
                "(an operator may allow private ones with SOURCE_FETCH_ALLOW_PRIVATE=1)"
            )
    return None


@dataclass(frozen=True)
class Target:
    """One hop, checked: the URL, the addresses to connect to (all checked), and the name to present."""

    url: str
    scheme: str
    host: str  # as sent in Host and checked against the certificate (IDNA, ASCII)
    port: int
    addresses: tuple[str, ...]
    path: str


def checked_target(url: str, *, deadline: float) -> Target:
    """Parse, resolve once and check one hop's URL, or raise FetchError."""
    try:
        parts = urlsplit(url)
        port = parts.port
        # The path and query as a request sends them: spaces and letters beyond ASCII percent-encoded.
        path = urllib3.util.parse_url(url).request_uri
    except ValueError:
        raise FetchError(f"{url!r} is not a web address.") from None
    scheme = parts.scheme.lower()
    if scheme not in WEB_URL_SCHEMES or not parts.hostname:
        raise FetchError(f"{url!r} is not a web address: only http:// and https:// pages are fetched.")
    try:
        host = parts.hostname.encode("idna").decode("ascii")
    except UnicodeError:
        raise FetchError(f"{parts.hostname!r} is not a valid host name.") from None
    port = port or DEFAULT_PORTS[scheme]
    addresses = resolve(host, port, deadline=deadline, url=url)
    allow_private = settings.SOURCE_FETCH_ALLOW_PRIVATE
    for address in addresses:
        if refusal := address_refusal(address, allow_private=allow_private):
            raise FetchError(f"Refused to fetch {url}: {refusal}.")
    return Target(url=url, scheme=scheme, host=host, port=port, addresses=tuple(map(str, addresses)), path=path)


def resolve(host: str, port: int, *, deadline: float, url: str) -> list[IpAddress]:
    """Every address the host name stands for (an address as host stands for itself)."""
    if time.monotonic() > deadline:
        raise FetchError(f"{url} did not answer within {settings.SOURCE_FETCH_TIMEOUT} s.")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        if error.errno == socket.EAI_NONAME:
            raise PageGone(
                f"{host} no longer exists (its name does not resolve).", status=None, final_url=url
            ) from None
        raise FetchError(f"{host} could not be looked up: {error.strerror}.") from None
    addresses: list[IpAddress] = []
    for *_, sockaddr in infos:
        # An IPv6 scope ("fe80::1%eth0") would not parse; such an address is link-local, refused anyway.
        address = ipaddress.ip_address(sockaddr[0].split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    return addresses


def fetch(url: str, *, accept: frozenset[str] = HTML_TYPES, max_bytes: int | None = None) -> Page:
    """The HTML page at this URL, following checked redirects; FetchError (or PageGone) otherwise.

    A caller fetching something else than a page (a dataset's file, inbox.files) names the content types
    it accepts and the most bytes it reads (SOURCE_FETCH_MAX_BYTES otherwise)."""
    timeout = settings.SOURCE_FETCH_TIMEOUT
    deadline = time.monotonic() + timeout
    current = url
    for _ in range(MAX_REDIRECTS + 1):
        target = checked_target(current, deadline=deadline)
        response = request(target, deadline=deadline)
        try:
            if response.status in REDIRECT_STATUSES:
                location = response.headers.get("Location", "").strip()
                if not location:
                    raise FetchError(f"{current} redirects ({response.status}) without saying where to.")
                current = urljoin(current, location)
                continue
            if response.status in GONE_STATUSES:
                raise PageGone(
                    f"{current} answered {response.status} {response.reason or ''}".rstrip() + ": the page is gone.",
                    status=response.status,
                    final_url=current,
                )
            if not 200 <= response.status < 300:
                raise FetchError(f"{current} answered {response.status} {response.reason or ''}".rstrip() + ".")
            charset = html_charset(response, url=current, accept=accept)
            content = read_bounded(response, deadline=deadline, url=current, limit=max_bytes)
            return Page(url=url, final_url=current, status=response.status, content=content, charset=charset)
        finally:
            response.release_conn()
    raise FetchError(f"{url} redirects more than {MAX_REDIRECTS} times: the page is not fetched.")


def request(target: Target, *, deadline: float) -> urllib3.BaseHTTPResponse:
    """One GET to the checked addresses, each in turn until one connects (a name with an IPv6 address this
    machine cannot reach may still have an IPv4 one), the name in Host and, for https, in SNI and the
    certificate check."""
    *others, last = target.addresses
    for address in others:
        try:
            return request_to(address, target, deadline=deadline)
        except FetchError as error:
            if not isinstance(error.__cause__, urllib3.exceptions.NewConnectionError):
                raise
    return request_to(last, target, deadline=deadline)


def request_to(address: str, target: Target, *, deadline: float) -> urllib3.BaseHTTPResponse:
    remaining = max(deadline - time.monotonic(), 0.001)
    pool_options = {"timeout": urllib3.Timeout(connect=remaining, read=remaining), "retries": False, "maxsize": 1}
    if target.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            address,
            target.port,
            server_hostname=target.host,
            assert_hostname=target.host,
            cert_reqs="CERT_REQUIRED",
            **pool_options,
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, target.port, **pool_options)
    port = "" if target.port == DEFAULT_PORTS[target.scheme] else f":{target.port}"
    host = f"[{target.host}]" if ":" in target.host else target.host
    headers = {
        "Host": f"{host}{port}",
        "User-Agent": f"{settings.SITE_NAME} source check ({settings.RELEASE})",
        "Accept": "text/html,application/xhtml+xml",
        "Accept-Encoding": "gzip, deflate",
    }
    try:
        return pool.urlopen(
            "GET", target.path, headers=headers, redirect=False, preload_content=False, assert_same_host=False
        )
    except urllib3.exceptions.NewConnectionError as error:  # a TimeoutError to urllib3, "refused" to us
        raise FetchError(f"{target.url} could not be reached: {describe(error)}.") from error
    except urllib3.exceptions.TimeoutError:
        raise FetchError(f"{target.url} did not answer within {settings.SOURCE_FETCH_TIMEOUT} s.") from None
    except urllib3.exceptions.SSLError as error:
        reason = error.args[0] if error.args else error
        reason = getattr(reason, "verify_message", None) or reason  # "self-signed certificate"
        raise FetchError(f"{target.url}: its secure connection could not be verified ({reason}).") from None
    except urllib3.exceptions.HTTPError as error:
        raise FetchError(f"{target.url} could not be reached: {describe(error)}.") from None


def describe(error: Exception) -> str:
    """The system's reason under urllib3's error ("Connection refused"), else urllib3's own words."""
    cause = error.__cause__ or error.__context__
    return getattr(cause, "strerror", None) or str(error)


def html_charset(response: urllib3.BaseHTTPResponse, *, url: str, accept: frozenset[str] = HTML_TYPES) -> str | None:
    """The charset the server declared for an HTML answer (or one of the types accepted); FetchError for
    anything else."""
    header = EmailMessage()
    header["Content-Type"] = response.headers.get("Content-Type", "")
    content_type = header.get_content_type() if response.headers.get("Content-Type") else "(none said)"
    if content_type not in accept:
        if accept == HTML_TYPES:
            raise FetchError(f"{url} is not a web page (HTML) but {content_type}: only HTML pages are read.")
        raise FetchError(f"{url} is {content_type}, not one of the types read here ({', '.join(sorted(accept))}).")
    return header.get_param("charset")


def read_bounded(response: urllib3.BaseHTTPResponse, *, deadline: float, url: str, limit: int | None = None) -> bytes:
    """The body, decompressed, refused once larger than `limit` (SOURCE_FETCH_MAX_BYTES unless given) or
    later than the deadline."""
    limit = limit or settings.SOURCE_FETCH_MAX_BYTES
    too_large = FetchError(f"{url} is larger than {limit:,} bytes: the page is not read.")
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    body = bytearray()
    try:
        # read1() returns what one read brings, so a page that trickles in meets the deadline between reads.
        while chunk := response.read1(READ_CHUNK_BYTES):
            body += chunk
            if len(body) > limit:
                raise too_large
            if time.monotonic() > deadline:
                raise FetchError(f"{url} did not arrive within {settings.SOURCE_FETCH_TIMEOUT} s.")
    except urllib3.exceptions.TimeoutError:
        raise FetchError(f"{url} did not arrive within {settings.SOURCE_FETCH_TIMEOUT} s.") from None
    except urllib3.exceptions.HTTPError as error:
        raise FetchError(f"{url} could not be read: {describe(error)}.") from None
    return bytes(body)
