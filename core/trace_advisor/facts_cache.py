"""The on-disk cache of module facts by content hash: versioned, safe under concurrent writers, self-healing."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from trace_advisor import __version__
from trace_advisor.cache_writes import CacheWriter
from trace_advisor.facts import codec
from trace_advisor.facts.records import ModuleFacts
from trace_advisor.parsing import FACTS_VERSION

log = logging.getLogger(__name__)

CACHE_ENV = "TRACE_ADVISOR_CACHE_DIR"


def default_cache_dir() -> Path:
    """``$TRACE_ADVISOR_CACHE_DIR``, else ``$XDG_CACHE_HOME/trace-advisor`` (``~/.cache/trace-advisor``)."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "trace-advisor"


def cache_version() -> str:
    """Entries from another trace-advisor, facts format or Python (``ast`` differs) live in another folder."""
    return f"{__version__}-facts{FACTS_VERSION}-py{sys.version_info[0]}{sys.version_info[1]}"


class FactsCache:
    """Encoded facts keyed by content hash under ``<cache dir>/<version>/facts/``; every failure is a miss.

    Entries are ``marshal``-ed plain tuples (see :mod:`trace_advisor.facts.codec`): loading one creates data only,
    never objects of arbitrary classes, and is several times faster than unpickling dataclasses.
    """

    def __init__(self, cache_dir: Path | None = None, *, enabled: bool = True) -> None:
        self.root = (cache_dir or default_cache_dir()) / cache_version() / "facts"
        self.enabled = enabled
        self._writer = CacheWriter(self.root)
        if enabled:
            self._writer.sweep()
        self.hits = 0
        self.misses = 0
        self.discarded = 0

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.facts"

    def get_raw(self, key: str) -> bytes | None:
        """The encoded entry, undecoded (the index decodes lazily, when a module is first needed)."""
        if not self.enabled:
            return None
        try:
            with open(self._path(key), "rb") as handle:
                data = handle.read()
        except OSError:
            self.misses += 1
            return None
        self.hits += 1
        return data

    def get(self, key: str) -> ModuleFacts | None:
        data = self.get_raw(key)
        if data is None:
            return None
        try:
            return codec.decode(data)
        except Exception as exc:  # noqa: BLE001 - any corruption (truncated, garbage) is a miss
            self.discard(key, exc)
            return None

    def put(self, key: str, facts: ModuleFacts) -> None:
        if not self.enabled:
            return
        try:
            data = codec.encode(facts)
        except ValueError as exc:
            log.debug("cannot encode cache entry %s: %s", key, exc)
            return
        self.put_raw(key, data)

    def put_raw(self, key: str, data: bytes) -> None:
        """Write an entry already encoded (by a worker process: ``facts_pool``)."""
        if not self.enabled:
            return
        path = self._path(key)
        try:
            # readers see the old entry or the whole new one, never a part
            self._writer.write(path, data)
        except OSError as exc:
            log.debug("cannot write cache entry %s: %s", path, exc)

    def discard(self, key: str, reason: object) -> None:
        """Forget a corrupt entry (it is recomputed and rewritten by the caller)."""
        path = self._path(key)
        log.warning("discarding corrupt cache entry %s: %s", path, reason)
        self.discarded += 1
        self._discard(path)

    @staticmethod
    def _discard(path: Path) -> None:
        try:
            path.unlink()
        except OSError:
            pass
