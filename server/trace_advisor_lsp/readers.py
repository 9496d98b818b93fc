"""Re-resolution after an interface edit, in the background: the refresh that takes an edit into the index first
resolves again the modules the edit invalidated (the readers of the names and value-flow slots it changed), one
module at a time, giving way to requests and cancelled with the refresh by a newer edit; then the open documents
among them are refreshed (their findings read those calls) and the client asks for lenses again. An edit no other
module reads costs nothing more."""

from __future__ import annotations

import logging
import threading

from trace_advisor.cancel import CancelledError, CancelToken
from trace_advisor.index import Index, ReaderPass

LOG = logging.getLogger(__name__)


class Readers:
    """Runs the passes (on the engine thread) and counts them for ``trace-advisor/engineState``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()  # the engine thread counts, the event loop reads
        self.passes = 0  # passes that resolved modules again
        self.modules = 0  # modules they resolved
        self.superseded = 0  # passes cancelled with their refresh while they ran (a newer edit, the document closed)
        self.last: tuple[str, ...] = ()  # what the last complete pass resolved, in order
        self.running: int | None = None  # the pass running now: how many modules were stale when it started

    def resolve(self, index: Index, token: CancelToken) -> ReaderPass | None:
        """Engine thread, after an edit went into ``index``: resolve what it left stale now (None when nothing)."""
        stale = len(index.stale_readers())
        if not stale:
            return None
        with self._lock:
            self.running = stale
        try:
            done = index.resolve_readers(token)
        except CancelledError:
            with self._lock:
                self.superseded += 1
            LOG.debug("re-resolution after an edit superseded by a newer edit")
            raise
        finally:
            with self._lock:
                self.running = None
        with self._lock:
            self.passes, self.modules, self.last = self.passes + 1, self.modules + len(done.resolved), done.resolved
        LOG.debug("re-resolved %d modules after an edit: %s", len(done.resolved), ", ".join(done.resolved))
        return done

    def state(self) -> dict[str, object]:
        with self._lock:
            return {
                "passes": self.passes,
                "modules": self.modules,
                "superseded": self.superseded,
                "last": list(self.last),
                "running": self.running,
            }
