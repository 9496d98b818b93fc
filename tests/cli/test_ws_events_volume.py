"""What one request of a process that pushes events over a websocket costs (tests/fixtures/ws_events, supervisor's
shape), read by ``analyze`` as a user runs it: a call after ``not self.connected and`` runs only when the socket is
not open (half the time on the typical path, not every time), ``while self.connected`` around a private receive
helper is one message per pass, a loop over a list of listeners is a loop over items (no consumer), and the process's
lifecycle methods (``Core.start`` beside ``Core.setup``, which registers the request handlers) are start-up code, per
process start: never per call, and never the headline."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support.traced_runs import copy_app, json_report, run

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "tests" / "fixtures" / "ws_events"
DISMISS = "relay.handlers:Handlers.dismiss"
START = "relay.core:Core.start"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # scored by the rules: the subject is what the estimate counts per unit, checked against the SDK, not which
    # functions the shipped model picks (the boosted refit changes the set these figures were written for)
    root = copy_app(tmp_path_factory, FIXTURE)
    (root / ".trace-advisor.yaml").write_text("scoring: rules\n", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def report(app: Path) -> dict[str, Any]:
    return json_report(app)


def _costs(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["symbol"]: r["cost"] for r in report["recommendations"]}


def test_a_call_after_and_runs_in_an_arm_of_its_own(report: dict[str, Any]) -> None:
    listeners = {"text": "for listener in listeners", "function": "relay.issues:Issues.dismiss"}
    # ``if not self.connected and not await self.api.check_state()``: asked only when the socket is not open
    assert _costs(report)["relay.api:CoreApi.check_state"] == {
        "spans_per_request": 5,
        "one_pass": 0.5,
        "all_paths": 10,
        "entry": DISMISS,
        "source": "call graph",
        "unit": "request",
        "loop": listeners,
    }
    # a list of listeners is items of a loop (10 per request), not a consumer bringing one message per pass
    send = _costs(report)["relay.socket:EventSocket.send_event"]
    assert (send["spans_per_request"], send["entry"], send["unit"], send["loop"]) == (10, DISMISS, "request", listeners)
    assert "unit_loop" not in send


def test_a_loop_while_connected_around_a_receive_is_a_message_per_pass(report: dict[str, Any]) -> None:
    listen = "relay.socket:EventSocket.start_listener"
    assert _costs(report)["relay.socket:EventSocket._receive_json"] == {
        "spans_per_request": 1,
        "one_pass": 1,
        "entry": listen,
        "source": "call graph",
        "unit": "message",
        "unit_loop": {"text": "while self.connected", "function": listen, "kind": "lifetime"},
    }


def test_lifecycle_methods_are_start_up_code_per_process_start(report: dict[str, Any]) -> None:
    costs = _costs(report)
    assert costs[START] == {
        "spans_per_request": 1,
        "one_pass": 1,
        "entry": START,
        "source": "call graph",
        "unit": "start",
    }
    send = costs["relay.socket:EventSocket.send_event"]
    assert send["fewest"] == {"spans_per_request": 1, "entry": "relay.core:Core.stop", "unit": "start"}
    volume = report["volume"]
    assert (volume["entry"], volume["unit"], volume["spans_per_request"]) == (DISMISS, "request", 16)
    units = [(v["entry"], v["unit"]) for v in [volume, *volume["by_unit"]]]
    assert units == [(DISMISS, "request"), ("relay.socket:EventSocket.start_listener", "message"), (START, "start")]


def test_markdown_says_per_process_start(app: Path) -> None:
    done = run(sys.executable, "-m", "trace_advisor", "analyze", app, "--format", "md", "--no-cache", "-q")
    assert done.returncode == 0, done.stderr
    assert "Together these spans add about **16 spans per request** at the busiest entry point" in done.stdout
    assert "per process start: about 16 spans at `relay.core:Core.start` (3 recommended functions" in done.stdout
    assert "1 per process start at `relay.core:Core.stop`" in done.stdout
    assert "- Cost: 1 span per process start (an entry point)" in done.stdout
