"""Re-resolving the readers of an interface edit now, cancellably (``Index.resolve_readers``), on the
tests/fixtures/interface_edits package: the pass resolves exactly the modules the lazy path would resolve, gives
the same graph (same edges, same order), leaves callers answerable without resolving anything, stops at a cancelled
token with nothing lost, and has nothing to do after an edit no other module reads."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from trace_advisor.cancel import CancelledError, CancelToken
from trace_advisor.index import Index

MODULES = ("app.models", "app.util", "app.reexport", "app.service", "app.views", "app.unrelated")
BASE = ("models.py", "class Store(Base):", "class Store(Other):")  # every module naming Store reads it again
ADDED = ("util.py", "def other():\n", "def added():\n    pass\n\n\ndef other():\n")  # a name no other module names
BODY = ("models.py", "        self.load()\n\n\ndef", "        self.load()\n        pass\n\n\ndef")  # a body only


class CancelAfter(CancelToken):
    """A token cancelled at its ``checks``-th check, after running ``meanwhile`` (another thread's edit, say)."""

    def __init__(self, checks: int, meanwhile: object = None) -> None:
        super().__init__()
        self.left = checks
        self.meanwhile = meanwhile

    def check(self) -> None:
        self.left -= 1
        if self.left == 0:
            if callable(self.meanwhile):
                self.meanwhile()
            else:
                self.cancel()
        super().check()


def graph_of(index: Index) -> dict[str, tuple[tuple[str, ...], ...]]:
    """Every function's callees, unresolved calls and callers, in the order the graph gives them."""
    graph = index.graph()
    return {
        symbol: tuple((e.callee, e.dispatch, e.via or "", str(e.range.start)) for e in graph.callees(symbol))
        + tuple((u.text, u.reason) for u in graph.unresolved(symbol))
        + tuple((e.caller, str(e.range.start)) for e in graph.callers(symbol))
        for symbol in graph.symbols()
    }


@pytest.fixture()
def project(fixtures_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "interface_edits"
    shutil.copytree(fixtures_dir / "interface_edits", target)
    return target


def resolved_index(project: Path, cache: Path) -> Index:
    """An index whose whole graph was resolved (an editor's, once a callers question was answered)."""
    index = Index([project], cache_dir=cache)
    index.build()
    index.graph().callers("app.models:Base.load")
    return index


def edit(index: Index, project: Path, change: tuple[str, str, str]) -> None:
    name, old, new = change
    path = project / "app" / name
    text = index.source(path)
    assert text is not None and old in text
    assert index.update_file(path, text.replace(old, new, 1)) is None


def test_the_pass_resolves_the_readers_the_lazy_path_would(project: Path, tmp_path: Path) -> None:
    index, lazy = resolved_index(project, tmp_path / "a"), resolved_index(project, tmp_path / "b")
    for change in (BASE, ADDED):
        edit(index, project, change)
        edit(lazy, project, change)
    readers = index.stale_readers()
    assert readers == MODULES[:1] + ("app.reexport", "app.service", "app.unrelated", "app.util", "app.views")
    assert lazy.stale_readers() == readers
    done = index.resolve_readers()
    assert done.resolved == readers and done.complete
    assert index.stale_readers() == ()
    resolved = {module: index.module_calls(module) for module in MODULES}
    assert graph_of(index) == graph_of(lazy)  # the lazy index resolves them while answering
    assert lazy.stale_readers() == ()
    # nothing was left to resolve for the questions: every module keeps the calls the pass resolved
    assert all(index.module_calls(module) is calls for module, calls in resolved.items())


def test_an_edit_no_other_module_reads_leaves_only_its_module(project: Path, tmp_path: Path) -> None:
    index = resolved_index(project, tmp_path / "cache")
    edit(index, project, ADDED)
    assert index.stale_readers() == ("app.util",)
    edit(index, project, BODY)  # a body: not an interface edit, nothing more to read again
    assert index.stale_readers() == ("app.util",)
    assert index.resolve_readers().resolved == ("app.util",)
    edit(index, project, ("models.py", "        pass\n\n\ndef", "\n\n\ndef"))
    assert index.stale_readers() == ()
    assert index.resolve_readers().resolved == ()


def test_nothing_is_stale_before_the_graph_was_resolved(project: Path, tmp_path: Path) -> None:
    index = Index([project], cache_dir=tmp_path / "cache")
    index.build()
    edit(index, project, BASE)
    assert index.stale_readers() == ()  # the first whole-graph question resolves it all, as before any edit
    assert index.resolve_readers().resolved == ()


def test_a_cancelled_pass_stops_and_loses_nothing(project: Path, tmp_path: Path) -> None:
    index, fresh = resolved_index(project, tmp_path / "a"), resolved_index(project, tmp_path / "b")
    edit(index, project, BASE)
    edit(fresh, project, BASE)
    fresh.resolve_readers()
    readers = index.stale_readers()
    with pytest.raises(CancelledError):
        index.resolve_readers(CancelAfter(1))
    assert index.stale_readers() == readers  # cancelled before the first module
    with pytest.raises(CancelledError):
        index.resolve_readers(CancelAfter(3))  # after two modules
    assert index.stale_readers() == readers[2:]
    assert graph_of(index) == graph_of(fresh)  # the rest is resolved lazily, as without a pass
    assert index.stale_readers() == ()


def test_an_edit_between_two_steps_is_followed(project: Path, tmp_path: Path) -> None:
    """An edit the engine takes while the pass runs (the pass releases the lock between modules): the pass goes on
    with the readers stale now, and the graph is the one of both edits."""
    index, fresh = resolved_index(project, tmp_path / "a"), resolved_index(project, tmp_path / "b")
    alias = ("models.py", "Alias = Store\n", "Alias = Other\n")
    edit(index, project, BASE)
    for change in (BASE, alias):
        edit(fresh, project, change)
    fresh.resolve_readers()
    done = index.resolve_readers(CancelAfter(2, lambda: edit(index, project, alias)))
    assert done.complete and index.stale_readers() == ()
    assert len(done.resolved) > len(set(done.resolved))  # modules resolved before the edit were resolved again
    assert graph_of(index) == graph_of(fresh)
