"""Units of work through ``trace-advisor analyze`` as a subprocess (tests/fixtures/work_units, in the style of rq):
where a job's own work runs (``Job.perform`` around ``Job._execute``, which calls the callable stored on the job) and
where a job is submitted (``Queue.enqueue(f, *args, **kwargs)``) are recommended, with evidence of kind ``work``;
the private ``_execute`` is covered by ``perform``'s span, and a method passing a message and its arguments on
(``Queue.note``) submits nothing."""

from __future__ import annotations

import json
from pathlib import Path

from trace_advisor.config import default_config

from tests.support.cli import run_cli

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "work_units"


def test_where_a_job_runs_and_where_it_is_submitted_are_recommended(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    done = run_cli("analyze", FIXTURE, "--format", "json", "-o", out, "--no-cache")
    assert done.returncode == 0, done.stderr
    recs = {str(r["qualname"]): r for r in json.loads(out.read_text(encoding="utf-8"))["recommendations"]}
    assert {"Job.perform", "Queue.enqueue"} <= set(recs), sorted(recs)
    assert not {"Job._execute", "Queue.note", "Job.describe"} & set(recs)
    perform, enqueue = recs["Job.perform"], recs["Queue.enqueue"]
    assert perform["priority"] == enqueue["priority"] == "entry_points"
    assert perform["confidence"] >= default_config().min_confidence
    [run] = [e for e in perform["evidence"] if e.get("kind") == "work"]
    assert run["detail"] == "jobs.job:Job._execute" and run["range"]["start_line"] == 19  # the call of _execute
    assert str(perform["rationale"]).startswith("Runs the job's own work through `_execute`")
    assert [e["kind"] for e in enqueue["evidence"] if "kind" in e] == ["work", "db"]  # and what push does
    assert "submits a job" in str(enqueue["rationale"])
