"""A project's tests are no caller in production, whichever command reads them (subprocesses on a copy of
tests/fixtures/cost/batchapp with a test calling ``summary`` directly): ``analyze`` skips tests, and ``coverage`` and
``export``, which index them, leave out the same pure computation every production caller's span measures. So
``apply --all`` then ``coverage`` reads 100%, and the runtime wraps what the report recommends."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.support.cli import run_cli

BATCHAPP = Path(__file__).resolve().parent.parent / "fixtures" / "cost"
TEST = """from batchapp.imports import summary


def test_summary_of_an_empty_file() -> None:
    assert summary(0, 0) == "empty file"
"""


def test_analyze_coverage_and_export_agree_when_tests_call_a_function(tmp_path: Path) -> None:
    root = tmp_path / "cost"
    shutil.copytree(BATCHAPP, root)
    (root / "tests").mkdir()
    (root / "tests" / "test_imports.py").write_text(TEST, encoding="utf-8")

    done = run_cli("analyze", root, "--no-cache", "--format", "json", "-o", tmp_path / "report.json")
    assert done.returncode == 0, done.stderr
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    recommended = {str(r["symbol"]) for r in report["recommendations"]}
    # a pure computation whose only evidence is its error handling and early exits: no work of its own, left out by
    # every command (tests/cli/test_handling_only.py)
    assert "batchapp.imports:summary" not in recommended

    done = run_cli("coverage", root, "--no-cache", "--format", "json", cwd=root)
    assert done.returncode == 0, done.stderr
    assert {str(f["symbol"]) for f in json.loads(done.stdout)["functions"]} == recommended

    done = run_cli("export", root, "--no-cache")
    assert done.returncode == 0, done.stderr
    exported = json.loads(done.stdout)
    assert "batchapp.imports:summary" not in json.dumps(exported) and "batchapp.imports:import_orders" in json.dumps(
        exported
    )
