"""Units of work in the editor, over stdio (tests/fixtures/work_units, job_handoff): where a job's own work
runs is a span diagnostic on the public ``Job.perform`` and none on the private ``Job._execute`` its span covers; the
diagnostic's evidence names the run; a worker's method running jobs through ``job.perform()`` says it runs a job, and
functions handed to rq by value (``queue.enqueue(build_report, ...)``) are jobs of their own."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.server.lsp_session import folders_of, open_document, session_fixture, wait_diagnostics

pytestmark = pytest.mark.asyncio(loop_scope="module")
client = session_fixture(
    "work-units",
    folders=("work_units", "job_handoff"),
    copies=("../work_units", "../job_handoff"),
    configuration={"server": {"debounceMs": 20}},
)


def _symbols(diagnostics: Sequence[types.Diagnostic]) -> set[str]:
    return {d.data["symbol"] for d in diagnostics if isinstance(d.data, dict) and "symbol" in d.data}


async def test_the_run_of_a_job_is_shown_at_its_public_method(client: LanguageClient) -> None:
    root = folders_of(client)[0]
    uri = open_document(client, root / "jobs" / "job.py")
    diagnostics = await wait_diagnostics(client, uri, lambda d: "jobs.job:Job.perform" in _symbols(d))
    assert _symbols(diagnostics) == {"jobs.job:Job.perform"}
    [perform] = [d for d in diagnostics if isinstance(d.data, dict) and d.data.get("symbol") == "jobs.job:Job.perform"]
    assert "Runs the job's own work through `_execute`" in perform.message


async def test_a_worker_running_jobs_says_it_runs_a_job(client: LanguageClient) -> None:
    root = folders_of(client)[0]
    uri = open_document(client, root / "jobs" / "worker.py")
    symbol = "jobs.worker:Worker.perform_job"
    diagnostics = await wait_diagnostics(client, uri, lambda d: symbol in _symbols(d))
    [perform_job] = [d for d in diagnostics if isinstance(d.data, dict) and d.data.get("symbol") == symbol]
    assert "runs a job: calls `jobs.job:Job.perform`, where the job's own work runs" in perform_job.message


async def test_functions_handed_to_a_job_queue_are_jobs(client: LanguageClient) -> None:
    root = folders_of(client)[1]
    uri = open_document(client, root / "reports" / "tasks.py")
    expected = {"reports.tasks:build_report", "reports.tasks:nightly_digest", "reports.tasks:archive_report"}
    diagnostics = await wait_diagnostics(client, uri, lambda d: expected <= _symbols(d))
    by_symbol = {d.data["symbol"]: d.message for d in diagnostics if isinstance(d.data, dict) and "symbol" in d.data}
    assert (
        "runs as a job: handed to `rq:Queue.enqueue` by `reports.views:request_report`"
        in by_symbol["reports.tasks:build_report"]
    )
    assert "handed to `rq:Queue.enqueue_call`" in by_symbol["reports.tasks:nightly_digest"]
    assert "runs as a job" not in by_symbol["reports.tasks:archive_report"]  # called in the request, not queued
