"""A server started on a folder whose resolved graph an earlier server kept (``graph_start.py``) answers from that
snapshot, resolving nothing; an edit that changes a resolution through another module (``jobs.go`` hands ``runner.run``
another function; runner does not import jobs) then re-resolves only what it affects, and the call hierarchy equals a
cold server's on the edited folder (tests/fixtures/parameter_flow)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from pytest_lsp import LanguageClient

from tests.server.lsp_session import (
    eventually,
    initialize,
    open_document,
    outgoing_calls,
    record_server_requests,
    replace_document,
    server_config,
    wait_ready,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "parameter_flow"
SNAPSHOTS = Path(tempfile.mkdtemp(prefix="trace-advisor-graph-snapshot-"))  # the two first servers' cache
FOLDER = Path(tempfile.mkdtemp(prefix="trace-advisor-graph-snapshot-ws-")) / "parameter_flow"
shutil.copytree(FIXTURE, FOLDER)
ANSWERS: dict[str, dict[str, set[str]]] = {}  # the warm server's call hierarchy after the edit
DEFS = [("jobs", "def go("), ("runner", "def run("), ("report", "def report("), ("report", "def shout(")]


async def _started(client: LanguageClient) -> AsyncIterator[None]:
    record_server_requests(client)
    await initialize(client, [FOLDER])
    await wait_ready(client)
    yield
    await client.shutdown_session()


@pytest_lsp.fixture(scope="module", config=server_config(TRACE_ADVISOR_CACHE_DIR=str(SNAPSHOTS)))  # type: ignore[untyped-decorator]
async def first(lsp_client: LanguageClient) -> AsyncIterator[None]:
    async for _ in _started(lsp_client):
        yield


@pytest_lsp.fixture(scope="module", config=server_config(TRACE_ADVISOR_CACHE_DIR=str(SNAPSHOTS)))  # type: ignore[untyped-decorator]
async def warm(lsp_client: LanguageClient) -> AsyncIterator[None]:
    async for _ in _started(lsp_client):
        yield


@pytest_lsp.fixture(scope="module", config=server_config(TRACE_ADVISOR_CACHE_DIR=tempfile.mkdtemp()))  # type: ignore[untyped-decorator]
async def cold(lsp_client: LanguageClient) -> AsyncIterator[None]:
    async for _ in _started(lsp_client):
        yield


async def _state(client: LanguageClient) -> Any:
    return await client.protocol.send_request_async("trace-advisor/engineState", None)


async def _graph(client: LanguageClient) -> dict[str, set[str]]:
    return {
        needle: set(await outgoing_calls(client, FOLDER / "pkg" / f"{module}.py", needle)) for module, needle in DEFS
    }


async def test_a_cold_server_keeps_the_resolved_graph(first: LanguageClient) -> None:
    assert (await _state(first)).sites.resolved == 4  # every call site of the folder, before the first diagnostics
    await eventually(lambda: any(SNAPSHOTS.glob("*/graphs/*.graph")) or None, what="the graph snapshot")
    assert (await _graph(first))["def run("] == {"pkg.jobs:hello"}


async def test_an_edit_after_a_start_from_the_snapshot(warm: LanguageClient) -> None:
    assert (await _state(warm)).sites.resolved == 0  # the graph came from the snapshot
    assert (await _graph(warm))["def run("] == {"pkg.jobs:hello"}
    jobs = FOLDER / "pkg" / "jobs.py"
    uri = open_document(warm, jobs)
    edited = jobs.read_text().replace("run(hello)", "run(other)")
    replace_document(warm, uri, 2, edited)
    ANSWERS["warm"] = await _graph(warm)
    assert ANSWERS["warm"]["def run("] == {"pkg.jobs:other"}
    # jobs' and runner's one call each were resolved again; report's two were not
    assert (await _state(warm)).sites.resolved == 2
    jobs.write_text(edited)  # for the cold server, which reads the disk


async def test_the_edited_graph_is_a_cold_servers(cold: LanguageClient) -> None:
    assert ANSWERS["warm"] == await _graph(cold)
