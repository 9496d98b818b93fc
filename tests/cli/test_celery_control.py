"""Celery's remote control is a round trip through the broker (tests/fixtures/celery_control, mher/flower's shapes),
through ``trace-advisor analyze`` as a subprocess, with celery installed in the analysed environment and without:
``self.capp.control.inspect(...)`` on an app passed by value, ``control.revoke``, ``control.broadcast`` on the
module's app and ``control.enable_events`` handed to a thread are each message-bus evidence of their function, named
``celery.app.control.Control.<command>`` either way."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cli import run_cli

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "celery_control"
COMMANDS = {
    "ops.monitor:WorkerMonitor.stats": "inspect",
    "ops.monitor:WorkerMonitor.revoke": "revoke",
    "ops.monitor:WorkerMonitor.enable_events": "enable_events",
    "ops.app:shutdown": "broadcast",
}


@pytest.mark.parametrize("installed", [True, False], ids=["celery-installed", "celery-not-installed"])
def test_remote_control_commands_are_broker_round_trips(tmp_path: Path, installed: bool) -> None:
    venv = FIXTURE / "env" if installed else tmp_path / "empty-env"
    venv.mkdir(exist_ok=True)
    out = tmp_path / "report.json"
    # every function with evidence: this test is about the evidence, not the threshold the scorer sets
    args = ("analyze", FIXTURE / "project", "--no-cache", "--format", "json", "--min-confidence", "0", "-o", out)
    done = run_cli(*args, env={"VIRTUAL_ENV": str(venv)})
    assert done.returncode == 0, done.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    found = {
        r["symbol"]: [(e["reason"], e["detail"], e["kind"]) for e in r["evidence"] if e["priority"] == "message_bus"]
        for r in report["recommendations"]
    }
    for symbol, command in COMMANDS.items():
        target = f"celery.app.control:Control.{command}"
        reason = (
            f"sends a command to the workers via celery.app.control.Control.{command} (Celery remote control): a round"
            " trip through the broker"
        )
        assert found[symbol] == [(reason, target, "queue")], symbol
