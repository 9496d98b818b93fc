"""LSP base-protocol frames (``Content-Length`` header, blank line, body) read from a byte stream, robustly.

pygls' reader trusts the header: a huge ``Content-Length`` makes it allocate that much, and a short or non-numeric
one leaves it reading bodies as header lines forever. This reader caps sizes and resynchronises instead. It relies
on one fact: a ``Content-Length: ...`` line ending in a raw CR LF cannot occur inside a JSON body (JSON strings
escape CR, LF and quotes), so such a line always starts a new message, wherever it is found. Hence:

- a message over ``max_body`` is skipped (scanned for the next header, never buffered);
- bytes between messages are skipped; a body whose length is missing, not a number, too short or too long is
  recovered when the bytes up to the next header are one JSON object, and skipped otherwise;
- what is skipped is reported with its first bytes, so a request that cannot be read still gets an error response.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass

MAX_BODY = 64 * 1024 * 1024  # a bigger message is skipped, never buffered (a 5 MB source file is ~6 MB of JSON)
MAX_UNDELIMITED = 1024 * 1024  # a body without a usable length is looked for this far, no further
MAX_HEADER = 8 * 1024  # a header block longer than this is not a header
HEAD = 4096  # how much of a skipped message is kept (to find its request id)
_CHUNK = 64 * 1024
_HEADER = re.compile(rb"Content-Length[ \t]*:[^\r\n\"]{0,64}\r\n")
_OTHER_HEADERS = re.compile(rb"(?:[A-Za-z0-9-]+[ \t]*:[^\r\n]*\r\n)*")  # e.g. Content-Type before the length
_LENGTH = re.compile(rb"[ \t]*([0-9]{1,20})[ \t]*")
_TAIL = 96  # bytes kept while scanning for a header (one may be split between two reads)


@dataclass(frozen=True, slots=True)
class Frame:
    """One message body. ``note`` says how it was recovered when its header was wrong (for the log)."""

    body: bytes
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Skipped:
    """Bytes that are not a usable message: ``reason`` for the log, ``head`` (their first bytes) to find a request
    id in, so that a request that cannot be read still gets an error response."""

    reason: str
    head: bytes


class FrameReader:
    """Frames from ``read(n)``: at most ``n`` bytes, blocking until some arrive, ``b""`` at the end of the stream."""

    def __init__(self, read: Callable[[int], bytes], *, max_body: int = MAX_BODY) -> None:
        self._read = read
        self._max_body = max_body
        self._buffer = bytearray()
        self._eof = False
        self._passing = False  # passing over the body of a message already reported as skipped

    def next(self) -> Frame | Skipped | None:
        """The next frame or skipped stretch; None once the stream has ended."""
        while True:
            start = self._header_start()
            if start is None:
                return None
            if start > 0:
                between = bytes(self._buffer[:start])
                del self._buffer[:start]
                passing, self._passing = self._passing, False
                found = self._between(between, passing)
                if found is not None:
                    return found
            end = self._find(b"\r\n\r\n", MAX_HEADER)
            if end is None:
                del self._buffer[:1]  # not a header after all: look for the next one
                return Skipped("a message header without the blank line after it", b"")
            header = bytes(self._buffer[:end])
            del self._buffer[: end + 4]
            length = _content_length(header)
            if length is None:
                return self._undelimited(_why_no_length(header))
            if length > self._max_body:
                self._passing = True
                head = bytes(self._buffer[: min(length, HEAD)])  # what has arrived; never wait for more
                return Skipped(f"a message of {length} bytes, over the limit of {self._max_body}", head)
            return self._body(length)

    # ---- one message -------------------------------------------------------------------------------------------

    def _body(self, length: int) -> Frame | Skipped:
        while len(self._buffer) < length:
            if not self._fill():
                head = bytes(self._buffer[:HEAD])
                self._buffer.clear()
                return Skipped(f"the stream ended inside a message of {length} bytes", head)
        tail = bytes(self._buffer[max(0, length - _TAIL) : length])
        if b"Content-Length" in tail and not tail.rstrip().endswith(b"}"):
            # not the end of a JSON object but maybe the start of the next header (the length was too long): read
            # on to that header's end (a complete body ends in "}", so this never waits after a good message)
            while len(self._buffer) < length + _TAIL and self._fill():
                pass
        inner = _HEADER.search(self._buffer, 0, length + _TAIL)
        if inner is not None and inner.start() < length:  # the next message began inside this one
            body = bytes(self._buffer[: inner.start()])
            del self._buffer[: inner.start()]
            return self._recovered(body, f"Content-Length {length} was longer than the message")
        body = bytes(self._buffer[:length])
        del self._buffer[:length]
        rest = bytes(self._buffer[:1])
        if rest and rest not in (b"C", b"\r", b"\n", b" ", b"\t") and not _is_object(body):
            # the bytes after it do not start a header: the length was too short
            cut = _HEADER.search(self._buffer)
            tail = bytes(self._buffer[: cut.start() if cut else len(self._buffer)])
            if _is_object(body + tail):
                del self._buffer[: len(tail)]
                return Frame(body + tail, f"Content-Length {length} was shorter than the message")
        return Frame(body)

    def _undelimited(self, why: str) -> Frame | Skipped:
        """A body after a header without a usable length: the bytes up to the next header, when they are one JSON
        object (waiting for more while they end in ``}`` but are not yet complete), else skipped."""
        while True:
            found = _HEADER.search(self._buffer)
            candidate = bytes(self._buffer[: found.start() if found else len(self._buffer)])
            if found is not None or (candidate.rstrip().endswith(b"}") and _is_object(candidate)):
                del self._buffer[: len(candidate)]
                return self._recovered(candidate, f"{why}; the message was read up to the next header")
            if len(self._buffer) > MAX_UNDELIMITED or not self._fill():
                head = bytes(self._buffer[:HEAD])
                del self._buffer[: max(0, len(self._buffer) - _TAIL)]  # no header in it: only its tail may matter
                return Skipped(why, head)

    def _between(self, data: bytes, passing: bool) -> Frame | Skipped | None:
        """What to make of bytes before a header: other headers (ignored), a message whose header had no length
        (recovered), the rest of a skipped message (ignored), or garbage (reported)."""
        if not data.strip() or passing or _OTHER_HEADERS.fullmatch(data):
            return None
        headers, blank, body = data.partition(b"\r\n\r\n")
        if blank and _OTHER_HEADERS.fullmatch(headers + b"\r\n") and _is_object(body):
            return Frame(body.strip(), "a message header without Content-Length")
        return Skipped("bytes that are not a message", data[:HEAD])

    @staticmethod
    def _recovered(body: bytes, note: str) -> Frame | Skipped:
        stripped = body.strip()
        if _is_object(stripped):
            return Frame(stripped, note)
        return Skipped(note.split(";")[0], stripped[:HEAD])

    # ---- the buffer --------------------------------------------------------------------------------------------

    def _fill(self) -> bool:
        """Read more into the buffer; False at the end of the stream."""
        if self._eof:
            return False
        chunk = self._read(_CHUNK)
        if not chunk:
            self._eof = True
            return False
        self._buffer += chunk
        return True

    def _header_start(self) -> int | None:
        """Offset of the next header in the buffer, reading as needed; while scanning only a short tail is kept, so
        skipping a huge stretch costs no memory. None at the end of the stream."""
        while True:
            found = _HEADER.search(self._buffer)
            if found is not None:
                return found.start()
            if len(self._buffer) > _CHUNK:
                del self._buffer[: len(self._buffer) - _TAIL]
            if not self._fill():
                self._buffer.clear()
                return None

    def _find(self, marker: bytes, limit: int) -> int | None:
        """Offset of ``marker`` within the first ``limit`` bytes of the buffer, reading as needed."""
        while True:
            found = self._buffer.find(marker, 0, limit + len(marker))
            if found >= 0:
                return found
            if len(self._buffer) >= limit + len(marker) or not self._fill():
                return None


def _content_length(header: bytes) -> int | None:
    for line in header.split(b"\r\n"):
        name, colon, value = line.partition(b":")
        if colon and name.strip().lower() == b"content-length":
            match = _LENGTH.fullmatch(value)
            return int(match.group(1)) if match else None
    return None


def _why_no_length(header: bytes) -> str:
    for line in header.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return f"an invalid Content-Length {value.strip()[:40].decode('ascii', 'replace')!r}"
    return "a message header without Content-Length"


def _is_object(data: bytes) -> bool:
    try:
        return isinstance(json.loads(data), dict)
    except (ValueError, RecursionError):
        return False
