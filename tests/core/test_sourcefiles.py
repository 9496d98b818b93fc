"""Texts read from disk are shared while a file is unchanged, and read again when it changes (even within one tick
of a coarse file system clock)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from trace_advisor.sourcefiles import DiskTexts


def age(path: Path, seconds: float) -> None:
    when = time.time_ns() - int(seconds * 1e9)
    os.utime(path, ns=(when, when))


def test_unchanged_file_gives_the_same_string(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_text("a = 1\n", encoding="utf-8")
    age(path, 60)
    texts = DiskTexts()
    first = texts.get(path)
    assert first == "a = 1\n" and texts.get(path) is first

    path.write_text("b = 2\n", encoding="utf-8")  # same size; its mtime is now
    assert texts.get(path) == "b = 2\n"
    path.write_text("c = 3\n", encoding="utf-8")  # recent: never trusted, so a same-tick rewrite is seen
    assert texts.get(path) == "c = 3\n"
    path.unlink()
    assert texts.get(path) is None


def test_keeps_only_the_latest_files(tmp_path: Path) -> None:
    texts = DiskTexts(limit=2)
    paths = [tmp_path / f"m{i}.py" for i in range(3)]
    for path in paths:
        path.write_text(f"x = {path.stem!r}\n", encoding="utf-8")
        age(path, 60)
    first = texts.get(paths[0])
    texts.get(paths[1])
    texts.get(paths[2])
    assert texts.get(paths[0]) == first and texts.get(paths[0]) is not first  # evicted, read again
