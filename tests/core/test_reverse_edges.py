"""The callers of every function after each of many interface edits (tests/fixtures/kept_sites): a module resolved
again replaces only the reverse edges of the sites whose answers changed (``CallTable``), and every function's
callers, in answer order, equal a fresh index's of the same files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from trace_advisor.index import Index

from tests.core.test_interface_memo import ORDER, VARIANTS


@pytest.fixture()
def project(fixtures_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "kept_sites"
    shutil.copytree(fixtures_dir / "kept_sites", target)
    return target


def callers_of(index: Index) -> dict[str, list[tuple[str, ...]]]:
    graph = index.graph()
    return {
        symbol: [(e.caller, str(e.range), e.callee, e.dispatch, e.via or "") for e in graph.callers(symbol)]
        for symbol in graph.symbols()
    }


def test_callers_after_each_edit_are_a_fresh_index_s(project: Path, tmp_path: Path) -> None:
    index = Index([project], cache_dir=tmp_path / "cache")
    index.build()
    path = project / "app" / "parser.py"
    text = path.read_text()
    fresh: dict[int, dict[str, list[tuple[str, ...]]]] = {}
    callers_of(index)
    for number, variant in enumerate(ORDER[:12]):
        edited = text + VARIANTS[variant]
        assert index.update_file(path, edited) is None
        index.graph().callees("app.parser:many")  # the edited module resolved first, as a callees query does
        if variant not in fresh:
            path.write_text(edited)
            fresh_index = Index([project], cache_dir=tmp_path / f"fresh-{variant}", use_cache=False)
            fresh_index.build()
            fresh[variant] = callers_of(fresh_index)
        assert callers_of(index) == fresh[variant], (number, variant)
