"""A ``trace-advisor`` run imports what its subcommand uses: ``--help`` imports no subcommand module, ``calls``
imports neither the analysis (scorer, detectors, reports, coverage) nor a model provider's SDK, nor another
subcommand's module; the help texts are those of the full parser."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from trace_advisor.cli import SUBCOMMANDS, build_parser

from tests.support.cli import clean_env

PROJECT = Path(__file__).resolve().parents[1] / "fixtures" / "callgraph"
# what only analyze, apply, coverage, lint, export and mcp need
NOT_FOR_CALLS = (
    "trace_advisor.analysis",
    "trace_advisor.advise",
    "trace_advisor.detect",
    "trace_advisor.report",
    "trace_advisor.coverage",
    "trace_advisor.lint",
    "trace_advisor.edits",
    "trace_advisor.record.runner",
    "trace_advisor.cli.analyze_cmd",
    "trace_advisor.cli.summary",
    "trace_advisor.cli.apply_cmd",
    "trace_advisor.cli.coverage_cmd",
    "boto3",
    "botocore",
    "jinja2",
    "mcp",
)


def imported(*args: str | Path, cache: Path) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Run the CLI under ``-X importtime``; the modules it imported."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "trace_advisor", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        env=clean_env(TRACE_ADVISOR_CACHE_DIR=str(cache)),
        check=False,
    )
    modules = {line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    return done, modules


def test_help_imports_no_subcommand(tmp_path: Path) -> None:
    done, modules = imported("--help", cache=tmp_path)
    assert done.returncode == 0, done.stderr
    assert all(name in done.stdout for name in SUBCOMMANDS)
    assert not {m for m in modules if m.startswith("trace_advisor.cli.") or m == "trace_advisor.index"}


def test_calls_imports_no_analysis_and_no_other_subcommand(tmp_path: Path) -> None:
    done, modules = imported("calls", PROJECT, cache=tmp_path)
    assert done.returncode == 0, done.stderr
    assert '"functions"' in done.stdout
    assert "trace_advisor.graph_json" in modules  # what calls_cmd imports (importlib.import_module is not timed)
    unexpected = {m for m in modules if m in NOT_FOR_CALLS or m.startswith(tuple(p + "." for p in NOT_FOR_CALLS))}
    assert unexpected == set()


def test_each_subcommands_help_is_the_full_parsers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    full = build_parser()
    for name in SUBCOMMANDS:
        done = subprocess.run(
            [sys.executable, "-m", "trace_advisor", name, "--help"],
            capture_output=True,
            text=True,
            timeout=120,
            env=clean_env(TRACE_ADVISOR_CACHE_DIR=str(tmp_path), COLUMNS="100"),
            check=False,
        )
        assert done.returncode == 0, done.stderr
        sub = next(a for a in full._actions if a.dest == "command").choices[name]  # type: ignore[index]
        assert done.stdout == sub.format_help()
