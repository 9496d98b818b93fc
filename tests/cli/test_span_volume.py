"""The spans-per-request estimate against spans counted under the OpenTelemetry SDK: tests/fixtures/loop_shapes
(a webhook sender with a retry loop, a redirect loop, a loop over the regions the code lists and one over the events
it is given) is analysed, its recommended functions are traced with ``export`` + ``trace_advisor.runtime``, and
scenario.py delivers batches to a loopback server. Retry and redirect loops count one pass, the regions three, and
the events loop makes the figure a range: from one pass (were the batch one event long) to 10 events, which holds
what the run measures (four events, a retry, a redirect) within 3x; the consumer that redelivers one event per
message is named with its own figure, 1."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.support.traced_runs import copy_app, json_report, run, traced_counts

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "tests" / "fixtures" / "loop_shapes"
DELIVER_ALL = "hooks.deliver:deliver_all"
SEND = "hooks.client:WebhookClient.send"
REQUEST_ONCE = "hooks.client:WebhookClient.request_once"
PER_EVENT = {"text": "for event in events", "function": DELIVER_ALL}
# the retry queue's consumer: once per call of it (one message)
ONCE = {"spans_per_request": 1, "entry": "hooks.deliver:redeliver", "unit": "call"}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_app(tmp_path_factory, FIXTURE)


@pytest.fixture(scope="module")
def report(app: Path) -> dict[str, object]:
    return json_report(app)


@pytest.fixture(scope="module")
def measured(app: Path) -> dict[str, float]:
    """Spans per delivery of each traced function, keyed by symbol."""
    return traced_counts(app, FIXTURE / "scenario.py", "spans_per_delivery", "--deliveries", "3")


def test_loop_shapes_give_the_figures(report: dict[str, object]) -> None:
    costs = {r["symbol"]: r["cost"] for r in report["recommendations"]}  # type: ignore[attr-defined]
    # per event: its one post's one attempt (a retry loop) and one pass of the redirect loop; per region the same
    per_call = {"entry": DELIVER_ALL, "source": "call graph", "one_pass": 1 + 3, "loop": PER_EVENT, "fewest": ONCE}
    per_call["unit"] = "call"  # a plain function: its figures are per call of it
    assert costs[SEND] == {"spans_per_request": 10 + 3, **per_call}
    assert costs[REQUEST_ONCE] == {"spans_per_request": 10 + 3, **per_call}
    assert costs[DELIVER_ALL] == {
        "spans_per_request": 1,
        "entry": DELIVER_ALL,
        "source": "call graph",
        "one_pass": 1,
        "unit": "call",
    }
    assert report["volume"] == {
        "spans_per_request": 27,
        "one_pass": 9,
        "entry": DELIVER_ALL,
        "functions": 3,
        "loop_iterations": 10,
        "unit": "call",
    }


def test_the_estimate_holds_what_the_sdk_counts(report: dict[str, object], measured: dict[str, float]) -> None:
    costs = {r["symbol"]: r["cost"] for r in report["recommendations"]}  # type: ignore[attr-defined]
    assert set(measured) == set(costs)
    # four events (one retried), three heartbeats (one redirected)
    assert measured == {DELIVER_ALL: 1, SEND: 4 + 1 + 3, REQUEST_ONCE: 4 + 1 + 3 + 1}
    for symbol, got in measured.items():
        cost = costs[symbol]
        assert cost["one_pass"] <= got <= cost["spans_per_request"] <= 3 * got, symbol
    volume = report["volume"]
    assert volume["one_pass"] <= sum(measured.values()) <= volume["spans_per_request"]  # type: ignore[index]


def test_markdown_names_the_loop_the_figure_rests_on(app: Path) -> None:
    done = run(sys.executable, "-m", "trace_advisor", "analyze", app, "--format", "md", "--no-cache")
    assert done.returncode == 0, done.stderr
    assert (
        f"- Cost: about 13 spans per call of `{DELIVER_ALL}` (estimated from the call graph; 4 if each loop over"
        f" items ran once: it runs per item of `for event in events` in `{DELIVER_ALL}`, counted as 10); 1 per call of"
        " `hooks.deliver:redeliver`"
    ) in done.stdout
    assert (
        f"about **27 spans per call** at the busiest entry point, `{DELIVER_ALL}` (3 recommended functions"
        " reached; 9 if each loop over items ran once; counted on the typical path: no `except` handler run, each arm"
        " of a branch by its share, one loop over items on each path as 10 iterations, a retry or redirect loop as"
        " one pass)."
    ) in done.stdout
