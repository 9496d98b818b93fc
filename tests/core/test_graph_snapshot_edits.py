"""An index that took its resolved graph from a snapshot (``Index.reuse_resolved``) and is then edited, as an editor's
index is: the snapshot holds the answers but not what resolution read to reach them (which modules' parameters receive
values from the edited one, without importing it), so the first edit resolves everything again, and every edit gives
the graph of a fresh index (tests/fixtures/parameter_flow)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from trace_advisor.index import Index
from trace_advisor.resolution_order import ANALYSIS, resolve_for_analysis

from tests.core.test_interface_edits import fresh_graph, graph_of


@pytest.fixture()
def project(fixtures_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "parameter_flow"
    shutil.copytree(fixtures_dir / "parameter_flow", target)
    return target


def _callees(index: Index, symbol: str) -> list[str]:
    return sorted(edge.callee for edge in index.graph().callees(symbol))


def test_edits_after_a_snapshot_give_the_graph_of_a_fresh_index(project: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = Index([project], cache_dir=cache)
    first.build()
    resolve_for_analysis(first)
    assert first.keep_resolved(ANALYSIS)
    index = Index([project], cache_dir=cache)
    index.build()
    assert index.reuse_resolved(ANALYSIS) == 3
    resolve_for_analysis(index)  # nothing left to resolve
    assert _callees(index, "pkg.runner:run") == ["pkg.jobs:hello"]
    jobs = project / "pkg" / "jobs.py"
    for number, (old, new) in enumerate([("run(hello)", "run(other)"), ("run(other)", "run(hello)")]):
        edited = jobs.read_text().replace(old, new)
        index.update_file(jobs, edited)  # the editor's text; the disk's is saved for a fresh index
        jobs.write_text(edited)
        assert _callees(index, "pkg.runner:run") == [f"pkg.jobs:{new[4:-1]}"], number
        assert graph_of(index) == fresh_graph(project, tmp_path / f"fresh-{number}"), number
