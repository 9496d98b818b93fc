"""Server-initiated work-done progress ($/progress begin/report/end), throttled, and a no-op for clients without it."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

from lsprotocol import types

if TYPE_CHECKING:
    from pygls.lsp.server import LanguageServer

LOG = logging.getLogger(__name__)
MIN_INTERVAL_S = 0.1


class WorkDone:
    """One progress bar in the client: ``await begin()``, then ``report(done, total)`` (throttled), then ``end()``.
    With ``token`` (a request's own ``workDoneToken``) it reports on that token, as the client asked; otherwise it
    creates one (window/workDoneProgress/create) when the client supports that."""

    def __init__(self, ls: LanguageServer, title: str, token: types.ProgressToken | None = None) -> None:
        self._ls = ls
        self._title = title
        self._given = token
        self._token: types.ProgressToken | None = None
        self._last = 0.0
        self._last_pct = -1

    @property
    def active(self) -> bool:
        return self._token is not None

    async def begin(self, message: str = "", cancellable: bool = False) -> None:
        token: types.ProgressToken
        if self._given is not None:
            token = self._given
        else:
            window = self._ls.client_capabilities.window
            if window is None or not window.work_done_progress:
                return
            token = f"trace-advisor/{uuid.uuid4()}"
            try:
                await self._ls.work_done_progress.create_async(token)
            except Exception as exc:  # the client refused: work continues without a progress bar
                LOG.debug("progress not created: %s", exc)
                return
        self._token = token
        self._ls.work_done_progress.begin(
            token,
            types.WorkDoneProgressBegin(title=self._title, message=message, percentage=0, cancellable=cancellable),
        )

    def on_cancel(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` when the user cancels the bar (window/workDoneProgress/cancel; begin it cancellable)."""
        future = self._ls.work_done_progress.tokens.get(self._token) if self._token is not None else None
        if future is not None:
            future.add_done_callback(lambda done: callback() if done.cancelled() else None)

    def note(self, message: str, percentage: int | None = None) -> None:
        """Say what the work is doing now (a phase rather than a count)."""
        if self._token is not None:
            self._ls.work_done_progress.report(
                self._token, types.WorkDoneProgressReport(message=message, percentage=percentage)
            )

    def report(self, done: int, total: int, unit: str = "files") -> None:
        if self._token is None:
            return
        pct = int(100 * done / total) if total else 100
        now = time.monotonic()
        if done < total and (pct == self._last_pct or now - self._last < MIN_INTERVAL_S):
            return
        self._last, self._last_pct = now, pct
        self._ls.work_done_progress.report(
            self._token, types.WorkDoneProgressReport(message=f"{done}/{total} {unit}", percentage=pct)
        )

    def end(self, message: str = "") -> None:
        if self._token is None:
            return
        token, self._token = self._token, None
        self._ls.work_done_progress.end(token, types.WorkDoneProgressEnd(message=message))
        self._ls.work_done_progress.tokens.pop(token, None)  # pygls keeps every token's cancel future otherwise
