"""Atomic writes into an on-disk cache through one private temp folder, swept of what killed writers left behind.

A writer puts the whole entry in ``<tmp>/<pid>-<random>`` and renames it into place, so readers see the old entry or
the new one. A process killed between the two (``kill -9``, power loss) leaves its temp file; the next cache opened
on that folder deletes temp files whose writer is gone (its pid is not running) or that are older than an hour
(another host sharing the folder, a reused pid). Keeping them in one folder makes that sweep one small listing.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

log = logging.getLogger(__name__)

STALE_SECONDS = 3600.0
TMP_FOLDER = "tmp"
_LEGACY_PREFIX = ".tmp-"  # what earlier versions left next to the entries


class CacheWriter:
    """Writes entries under ``root`` atomically through ``root/tmp``; :meth:`sweep` removes stale temp files."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.tmp = root / TMP_FOLDER
        self._made: set[Path] = set()  # folders known to exist (saves a mkdir per entry)

    def write(self, path: Path, *data: bytes) -> None:
        """Write ``data`` (its parts one after the other: a large entry is never copied into one) to ``path`` (under
        ``root``) atomically; raises OSError."""
        with self.open(path) as handle:
            for part in data:
                handle.write(part)

    @contextlib.contextmanager
    def open(self, path: Path) -> Iterator[BinaryIO]:
        """A new file to write the entry of ``path`` (under ``root``) into, as it is made (it may seek back to fill
        in a header); renamed to ``path`` when the block ends, removed when it raises; raises OSError."""
        for folder in (path.parent, self.tmp):
            if folder not in self._made:
                folder.mkdir(parents=True, exist_ok=True)
                self._made.add(folder)
        fd, temp = tempfile.mkstemp(dir=self.tmp, prefix=f"{os.getpid()}-")
        try:
            with os.fdopen(fd, "wb") as handle:
                yield handle
            os.replace(temp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise

    def sweep(self) -> int:
        """Delete stale temp files (also the hidden ``.tmp-*`` files of earlier versions, once); how many went."""
        first = not self.tmp.is_dir() and self.root.is_dir()
        removed = _sweep(self.tmp, legacy=False)
        if first:  # the first start with a temp folder: look once through the entries' folders
            with contextlib.suppress(OSError):
                self.tmp.mkdir(parents=True, exist_ok=True)
            removed += sum(_sweep(folder, legacy=True) for folder in _subfolders(self.root))
        if removed:
            log.info("cache %s: removed %d temp file(s) left by interrupted writers", self.root, removed)
        return removed


def _sweep(folder: Path, *, legacy: bool) -> int:
    """Remove the stale temp files of ``folder``: in the temp folder, those of writers gone or older than an hour;
    in an entries' folder (``legacy``), the ``.tmp-*`` files older than an hour (their writer is unknown)."""
    removed = 0
    now = time.time()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    for entry in entries:
        if legacy and not entry.name.startswith(_LEGACY_PREFIX):
            continue
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            old = now - entry.stat(follow_symlinks=False).st_mtime > STALE_SECONDS
            if old or (not legacy and _writer_gone(entry.name)):
                os.unlink(entry.path)
                removed += 1
        except OSError:
            continue
    return removed


def _writer_gone(name: str) -> bool:
    """Whether the process named by a temp file's ``<pid>-`` prefix no longer runs on this machine."""
    pid_text = name.split("-", 1)[0]
    if not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # exists but belongs to someone else
        return False
    return False


def _subfolders(root: Path) -> Iterable[Path]:
    try:
        return [Path(e.path) for e in os.scandir(root) if e.is_dir(follow_symlinks=False) and e.name != TMP_FOLDER]
    except OSError:
        return []
