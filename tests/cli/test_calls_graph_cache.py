"""The resolved-graph cache, through ``trace-advisor calls`` as a subprocess: a warm run writes byte for byte what a
cold run (``--no-cache``) writes, after edits of every kind in between (a body, an imported module's interface: names
added, renamed, removed, a base class; a file deleted, a file added that provides a name, another search path or
configuration, a damaged cache file), and it resolves nothing when nothing changed, everything otherwise. Resolutions
are counted per module by wrapping the resolver's ``resolve_module`` in the CLI's process (the real resolution runs;
only the calls are counted)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.core.test_interface_edits import EDITS
from tests.support.graph_runs import Runs

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
MODULES = {"app", "app.models", "app.util", "app.reexport", "app.service", "app.views", "app.unrelated"}


@pytest.fixture()
def runs(tmp_path: Path) -> Runs:
    project = tmp_path / "interface_edits"
    shutil.copytree(FIXTURES / "interface_edits", project)
    return Runs(project, tmp_path, ("calls", project))


def test_a_warm_run_resolves_nothing_and_writes_the_same_graph(runs: Runs) -> None:
    assert runs.same() == MODULES  # cold cache: everything resolved
    assert runs.same() == set()  # nothing changed: every module's calls come from the cache
    assert runs.same("--format", "pycg") == set()
    assert runs.same("--format", "tree") == set()  # entry points: every function's callers, from the cache too
    entry = runs.project / "app" / "views.py"
    assert runs.same("--entry", f"{entry}:view")  # a tree from one entry resolves in its own order: no cache
    snapshots = list(runs.cache.glob("*/graphs/*.graph"))
    assert len(snapshots) == 1


def test_definitions_and_notes_of_modules_taken_from_the_cache(tmp_path: Path) -> None:
    """A warm run decodes no facts of the modules whose calls it takes, yet every function keeps its file and lines
    and the notes about newer syntax read with the running Python are printed as a cold run prints them."""
    project = tmp_path / "newer_syntax"
    shutil.copytree(FIXTURES / "newer_syntax", project)
    runs = Runs(project, tmp_path, ("calls", project))
    assert runs.same() == {"app", "app.api", "app.db"}
    assert runs.same() == set()
    assert "after rewriting newer syntax" in runs.stderr


@pytest.mark.timeout(300)  # 33 runs of the CLI
def test_edits_between_runs_give_the_graph_of_a_cold_run(runs: Runs) -> None:
    """The interface edits of tests/core/test_interface_edits.py, each saved to disk between two runs: functions
    added, renamed and removed, a base class, an alias, an import, a star-imported name, a decorator's result. A run
    after an edit resolves everything, as a cold run: resolving only what the edit can affect gives other answers
    where values flow in cycles (``Index.reuse_resolved``)."""
    first, _ = runs.warm()
    seen = first
    for number, (name, old, new, _) in enumerate(EDITS):
        path = runs.project / "app" / name
        text = path.read_text()
        assert old in text, (number, old)
        path.write_text(text.replace(old, new, 1))
        graph, resolved = runs.warm()
        assert graph == runs.cold(), (number, name, new)
        assert resolved == MODULES, (number, resolved)
        seen = graph
    assert runs.warm() == (seen, set())


def test_a_body_edit_resolves_everything_once(runs: Runs) -> None:
    runs.warm()
    views = runs.project / "app" / "views.py"
    views.write_text(views.read_text() + "\n\ndef later():\n    return len([])\n")
    assert runs.same() == MODULES
    assert runs.same() == set()


def test_files_deleted_or_added_and_other_configurations(runs: Runs, tmp_path: Path) -> None:
    runs.warm()
    (runs.project / "app" / "unrelated.py").unlink()  # a file deleted
    assert runs.same() == MODULES - {"app.unrelated"}
    # a new module providing the name a star import or an import reads
    (runs.project / "app" / "extra.py").write_text("def helper():\n    return 1\n")
    views = runs.project / "app" / "views.py"
    views.write_text("from app.extra import helper\n" + views.read_text() + "\n\ndef uses():\n    helper()\n")
    assert "app.extra" in runs.same()
    assert runs.same() == set()
    # another configuration: excluded files, another search path (each its own snapshot, kept side by side)
    assert runs.same("--exclude", "app/reexport.py") == MODULES - {"app.unrelated", "app.reexport"} | {"app.extra"}
    site = tmp_path / "site"
    (site / "outside").mkdir(parents=True)
    (site / "outside" / "__init__.py").write_text("def run():\n    pass\n")
    unrelated = runs.project / "app" / "unrelated.py"
    unrelated.write_text("from outside import run\n\n\ndef go():\n    run()\n")
    everything = MODULES | {"app.extra"}
    assert runs.same("--search-path", site) == everything  # a file added, and a new configuration
    assert runs.same("--search-path", site) == set()
    # the other configuration's snapshot is still there, but a file was added since
    assert runs.same("--exclude", "app/reexport.py") == everything - {"app.reexport"}
    assert runs.same("--exclude", "app/reexport.py") == set()
    # a file outside the workspace changed (a package upgraded on a search path): everything resolved again
    (site / "outside" / "__init__.py").write_text("def go():\n    pass\n\n\nrun = go\n")
    assert runs.same("--search-path", site) == everything
    assert runs.same("--search-path", site) == set()


def test_a_damaged_snapshot_is_ignored(runs: Runs) -> None:
    """Truncated, a byte flipped in the calls, garbage: the run says so on stderr, resolves everything and writes the
    graph a cold run writes; the next run takes the snapshot it wrote instead."""
    runs.warm()
    [snapshot] = runs.cache.glob("*/graphs/*.graph")
    data = snapshot.read_bytes()
    for damaged in (data[: len(data) // 2], data[:-20] + bytes([data[-20] ^ 0xFF]) + data[-19:], b"garbage"):
        snapshot.write_bytes(damaged)
        graph, resolved = runs.warm()
        assert "discarding damaged graph snapshot" in runs.stderr
        assert resolved == MODULES
        assert graph == runs.cold()
    assert runs.same() == set()
