"""A dict comprehension's values and what a class's ``__getattr__`` returns (issue 13, S5, S8), read from another
module: an edit to the comprehension or to ``__getattr__`` in one module changes the callees of the module that reads
them, as a fresh index has them (tests/fixtures/callgraph/comprehension_tables)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from trace_advisor.index import Index

from tests.support.graphs import callees, graph_of

RUN = "lookups.jobs:run"  # ``broker.scripts["dispatch"]()``
FLUSH = "lookups.jobs:flush"  # ``broker.do_flush()``
SCRIPT_CALL = "lookups.scripts:Script.__call__"
HOOK = {"lookups.broker:Broker.__getattr__", "lookups.broker:Broker._dispatch.<locals>.do_dispatch"}


@pytest.fixture()
def project(fixtures_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "comprehension_tables"
    shutil.copytree(fixtures_dir / "callgraph" / "comprehension_tables", target)
    return target


def test_a_delegating_getattr_leaves_the_call_unresolved_and_says_so(project: Path, tmp_path: Path) -> None:
    index = Index([project], cache_dir=tmp_path / "cache")
    index.build()
    [missing] = index.graph().unresolved("lookups.broker:Wrapper.forward")
    assert (missing.text, missing.reason) == ("self.ping", "dynamic-attribute")
    assert "`__getattr__`" in missing.detail
    assert not index.graph().callees("lookups.broker:Wrapper.forward")


@pytest.mark.parametrize(
    ("old", "new", "symbol", "before", "after"),
    [
        # the comprehension's value changed: the table holds the handlers, not the scripts
        (
            "self.client.register_script(source) for name",
            "make_handler(name) for name",
            RUN,
            {SCRIPT_CALL},
            {"lookups.scripts:ping", "lookups.scripts:pong"},
        ),
        # the comprehension's values made the sources (strings): calling one reaches nothing
        ("{name: self.client.register_script(source) for", "{name: source for", RUN, {SCRIPT_CALL}, set()),
        # ``__getattr__`` removed: ``do_flush`` is defined nowhere
        ("    def __getattr__(self, name):\n", "    def getattr_unused(self, name):\n", FLUSH, HOOK, set()),
        # the attribute defined on the class: no ``__getattr__`` runs for it
        (
            "    def enqueue(self, message):\n",
            "    do_flush = None\n\n    def enqueue(self, message):\n",
            FLUSH,
            HOOK,
            set(),
        ),
    ],
)
def test_an_edit_in_the_defining_module_is_seen_by_the_reader(
    project: Path, tmp_path: Path, old: str, new: str, symbol: str, before: set[str], after: set[str]
) -> None:
    path = project / "lookups" / "broker.py"
    index = Index([project], cache_dir=tmp_path / "cache")
    index.build()
    assert callees(index, symbol) == before
    index.analysed(path)  # the editor's analysis keeps the syntax tree: the next edit may be spliced
    text = path.read_text()
    assert old in text
    edited = text.replace(old, new, 1)
    assert index.update_file(path, edited) is None
    assert callees(index, symbol) == after
    path.write_text(edited)
    fresh = Index([project], cache_dir=tmp_path / "fresh", use_cache=False)
    fresh.build()
    assert graph_of(index) == graph_of(fresh)


def test_a_getattr_added_by_an_edit_is_seen_by_the_reader(project: Path, tmp_path: Path) -> None:
    """No class had a ``__getattr__`` when the index was built: the edit that adds one gives the reader its edges."""
    path = project / "lookups" / "broker.py"
    text = path.read_text()
    without = text.replace("    def __getattr__(self, name):\n", "    def getattr_unused(self, name):\n", 1)
    without = without.replace("    def __getattr__(self, name):\n", "    def delegate(self, name):\n", 1)
    assert "__getattr__(self" not in without
    path.write_text(without)
    index = Index([project], cache_dir=tmp_path / "cache")
    index.build()
    assert callees(index, FLUSH) == set()
    index.analysed(path)
    assert index.update_file(path, text) is None
    assert callees(index, FLUSH) == HOOK
    path.write_text(text)
    fresh = Index([project], cache_dir=tmp_path / "fresh", use_cache=False)
    fresh.build()
    assert graph_of(index) == graph_of(fresh)
