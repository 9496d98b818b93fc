"""Cooperative cancellation for long operations (indexing, analysis, model calls)."""

from __future__ import annotations

import threading


class CancelledError(Exception):
    """Raised by :meth:`CancelToken.check` once the token was cancelled."""


class CancelToken:
    """Thread-safe flag that long operations poll; the server cancels it on a newer edit or $/cancelRequest."""

    __slots__ = ("_event",)

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        if self._event.is_set():
            raise CancelledError()

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; return True at once when cancelled (used for retry backoff)."""
        return self._event.wait(seconds)


NEVER = CancelToken()  # a token nobody cancels, for callers that do not need cancellation
