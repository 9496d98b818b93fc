"""Keeps an index in step with the files on disk for clients that send no file events (the agent server): each sync
lists the workspace again and re-reads only files that were added, removed, or whose size, time or content changed."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from trace_advisor.cancel import NEVER, CancelToken
from trace_advisor.index import Index
from trace_advisor.parsing import content_hash

# A file modified this shortly before it was looked at may change again within the file system's clock tick without
# changing its stamp (git's "racy" entries): its content hash is kept and compared instead.
_RACY_NS = 2_000_000_000


@dataclass(frozen=True, slots=True)
class _Stamp:
    mtime_ns: int
    size: int
    digest: str | None  # content hash, only for files that were racy when stamped


@dataclass(frozen=True, slots=True)
class DiskChanges:
    """What one sync found and gave to the index."""

    added: tuple[Path, ...] = ()
    changed: tuple[Path, ...] = ()
    removed: tuple[Path, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)


class DiskSync:
    """Builds an index, then brings it up to date with the disk on every :meth:`sync` (one listing of the workspace
    and one ``stat`` per file; unchanged files are not read)."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self._stamps: dict[Path, _Stamp] = {}

    def build(self, cancel: CancelToken = NEVER) -> None:
        """Index every file; stamps are taken before the index reads the files, so a write in between is seen."""
        self._stamps = {}
        for path in self.index.discover():
            self._stamp(path)
        self.index.build(cancel)

    def sync(self) -> DiskChanges:
        on_disk = self.index.discover()
        known = set(self._stamps)
        present = set(on_disk)
        added = tuple(p for p in on_disk if p not in known)
        removed = tuple(sorted(known - present))
        changed = tuple(p for p in on_disk if p in known and self._changed(p))
        for path in removed:
            self._stamps.pop(path, None)
            self.index.remove_file(path)
        for path in (*added, *changed):
            self._stamp(path)
            self.index.update_file(path, None)
        return DiskChanges(added, changed, removed)

    def _changed(self, path: Path) -> bool:
        known = self._stamps[path]
        try:
            info = path.stat()
        except OSError:
            return True  # unreadable now: let the index record why
        if (info.st_mtime_ns, info.st_size) != (known.mtime_ns, known.size):
            return True
        if known.digest is None:
            return False
        try:
            same = content_hash(path.read_bytes()) == known.digest
        except OSError:
            return True
        if same:
            self._stamp(path)  # no longer racy once time has moved on: stop reading it
        return not same

    def _stamp(self, path: Path) -> None:
        now = time.time_ns()
        try:
            info = path.stat()
            racy = info.st_mtime_ns > now - _RACY_NS
            digest = content_hash(path.read_bytes()) if racy else None
        except OSError:
            self._stamps[path] = _Stamp(-1, -1, None)
            return
        self._stamps[path] = _Stamp(info.st_mtime_ns, info.st_size, digest)
