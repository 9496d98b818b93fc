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


JOBS = """import logging

log = logging.getLogger(__name__)


def load(batch):
    return [row.strip() for row in batch]


def score(rows):
    return sum(len(row) for row in rows)


def publish(total):
    log.info("total %s", total)
    return total


def process(batch):
    try:
        rows = load(batch)
    except ValueError:
        log.warning("bad batch")
        raise
    if not rows:
        return 0
    total = score(rows)
    return publish(total)


def run(batch):
    return process(batch)
"""
MOCKED = """from unittest import mock

from app.jobs import run


def test_run() -> None:
    fake = mock.Mock()

    def side_effect(batch):
        return run(batch)

    fake.side_effect = side_effect
    assert fake(["a"]) == 1
"""


def test_naming_the_tests_changes_no_confidence(tmp_path: Path) -> None:
    """A function only a test's mock side effect calls is still how production enters the code (nameko, read with
    its ``test/`` folder as the language server indexes it: ``RpcConsumer.handle_message`` 0.43 without its tests,
    0.29 with them, as ``process`` lost "on a path from an entry point"): a test is no caller of production code and
    no entry point of it, whether the workspace holds the tests or not."""
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "app" / "jobs.py").write_text(JOBS, encoding="utf-8")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_jobs.py").write_text(MOCKED, encoding="utf-8")
    found = []
    for paths in (["app"], ["app", "tests"]):
        done = run_cli("analyze", *paths, "--no-cache", "--format", "json", "--min-confidence", "0", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        report = json.loads(done.stdout)
        found.append({r["qualname"]: (r["confidence"], r["rationale"]) for r in report["recommendations"]})
    assert "on a path from an entry point" in found[0]["process"][1]
    assert found[1] == found[0]
