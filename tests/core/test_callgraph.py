"""Reverse edges, entry points and call trees (stable ids, depth limit, cycle marks)."""

from __future__ import annotations

from pathlib import Path

import pytest
from trace_advisor.callgraph import CallGraph
from trace_advisor.datatypes import CallTreeNode
from trace_advisor.index import Index


def build(project: Path, cache: Path) -> CallGraph:
    index = Index([project], cache_dir=cache)
    index.build()
    return index.graph()


@pytest.fixture()
def walk(fixtures_dir: Path, tmp_path: Path) -> CallGraph:
    return build(fixtures_dir / "resolve" / "recursion" / "project", tmp_path)


def shape(node: CallTreeNode) -> object:
    marks = ("↻" if node.cycle else "") + ("…" if node.truncated else "") + ("x" if node.external else "")
    return (node.symbol + marks, [shape(c) for c in node.children])


def test_callers_are_the_reverse_edges(walk: CallGraph) -> None:
    assert [e.caller for e in walk.callers("walk:ping")] == ["walk:main", "walk:pong"]
    assert [e.caller for e in walk.callers("walk:countdown")] == ["walk:main", "walk:countdown"]
    assert walk.callers("walk:<module>") == ()
    for edge in walk.callers("walk:helper"):
        assert edge in walk.callees(edge.caller)


def test_tree_marks_recursion_and_mutual_recursion(walk: CallGraph) -> None:
    tree = walk.tree("walk:main")
    assert shape(tree) == (
        "walk:main",
        [
            ("walk:countdown", [("walk:countdown↻", [])]),
            ("walk:ping", [("walk:pong", [("walk:ping↻", []), ("walk:helper", [])])]),
        ],
    )


def test_depth_limit_truncates(walk: CallGraph) -> None:
    assert shape(walk.tree("walk:main", depth=1)) == (
        "walk:main",
        [("walk:countdown…", []), ("walk:ping…", [])],
    )
    assert shape(walk.tree("walk:helper", depth=0)) == ("walk:helper", [])


def test_node_ids_are_stable_and_unique(walk: CallGraph, fixtures_dir: Path, tmp_path: Path) -> None:
    def ids(node: CallTreeNode) -> list[str]:
        return [node.id, *(i for c in node.children for i in ids(c))]

    first = ids(walk.tree("walk:main"))
    again = ids(build(fixtures_dir / "resolve" / "recursion" / "project", tmp_path / "other").tree("walk:main"))
    assert first == again
    assert len(set(first)) == len(first)


def test_tree_nodes_carry_locations_and_external_marks(fixtures_dir: Path, tmp_path: Path) -> None:
    graph = build(fixtures_dir / "resolve" / "external_names" / "project", tmp_path)
    tree = graph.tree("m:run")
    assert tree.file is not None and tree.file.endswith("m.py") and tree.line == 8
    assert all(child.external and child.file is None for child in tree.children)


def test_entry_points(walk: CallGraph) -> None:
    assert walk.entry_points() == ("walk:<module>", "walk:main")
    assert "walk:countdown" not in walk.entry_points()  # it calls itself, but main calls it too


def test_symbols_are_functions_methods_and_module_bodies(fixtures_dir: Path, tmp_path: Path) -> None:
    graph = build(fixtures_dir / "resolve" / "self_cls_super" / "project", tmp_path)
    assert "service:Service" not in graph.symbols()
    assert {"service:<module>", "service:Service.save", "service:Base.create"} <= set(graph.symbols())


def test_reachability_follows_edits(fixtures_dir: Path, tmp_path: Path) -> None:
    source = fixtures_dir / "resolve" / "recursion" / "project" / "walk.py"
    project = tmp_path / "project"
    project.mkdir()
    (project / "walk.py").write_text(source.read_text())
    index = Index([project], cache_dir=tmp_path / "cache")
    index.build()
    graph = index.graph()
    symbols = ["walk:main", "walk:countdown", "walk:ping", "walk:pong", "walk:helper"]
    assert [graph.reachable(s) for s in symbols] == [True] * 5
    assert graph.is_entry_point("walk:main") and not graph.is_entry_point("walk:ping")

    # main no longer calls ping: ping and pong only call each other, so nothing reaches them (nor helper)
    index.update_file(project / "walk.py", source.read_text().replace("    ping(2)\n", ""))
    assert [graph.reachable(s) for s in symbols] == [True, True, False, False, False]
    assert graph.entry_points() == ("walk:<module>", "walk:main")
    assert not graph.is_entry_point("walk:ping")

    index.update_file(project / "walk.py", None)  # back to the text on disk
    assert [graph.reachable(s) for s in symbols] == [True] * 5
    assert not graph.reachable("json:dumps") and not graph.is_entry_point("json:dumps")  # outside the workspace

    # a keystroke that changes no callee (here: code moved down a line) keeps the graph's shape and its answers
    shape_before = index.graph_shape()
    index.update_file(project / "walk.py", "\n" + source.read_text())
    assert index.graph_shape() == shape_before
    assert [graph.reachable(s) for s in symbols] == [True] * 5
    # one that changes a callee changes it
    index.update_file(project / "walk.py", "\n" + source.read_text().replace("    ping(2)\n", "    print(2)\n"))
    assert index.graph_shape() != shape_before
    assert [graph.reachable(s) for s in symbols] == [True, True, False, False, False]
