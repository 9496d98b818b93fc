"""Routes the server's and the core's log records to the client's log (window/logMessage), never to stdout."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable

from pygls.exceptions import JsonRpcException

LEVELS = {"error": logging.ERROR, "warning": logging.WARNING, "info": logging.INFO, "debug": logging.DEBUG}
NAMES = {logging.ERROR: "error", logging.WARNING: "warning", logging.INFO: "info", logging.DEBUG: "debug"}
OUR_LOGGERS = ("trace_advisor", "trace_advisor_lsp")


class ClientLogHandler(logging.Handler):
    """Sends records to ``send(level_name, text)`` on the event loop, whatever thread logged them."""

    def __init__(self, send: Callable[[str, str], None]) -> None:
        super().__init__()
        self._send = send
        self._loop: asyncio.AbstractEventLoop | None = None
        self.setFormatter(logging.Formatter("%(name)s: %(message)s"))

    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def emit(self, record: logging.LogRecord) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            text = self.format(record)
        except Exception:  # formatting a user-supplied message must never break the server
            self.handleError(record)
            return
        level = NAMES.get(record.levelno, "error" if record.levelno > logging.ERROR else "debug")
        try:
            loop.call_soon_threadsafe(self._send, level, text)
        except RuntimeError:  # loop closed while shutting down
            pass


class AnsweredErrors(logging.Filter):
    """pygls logs a traceback at ERROR for each request it answers with a JSON-RPC error (a handler's
    ``JsonRpcInvalidParams``, params that do not match the method's types) although nothing went wrong in the
    server: the editor's output channel would read like a crash. Such a record becomes one WARNING line; the
    deserialization traceback is dropped, as :mod:`transport` logs its own line and answers InvalidParams."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and record.msg.startswith("Unable to deserialize message"):
            return False
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, JsonRpcException):
            record.msg, record.args = "answered %s with %s: %s", (_request_of(record), type(error).__name__, error)
            record.exc_info, record.exc_text = None, None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def _request_of(record: logging.LogRecord) -> str:
    """The request id (and method) pygls' message names, from its arguments."""
    args = record.args if isinstance(record.args, tuple) else ()
    return " ".join(str(a) for a in args[:2]) or "a request"


def configure_process_logging() -> None:
    """Library logs (pygls included) go to stderr at WARNING; stdout carries only the protocol."""
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("pygls.protocol.json_rpc").addFilter(AnsweredErrors())


def set_client_level(handler: ClientLogHandler, level_name: str) -> None:
    """Apply the configured level (error|warning|info|debug) to our loggers and the client handler."""
    level = LEVELS.get(level_name, logging.INFO)
    handler.setLevel(level)
    for name in OUR_LOGGERS:
        logger = logging.getLogger(name)
        logger.setLevel(level)
        if handler not in logger.handlers:
            logger.addHandler(handler)
        logger.propagate = False  # the client log is where these go; stderr keeps pygls' own warnings
