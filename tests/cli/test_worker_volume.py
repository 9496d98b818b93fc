"""Spans per unit of work against spans counted under the OpenTelemetry SDK: tests/fixtures/worker_loop (a worker
whose ``while not self._stop_requested`` loop takes one job off a SQLite queue per pass) is analysed; its recommended
functions are traced with ``export`` + ``trace_advisor.runtime`` and scenario.py runs the worker on five queued jobs of
four items each. The loop is the unit, not a multiplier: the figures from ``Worker.work`` are per job (the items loop
makes them a range, from one pass to 10 items, which holds the four measured within 3x; an operator's command that
calls one of them per failed job is named beside), the wait while paused counts
one pass, the clean-up on a timer is per poll (not per job), the worker's start and stop are per CLI run of
``cli.main``, the enqueue per request of the HTTP route, and the scheduler's loop per poll."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.support.traced_runs import copy_app, json_report, run, traced_counts

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "tests" / "fixtures" / "worker_loop"
# a judgement of the boosted refit left for review (strict: it passes again once fixed)
JUDGED = pytest.mark.xfail(
    strict=True,
    reason=(
        "boosted refit (#16): Results.save (the job's result written) drops under 0.25 and Results.paused (a "
        "worker-state read) comes in; a write of each job's result is the one to keep. Judgement left for a "
        "feature fix, not the model"
    ),
)
WORK = "jobq.worker:Worker.work"
LOOP = {"text": "while not self._stop_requested", "function": WORK, "kind": "lifetime"}
PER_JOB = {"unit": "job", "unit_loop": LOOP}
CLEAN_UP = "jobq.store:Results.clean_up"
JOBS = 5


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_app(tmp_path_factory, FIXTURE)


@pytest.fixture(scope="module")
def report(app: Path) -> dict[str, object]:
    return json_report(app)


@pytest.fixture(scope="module")
def measured(app: Path) -> dict[str, float]:
    """Spans of each traced function over the whole run (one worker, JOBS jobs), keyed by symbol."""
    return traced_counts(app, FIXTURE / "scenario.py", "spans", "--jobs", str(JOBS))


@JUDGED
def test_each_figure_names_its_unit(report: dict[str, object]) -> None:
    costs = {r["symbol"]: r["cost"] for r in report["recommendations"]}  # type: ignore[attr-defined]
    per_job = {"entry": WORK, "source": "call graph", **PER_JOB}
    assert costs["jobq.worker:Worker.execute_job"] == {"spans_per_request": 1, "one_pass": 1, **per_job}
    assert costs["jobq.store:JobQueue.dequeue"] == {"spans_per_request": 1, "one_pass": 1, **per_job}
    items = {"text": "for item in job.items", "function": "jobq.worker:Worker.execute_job"}
    assert costs["jobq.store:Results.record_item"] == {"spans_per_request": 10, "one_pass": 1, "loop": items, **per_job}
    # started and stopped: outside the loop, once per run of the CLI
    assert costs["jobq.store:Results.set_worker"] == {
        "spans_per_request": 2,
        "one_pass": 2,
        "entry": "jobq.cli:main",
        "source": "call graph",
        "unit": "cli_run",
    }
    # on a timer: once per run of its branch, not per job
    timer = {"text": "if time.monotonic() - self._last_cleanup > self.cleanup_int…", "function": WORK}
    assert costs[CLEAN_UP] == {
        "spans_per_request": 1,
        "one_pass": 1,
        "entry": CLEAN_UP,
        "source": "call graph",
        "unit": "poll",
        "unit_loop": {**timer, "kind": "periodic"},
    }
    assert costs["jobq.store:JobQueue.enqueue"]["unit"] == "request"
    # per job first (it grows with traffic), and the operator's command that calls it per failed job beside it
    assert costs["jobq.store:Results.save"] == {
        "spans_per_request": 1,
        "one_pass": 1,
        **per_job,
        "heaviest": {"spans_per_request": 10, "entry": "jobq.admin:main", "unit": "cli_run"},
    }
    # the headline is the unit that grows with traffic first: requests, then jobs, polls, CLI runs; per poll, the
    # clean-up's run (1) is busier than a pass of the scheduler's loop, which enqueues in one arm of an ``if`` (1/2)
    assert report["volume"] == {
        "spans_per_request": 2,
        "one_pass": 2,
        "entry": "jobq.api:submit",
        "functions": 2,
        "loop_iterations": 10,
        "unit": "request",
        "by_unit": [
            {"spans_per_request": 1 + 1 + 10 + 1, "one_pass": 4, "entry": WORK, "functions": 4, **PER_JOB},
            {
                "spans_per_request": 1,
                "one_pass": 1,
                "entry": CLEAN_UP,
                "functions": 1,
                "unit": "poll",
                "unit_loop": {**timer, "kind": "periodic"},
            },
            {"spans_per_request": 10 + 1, "one_pass": 2, "entry": "jobq.admin:main", "functions": 2, "unit": "cli_run"},
        ],
    }


@JUDGED
def test_the_estimate_per_job_holds_what_the_sdk_counts(report: dict[str, object], measured: dict[str, int]) -> None:
    costs = {r["symbol"]: r["cost"] for r in report["recommendations"]}  # type: ignore[attr-defined]
    assert set(measured) == set(costs)
    per_job = {s: n / JOBS for s, n in measured.items() if costs[s].get("unit") == "job"}
    assert per_job == {
        "jobq.store:JobQueue.dequeue": 1,
        "jobq.worker:Worker.execute_job": 1,
        "jobq.store:Results.record_item": 4,
        "jobq.store:Results.save": 1,
    }
    for symbol, got in per_job.items():
        cost = costs[symbol]
        assert cost["one_pass"] <= got <= cost["spans_per_request"] <= 3 * got, symbol
    [jobs] = [v for v in report["volume"]["by_unit"] if v["unit"] == "job"]  # type: ignore[index]
    assert jobs["one_pass"] <= sum(per_job.values()) <= jobs["spans_per_request"] <= 3 * sum(per_job.values())
    # once per run, however many jobs the run takes (counted per job, it would have been 10 per run)
    assert measured["jobq.store:Results.set_worker"] == costs["jobq.store:Results.set_worker"]["spans_per_request"]
    assert measured[CLEAN_UP] == 0  # its interval (an hour) did not pass during the run: not a per-job span
    assert measured["jobq.store:JobQueue.enqueue"] == measured["jobq.admin:main"] == 0  # not part of the run


@JUDGED
def test_markdown_says_per_job_and_per_cli_run(app: Path) -> None:
    done = run(sys.executable, "-m", "trace_advisor", "analyze", app, "--format", "md", "--no-cache")
    assert done.returncode == 0, done.stderr
    loop = f"one pass of `while not self._stop_requested` in `{WORK}`"
    timer = "`if time.monotonic() - self._last_cleanup > self.cleanup_int…`"
    assert (
        "Together these spans add about **2 spans per request** at the busiest entry point, `jobq.api:submit`"
        " (2 recommended functions reached; counted on the typical path: no `except` handler run, each arm of a branch"
        " by its share, one loop over items on each path as 10 iterations, a retry or redirect loop as one pass, a"
        " loop that runs for the process's life as one unit per pass, a branch that runs on a timer as one unit per"
        f" run). Per job: about 13 spans in {loop} (4 recommended functions reached; 4 if each loop over items ran"
        f" once); per poll: about 1 span in each run of {timer} in `{WORK}`, on a timer (1 recommended function"
        " reached); per CLI run: about 11 spans at `jobq.admin:main` (2 recommended functions reached; 2 if each loop"
        " over items ran once)."
    ) in done.stdout
    assert f"- Cost: about 1 span per job ({loop}) (estimated from the call graph)" in done.stdout
    assert "- Cost: about 2 spans per CLI run of `jobq.cli:main` (estimated from the call graph)" in done.stdout
    assert (
        f"- Cost: about 1 span per job ({loop}) (estimated from the call graph); 10 per CLI run of `jobq.admin:main`"
    ) in done.stdout
    assert f"- Cost: 1 span per poll (each run of {timer} in `{WORK}`, on a timer)" in done.stdout
    assert "spans per request" not in done.stdout.replace("**2 spans per request**", "")
