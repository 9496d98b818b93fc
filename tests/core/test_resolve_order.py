"""Issue 13, results are deterministic: what a call resolves to does not depend on which question was asked first.

tests/fixtures/callgraph/cyclic_flow has a cycle through parameter flow (``Adapter.session`` is what ``__init__``
receives, which is what ``from_adapter`` passes: ``adapter.session``). Each module is resolved first in a fresh
index, then the rest in reverse order: every function's callees and unresolved calls are the same each time, and
the same as in a fresh index where the modules are resolved in order."""

from __future__ import annotations

import shutil
from pathlib import Path

from trace_advisor.index import Index

Graph = dict[str, tuple[list[str], list[str]]]


def resolved(project: Path, cache_dir: Path, first: str | None = None) -> Graph:
    index = Index([project], cache_dir=cache_dir)
    index.build()
    graph = index.graph()
    symbols = graph.symbols()
    modules = sorted({symbol.partition(":")[0] for symbol in symbols})
    if first is not None:  # that module's call sites are the first questions; then the others, last module first
        modules = [first, *sorted((m for m in modules if m != first), reverse=True)]
    for module in modules:
        graph.callees(f"{module}:<module>")  # resolves the module's call sites
    return {
        symbol: (sorted(edge.callee for edge in graph.callees(symbol)), [u.text for u in graph.unresolved(symbol)])
        for symbol in symbols
    }


def test_the_graph_does_not_depend_on_which_module_is_resolved_first(fixtures_dir: Path, tmp_path: Path) -> None:
    case = fixtures_dir / "callgraph" / "cyclic_flow"
    expected = resolved(case, tmp_path)
    for module in sorted({symbol.partition(":")[0] for symbol in expected}):
        assert resolved(case, tmp_path, module) == expected, module
    assert expected["keeper.adapters:RawAdapter.request"] == (
        ["builtins:dict.copy", "keeper.transport:Session.request"],
        [],
    )


def test_a_file_elsewhere_does_not_change_the_answer(fixtures_dir: Path, tmp_path: Path) -> None:
    """Deleting the only caller of ``from_adapter`` (the cycle) leaves the adapter's own call as it was."""
    project = tmp_path / "project"
    shutil.copytree(fixtures_dir / "callgraph" / "cyclic_flow", project)
    with_caller = resolved(project, tmp_path / "cache")["keeper.adapters:RawAdapter.request"]
    (project / "keeper" / "api" / "system" / "snapshots.py").unlink()
    without = resolved(project, tmp_path / "cache")["keeper.adapters:RawAdapter.request"]
    assert with_caller == without == (["builtins:dict.copy", "keeper.transport:Session.request"], [])


def _deep_chain(root: Path, hops: int) -> None:
    """``r0()`` returns ``r1()`` ... returns ``Store()``: each hop is a question nested in the one before."""
    package = root / "deep"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    steps = [f"def r{n}():\n    return r{n + 1}()\n" for n in range(hops)]
    store = "class Store:\n    def save(self):\n        return 1\n"
    (package / "chain.py").write_text(store + "\n\n" + "\n\n".join(steps) + f"\n\ndef r{hops}():\n    return Store()\n")


def test_a_chain_nested_deeper_than_48_questions_is_followed(tmp_path: Path) -> None:
    _deep_chain(tmp_path / "project", 120)
    (tmp_path / "project" / "deep" / "use.py").write_text(
        "from deep.chain import r0\n\n\ndef handler():\n    r0().save()\n"
    )
    assert resolved(tmp_path / "project", tmp_path / "cache")["deep.use:handler"] == (
        ["deep.chain:Store.save", "deep.chain:r0"],
        [],
    )


def test_an_answer_cut_off_below_the_depth_limit_is_not_final_for_its_readers(tmp_path: Path) -> None:
    """``either()`` asks ``r0()`` (300 questions deep: cut off, nothing) and then ``helper()``, which reads ``r150()``
    computed under that cut. ``helper()`` is 150 deep on its own: it must not stand as nothing for ``use`` because
    ``either`` was resolved first."""
    project = tmp_path / "project"
    _deep_chain(project, 300)
    (project / "deep" / "either.py").write_text(
        "from deep.chain import r0, r150\n\n\ndef helper():\n    return r150()\n\n\n"
        "def either(flag):\n    if flag:\n        return r0()\n    return helper()\n\n\n"
        "def run():\n    either(True).save()\n"
    )
    (project / "deep" / "use.py").write_text(
        "from deep.either import helper\n\n\ndef handler():\n    helper().save()\n"
    )
    for first in ("deep.use", "deep.either"):
        graph = resolved(project, tmp_path / "cache", first)
        assert graph["deep.use:handler"] == (["deep.chain:Store.save", "deep.either:helper"], []), first
    # the question cut off itself (``either(True)`` in ``run``) is answered as far as it was followed: the one place
    # where the order matters (memo.py), 256 questions deep
