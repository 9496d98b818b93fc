"""Folders and files the user may not read (``chmod 000``) are reported and skipped by every command; the rest of
the workspace is still analysed. Runs the CLI with an ordinary user's permissions (``setpriv`` as root)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.privileges import unprivileged

WORKSPACE = Path(__file__).resolve().parent.parent / "fixtures" / "detect" / "workspace"


def cli(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACE_ADVISOR_")}
    command = [*unprivileged(), sys.executable, "-m", "trace_advisor", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=cwd, env=env, check=False)


@pytest.fixture()
def project(tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "proj"
    shutil.copytree(WORKSPACE, root)
    locked = root / "locked"
    (locked / "venvlike").mkdir(parents=True)
    (locked / "hidden.py").write_text("def f():\n    pass\n")
    no_listing = root / "nolist"  # may be entered but not listed
    no_listing.mkdir()
    (no_listing / "inner.py").write_text("def g():\n    pass\n")
    locked.chmod(0)
    no_listing.chmod(0o311)
    yield root
    locked.chmod(0o755)
    no_listing.chmod(0o755)


def test_calls_analyze_and_apply_report_and_skip_unreadable_folders(project: Path, tmp_path: Path) -> None:
    calls = cli("calls", project, "--no-cache", cwd=project)
    assert calls.returncode == 0 and "Traceback" not in calls.stderr
    assert f"{project / 'locked'}: warning: cannot read folder: Permission denied" in calls.stderr
    assert f"{project / 'nolist'}: warning: cannot read folder: Permission denied" in calls.stderr
    assert "acme.billing:settle" in json.loads(calls.stdout)["functions"]

    analyze = cli("analyze", ".", "--format", "json", "-o", tmp_path / "r.json", "--no-cache", cwd=project)
    assert analyze.returncode == 0 and "Traceback" not in analyze.stderr
    assert f"{project / 'locked'}: warning: cannot read folder: Permission denied" in analyze.stderr
    report = json.loads((tmp_path / "r.json").read_text("utf-8"))
    assert {"file": "locked", "message": "cannot read folder: Permission denied"} in [
        {"file": p["file"], "message": p["message"]} for p in report["problems"]
    ]
    assert "acme.billing:settle" in {r["symbol"] for r in report["recommendations"]}

    apply = cli("apply", ".", "--all", "--diff", "--no-cache", cwd=project)
    assert apply.returncode == 0 and "Traceback" not in apply.stderr
    assert "cannot read folder: Permission denied" in apply.stderr and apply.stdout.startswith("--- a/")


def test_an_unreadable_path_on_the_command_line_is_a_clear_error(project: Path) -> None:
    for command in (["calls", "locked/hidden.py"], ["analyze", "locked/hidden.py"], ["apply", "locked/x.py", "--all"]):
        done = cli(*command, cwd=project)
        assert done.returncode == 2, done.stderr
        assert done.stderr.strip() == f"trace-advisor: error: cannot read {command[1]}: Permission denied"
    done = cli("analyze", "locked", "--no-cache", cwd=project)  # the folder itself: reported, nothing to analyse
    assert done.returncode == 0 and "cannot read folder: Permission denied" in done.stderr
