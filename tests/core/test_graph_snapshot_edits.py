"""An index that took its resolved graph from a snapshot (``Index.reuse_resolved``) and is then edited, as an editor's
index is: the snapshot holds the answers but not what resolution read to reach them (which modules' parameters receive
values from the edited one, without importing it). Without the order that made it, the first edit resolves
everything again; with it, the index resolves the modules again in that order to learn what they read
(``Index.tell_readers``, or the first edit first), and an edit then re-resolves only what it affects. Either way every
edit gives the graph of a fresh index (tests/fixtures/parameter_flow)."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from trace_advisor.index import Index
from trace_advisor.resolution_order import ANALYSIS, analysis_sequence, resolve_for_analysis

from tests.core.test_interface_edits import fresh_graph, graph_of

MODULES = 4  # pkg, pkg.jobs, pkg.report, pkg.runner


@pytest.fixture()
def project(fixtures_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "parameter_flow"
    shutil.copytree(fixtures_dir / "parameter_flow", target)
    return target


def _callees(index: Index, symbol: str) -> list[str]:
    return sorted(edge.callee for edge in index.graph().callees(symbol))


def _snapshot_index(project: Path, cache: Path, *, told: bool | None) -> Index:
    """An index of ``project`` taking the snapshot a first index kept; ``told``: None, without the order that made
    it; False, with it but not resolved again yet; True, resolved again."""
    first = Index([project], cache_dir=cache)
    first.build()
    resolve_for_analysis(first)
    assert first.keep_resolved(ANALYSIS)
    index = Index([project], cache_dir=cache)
    index.build()
    assert index.reuse_resolved(ANALYSIS, None if told is None else analysis_sequence) == MODULES
    if told:
        version = index.graph_version()
        assert index.tell_readers(until=0.0) == MODULES - 1  # one module per call past its time
        assert index.tell_readers() == 0
        assert index.tell_readers() == 0  # nothing left
        assert index.graph_version() == version  # the same answers as the snapshot's: none replaced
    resolve_for_analysis(index)  # nothing left to resolve
    assert _callees(index, "pkg.runner:run") == ["pkg.jobs:hello"]
    return index


def _edit_jobs(index: Index, project: Path, tmp_path: Path) -> None:
    jobs = project / "pkg" / "jobs.py"
    for number, (old, new) in enumerate([("run(hello)", "run(other)"), ("run(other)", "run(hello)")]):
        edited = jobs.read_text().replace(old, new)
        index.update_file(jobs, edited)  # the editor's text; the disk's is saved for a fresh index
        jobs.write_text(edited)
        assert _callees(index, "pkg.runner:run") == [f"pkg.jobs:{new[4:-1]}"], number
        assert graph_of(index) == fresh_graph(project, tmp_path / f"fresh-{number}"), number


def test_edits_after_a_snapshot_give_the_graph_of_a_fresh_index(project: Path, tmp_path: Path) -> None:
    _edit_jobs(_snapshot_index(project, tmp_path / "cache", told=None), project, tmp_path)


@pytest.mark.parametrize("told", [True, False], ids=["told", "told-by-the-edit"])
def test_an_edit_after_the_readers_are_told_resolves_only_what_it_affects(
    project: Path, tmp_path: Path, told: bool
) -> None:
    """runner.run reads what jobs.go passes it: the edit re-resolves runner (and jobs), never report."""
    index = _snapshot_index(project, tmp_path / "cache", told=told)
    report = index.module_calls("pkg.report")
    assert report is not None
    _edit_jobs(index, project, tmp_path)
    assert index.module_calls("pkg.report") is report


def test_without_the_order_the_first_edit_resolves_everything(project: Path, tmp_path: Path) -> None:
    """What the two above improve on (and the reason a snapshot needs its order to be edited cheaply)."""
    index = _snapshot_index(project, tmp_path / "cache", told=None)
    report = index.module_calls("pkg.report")
    _edit_jobs(index, project, tmp_path)
    assert index.module_calls("pkg.report") is not report


def _opened(project: Path, cache: Path, text: str | None = None) -> Index:
    """An index of ``project`` with jobs.py open in an editor (as saved, or with ``text``), as a server builds it."""
    jobs = project / "pkg" / "jobs.py"
    index = Index([project], cache_dir=cache)
    index.register()
    index.update_file(jobs, jobs.read_text() if text is None else text)
    index.load()
    return index


def test_a_document_open_as_saved_neither_stops_keeping_nor_taking_the_snapshot(project: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = _opened(project, cache)
    resolve_for_analysis(first)
    assert first.keep_resolved(ANALYSIS, analysis_sequence)
    assert _opened(project, cache).reuse_resolved(ANALYSIS, analysis_sequence) == MODULES
    edited = (project / "pkg" / "jobs.py").read_text().replace("run(hello)", "run(other)")
    assert _opened(project, cache, edited).reuse_resolved(ANALYSIS, analysis_sequence) == 0


def test_a_graph_resolved_out_of_its_order_is_not_kept(project: Path, tmp_path: Path) -> None:
    """A question answered before the whole graph is resolved in its order (the editor's first request) resolves a
    module first: where values flow in cycles, its answers may differ from that order's."""
    index = Index([project], cache_dir=tmp_path / "cache")
    index.build()
    index.module_calls(analysis_sequence(index)[-1])
    resolve_for_analysis(index)
    assert not index.keep_resolved(ANALYSIS, analysis_sequence)
    assert index.keep_resolved(ANALYSIS)  # (what ``calls`` and ``analyze`` do: they ask nothing before)


def test_answers_given_before_the_graph_is_resolved_in_order_give_way_to_it(project: Path, tmp_path: Path) -> None:
    """A language server answers the open file's first questions while the rest is read: those answers go, and the
    graph resolved in order is kept; the next start takes it though a question came first again."""
    cache = tmp_path / "cache"
    index = Index([project], cache_dir=cache)
    index.build()
    index.module_calls(analysis_sequence(index)[-1])
    index.forget_resolved()
    resolve_for_analysis(index)
    assert index.keep_resolved(ANALYSIS, analysis_sequence)
    again = Index([project], cache_dir=cache)
    again.build()
    again.module_calls("pkg.runner")
    assert again.reuse_resolved(ANALYSIS, analysis_sequence) == MODULES
    assert again.site_counts()[0] == 1  # (runner's one site, before)
    _edit_jobs(again, project, tmp_path)


class _TakingTurns:
    """The index's lock, fair to a question another thread asks while the editing thread holds it: when the editing
    thread takes it again from outside any hold, it first lets that question through (as a fair lock would, instead
    of the operating system's choice of who gets a released lock). An edit that did everything in one hold never
    takes it again, and the question waits until it is done."""

    def __init__(self, lock: Any, editor: threading.Thread) -> None:
        self._lock, self._editor, self._depth = lock, editor, 0
        self.asking, self.answered = threading.Event(), threading.Event()

    def __enter__(self) -> None:
        mine = threading.current_thread() is self._editor
        if mine and self._depth == 0 and self.asking.is_set():
            self.answered.wait(timeout=10)
        self._lock.acquire()
        if mine:
            self._depth += 1

    def __exit__(self, *exc: object) -> None:
        if threading.current_thread() is self._editor:
            self._depth -= 1
        self._lock.release()


def test_questions_are_answered_while_an_edit_waits_for_what_resolution_reads(project: Path, tmp_path: Path) -> None:
    """The edit resolves the modules again one per lock hold: a question from another thread (the language server's
    requests) is answered between two of them, not after the whole pass."""
    index = _snapshot_index(project, tmp_path / "cache", told=False)
    turns = _TakingTurns(index._lock, threading.current_thread())
    index._lock = turns  # type: ignore[assignment]
    resolve_module = index._resolver.resolve_module
    finished: list[str] = []
    asked: list[threading.Thread] = []

    def question() -> None:
        turns.asking.set()
        index.module_calls("pkg.report")
        finished.append("query")
        turns.answered.set()

    def slow(info: Any, known: Any = None) -> Any:
        if not asked:  # the first module told: another thread asks a question meanwhile
            asked.append(threading.Thread(target=question))
            asked[0].start()
            time.sleep(0.05)  # (it is waiting for the lock when this hold ends)
        return resolve_module(info, known)

    index._resolver.resolve_module = slow  # type: ignore[method-assign]
    jobs = project / "pkg" / "jobs.py"
    index.update_file(jobs, jobs.read_text().replace("run(hello)", "run(other)"))
    finished.append("edit")
    asked[0].join()
    assert finished == ["query", "edit"]
