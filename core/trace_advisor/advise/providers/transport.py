"""One bounded HTTP POST for model calls: a deadline for the whole request, a cap on the answer, no redirects.

A socket timeout bounds each read only, so an endpoint that sends a byte every few seconds would hold a run
forever; here a watchdog shuts the socket down when the request's deadline passes, whatever it is doing. Answers
larger than ``max_bytes`` are cut off unread. Redirects are never followed: a 3xx is an error naming the target,
so credentials never travel to a host the user did not configure. Proxies come from the usual environment
variables (``HTTPS_PROXY``, ``HTTP_PROXY``, ``NO_PROXY``); loopback endpoints never use one.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import socket
import ssl
import threading
import time
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

MAX_RESPONSE_BYTES = 8 << 20  # an answer of max_tokens tokens is a few hundred KB; 8 MiB is never a real one
_CHUNK = 64 << 10


@dataclass(frozen=True, slots=True)
class HttpResponse:
    status: int
    reason: str
    headers: Mapping[str, str]  # lower-case names
    body: bytes


class TransportError(Exception):
    """The request did not complete: ``kind`` is "timeout", "network", "too_large" or "redirect"."""

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind


def is_loopback(host: str) -> bool:
    return host in ("localhost", "::1") or host.startswith("127.")


def post(
    url: str,
    body: bytes,
    headers: Mapping[str, str],
    *,
    deadline_seconds: float,
    max_bytes: int = MAX_RESPONSE_BYTES,
    ca_bundle: str | None = None,
) -> HttpResponse:
    """POST ``body`` to ``url`` and read the whole answer within ``deadline_seconds``; raises TransportError."""
    deadline = time.monotonic() + deadline_seconds
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TransportError(f"not an http(s) URL: {url}", "network")
    host, port = parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    conn, proxy_headers = _connection(parts.scheme, host, port, _remaining(deadline, url), ca_bundle)
    if proxy_headers is not None:  # through a plain HTTP proxy: the request line carries the absolute URL
        target = f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{target}"
        headers = {**headers, **proxy_headers}
    watchdog = _Watchdog(deadline)
    try:
        return _exchange(conn, watchdog, target, body, headers, deadline, max_bytes, url)
    except TransportError:
        raise
    except (OSError, http.client.HTTPException) as exc:
        if time.monotonic() >= deadline:
            raise _timeout(url, deadline_seconds) from exc
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc) or type(exc).__name__
        raise TransportError(f"cannot reach {_origin(url)} ({reason})", "network") from exc
    finally:
        watchdog.cancel()
        conn.close()


def _exchange(
    conn: http.client.HTTPConnection,
    watchdog: _Watchdog,
    target: str,
    body: bytes,
    headers: Mapping[str, str],
    deadline: float,
    max_bytes: int,
    url: str,
) -> HttpResponse:
    names = {name.lower() for name in headers}
    conn.timeout = _remaining(deadline, url)
    conn.connect()
    sock = conn.sock  # http.client drops conn.sock once the response owns the connection
    assert sock is not None
    watchdog.arm(sock)
    conn.putrequest("POST", target, skip_host="host" in names, skip_accept_encoding=True)
    for name, value in headers.items():
        conn.putheader(name, value)
    if "content-length" not in names:
        conn.putheader("Content-Length", str(len(body)))
    conn.endheaders(body)
    response = conn.getresponse()
    received = {name.lower(): value for name, value in response.getheaders()}
    if 300 <= response.status < 400:
        location = received.get("location", "?")
        raise TransportError(
            f"{_origin(url)} answered {response.status} {response.reason} redirecting to {location}; redirects are "
            "not followed for model endpoints: configure the final URL",
            "redirect",
        )
    declared = received.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise _too_large(url, max_bytes)
    chunks: list[bytes] = []
    size = 0
    while True:
        sock.settimeout(_remaining(deadline, url))
        chunk = response.read1(_CHUNK)
        if time.monotonic() >= deadline:
            raise _timeout(url, None)
        if not chunk:
            break
        size += len(chunk)
        if size > max_bytes:
            raise _too_large(url, max_bytes)
        chunks.append(chunk)
    return HttpResponse(response.status, response.reason, received, b"".join(chunks))


def _connection(
    scheme: str, host: str, port: int, timeout: float, ca_bundle: str | None
) -> tuple[http.client.HTTPConnection, dict[str, str] | None]:
    """A connection to ``host`` (through the environment's proxy, if any), and the headers for a plain HTTP proxy
    (None when the request goes straight to the host or through a CONNECT tunnel)."""
    proxy = None if is_loopback(host) else _proxy_for(scheme, host)
    context = ssl.create_default_context(cafile=ca_bundle) if scheme == "https" else None
    if proxy is None:
        if context is not None:
            return http.client.HTTPSConnection(host, port, timeout=timeout, context=context), None
        return http.client.HTTPConnection(host, port, timeout=timeout), None
    proxy_host, proxy_port, proxy_auth = proxy
    auth = {"Proxy-Authorization": proxy_auth} if proxy_auth else {}
    if context is None:
        return http.client.HTTPConnection(proxy_host, proxy_port, timeout=timeout), auth
    tunnel = http.client.HTTPSConnection(proxy_host, proxy_port, timeout=timeout, context=context)
    tunnel.set_tunnel(host, port, auth or None)
    return tunnel, None


def _proxy_for(scheme: str, host: str) -> tuple[str, int, str | None] | None:
    """The (host, port, Proxy-Authorization) of the environment's proxy for ``scheme``, None when bypassed."""
    proxies = urllib.request.getproxies()
    found = proxies.get(scheme) or proxies.get("all")
    if not found or urllib.request.proxy_bypass(host):
        return None
    parts = urlsplit(found if "://" in found else f"http://{found}")
    if not parts.hostname:
        return None
    auth = None
    if parts.username is not None:
        token = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
        auth = "Basic " + base64.b64encode(token).decode("ascii")
    return parts.hostname, parts.port or 8080, auth


class _Watchdog:
    """Shuts the socket down when the deadline passes, waking up any read blocked on it."""

    def __init__(self, deadline: float) -> None:
        self._deadline = deadline
        self._timer: threading.Timer | None = None

    def arm(self, sock: socket.socket) -> None:
        self._timer = threading.Timer(max(0.0, self._deadline - time.monotonic()), _shut, args=(sock,))
        self._timer.daemon = True
        self._timer.start()

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


def _remaining(deadline: float, url: str) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise _timeout(url, None)
    return left


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"


def _timeout(url: str, seconds: float | None) -> TransportError:
    within = f" within {seconds:g}s" if seconds is not None else " before the deadline"
    return TransportError(f"no complete answer from {_origin(url)}{within}", "timeout")


def _too_large(url: str, max_bytes: int) -> TransportError:
    return TransportError(f"the answer from {_origin(url)} is larger than {max_bytes >> 20} MiB; not read", "too_large")
