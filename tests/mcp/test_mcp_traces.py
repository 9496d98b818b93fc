"""``recommend`` with traces, over stdio: the answer carries what real traces of tests/fixtures/traces/app (run under
the OpenTelemetry SDK, one checkout failing) observed, exactly as ``trace-advisor analyze --traces`` reports it; the
project's ``traces`` setting is used when the call names none; bad or outside trace files are clear errors."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support.mcp_session import McpSession, run_cli

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "traces"
CHECKOUT = "shop.orders:checkout"
RESERVE = "shop.inventory:Inventory.reserve"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("mcp-traces") / "app"
    shutil.copytree(FIXTURE / "app", root)
    (root / "otel").mkdir()
    command = [sys.executable, FIXTURE / "scenario.py", root, root.parent, root / "otel" / "spans.jsonl"]
    done = subprocess.run(
        [str(c) for c in [*command, "--orders", "4", "--fail", "1"]],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return root


def cli_json(*args: str, cwd: Path, cache: Path) -> Any:
    done = run_cli(*args, cwd=cwd, cache=cache)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_recommend_with_traces_equals_the_cli_and_carries_the_figures(
    session: McpSession, workspace: Path, cache: Path
) -> None:
    answer = session.answer("recommend", {"paths": ["."], "traces": ["otel/spans.jsonl"]})
    expected = cli_json(
        "analyze", ".", "--traces", "otel/spans.jsonl", "--format", "json", "-q", cwd=workspace, cache=cache
    )
    assert answer == expected
    traces = answer["traces"]
    assert traces["spans"] == 7 and traces["traces"] == 4 and traces["mapped_spans"] == 7
    functions = {f["symbol"]: f["observed"] for f in traces["functions"]}
    assert functions[CHECKOUT]["spans"] == 4 and functions[CHECKOUT]["errors"] == 1
    assert [g["symbol"] for g in traces["gaps"]] == [CHECKOUT] and traces["gaps"][0]["callees"][0] == RESERVE
    reserve = next(r for r in answer["recommendations"] if r["symbol"] == RESERVE)
    assert reserve["observed"]["path"] == [CHECKOUT, RESERVE]
    assert "runs inside span 'checkout' (4 spans in 4 traces" in reserve["rationale"]
    without = session.answer("recommend", {"paths": ["."]})
    assert "traces" not in without
    before = next(r for r in without["recommendations"] if r["symbol"] == RESERVE)
    assert reserve["confidence"] == pytest.approx(before["confidence"] + 0.1, abs=1e-3)


def test_the_projects_traces_setting_is_used_when_the_call_names_none(session: McpSession, workspace: Path) -> None:
    config = workspace / ".trace-advisor.yaml"
    kept = config.read_text(encoding="utf-8")
    config.write_text(kept + "traces: ['otel/*.jsonl']\n", encoding="utf-8")
    try:
        configured = session.answer("recommend", {"paths": ["shop"]})
    finally:
        config.write_text(kept, encoding="utf-8")
    named = session.answer("recommend", {"paths": ["shop"], "traces": ["otel"]})
    assert configured["traces"] == named["traces"] and configured["traces"]["mapped_spans"] == 7


def test_bad_and_outside_trace_files_are_clear_errors(session: McpSession, workspace: Path, tmp_path: Path) -> None:
    outside = tmp_path / "spans.jsonl"
    shutil.copy(workspace / "otel" / "spans.jsonl", outside)
    message = session.error("recommend", {"paths": ["."], "traces": [str(outside)]})
    assert "outside the workspace root" in message and str(outside) in message
    assert "no such file or folder" in session.error("recommend", {"paths": ["."], "traces": ["nowhere.jsonl"]})
    assert "no trace files match" in session.error("recommend", {"paths": ["."], "traces": ["otel/*.ndjson"]})
    broken = workspace / "otel" / "broken.json"
    broken.write_text('{"resourceSpans": [', encoding="utf-8")
    try:
        message = session.error("recommend", {"paths": ["."], "traces": ["otel/broken.json"]})
    finally:
        broken.unlink()
    assert message.startswith("traces: ") and "not JSON" in message
