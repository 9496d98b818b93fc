"""The resolved-graph cache, through ``trace-advisor analyze`` as a subprocess: a run resolves the whole graph in the
analysis' own order (``resolution_order.ANALYSIS``) and keeps it; a later run takes it when nothing changed, and
writes byte for byte the report a cold run (``--no-cache``) writes, also when it reports on other files of the same
workspace or under another hash seed. A changed file, a file added or removed, or the snapshot of ``calls`` (which
resolves in another order) is a miss: everything is resolved again. Resolutions are counted per module as in
test_calls_graph_cache.py (the real resolution runs; only the calls are counted)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from trace_advisor.workspace import DEMO_GLOBS, TEST_GLOBS

from tests.cli.test_calls_graph_cache import COUNTING, MODULES
from tests.support.cli import clean_env, run_cli

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


class Runs:
    """``analyze`` (or ``calls``) on one project with one cache folder, warm (the cache) against cold."""

    def __init__(self, project: Path, scratch: Path) -> None:
        self.project = project
        self.scratch = scratch
        self.cache = scratch / "cache"
        self.number = 0

    def warm(self, *argv: str | Path, seed: str = "0") -> tuple[str, set[str]]:
        """The report (or graph) a run with the cache writes, and the modules it resolved."""
        self.number += 1
        out, counts = self.scratch / f"warm{self.number}.json", self.scratch / f"counts{self.number}.json"
        done = subprocess.run(
            [sys.executable, "-c", COUNTING, str(counts), *map(str, argv), "-o", str(out), *_json(argv)],
            capture_output=True,
            text=True,
            timeout=120,
            env=clean_env(TRACE_ADVISOR_CACHE_DIR=str(self.cache), PYTHONHASHSEED=seed),
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return out.read_text(encoding="utf-8"), set(json.loads(counts.read_text()))

    def cold(self, *argv: str | Path) -> str:
        self.number += 1
        out = self.scratch / f"cold{self.number}.json"
        done = run_cli(*argv, "--no-cache", "-o", out, *_json(argv))
        assert done.returncode == 0, done.stderr
        return out.read_text(encoding="utf-8")

    def same(self, *argv: str | Path, seed: str = "0") -> set[str]:
        """Run warm and cold: both write the same bytes; the modules the warm run resolved."""
        report, resolved = self.warm(*argv, seed=seed)
        assert report == self.cold(*argv)
        return resolved


def _json(argv: tuple[str | Path, ...]) -> tuple[str, ...]:
    return ("--format", "json") if argv[0] == "analyze" else ()


@pytest.fixture()
def runs(tmp_path: Path) -> Runs:
    project = tmp_path / "interface_edits"
    shutil.copytree(FIXTURES / "interface_edits", project)
    return Runs(project, tmp_path)


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
