"""The stdio transport: messages read by :mod:`framing` and handed to pygls' protocol so that every request gets a
response, even one that cannot be read, and the process exits with the code the LSP specification asks for.

pygls reads frames itself and answers nothing for a body that is not JSON, params of the wrong type or out of range
(a position of -1), or a request after ``shutdown``; its ``exit`` handler's exit code is swallowed. Here:

- a body that is not JSON gets ``ParseError``, a message that is not JSON-RPC 2.0 ``InvalidRequest``, params that
  do not match the method's types ``InvalidParams`` (with the request's id when it can be found, else null);
- a request after ``shutdown`` gets ``InvalidRequest`` (only ``exit`` is accepted);
- ``exit`` ends the process with 0 after ``shutdown`` and 1 without; the end of input ends it with 0.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import threading
from collections.abc import Callable
from typing import Any, BinaryIO

from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.io_ import StdoutWriter
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol

from trace_advisor_lsp.framing import Frame, FrameReader, Skipped

LOG = logging.getLogger(__name__)
_ID = re.compile(rb'"id"\s*:\s*(-?[0-9]{1,15}(?![0-9.eE])|"(?:[^"\\\r\n]|\\.){0,200}")')
_METHOD = re.compile(rb'"method"\s*:')


class RobustProtocol(LanguageServerProtocol):
    """pygls' protocol, answering where pygls stays silent (see the module docstring)."""

    def receive(self, item: Frame | Skipped) -> None:
        """Handle what the frame reader found: a message body, or bytes it had to skip."""
        if isinstance(item, Skipped):
            LOG.warning("skipped input: %s", item.reason)
            if _METHOD.search(item.head):
                self._refuse(_id_in(item.head), types.ErrorCodes.InvalidRequest, f"unreadable message: {item.reason}")
            return
        if item.note:
            LOG.warning("read a message despite its header: %s", item.note)
        try:
            data = json.loads(item.body)
        except (ValueError, RecursionError):
            self._refuse(_id_in(item.body[:4096]), types.ErrorCodes.ParseError, "the message is not valid JSON")
            return
        if not isinstance(data, dict) or data.get("jsonrpc") != "2.0":
            msg_id = data.get("id") if isinstance(data, dict) else None
            self._refuse(msg_id, types.ErrorCodes.InvalidRequest, "not a JSON-RPC 2.0 message")
            return
        is_request = "method" in data and "id" in data
        try:
            message = self.structure_message(data)
        except JsonRpcException as error:  # params of the wrong type or out of range
            LOG.warning("%s %s: invalid params: %s", data.get("method", "message"), data.get("id", ""), error)
            if is_request:
                reason = f"invalid params for {data['method']}: {_cause(error)}"
                self._refuse(data["id"], types.ErrorCodes.InvalidParams, reason)
            return
        try:
            self.handle_message(message)
        except Exception:  # pygls answers handler errors itself; this is a bug in dispatching
            LOG.exception("failed to handle %s", data.get("method", "a message"))
            if is_request:
                self._refuse(data["id"], types.ErrorCodes.InternalError, "the server failed to handle the request")

    def handle_message(self, message: Any) -> None:
        method = getattr(message, "method", None)
        if self._shutdown and method is not None and hasattr(message, "id") and method != types.EXIT:
            self._refuse(message.id, types.ErrorCodes.InvalidRequest, "the server is shut down; only exit is accepted")
            return
        super().handle_message(message)

    def _refuse(self, msg_id: object, code: int, message: str) -> None:
        """An error response; ``id`` null when the request's id is unknown (as JSON-RPC 2.0 says)."""
        valid = isinstance(msg_id, int | str) and not isinstance(msg_id, bool)
        error = {"code": int(code), "message": message}
        self._send_data({"jsonrpc": "2.0", "id": msg_id if valid else None, "error": error})


def serve_stdio(server: LanguageServer, stdin: BinaryIO, stdout: BinaryIO) -> int:
    """Serve ``server`` until ``exit`` or the end of input; the process's exit code."""
    server._stop_event = threading.Event()
    server.protocol.set_writer(StdoutWriter(stdout))
    read = _raw_reader(stdin)
    try:
        return asyncio.run(_serve(server, FrameReader(read)))
    except BrokenPipeError:
        LOG.error("the client closed the connection")
        return 1
    except KeyboardInterrupt:
        return 130
    finally:
        server.shutdown()  # type: ignore[no-untyped-call]


def _raw_reader(stdin: BinaryIO) -> Callable[[int], bytes]:
    """Reads from the file descriptor itself when there is one: a daemon thread blocked in a *buffered* read holds
    the buffer's lock, and the interpreter aborts at exit when it cannot take that lock."""
    try:
        fd = stdin.fileno()
    except (AttributeError, OSError, ValueError):
        read: Callable[[int], bytes] = getattr(stdin, "read1", stdin.read)
        return read

    def read_fd(size: int) -> bytes:
        return os.read(fd, size)

    return read_fd


async def _serve(server: LanguageServer, reader: FrameReader) -> int:
    protocol = server.protocol
    assert isinstance(protocol, RobustProtocol)
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[Frame | Skipped | None] = asyncio.Queue()

    def pump() -> None:  # a daemon thread: blocking reads never hold up the event loop or the process's exit
        item: Frame | Skipped | None = None
        try:
            while (item := reader.next()) is not None:
                loop.call_soon_threadsafe(queue.put_nowait, item)
        except Exception:
            LOG.exception("reading the input failed")
        finally:
            loop.call_soon_threadsafe(queue.put_nowait, None)

    threading.Thread(target=pump, name="lsp-reader", daemon=True).start()
    stop = server._stop_event
    while stop is None or not stop.is_set():
        item = await queue.get()
        if item is None:
            LOG.info("end of input")
            return 0
        try:
            protocol.receive(item)
        except SystemExit as exit_:  # the exit notification
            return exit_.code if isinstance(exit_.code, int) else 0
    return 0


def _id_in(data: bytes) -> int | str | None:
    """A request id found in bytes that do not parse (first match; None when there is none)."""
    found = _ID.search(data)
    if found is None:
        return None
    try:
        value = json.loads(found.group(1))
    except ValueError:
        return None
    return value if isinstance(value, int | str) else None


def _cause(error: BaseException) -> str:
    """The innermost reason of a structuring failure (cattrs nests them), short."""
    while error.__cause__ is not None:
        error = error.__cause__
    exceptions = getattr(error, "exceptions", None)
    while exceptions:
        error = exceptions[0]
        exceptions = getattr(error, "exceptions", None)
    return str(error)[:200] or type(error).__name__
