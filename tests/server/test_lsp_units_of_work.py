"""Units of work in the editor, over stdio (tests/fixtures/work_units): where a job's own work
runs is a span diagnostic on the public ``Job.perform`` and none on the private ``Job._execute`` its span covers; the
diagnostic's evidence names the run."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.server.lsp_session import folders_of, open_document, session_fixture, wait_diagnostics

pytestmark = pytest.mark.asyncio(loop_scope="module")
client = session_fixture(
    "work-units", folders=("work_units",), copies=("../work_units",), configuration={"server": {"debounceMs": 20}}
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
