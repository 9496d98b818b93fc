"""The facts cache: location, versioning, concurrent writers, and corrupt entries that heal."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from trace_advisor.cache_writes import STALE_SECONDS
from trace_advisor.facts import codec
from trace_advisor.facts.records import ModuleFacts
from trace_advisor.facts_cache import CACHE_ENV, FactsCache, cache_version, default_cache_dir
from trace_advisor.index import Index
from trace_advisor.parsing import content_hash, parse_source

TEXT = "import json\n\ndef run():\n    return json.dumps({})\n"


def facts():  # type: ignore[no-untyped-def]
    parsed = parse_source(TEXT, "m.py")
    assert parsed.facts is not None
    return parsed.facts


def test_cache_dir_env_and_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "override"))
    assert default_cache_dir() == tmp_path / "override"
    monkeypatch.delenv(CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "trace-advisor"


def test_round_trip_under_a_versioned_folder(tmp_path: Path) -> None:
    cache = FactsCache(tmp_path)
    cache.put("ab12", facts())
    assert cache.get("ab12") == facts()
    assert (tmp_path / cache_version() / "facts" / "ab" / "ab12.facts").is_file()
    assert cache.get("missing") is None


def test_disabled_cache_reads_and_writes_nothing(tmp_path: Path) -> None:
    cache = FactsCache(tmp_path, enabled=False)
    cache.put("ab12", facts())
    assert cache.get("ab12") is None
    assert not any(tmp_path.rglob("*.facts"))


def test_a_flipped_byte_is_detected(tmp_path: Path) -> None:
    cache = FactsCache(tmp_path)
    cache.put("ab12", facts())
    path = next(tmp_path.rglob("ab12.facts"))
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    assert cache.get("ab12") is None and cache.discarded == 1


@pytest.mark.parametrize("garbage", [b"", b"\x00\x01garbage", b"\xe9" * 40])
def test_corrupt_entry_is_discarded(tmp_path: Path, garbage: bytes) -> None:
    cache = FactsCache(tmp_path)
    cache.put("ab12", facts())
    path = next(tmp_path.rglob("ab12.facts"))
    path.write_bytes(garbage)
    assert cache.get("ab12") is None
    assert not path.exists() and cache.discarded == 1


def test_index_recomputes_a_corrupt_entry(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "m.py").write_text(TEXT)
    cache_dir = tmp_path / "cache"
    Index([project], cache_dir=cache_dir).build()
    entry = next(cache_dir.rglob(f"{content_hash(TEXT.encode())}.facts"))
    entry.write_bytes(entry.read_bytes()[:20])  # truncated by a crash mid-write of an older version
    index = Index([project], cache_dir=cache_dir)
    index.build()
    assert [e.callee for e in index.graph().callees("m:run")] == ["json:dumps"]
    assert index.problems == ()
    assert entry.is_file() and entry.stat().st_size > 20  # rewritten


def _writer(args: tuple[str, int]) -> bool:
    root, rounds = args
    cache = FactsCache(Path(root))
    value = facts()
    for _ in range(rounds):
        cache.put("beef", value)
        found = cache.get("beef")
        if found is not None and found != value:
            return False
    return True


def test_concurrent_writers_never_expose_partial_entries(tmp_path: Path) -> None:
    with multiprocessing.get_context("spawn").Pool(3) as pool:
        assert all(pool.map(_writer, [(str(tmp_path), 150)] * 3))
    assert FactsCache(tmp_path).get("beef") == facts()
    assert not list(tmp_path.rglob(".tmp-*")) and not list(tmp_path.rglob("tmp/*"))


def test_temp_files_of_killed_writers_are_swept_on_start(tmp_path: Path) -> None:
    """``kill -9`` between writing a temp file and renaming it leaves the temp file: the next start removes it."""
    cache = FactsCache(tmp_path)
    cache.put("ab12", facts())
    temp_folder = cache.root / "tmp"
    # a writer killed mid-write: a real process that created its temp file, then died
    script = "import os, sys, time; open(os.path.join(sys.argv[1], f'{os.getpid()}-x1'), 'wb').write(b'half'); "
    script += "print('ready', flush=True); time.sleep(60)"
    writer = subprocess.Popen([sys.executable, "-c", script, str(temp_folder)], stdout=subprocess.PIPE, text=True)
    assert writer.stdout is not None and writer.stdout.readline() == "ready\n"
    left = temp_folder / f"{writer.pid}-x1"
    FactsCache(tmp_path)
    assert left.exists()  # its writer still runs: a write in progress is left alone
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    writer.stdout.close()
    other_host, other_host_recent = temp_folder / "host2-x2", temp_folder / "host2-x3"
    for path in (other_host, other_host_recent):
        path.write_bytes(b"half")
    old = time.time() - STALE_SECONDS - 60
    os.utime(other_host, (old, old))
    project = tmp_path / "project"
    project.mkdir()
    (project / "m.py").write_text(TEXT)
    env = {**os.environ, CACHE_ENV: str(tmp_path)}
    command = [sys.executable, "-m", "trace_advisor", "calls", str(project)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=True)
    assert '"m:run"' in done.stdout
    assert not left.exists() and not other_host.exists()
    assert other_host_recent.exists()  # maybe a live writer on another machine sharing the folder
    assert FactsCache(tmp_path).get("ab12") == facts()


def test_hidden_temp_files_of_earlier_versions_are_swept_once(tmp_path: Path) -> None:
    shard = tmp_path / cache_version() / "facts" / "ab"
    shard.mkdir(parents=True)
    stale, recent = shard / ".tmp-k1.facts", shard / ".tmp-k2.facts"
    for path in (stale, recent):
        path.write_bytes(b"half")
    old = time.time() - STALE_SECONDS - 60
    os.utime(stale, (old, old))
    FactsCache(tmp_path)
    assert not stale.exists() and recent.exists()


def test_compacted_facts_are_what_decoding_their_entry_gives() -> None:
    """A cold index takes each parsed file's facts from ``codec.compacted``: the entry ``encode`` writes, and the facts
    ``decode`` would read back from it (equal, with equal bindings shared as decoding shares them)."""
    root = Path(__file__).resolve().parents[1] / "fixtures" / "callgraph"
    files = sorted(root.rglob("*.py"))
    assert len(files) > 20
    for path in files:
        parsed = parse_source(path.read_text(encoding="utf-8"), str(path))
        assert parsed.facts is not None
        entry, compact = codec.compacted(parsed.facts)
        decoded = codec.decode(entry)
        assert entry == codec.encode(parsed.facts)
        assert compact == decoded
        assert type(compact.reads) is type(decoded.reads)
        assert _shared_bindings(compact) == _shared_bindings(decoded)


def _shared_bindings(facts: ModuleFacts) -> list[int]:
    """How many distinct binding objects each scope's names hold (decoding makes equal bindings one object)."""
    return [
        len({id(found) for found in scope.bindings.values()} | {id(b) for f in scope.bindings.values() for b in f})
        for scope in facts.scopes
    ]
