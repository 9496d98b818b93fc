"""What held up in the security review stays so: trace-advisor never imports or runs the code it analyses. Every
hook of the fixture project (conftest.py, setup.py, sitecustomize/usercustomize, a package __init__, a .pth line
and a module in the configured interpreter's site-packages, entry points, the interpreter itself) would leave a
RAN-* file; analyse, calls, coverage and apply --all (the CLI, as a subprocess) leave none. And `apply` survives
kill -9: the file on disk is always the old text or the new one, never half of it."""

from __future__ import annotations

import ast
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "security" / "workspace_code"
# pytest itself imports every conftest.py it meets while collecting, so the fixture keeps its conftest under another
# name and each test's private copy gets it back; a RAN-* file inside the repository means something ran there.
HIDDEN_FROM_PYTEST = {"conftest.py.hook": "conftest.py"}


def copy_fixture(destination: Path) -> Path:
    shutil.copytree(FIXTURE, destination, symlinks=True, ignore=shutil.ignore_patterns("RAN-*"))
    for stored, name in HIDDEN_FROM_PYTEST.items():
        (destination / stored).rename(destination / name)
    return destination


def ran_markers(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("RAN-*"))


def cli(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACE_ADVISOR_") and k != "PYTHONPATH"}
    return subprocess.run(
        [sys.executable, "-m", "trace_advisor", *map(str, args)],
        cwd=cwd,
        env={**env, "TRACE_ADVISOR_CACHE_DIR": str(cwd / ".cache")},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_no_workspace_code_is_imported_or_run(tmp_path: Path) -> None:
    assert ran_markers(FIXTURE) == [], "a hook of the fixture ran inside the repository (delete the file, find why)"
    project = copy_fixture(tmp_path / "project")
    assert (project / "conftest.py").is_file()
    report = cli("analyze", ".", "--format", "json", "--output", "report.json", cwd=project)
    assert report.returncode == 0, report.stderr
    assert "shop.orders:stock_level" in (project / "report.json").read_text()
    calls = cli("calls", ".", "--format", "json", cwd=project)
    assert calls.returncode == 0 and "evil:audit" in calls.stdout, calls.stderr  # resolved, not imported
    assert cli("coverage", ".", cwd=project).returncode in (0, 1)
    before = (project / "shop" / "orders.py").read_text()
    applied = cli("apply", ".", "--all", cwd=project)
    assert applied.returncode == 0, applied.stderr
    assert (project / "shop" / "orders.py").read_text() != before
    assert ran_markers(project) == []
    assert ran_markers(FIXTURE) == []


def test_apply_survives_kill_9(tmp_path: Path) -> None:
    """Killed at random moments, apply leaves each file either as it was or fully edited, and it still parses."""
    reference = copy_fixture(tmp_path / "reference")
    target = Path("shop") / "orders.py"
    original = (reference / target).read_text()
    assert cli("apply", ".", "--all", cwd=reference).returncode == 0
    edited = (reference / target).read_text()
    assert edited != original
    rng = random.Random(9)
    seen: set[str] = set()
    for attempt in range(8):
        project = copy_fixture(tmp_path / f"run{attempt}")
        env = {k: v for k, v in os.environ.items() if not k.startswith("TRACE_ADVISOR_") and k != "PYTHONPATH"}
        process = subprocess.Popen(
            [sys.executable, "-m", "trace_advisor", "apply", ".", "--all"],
            cwd=project,
            env={**env, "TRACE_ADVISOR_CACHE_DIR": str(project / ".cache")},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        time.sleep(rng.uniform(0.3, 4.0))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        text = (project / target).read_text()
        assert text in (original, edited), f"attempt {attempt}: a half-written file"
        ast.parse(text)
        seen.add("edited" if text == edited else "original")
    assert seen  # (which of the two each kill left depends on timing)
