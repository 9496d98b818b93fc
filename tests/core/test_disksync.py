"""DiskSync keeps an index in step with the disk between calls: added, changed (also twice within one clock tick,
same size) and removed files are seen; unchanged files are not re-read."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from trace_advisor import disksync
from trace_advisor.disksync import DiskSync
from trace_advisor.index import Index


def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "a.py").write_text("from pkg.b import helper\n\n\ndef run():\n    return helper()\n")
    (root / "pkg" / "b.py").write_text("def helper():\n    return 1\n")
    return root


def callees(index: Index, symbol: str) -> list[str]:
    return [edge.callee for edge in index.graph().callees(symbol)]


def test_sync_sees_added_changed_and_removed_files(tmp_path: Path) -> None:
    root = project(tmp_path)
    sync = DiskSync(Index([root], use_cache=False))
    sync.build()
    assert not sync.sync()
    assert callees(sync.index, "pkg.a:run") == ["pkg.b:helper"]

    (root / "pkg" / "c.py").write_text("def other():\n    return 2\n")
    (root / "pkg" / "a.py").write_text("from pkg.c import other\n\n\ndef run():\n    return other()\n")
    changes = sync.sync()
    assert changes.added == (root / "pkg" / "c.py",) and changes.changed == (root / "pkg" / "a.py",)
    assert callees(sync.index, "pkg.a:run") == ["pkg.c:other"]

    (root / "pkg" / "c.py").unlink()
    changes = sync.sync()
    assert changes.removed == (root / "pkg" / "c.py",)
    assert root / "pkg" / "c.py" not in sync.index.files()
    assert not sync.sync()


def test_a_same_size_edit_within_one_clock_tick_is_seen(tmp_path: Path) -> None:
    root = project(tmp_path)
    b = root / "pkg" / "b.py"
    sync = DiskSync(Index([root], use_cache=False))
    sync.build()
    stamp = b.stat()
    b.write_text("def helpex():\n    return 1\n")  # same size
    os.utime(b, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))  # and the same modification time
    assert sync.sync().changed == (b,)
    assert sync.index.definition("pkg.b:helpex") is not None


def test_unchanged_files_are_only_stat_ed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = project(tmp_path)
    for path in root.rglob("*.py"):
        os.utime(path, (1_000_000_000, 1_000_000_000))  # long ago: not "racy"
    sync = DiskSync(Index([root], use_cache=False))
    sync.build()
    reads: list[Path] = []
    monkeypatch.setattr(disksync, "content_hash", lambda data: reads.append(data) or "x")
    monkeypatch.setattr(sync.index, "update_file", lambda path, text: reads.append(path))
    assert not sync.sync()
    assert reads == []
    (root / "pkg" / "b.py").write_text("def helper():\n    return 2\n")
    sync.sync()
    b = root / "pkg" / "b.py"
    assert reads == [b.read_bytes(), b]  # only the changed file: hashed (just written, so racy) and re-indexed
