"""The agent server's stdio: one JSON-RPC message per line, read and checked here rather than by the SDK, so that
every request is answered.

The SDK's reader drops, without a word, a line it cannot validate: a request whose ``params`` is not an object or
whose strings hold a lone surrogate then waits forever, and a line has no size limit. Here a line that is not JSON
gets a ParseError (id null); a request the SDK cannot read gets InvalidRequest or InvalidParams with its own id; a
line over ``MAX_LINE`` bytes is skipped without being buffered (its id, found in its first bytes, gets the error).
While serving, fd 0 reads the null device and fd 1 writes to stderr, so a stray read or print in a library cannot
touch the protocol (as the SDK's own stdio transport does).
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass

import anyio
import anyio.to_thread
import mcp_types as types
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream
from mcp.shared.message import SessionMessage
from mcp_types.jsonrpc import INTERNAL_ERROR, INVALID_PARAMS, INVALID_REQUEST, PARSE_ERROR

log = logging.getLogger("trace_advisor.mcp")

MAX_LINE = 64 * 1024 * 1024  # a longer line is skipped, never buffered (a 5 MB file is ~6 MB of JSON)
HEAD = 4096  # how much of a skipped line is kept, to find its request id
_CHUNK = 64 * 1024
_ID = re.compile(rb'"id"\s*:\s*(-?[0-9]{1,18}|"(?:[^"\\]|\\.){0,256}")')

Answer = types.JSONRPCMessage | types.JSONRPCError


@dataclass(frozen=True, slots=True)
class TooLong:
    """A line over the limit: its first bytes (to find a request id in) and its size so far."""

    head: bytes
    size: int


class LineReader:
    """Lines (without their end) from ``read(n)``: at most ``n`` bytes, blocking, ``b""`` at the end of the stream."""

    def __init__(self, read: Callable[[int], bytes], *, max_line: int = MAX_LINE) -> None:
        self._read = read
        self._max_line = max_line
        self._buffer = bytearray()
        self._eof = False

    def next(self) -> bytes | TooLong | None:
        """The next line, or what is known of one too long; None once the stream has ended."""
        start = 0
        while True:
            end = self._buffer.find(b"\n", start)
            if end > self._max_line:
                too_long = TooLong(bytes(self._buffer[:HEAD]), end)
                del self._buffer[: end + 1]
                return too_long
            if end >= 0:
                line = bytes(self._buffer[:end])
                del self._buffer[: end + 1]
                return line
            if len(self._buffer) > self._max_line:
                return self._skip()
            if self._eof:
                if not self._buffer:
                    return None
                line = bytes(self._buffer)
                self._buffer.clear()
                return line
            start = len(self._buffer)
            self._fill()

    def _fill(self) -> None:
        data = self._read(_CHUNK)
        if data:
            self._buffer += data
        else:
            self._eof = True

    def _skip(self) -> TooLong:
        """Pass over the rest of a line that is too long, keeping only its head."""
        head, size = bytes(self._buffer[:HEAD]), len(self._buffer)
        self._buffer.clear()
        while not self._eof:
            self._fill()
            end = self._buffer.find(b"\n")
            if end >= 0:
                size += end
                del self._buffer[: end + 1]
                break
            size += len(self._buffer)
            self._buffer.clear()
        return TooLong(head, size)


def read_message(line: bytes | TooLong) -> Answer | None:
    """The message on one line for the server, a ``JSONRPCError`` answering a line that cannot be one, or None when
    there is nothing to answer (a blank line, or a notification that cannot be read)."""
    if isinstance(line, TooLong):
        found = _ID.search(line.head)
        ident = json.loads(found.group(1)) if found else None
        return _error(ident, INVALID_REQUEST, f"message of {line.size} bytes is over the {MAX_LINE >> 20} MiB limit")
    text = line.decode("utf-8", "replace").strip()
    if not text:
        return None
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return _error(None, PARSE_ERROR, "not a JSON message (one JSON-RPC message per line)")
    if not isinstance(value, dict):
        return _error(None, INVALID_REQUEST, "a message is one JSON object (batches are not part of MCP)")
    ident = value.get("id")
    if "id" in value and (not isinstance(ident, int | str) or isinstance(ident, bool)):
        return _error(None, INVALID_REQUEST, "a request id is a string or an integer")
    if ident is not None and _has_lone_surrogate(value):
        return _error(ident, INVALID_PARAMS, "a string holds a lone surrogate (\\ud800-\\udfff): not valid Unicode")
    try:
        return types.jsonrpc_message_adapter.validate_python(value, by_name=False)
    except Exception as exc:  # noqa: BLE001 - pydantic's ValidationError; what it says goes in the answer
        if ident is None:
            log.warning("unreadable message without an id, ignored: %s", _first_error(exc))
            return None
        method_ok = value.get("jsonrpc") == "2.0" and isinstance(value.get("method"), str)
        code = INVALID_PARAMS if method_ok else INVALID_REQUEST
        return _error(ident, code, f"unreadable request: {_first_error(exc)}")


def encode(message: Answer) -> bytes:
    """One line of JSON for ``message``; an answer that cannot be encoded becomes an internal error for its id."""
    try:
        return message.model_dump_json(by_alias=True, exclude_unset=True).encode("utf-8") + b"\n"
    except Exception as exc:  # noqa: BLE001 - e.g. a lone surrogate in a tool's text; the request still gets an answer
        log.error("cannot encode %s: %s", type(message).__name__, exc)
        ident = getattr(message, "id", None)
        if ident is None or isinstance(message, types.JSONRPCNotification):
            return b""
        return encode(_error(ident, INTERNAL_ERROR, "the answer could not be encoded as JSON; details are in the log"))


@asynccontextmanager
async def stdio_transport() -> AsyncIterator[
    tuple[MemoryObjectReceiveStream[SessionMessage | Exception], MemoryObjectSendStream[SessionMessage]]
]:
    """The server's read and write streams over the process's stdin and stdout (both restored on exit)."""
    wire_in, wire_out = _claim_stdio()
    reader = LineReader(lambda n: os.read(wire_in, n))
    lock = threading.Lock()

    def write(data: bytes) -> None:
        with lock:
            view = memoryview(data)
            while view:
                view = view[os.write(wire_out, view) :]

    read_send, read_receive = anyio.create_memory_object_stream[SessionMessage | Exception](0)
    write_send, write_receive = anyio.create_memory_object_stream[SessionMessage](0)

    async def read_lines() -> None:
        async with read_send:
            while (line := await anyio.to_thread.run_sync(reader.next, abandon_on_cancel=True)) is not None:
                message = read_message(line)
                if isinstance(message, types.JSONRPCError):
                    await anyio.to_thread.run_sync(write, encode(message))
                elif message is not None:
                    await read_send.send(SessionMessage(message))

    async def write_lines() -> None:
        async with write_receive:
            async for session_message in write_receive:
                data = encode(session_message.message)
                if data:
                    await anyio.to_thread.run_sync(write, data)

    try:
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(read_lines)
            tasks.start_soon(write_lines)
            yield read_receive, write_send
            tasks.cancel_scope.cancel()  # the server is done: a read still waiting for input is abandoned
    finally:
        _release_stdio(wire_in, wire_out)


def _claim_stdio() -> tuple[int, int]:
    """Private copies of fd 0 and 1 for the protocol; fd 0 then reads the null device and fd 1 writes to stderr."""
    wire_in, wire_out = os.dup(0), os.dup(1)
    null = os.open(os.devnull, os.O_RDONLY)
    try:
        os.dup2(null, 0)
        os.dup2(2, 1)
    finally:
        os.close(null)
    return wire_in, wire_out


def _release_stdio(wire_in: int, wire_out: int) -> None:
    """Point fd 0 and 1 back at the wire. The private copies stay open: an abandoned reader thread may still be
    blocked on one, and a closed descriptor could be reused under it."""
    for fd, wire in ((0, wire_in), (1, wire_out)):
        with suppress(OSError):
            os.dup2(wire, fd)


def _has_lone_surrogate(value: object) -> bool:
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _first_error(exc: Exception) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        with suppress(Exception):
            first = errors()[0]
            where = ".".join(str(part) for part in first["loc"][1:])
            return f"{where}: {first['msg']}" if where else str(first["msg"])
    return str(exc).splitlines()[0]


def _error(ident: str | int | None, code: int, message: str) -> types.JSONRPCError:
    return types.JSONRPCError(jsonrpc="2.0", id=ident, error=types.ErrorData(code=code, message=message))
