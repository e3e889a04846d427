"""The one place limitwatch talks HTTP: base URL, the client factory, and ``send``.

``send`` never raises for anything the network or the server does: it returns either an
``HttpResponse`` (any status; error statuses carry an ``ErrorResponse`` for the classifier) or a
``TransportError`` saying what went wrong (connect, dns, tls, timeout, reset, protocol, decode,
too_large, other). Bodies are streamed with a size cap, so a huge answer cannot eat memory.

Every request has one total deadline (connect, headers and body together), never longer than
the client's timeout; a one-shot command can also set a time budget for the whole process
(``time_budget``), which every request inside it respects.

Secrets travel only in request headers; nothing here logs or returns request headers, and
redirects are never followed, so a key is never sent to another host. A header value holding a
control character is refused before anything is sent (and never echoed). Plain-http loopback
URLs bypass proxies, so a credential never travels in clear text to a proxy.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json as jsonlib
import os
import time
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from tui.models import ErrorResponse, TransportError
from tui.record import field, record

if TYPE_CHECKING:
    import httpx

    from tui.clock import Clock
    from tui.config import Config

DEFAULT_BASE_URL = "https://api.anthropic.com"
ANTHROPIC_VERSION = "2023-06-01"
OAUTH_BETA = "oauth-2025-04-20"
# The Claude Code release whose user agent we present to the usage endpoint (its throttle is much
# harsher for other agents). Bump it now and then; the server only checks the product name.
CLAUDE_CODE_VERSION = "2.1.92"
ERROR_BODY_LIMIT = 4096  # characters of an error body kept for the classifier
DEFAULT_TOTAL_SECONDS = 15.0  # a request's whole life when the client does not say otherwise
# What one-shot commands (status, doctor) may spend on the network in all: with Python's start
# and the printing, ``status --json`` answers within about 12 s whatever a server does.
COMMAND_BUDGET_SECONDS = 10.0

_budget_ends_at: float | None = None  # time.monotonic() by which every request must be over


class InsecureBaseURL(ValueError):
    """A base URL that would send credentials in clear text over the network."""


def claude_code_user_agent() -> str:
    return f"claude-code/{CLAUDE_CODE_VERSION}"


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 and ``localhost`` itself; not ``evil.localhost`` (a name anyone's
    resolver or proxy may send elsewhere)."""
    host = host.strip("[]").lower().rstrip(".")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@contextlib.contextmanager
def time_budget(seconds: float) -> Iterator[None]:
    """Every request sent inside this block is over within ``seconds`` of entering it."""
    global _budget_ends_at
    previous = _budget_ends_at
    ends = time.monotonic() + max(0.0, seconds)
    _budget_ends_at = ends if previous is None else min(previous, ends)
    try:
        yield
    finally:
        _budget_ends_at = previous


def budget_left() -> float | None:
    """Seconds left of the process's time budget; None when there is none (the live view)."""
    if _budget_ends_at is None:
        return None
    return max(0.0, _budget_ends_at - time.monotonic())


def has_control_character(value: str) -> bool:
    """True for C0/C1 control characters and DEL (a header cannot carry them)."""
    return any(ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F for ch in value)


def check_base_url(url: str) -> str:
    """The URL without a trailing slash; raises ``InsecureBaseURL`` for bad or clear-text URLs."""
    url = url.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InsecureBaseURL(f"base URL {url!r} is not an http(s) URL with a host")
    if parts.username or parts.password:
        raise InsecureBaseURL("base URL must not contain a user name or password")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise InsecureBaseURL(
            f"base URL {url!r} uses plain http to {parts.hostname}: credentials would travel "
            "unencrypted; use https (plain http is only allowed to localhost / 127.0.0.1 / ::1)"
        )
    return url


def resolve_base_url(config: Config, env: Mapping[str, str] | None = None) -> tuple[str, str]:
    """(url, origin) where origin is "config", "ANTHROPIC_BASE_URL" or "default".

    The config file wins over the environment. Raises ``InsecureBaseURL`` for plain http to
    anything but loopback.
    """
    environ = os.environ if env is None else env
    if config.sources.base_url:
        return check_base_url(config.sources.base_url), "config"
    from_env = environ.get("ANTHROPIC_BASE_URL", "").strip()
    if from_env:
        return check_base_url(from_env), "ANTHROPIC_BASE_URL"
    return DEFAULT_BASE_URL, "default"


def make_client(base_url: str, *, timeout: float = DEFAULT_TOTAL_SECONDS) -> httpx.AsyncClient:
    """The shared client: no redirects, bounded timeouts, proxies from the environment except
    for plain http to loopback (a proxy would see the credential in clear text)."""
    import httpx

    parts = urlsplit(base_url)
    direct = parts.scheme == "http" and is_loopback(parts.hostname or "")
    return httpx.AsyncClient(
        base_url=base_url,
        timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
        trust_env=not direct,
        follow_redirects=False,
        headers={"accept": "application/json"},
    )


@record
class HttpResponse:
    """An HTTP answer: status, lower-cased headers, parsed JSON (None if not JSON) and text.

    ``error`` is set for every non-2xx status.
    """

    status: int
    headers: Mapping[str, str]
    json: object | None
    text: str = field(repr=False)
    url: str
    error: ErrorResponse | None = None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


def _content_is_json(headers: Mapping[str, str]) -> bool:
    ctype = headers.get("content-type", "").lower()
    return "json" in ctype


def _parse_error_body(data: object) -> tuple[str | None, str | None]:
    if not isinstance(data, dict):
        return None, None
    err = data.get("error")
    if isinstance(err, dict):
        etype = err.get("type")
        msg = err.get("message")
        return (etype if isinstance(etype, str) else None, msg if isinstance(msg, str) else None)
    if isinstance(err, str):
        return err, None
    return None, None


def _iter_causes(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def transport_kind(exc: BaseException) -> str:
    """Sort an httpx / OS exception into connect|dns|tls|timeout|reset|protocol|other."""
    import ssl

    import httpx

    chain = _iter_causes(exc)
    text = " ".join(str(e) for e in chain).lower()
    if isinstance(exc, httpx.TimeoutException) or any(isinstance(e, TimeoutError) for e in chain):
        return "timeout"
    if any(isinstance(e, ssl.SSLError) for e in chain) or "ssl" in text or "certificate" in text:
        return "tls"
    dns_words = (
        "name or service not known",
        "nodename nor servname",
        "getaddrinfo",
        "temporary failure in name resolution",
        "no address associated",
        "name resolution",
    )
    if any(w in text for w in dns_words):
        return "dns"
    if any(isinstance(e, ConnectionResetError | BrokenPipeError) for e in chain) or (
        "reset" in text or "incomplete" in text or "peer closed" in text
    ):
        return "reset"
    if isinstance(exc, httpx.ConnectError) or any(
        isinstance(e, ConnectionRefusedError) for e in chain
    ):
        return "connect"
    if isinstance(exc, httpx.RemoteProtocolError | httpx.LocalProtocolError):
        return "protocol"
    if isinstance(exc, httpx.ReadError | httpx.WriteError | httpx.NetworkError):
        return "reset"
    return "other"


_KIND_WORDS = {
    "connect": "could not connect",
    "dns": "could not resolve the host name",
    "tls": "TLS (certificate) problem",
    "timeout": "no answer in time",
    "reset": "the connection was cut off",
    "protocol": "the server broke the HTTP protocol",
    "decode": "the answer could not be read",
    "too_large": "the answer was too large",
    "other": "network problem",
}


def describe_kind(kind: str) -> str:
    return _KIND_WORDS.get(kind, kind)


def _safe_detail(exc: BaseException) -> str:
    """Exception type and message, one line, bounded (no request headers are ever in it)."""
    msg = " ".join(str(exc).split())[:300]
    name = type(exc).__name__
    return f"{name}: {msg}" if msg else name


async def send(
    client: httpx.AsyncClient,
    method: str,
    path: str,
    *,
    headers: Mapping[str, str],
    source: str,
    clock: Clock,
    json: object | None = None,
    params: list[tuple[str, str]] | None = None,
    max_bytes: int = 2_000_000,
    deadline: float | None = None,
) -> HttpResponse | TransportError:
    """One request; never raises for network or body problems.

    ``deadline`` bounds the whole request, connect to last body byte (default: the client's
    read timeout); the process's ``time_budget`` bounds it further.
    """
    url = path
    with contextlib.suppress(Exception):
        url = str(client.base_url.join(path))
    if any(has_control_character(str(v)) for v in headers.values()):
        detail = "a credential or header holds a control character; it was not sent"
        return TransportError("other", detail, clock.now(), source, url)
    total = deadline if deadline is not None else _client_total(client)
    left = budget_left()
    if left is not None:
        if left <= 0:
            detail = "no time left for this call (the command's time limit was reached)"
            return TransportError("timeout", detail, clock.now(), source, url)
        total = min(total, left)
    import asyncio  # only when sending: a warm `status` never loads it (it imports ssl)

    try:
        async with asyncio.timeout(total):
            return await _exchange(
                client, method, path, headers, source, clock, json, params, max_bytes, url
            )
    except TimeoutError:
        detail = f"no complete answer within {total:.3g} s"
        return TransportError("timeout", detail, clock.now(), source, url)


def _client_total(client: httpx.AsyncClient) -> float:
    try:
        read = client.timeout.read
    except Exception:
        read = None
    return float(read) if isinstance(read, int | float) and read > 0 else DEFAULT_TOTAL_SECONDS


async def _exchange(
    client: httpx.AsyncClient,
    method: str,
    path: str,
    headers: Mapping[str, str],
    source: str,
    clock: Clock,
    json: object | None,
    params: list[tuple[str, str]] | None,
    max_bytes: int,
    url: str,
) -> HttpResponse | TransportError:
    import httpx

    try:
        query: list[tuple[str, str | int | float | bool | None]] = list(params or [])
        request = client.build_request(method, path, headers=dict(headers), json=json, params=query)
        url = str(request.url.copy_with(query=None))
        response = await client.send(request, stream=True)
    except httpx.InvalidURL as exc:
        return TransportError("other", _safe_detail(exc), clock.now(), source, url)
    except (httpx.HTTPError, OSError) as exc:
        return TransportError(transport_kind(exc), _safe_detail(exc), clock.now(), source, url)
    try:
        resp_headers = {k.lower(): v for k, v in response.headers.items()}
        declared = resp_headers.get("content-length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            return TransportError(
                "too_large",
                f"answer of {int(declared)} bytes is over the {max_bytes} byte limit",
                clock.now(),
                source,
                url,
            )
        chunks: list[bytes] = []
        total = 0
        async for chunk in response.aiter_bytes():
            total += len(chunk)
            if total > max_bytes:
                return TransportError(
                    "too_large",
                    f"answer is over the {max_bytes} byte limit",
                    clock.now(),
                    source,
                    url,
                )
            chunks.append(chunk)
    except (httpx.HTTPError, OSError) as exc:
        return TransportError(transport_kind(exc), _safe_detail(exc), clock.now(), source, url)
    finally:
        with contextlib.suppress(Exception):
            await response.aclose()
    raw = b"".join(chunks)
    text = raw.decode("utf-8", errors="replace")
    status = response.status_code
    parsed: object | None = None
    is_ok = 200 <= status < 300
    # A success must say it is JSON; an error body is read as JSON whenever it parses.
    if (not is_ok or _content_is_json(resp_headers)) and text.strip():
        try:
            parsed = jsonlib.loads(text)
        except (ValueError, RecursionError):
            parsed = None
    error: ErrorResponse | None = None
    if not is_ok:
        etype, message = _parse_error_body(parsed)
        error = ErrorResponse(
            status=status,
            headers=resp_headers,
            body=text[:ERROR_BODY_LIMIT],
            observed_at=clock.now(),
            source=source,
            url=url,
            error_type=etype,
            message=message,
        )
    return HttpResponse(status, resp_headers, parsed, text, url, error)


def decode_problem(response: HttpResponse, source: str, clock: Clock) -> TransportError:
    """A 2xx answer whose body is not the JSON object we expected."""
    ctype = response.headers.get("content-type", "") or "none"
    if response.json is None:
        if not _content_is_json(response.headers):
            detail = f"expected JSON but got content-type {ctype}"
        else:
            detail = "the body is not valid JSON"
    else:
        detail = f"unexpected JSON shape ({type(response.json).__name__} instead of an object)"
    return TransportError("decode", detail, clock.now(), source, response.url)
