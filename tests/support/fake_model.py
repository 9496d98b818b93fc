"""The part of the fake model servers both wire formats share: scripted replies, recorded requests, a fake model.

Token counts are a deterministic estimate (one token per four characters, rounded up) of the text the request
carries, so benchmarks can compare prompt sizes exactly.
"""

from __future__ import annotations

import json
import math
import re
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_SYMBOL = re.compile(r"^### symbol: (\S+)$", re.MULTILINE)
_PRIORITY = re.compile(r"^- (\w+) \([0-9.]+\): ", re.MULTILINE)  # the system prompt's priority list
_EVIDENCE = re.compile(r"^(\d+)\|.*  #> (\w+): ", re.MULTILINE)  # a listing line with a local finding


def estimate_tokens(text: str) -> int:
    return math.ceil(len(text) / 4)


@dataclass
class Reply:
    """One scripted reply; anything left at its default comes from the fake model."""

    text: str | None = None  # the model's answer text (None: the fake model answers)
    stop_reason: str = "end_turn"  # Bedrock stopReason; mapped to OpenAI's finish_reason
    status: int = 200
    error_type: str | None = None  # an error reply: Bedrock __type / x-amzn-ErrorType, OpenAI error.type
    message: str = "error"
    headers: dict[str, str] = field(default_factory=dict)
    raw_body: bytes | None = None  # send exactly these bytes (malformed bodies)
    delay: float = 0.0  # seconds before answering (read timeouts)
    usage: tuple[int, int] | None = None  # (input, output) tokens instead of the estimate
    close: bool = False  # drop the connection without answering
    trickle: float = 0.0  # send the answer one byte every this many seconds (a slow-loris endpoint)
    redirect_to: str | None = None  # answer with a redirect (``status`` 3xx) to this URL
    stream_bytes: int = 0  # answer with a 200 body of this many bytes, streamed without a length (a huge answer)


@dataclass(frozen=True)
class Received:
    """A request the server got."""

    path: str
    headers: dict[str, str]  # lower-case names
    body: dict[str, Any]
    model: str
    text: str  # every prompt text in the request, joined (what a tokenizer would count)


def fake_answer(received: Received) -> str:
    """A well-formed answer naming every function listed in the request, at a line it has local findings for."""
    names = _PRIORITY.findall(received.text) or ["external_io"]
    sections = re.split(r"(?=^### symbol: )", received.text, flags=re.MULTILINE)
    entries = []
    for section in sections:
        symbol = _SYMBOL.search(section)
        if symbol is None:
            continue
        evidence = _EVIDENCE.search(section)
        priority = evidence.group(2) if evidence and evidence.group(2) in names else names[0]
        entries.append(
            {
                "symbol": symbol.group(1),
                "line": int(evidence.group(1)) if evidence else 1,
                "priority": priority,
                "confidence": 0.8,
                "rationale": f"fake model: {symbol.group(1)} does {priority} work worth a span.",
                "capture": {"parameters": [], "return_value": False, "exceptions": True, "attributes": []},
            }
        )
    return json.dumps({"recommendations": entries})


class FakeModelServer(ThreadingHTTPServer):
    """A threaded loopback server on 127.0.0.1, port chosen by the OS; use as a context manager."""

    daemon_threads = True
    block_on_close = False

    def __init__(
        self,
        handler: type[BaseHTTPRequestHandler],
        *,
        latency: float = 0.0,
        answer: Callable[[Received], str] = fake_answer,
        known_models: set[str] | None = None,
    ) -> None:
        super().__init__(("127.0.0.1", 0), handler)
        self.latency = latency
        self.answer = answer
        self.known_models = known_models
        self.script: deque[Reply] = deque()
        self.requests: list[Received] = []
        self.in_flight = 0
        self.max_in_flight = 0  # the most requests handled at once (checks the client's concurrency bound)
        self.closing = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"

    def add(self, *replies: Reply) -> None:
        """Queue replies; each request takes the next one, then the fake model answers."""
        with self._lock:
            self.script.extend(replies)

    def next_reply(self, received: Received) -> Reply:
        with self._lock:
            self.requests.append(received)
            return self.script.popleft() if self.script else Reply()

    def enter(self) -> None:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def leave(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def pause(self, seconds: float) -> None:
        """Sleep, but wake up at once when the server closes."""
        if seconds > 0:
            self.closing.wait(seconds)

    def __enter__(self) -> FakeModelServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.closing.set()
        self.shutdown()
        self.server_close()


class QuietHandler(BaseHTTPRequestHandler):
    """Request handler base: no access log on stderr, tolerant of clients that hang up."""

    protocol_version = "HTTP/1.1"
    server: FakeModelServer

    def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
        self._answering = False
        self.server.enter()
        try:
            self.handle_post()
        finally:
            if not self._answering:
                self.server.leave()

    def send_response(self, code: int, message: str | None = None) -> None:
        # A request stops counting as in flight when its answer starts: the client may send its next request as soon
        # as it has read this answer, which on a loaded machine can come before this thread runs its `finally`.
        if not self._answering:
            self._answering = True
            self.server.leave()
        super().send_response(code, message)

    def handle_post(self) -> None:
        raise NotImplementedError

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's signature
        return

    def read_json(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            data = json.loads(raw or b"{}")
        except ValueError:
            data = {}
        return data if isinstance(data, dict) else {}

    def send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        try:
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (read timeout, cancellation)

    def hostile(self, reply: Reply) -> bool:
        """Answer the hostile replies (trickle, redirect, huge body); False when ``reply`` is an ordinary one."""
        try:
            if reply.redirect_to is not None:
                status = reply.status if 300 <= reply.status < 400 else 302
                self.send(status, b"", {"Location": reply.redirect_to, **reply.headers})
            elif reply.trickle:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                for byte in b'{"choices": [' + b" " * 100_000:
                    if self.server.closing.wait(reply.trickle):
                        break
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                self.close_connection = True
            elif reply.stream_bytes:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                chunk = b" " * (1 << 16)
                for _ in range(reply.stream_bytes // len(chunk)):
                    self.wfile.write(chunk)
                self.close_connection = True
            else:
                return False
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up, as it should
        return True

    def drop(self) -> None:
        self.close_connection = True
        try:
            self.connection.shutdown(2)
        except OSError:
            pass
