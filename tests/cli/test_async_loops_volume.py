"""Loops that run for the process's life without a ``while`` (tests/fixtures/async_poll), read by ``analyze`` as a
user runs it: ``async for _ in poll(delay)`` over a ticker (arq's worker) is one poll per pass and ``async for message
in self.consumer`` (aiokafka's shape) one message per pass, each pass a unit rather than 10 passes of the call that
starts the loop; a loop over ticks that returns once the result is there waits, one pass."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.traced_runs import copy_app, json_report

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "tests" / "fixtures" / "async_poll"
MAIN = "tick.worker:Worker.main"
LISTEN = "tick.relay:Listener.run"


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    return json_report(copy_app(tmp_path_factory, FIXTURE))


def test_a_loop_over_a_ticker_or_a_consumer_is_a_unit_per_pass(report: dict[str, object]) -> None:
    costs = {r["symbol"]: r["cost"] for r in report["recommendations"]}  # type: ignore[attr-defined]
    ticks = {"text": "async for _ in poll(self.poll_delay)", "function": MAIN, "kind": "lifetime"}
    per_poll = {"entry": MAIN, "source": "call graph", "unit": "poll", "unit_loop": ticks}
    # (``poll_iteration`` itself, one span per tick whether or not a job is pending, is no longer recommended by the
    # boosted model: the spans per job are those of what each pass runs, counted per poll below)
    jobs = {"text": "for (job_id, args) in jobs", "function": "tick.worker:Worker.poll_iteration"}
    assert costs["tick.store:Store.save_result"] == {"spans_per_request": 10, "one_pass": 1, "loop": jobs, **per_poll}
    messages = {"text": "async for message in self.consumer", "function": LISTEN, "kind": "lifetime"}
    # one per message, and no "10 per call of Listener.run" beside it
    assert costs["tick.store:Store.record"] == {
        "spans_per_request": 1,
        "one_pass": 1,
        "entry": LISTEN,
        "source": "call graph",
        "unit": "message",
        "unit_loop": messages,
    }
    # the functions that hold the loops run for the process's life (unless told to stop, or out of work in a burst
    # run): a span there would never end, and every pass's spans would hang from it in one endless trace
    assert MAIN not in costs and LISTEN not in costs
    volume: dict[str, list[dict[str, str]]] = report["volume"]  # type: ignore[assignment]
    units = [(v["entry"], v["unit"]) for v in [volume, *volume.get("by_unit", [])]]
    assert units == [(LISTEN, "message"), (MAIN, "poll"), ("tick.worker:Job.result", "call")]


def test_a_loop_over_ticks_that_returns_once_done_counts_one_pass(report: dict[str, object]) -> None:
    costs = {r["symbol"]: r["cost"] for r in report["recommendations"]}  # type: ignore[attr-defined]
    # in one arm of the ``if`` of one pass: half a span per call on the typical path, one on every path
    assert costs["tick.store:Store.forget"] == {
        "spans_per_request": 0.5,
        "one_pass": 0.5,
        "all_paths": 1,
        "entry": "tick.worker:Job.result",
        "source": "call graph",
        "unit": "call",
    }
