"""The resolved-graph cache, through ``trace-advisor analyze`` as a subprocess: a run resolves the whole graph in the
analysis' own order (``resolution_order.ANALYSIS``) and keeps it; a later run takes it when nothing changed, and
writes byte for byte the report a cold run (``--no-cache``) writes, also when it reports on other files of the same
workspace or under another hash seed. A changed file, a file added or removed, or the snapshot of ``calls`` (which
resolves in another order) is a miss: everything is resolved again. Resolutions are counted per module as in
test_calls_graph_cache.py (the real resolution runs; only the calls are counted)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from trace_advisor.workspace import DEMO_GLOBS, TEST_GLOBS

from tests.cli.test_calls_graph_cache import MODULES
from tests.support.graph_runs import Runs

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@pytest.fixture()
def runs(tmp_path: Path) -> Runs:
    project = tmp_path / "interface_edits"
    shutil.copytree(FIXTURES / "interface_edits", project)
    return Runs(project, tmp_path, same_stderr=False)


def test_a_warm_analysis_takes_the_graph_and_writes_the_same_report(runs: Runs) -> None:
    app = runs.project / "app"
    assert runs.same("analyze", app) == MODULES  # cold cache: everything resolved
    assert runs.same("analyze", app) == set()  # nothing changed: every module's calls come from the snapshot
    assert runs.same("analyze", app, seed="12345") == set()  # another hash seed: the same answers
    # other files of the same workspace: resolved in the same order whatever is analysed, so the snapshot stands
    assert runs.same("analyze", app / "views.py", app / "service.py") == set()
    assert runs.same("analyze", app, "--priorities", "external_io") == set()


def test_a_changed_file_or_file_set_is_a_miss(runs: Runs) -> None:
    app = runs.project / "app"
    runs.warm("analyze", app)
    views = app / "views.py"
    views.write_text(views.read_text() + "\n\ndef later():\n    return len([])\n")
    assert runs.same("analyze", app) == MODULES  # a file changed: everything resolved again, as a cold run
    assert runs.same("analyze", app) == set()
    (app / "unrelated.py").unlink()  # a file removed
    assert runs.same("analyze", app) == MODULES - {"app.unrelated"}
    (app / "extra.py").write_text("def helper():\n    return 1\n")  # a file added
    assert runs.same("analyze", app) == MODULES - {"app.unrelated"} | {"app.extra"}
    assert runs.same("analyze", app) == set()


def test_the_graph_of_calls_is_not_taken_by_analyze(runs: Runs) -> None:
    """``calls`` resolves every module in module order, ``analyze`` the modules setting up instrumentation first:
    where values flow in cycles the answers can differ, so each takes only its own snapshot (both are kept). ``calls``
    runs with the ignore globs the analysis adds (tests, examples): the two runs differ in their order alone."""
    app = runs.project / "app"
    skipped = [arg for glob in (*TEST_GLOBS, *DEMO_GLOBS) for arg in ("--exclude", glob)]
    assert runs.same("calls", app, *skipped) == MODULES
    assert runs.same("analyze", app) == MODULES  # the snapshot of calls is there, but not for this order
    assert runs.same("calls", app, *skipped) == set()
    assert runs.same("analyze", app) == set()
    assert len(list(runs.cache.glob("*/graphs/*.graph"))) == 2
