"""A cold index parses the files missing from the facts cache in worker processes when they are many (its own process
taking chunks too): the same facts, problems, cache entries and graph as parsing them all in the index's process; a
small workspace starts no worker; a cancel stops the workers; a worker killed mid-build loses no file."""

from __future__ import annotations

import email
import logging
import os
import shutil
import signal
import threading
import time
import xml
from pathlib import Path

import pytest
from trace_advisor import facts_pool, sourcefiles
from trace_advisor.cancel import CancelledError, CancelToken
from trace_advisor.index import Index

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
pytestmark = pytest.mark.skipif(facts_pool.core_count() < 2, reason="one core: the index parses every file itself")


@pytest.fixture(autouse=True)
def idle_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """Other processes leave every core idle (a busy machine starts no worker: test_a_busy_machine_starts_no_worker)."""
    monkeypatch.setattr(facts_pool, "_busy", lambda: 0.0)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """The standard library's email and xml packages (real code, 1 MB) and two files that do not parse."""
    root = tmp_path / "ws"
    for package in (email, xml):
        copied = Path(package.__file__).parent
        shutil.copytree(copied, root / copied.name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(FIXTURES / "facts_pool", root / "bad")
    return root


class Parses:
    """Counts the files parsed in this process (worker processes are new interpreters: not counted)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        real = sourcefiles.parse_bytes

        def counted(data: bytes, file: str):  # type: ignore[no-untyped-def]
            self.count += 1
            return real(data, file)

        monkeypatch.setattr(sourcefiles, "parse_bytes", counted)


def built(root: Path, cache: Path, cancel: CancelToken | None = None) -> Index:
    index = Index([root], cache_dir=cache)
    index.build() if cancel is None else index.build(cancel)
    return index


def snapshot(index: Index) -> tuple[object, ...]:
    """Everything a build gives: facts, problems, definitions and the whole resolved graph."""
    graph = index.graph()
    symbols = graph.symbols()
    return (
        index.workspace_facts(),
        sorted((p.file or "", p.line or 0, p.message) for p in index.problems),
        index.definitions(),
        [(s, graph.callees(s), graph.unresolved(s)) for s in symbols],
    )


def entries(cache: Path) -> dict[str, bytes]:
    return {str(p.relative_to(cache)): p.read_bytes() for p in sorted(cache.rglob("*.facts"))}


def workers() -> list[int]:
    """This process's facts worker processes still running."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields[1]) == os.getpid() and fields[0] != "Z" and b"facts_pool" in cmdline:
            found.append(int(stat.parent.name))
    return found


def test_many_files_are_parsed_in_workers_with_the_same_facts_entries_and_graph(
    workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parses = Parses(monkeypatch)
    monkeypatch.setattr(facts_pool, "MIN_BYTES", 10**12)
    here = built(workspace, tmp_path / "here")
    files = len(index_files := here.files())
    assert parses.count == files > 50

    parses.count = 0
    monkeypatch.setattr(facts_pool, "MIN_BYTES", 0)
    monkeypatch.setattr(facts_pool, "MIN_FILES", 0)
    pooled = built(workspace, tmp_path / "pooled")
    assert parses.count < files  # a worker parsed chunks (the index's process takes some while it waits)
    assert pooled.files() == index_files
    assert snapshot(pooled) == snapshot(here)
    assert entries(tmp_path / "pooled") == entries(tmp_path / "here")
    assert any("broken.py" in (p.file or "") for p in pooled.problems)
    assert any("bad_coding.py" in (p.file or "") for p in pooled.problems)

    parses.count = 0
    monkeypatch.setattr(facts_pool, "MIN_BYTES", 10**12)
    warm = built(workspace, tmp_path / "pooled")  # the workers' entries are what a warm index reads
    assert parses.count == 2  # only the two files that do not parse (never cached)
    assert snapshot(warm) == snapshot(here)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds the workers through /proc")
def test_a_worker_killed_mid_build_loses_no_file(
    workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(facts_pool, "MIN_BYTES", 10**12)
    here = built(workspace, tmp_path / "here")
    monkeypatch.setattr(facts_pool, "MIN_BYTES", 0)
    monkeypatch.setattr(facts_pool, "MIN_FILES", 0)
    killed: list[int] = []
    result: list[Index] = []
    building = threading.Thread(target=lambda: result.append(built(workspace, tmp_path / "killed")))
    with caplog.at_level(logging.WARNING, logger="trace_advisor.facts_pool"):
        building.start()
        deadline = time.monotonic() + 30
        while not killed and building.is_alive() and time.monotonic() < deadline:
            for pid in workers()[:1]:
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
            time.sleep(0.002)
        building.join(60)
    assert killed, "no worker process was seen"
    assert "a facts worker failed" in caplog.text
    assert snapshot(result[0]) == snapshot(here)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds the workers through /proc")
def test_a_cancelled_build_stops_its_workers(workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(facts_pool, "MIN_BYTES", 0)
    monkeypatch.setattr(facts_pool, "MIN_FILES", 0)
    # this process takes no chunk itself: on a loaded machine it parsed them all before the worker interpreter ran
    monkeypatch.setattr(facts_pool._Pool, "take", lambda self: None)
    cancel = CancelToken()
    index = Index([workspace], cache_dir=tmp_path / "cache")
    index.register()
    seen: list[int] = []

    def progress(done: int, total: int) -> None:
        seen.extend(workers())
        if seen:  # a worker has started (a new interpreter shows its command line only once it runs): cancel now
            cancel.cancel()

    cancelled = False
    try:
        index.load(cancel, progress)
    except CancelledError:
        cancelled = True
    assert seen, "the build used no worker process"
    assert cancelled, "the build ended before the cancel"
    deadline = time.monotonic() + 10
    while workers() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert workers() == []


def test_a_small_workspace_starts_no_worker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parses = Parses(monkeypatch)
    index = built(FIXTURES / "callgraph", tmp_path / "cache")
    assert parses.count == len(index.files()) > 0


def test_workers_asked_for_parse_even_a_small_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``Index(workers=N)`` (``calls --workers N``) is a request: no size threshold, the same facts and graph."""
    here = built(FIXTURES / "callgraph", tmp_path / "here")
    parses = Parses(monkeypatch)
    monkeypatch.setattr(facts_pool._Pool, "take", lambda self: None)  # the workers take every chunk
    pooled = Index([FIXTURES / "callgraph"], cache_dir=tmp_path / "pooled", workers=2)
    pooled.build()
    assert len(pooled.files()) > 50
    assert parses.count == 0
    assert snapshot(pooled) == snapshot(here)
    assert entries(tmp_path / "pooled") == entries(tmp_path / "here")


def test_one_worker_in_the_environment_parses_everything_here(
    workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parses = Parses(monkeypatch)
    monkeypatch.setattr(facts_pool, "MIN_BYTES", 0)
    monkeypatch.setattr(facts_pool, "MIN_FILES", 0)
    monkeypatch.setenv(facts_pool.ENV_WORKERS, "1")
    index = built(workspace, tmp_path / "cache")
    assert parses.count == len(index.files()) > 50


def test_the_workers_asked_for(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv(facts_pool.ENV_WORKERS, "3")
    assert facts_pool.requested_workers(None) == 3
    assert facts_pool.requested_workers(2) == 2  # the command line's option first
    for automatic in ("auto", "0", ""):
        monkeypatch.setenv(facts_pool.ENV_WORKERS, automatic)
        assert facts_pool.requested_workers(None) is None
    monkeypatch.setenv(facts_pool.ENV_WORKERS, "many")
    with caplog.at_level(logging.WARNING, logger="trace_advisor.facts_pool"):
        assert facts_pool.requested_workers(None) is None
    assert "TRACE_ADVISOR_WORKERS='many' is not a number" in caplog.text


# imported by each worker interpreter at start-up (PYTHONPATH): its parser raises on one file, as a bug would
_FAILING_WORKER = """
import trace_advisor.facts_pool as pool
real = pool.parse_bytes
def failing(data, file):
    if file.endswith("broker.py"):
        raise RuntimeError("the worker's parser failed")
    return real(data, file)
pool.parse_bytes = failing
"""


def test_a_file_a_worker_cannot_parse_is_parsed_here_and_the_worker_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    root = FIXTURES / "callgraph"
    failing = next(root.rglob("broker.py"))
    here = built(root, tmp_path / "here")
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(_FAILING_WORKER, encoding="utf-8")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(hook), str(Path(facts_pool.__file__).parents[1])]))
    parses = Parses(monkeypatch)
    monkeypatch.setattr(facts_pool._Pool, "take", lambda self: None)  # the worker takes every chunk
    with caplog.at_level(logging.WARNING, logger="trace_advisor.facts_pool"):
        pooled = Index([root], cache_dir=tmp_path / "pooled", workers=2)
        pooled.build()
    assert parses.count == 1  # that file only (a worker that died would leave its chunk and all the next ones here)
    assert f"a facts worker could not parse {failing} (RuntimeError: the worker's parser failed)" in caplog.text
    assert "a facts worker failed" not in caplog.text
    assert snapshot(pooled) == snapshot(here)
    assert entries(tmp_path / "pooled") == entries(tmp_path / "here")


def test_the_workers_parse_while_the_last_files_are_read(
    workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The files missing from the cache go to the workers as they are read: the first chunks are parsed before the
    last file is read (reading and hashing the standard library is a quarter of parsing it)."""
    monkeypatch.setattr(facts_pool, "MIN_BYTES", 0)
    monkeypatch.setattr(facts_pool, "MIN_FILES", 0)
    pools: list[facts_pool._Pool] = []
    real_init, real_probe = facts_pool._Pool.__init__, sourcefiles.FactsReader.probe

    def init(self: facts_pool._Pool, *args: object) -> None:
        real_init(self, *args)  # type: ignore[arg-type]
        pools.append(self)

    probed: list[Path] = []
    parsed_before_the_last: list[bool] = []

    def probe(self: sourcefiles.FactsReader, path: Path, **kwargs: bool) -> object:
        probed.append(path)
        if len(probed) == total:  # the last file: wait (a while) for a worker's first results
            deadline = time.monotonic() + 20
            while not (pools and pools[0].ready(0)) and time.monotonic() < deadline:
                time.sleep(0.01)
            parsed_before_the_last.append(bool(pools) and pools[0].ready(0))
        return real_probe(self, path, **kwargs)

    monkeypatch.setattr(facts_pool._Pool, "__init__", init)
    monkeypatch.setattr(sourcefiles.FactsReader, "probe", probe)
    index = Index([workspace], cache_dir=tmp_path / "cache")
    total = index.register()
    index.load()
    assert parsed_before_the_last == [True]
    here = built(workspace, tmp_path / "here")
    assert snapshot(index) == snapshot(here)


def test_a_busy_machine_starts_no_worker(workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers on cores other processes keep busy only share them, and cost their start-up and the facts' trip."""
    monkeypatch.setattr(facts_pool, "MIN_BYTES", 0)
    monkeypatch.setattr(facts_pool, "MIN_FILES", 0)
    monkeypatch.setattr(facts_pool, "core_count", lambda: 4)
    monkeypatch.setattr(facts_pool, "_busy", lambda: 2.5)
    assert facts_pool.worker_count() == 2  # one idle core and a half: a worker and this process
    monkeypatch.setattr(facts_pool, "_busy", lambda: 3.5)
    assert facts_pool.worker_count() == 1
    parses = Parses(monkeypatch)
    index = built(workspace, tmp_path / "cache")
    assert parses.count == len(index.files()) > 50
    parses.count = 0
    asked = Index([workspace], cache_dir=tmp_path / "asked", workers=2)  # asked for: whatever the machine's load
    monkeypatch.setattr(facts_pool._Pool, "take", lambda self: None)
    asked.build()
    assert parses.count == 0  # the worker parsed every file


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds the workers through /proc")
def test_a_build_cancelled_while_its_files_are_read_stops_its_workers(
    workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The workers start before every file is read: a cancel then (the editor's newer request) stops them too."""
    monkeypatch.setattr(facts_pool, "MIN_BYTES", 0)
    monkeypatch.setattr(facts_pool, "MIN_FILES", 0)
    cancel = CancelToken()
    real_probe = sourcefiles.FactsReader.probe
    probed: list[Path] = []
    seen: list[int] = []

    def probe(self: sourcefiles.FactsReader, path: Path, **kwargs: bool) -> object:
        probed.append(path)
        if len(probed) == total // 2:  # half the files read: wait (a while) for a worker to run, then cancel
            deadline = time.monotonic() + 20
            while not seen and time.monotonic() < deadline:
                seen.extend(workers())
                time.sleep(0.01)
            cancel.cancel()
        return real_probe(self, path, **kwargs)

    monkeypatch.setattr(sourcefiles.FactsReader, "probe", probe)
    index = Index([workspace], cache_dir=tmp_path / "cache")
    total = index.register()
    with pytest.raises(CancelledError):
        index.load(cancel)
    assert seen, "no worker process was started while the files were read"
    assert len(probed) < total
    deadline = time.monotonic() + 10
    while workers() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert workers() == []
