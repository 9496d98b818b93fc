"""A function handed to a job queue by value runs later in a worker, a job of its own (tests/fixtures/job_handoff:
``queue.enqueue(build_report, report_id)`` in a view): its spans are per job, counted from itself, not spans of the
view that hands it over; a function of the same shape the view calls directly stays in the view's figure."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.support.traced_runs import json_report

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "tests" / "fixtures" / "job_handoff"


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    root = tmp_path_factory.mktemp("job_handoff") / "job_handoff"
    shutil.copytree(FIXTURE, root)
    return json_report(root)


def test_a_job_handed_over_is_counted_per_job_from_itself(report: dict[str, object]) -> None:
    costs = {r["symbol"]: r["cost"] for r in report["recommendations"]}  # type: ignore[attr-defined]
    for job in ("reports.tasks:build_report", "reports.tasks:nightly_digest"):
        own = {"spans_per_request": 1, "one_pass": 1, "entry": job, "source": "call graph"}
        assert costs[job] == {**own, "unit": "job"}
    called = {"spans_per_request": 1, "one_pass": 1, "entry": "reports.views:archive_now", "source": "call graph"}
    assert costs["reports.tasks:archive_report"] == {**called, "unit": "call"}
    # the headline is per job, at one of the jobs (each 1 span; rq's @job purge_reports is one too)
    jobs = {"reports.tasks:build_report", "reports.tasks:nightly_digest", "reports.maintenance:purge_reports"}
    assert report["volume"]["unit"] == "job" and report["volume"]["entry"] in jobs  # type: ignore[index]
