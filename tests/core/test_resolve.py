"""Each resolution case in tests/fixtures/resolve/<case> produces exactly the edges in its expected.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from trace_advisor.index import Index

CASES = sorted(p for p in (Path(__file__).parent.parent / "fixtures" / "resolve").iterdir() if p.is_dir())


def graph_of(case: Path, cache_dir: Path) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    site = case / "site"
    index = Index([case / "project"], search_paths=[site] if site.is_dir() else [], cache_dir=cache_dir)
    index.build()
    graph = index.graph()
    calls: dict[str, list[str]] = {}
    unresolved: dict[str, list[str]] = {}
    for symbol in graph.symbols():
        if edges := graph.callees(symbol):
            calls[symbol] = sorted({edge.callee for edge in edges})
        if missing := graph.unresolved(symbol):
            unresolved[symbol] = sorted(call.text for call in missing)
    return calls, unresolved


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_resolution_case(case: Path, tmp_path: Path) -> None:
    expected = json.loads((case / "expected.json").read_text())
    calls, unresolved = graph_of(case, tmp_path)
    assert calls == expected["calls"]
    assert unresolved == expected["unresolved"]


def test_every_case_has_a_readme() -> None:
    assert CASES
    for case in CASES:
        assert (case / "README").read_text().strip(), case


def test_external_flags(tmp_path: Path, fixtures_dir: Path) -> None:
    index = Index(
        [fixtures_dir / "resolve" / "third_party_reexport" / "project"],
        search_paths=[fixtures_dir / "resolve" / "third_party_reexport" / "site"],
        cache_dir=tmp_path,
    )
    index.build()
    edges = index.graph().callees("client:fetch")
    assert edges and all(edge.external for edge in edges)
    index = Index([fixtures_dir / "resolve" / "module_functions" / "project"], cache_dir=tmp_path)
    index.build()
    assert [e.external for e in index.graph().callees("app:run")] == [False, False]
