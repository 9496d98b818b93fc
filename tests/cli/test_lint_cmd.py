"""``trace-advisor lint`` as a subprocess on a copy of tests/fixtures/lint: the findings of every rule fixture,
``--select``, ``--format json``, and ``--fix`` writing what the fixtures' ``fixed/`` files hold."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

LINT = Path(__file__).resolve().parents[1] / "fixtures" / "lint"
CLI = [sys.executable, "-m", "trace_advisor", "lint"]


def lint(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=120, check=False)


@pytest.fixture
def cases(tmp_path: Path) -> Path:
    root = tmp_path / "cases"
    shutil.copytree(LINT, root, ignore=shutil.ignore_patterns("fixed", "*.md", "__pycache__"))
    return root


def test_reports_every_expected_finding_as_json(cases: Path) -> None:
    done = lint(cases, "--format", "json", cwd=cases)
    assert done.returncode == 1, done.stderr
    found = sorted(
        (Path(f["file"]).parent.name, f["rule"], f["line"], f["fix"]) for f in json.loads(done.stdout)["findings"]
    )
    expected = sorted(
        (case.name, e["rule"], e["line"], e["fix"])
        for case in cases.iterdir()
        for e in json.loads((case / "expected.json").read_text())
    )
    assert found == expected
    assert "fixable with --fix" in done.stderr


def test_text_output_and_select(cases: Path) -> None:
    done = lint(cases / "tracer-per-call", "--select", "tracer-per-call", cwd=cases)
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert len(lines) == 2 and lines[0].startswith("tracer-per-call/service.py:11:10: tracer-per-call: get_tracer()")
    assert lines[0].endswith("[fix: Use the module tracer 'tracer']")
    clean = lint(cases / "tracer-per-call", "--select", "span-not-ended", cwd=cases)
    assert clean.returncode == 0 and clean.stdout == ""


def test_fix_writes_the_fixed_files_and_leaves_only_what_has_no_fix(cases: Path) -> None:
    done = lint(cases, "--fix", "--format", "json", cwd=cases)
    assert done.returncode == 1, done.stderr  # some findings have no mechanical fix
    for case in cases.iterdir():
        for path in case.glob("*.py"):
            assert path.read_text() == (LINT / case.name / "fixed" / path.name).read_text(), path
    remaining = json.loads(done.stdout)
    fixable = sum(1 for e in LINT.glob("*/expected.json") for f in json.loads(e.read_text()) if f["fix"])
    assert remaining["fixed"] == fixable == 27 and all(f["fix"] is None for f in remaining["findings"])
    again = lint(cases, "--fix", cwd=cases)
    assert "fixed 0" in again.stderr


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert lint(tmp_path / "missing", cwd=tmp_path).returncode == 2
    assert lint(tmp_path, "--select", "no-such-rule", cwd=tmp_path).returncode == 2
