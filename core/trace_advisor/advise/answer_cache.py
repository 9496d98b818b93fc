"""On-disk cache of model verdicts, one entry per function, keyed by what was sent, the model and the prompt.

An entry is written as soon as its batch's answer arrives, so an interrupted batch run continues where it stopped.
Writes are atomic (temp file + rename); an unreadable or corrupt entry is deleted and counts as a miss.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from trace_advisor.advise.answers import AnswerError, AnswerItem, item_from_json
from trace_advisor.cache_writes import CacheWriter

log = logging.getLogger(__name__)

FORMAT = 1


@dataclass(frozen=True, slots=True)
class CachedVerdict:
    """What the model said about one function: an item, or None when it had nothing usable to say."""

    item: AnswerItem | None


def cache_key(model: str, prompt_version: str, priorities_fingerprint: str, sent_text: str) -> str:
    """sha256 over the model id, prompt version, priorities and the exact (redacted) text sent for the function."""
    digest = hashlib.sha256()
    for part in (model, prompt_version, priorities_fingerprint, sent_text):
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


class AnswerCache:
    """A directory of ``<key[:2]>/<key>.json`` entries; safe to share between threads and processes."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._writer = CacheWriter(directory)
        self._writer.sweep()

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str, priorities: Collection[str]) -> CachedVerdict | None:
        path = self._path(key)
        try:
            raw = path.read_text("utf-8")
        except FileNotFoundError:
            return None
        except OSError as exc:
            log.debug("answer cache: cannot read %s: %s", path, exc)
            return None
        try:
            data = json.loads(raw)
            if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("key") != key:
                raise AnswerError("not a cache entry of this format")
            item_data = data.get("item")
            item = None if item_data is None else item_from_json(item_data, priorities)
        except (ValueError, AnswerError) as exc:
            log.info("answer cache: discarding corrupt entry %s (%s)", path, exc)
            self._discard(path)
            return None
        return CachedVerdict(item)

    def put(self, key: str, item: AnswerItem | None) -> None:
        """Store a verdict atomically; failures are logged and ignored (the cache is an optimisation)."""
        path = self._path(key)
        data = {"format": FORMAT, "key": key, "item": None if item is None else item.to_json()}
        try:
            self._writer.write(path, json.dumps(data).encode("utf-8"))
        except OSError as exc:
            log.warning("answer cache: cannot write %s: %s", path, exc)

    def _discard(self, path: Path) -> None:
        try:
            path.unlink(missing_ok=True)
        except OSError:
            pass
