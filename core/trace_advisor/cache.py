"""The on-disk cache of module facts by content hash: versioned, safe under concurrent writers, self-healing."""

from __future__ import annotations

import logging
import os
import pickle
import sys
import tempfile
from pathlib import Path
from typing import Any

from trace_advisor import __version__
from trace_advisor.facts import model as facts_model
from trace_advisor.facts.model import ModuleFacts
from trace_advisor.parsing import FACTS_VERSION

log = logging.getLogger(__name__)

CACHE_ENV = "TRACE_ADVISOR_CACHE_DIR"
_ALLOWED_CLASSES = frozenset({"Binding", "Decorator", "Scope", "CallSite", "ModuleFacts"})


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


class _FactsUnpickler(pickle.Unpickler):
    """Only our own fact classes may be created: a tampered cache file cannot run code."""

    def find_class(self, module: str, name: str) -> Any:
        if module == facts_model.__name__ and name in _ALLOWED_CLASSES:
            return getattr(facts_model, name)
        raise pickle.UnpicklingError(f"unexpected class in cache entry: {module}.{name}")


class FactsCache:
    """Facts keyed by content hash under ``<cache dir>/<version>/facts/``; every failure is a miss, never fatal."""

    def __init__(self, cache_dir: Path | None = None, *, enabled: bool = True) -> None:
        self.root = (cache_dir or default_cache_dir()) / cache_version() / "facts"
        self.enabled = enabled
        self._made: set[Path] = set()
        self.hits = 0
        self.misses = 0
        self.discarded = 0

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.pickle"

    def get(self, key: str) -> ModuleFacts | None:
        if not self.enabled:
            return None
        path = self._path(key)
        try:
            with open(path, "rb") as handle:
                found = _FactsUnpickler(handle).load()
        except FileNotFoundError:
            self.misses += 1
            return None
        except Exception as exc:  # noqa: BLE001 - any corruption (truncated, garbage, tampered) is a miss
            log.warning("discarding corrupt cache entry %s: %s", path, exc)
            self.discarded += 1
            self._discard(path)
            return None
        if not isinstance(found, ModuleFacts):
            self.discarded += 1
            self._discard(path)
            return None
        self.hits += 1
        return found

    def put(self, key: str, facts: ModuleFacts) -> None:
        if not self.enabled:
            return
        path = self._path(key)
        try:
            if path.parent not in self._made:
                path.parent.mkdir(parents=True, exist_ok=True)
                self._made.add(path.parent)
            data = pickle.dumps(facts, protocol=pickle.HIGHEST_PROTOCOL)
            # write a private temporary file, then rename: readers see the old entry or the whole new one
            fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".pickle")
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                os.replace(temp, path)
            except BaseException:
                Path(temp).unlink(missing_ok=True)
                raise
        except (OSError, pickle.PicklingError, RecursionError) as exc:
            log.debug("cannot write cache entry %s: %s", path, exc)

    @staticmethod
    def _discard(path: Path) -> None:
        try:
            path.unlink()
        except OSError:
            pass
