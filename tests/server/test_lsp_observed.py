"""The call hierarchy includes calls observed by ``trace-advisor calls --record`` for the workspace, with "observed
N×" in the item's detail: getattr dispatch, a plugin registry and work handed to threads and pools."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.server.lsp_session import initialize, position_of, record_server_requests, server_config, wait_ready

pytestmark = pytest.mark.asyncio(loop_scope="module")

APP = Path(__file__).resolve().parent.parent / "fixtures" / "record" / "app"
CACHE = tempfile.mkdtemp(prefix="trace-advisor-lsp-observed-")  # where --record writes and the server reads


@pytest_lsp.fixture(scope="module", config=server_config(TRACE_ADVISOR_CACHE_DIR=CACHE))  # type: ignore[untyped-decorator]
async def client(lsp_client: LanguageClient, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[None]:
    root = tmp_path_factory.mktemp("observed") / "app"
    shutil.copytree(APP, root)
    recorded = subprocess.run(
        [sys.executable, "-m", "trace_advisor", "calls", ".", "--record", "--", sys.executable, "run_checks.py"],
        cwd=root,
        env={**os.environ, "TRACE_ADVISOR_CACHE_DIR": CACHE},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert recorded.returncode == 0, recorded.stderr
    record_server_requests(lsp_client)
    lsp_client.root = root  # type: ignore[attr-defined]
    await initialize(lsp_client, [root])
    await wait_ready(lsp_client)
    yield
    await lsp_client.shutdown_session()


async def prepare(client: LanguageClient, name: str, needle: str) -> types.CallHierarchyItem:
    file = client.root / "shop" / name  # type: ignore[attr-defined]
    items = await client.text_document_prepare_call_hierarchy_async(
        types.CallHierarchyPrepareParams(
            text_document=types.TextDocumentIdentifier(uri=file.as_uri()),
            position=position_of(file.read_text(), needle, len(needle) - 1),
        )
    )
    assert items
    return items[0]


def seen(item: types.CallHierarchyItem) -> str:
    """What the item's detail says was observed (after the symbol id)."""
    return (item.detail or "").rpartition(" · ")[2]


async def test_outgoing_calls_include_observed_only_callees(client: LanguageClient) -> None:
    handle = await prepare(client, "orders.py", "def handle")
    calls = await client.call_hierarchy_outgoing_calls_async(types.CallHierarchyOutgoingCallsParams(item=handle))
    found = {call.to.data["symbol"]: call for call in calls or ()}
    place = found["shop.orders:OrderService.do_place"]
    assert place.to.detail == "shop.orders:OrderService.do_place · observed 1× (not in the static graph)"
    assert [(r.start.line, r.start.character) for r in place.from_ranges] == [(50, 8)]  # the getattr line
    assert seen(found["shop.orders:OrderService.do_archive"].to) == "observed 1× (not in the static graph)"


async def test_incoming_calls_include_observed_callers(client: LanguageClient) -> None:
    send = await prepare(client, "plugins.py", 'def send(self, message):\n        return f"email')
    calls = await client.call_hierarchy_incoming_calls_async(types.CallHierarchyIncomingCallsParams(item=send))
    # ``REGISTRY[kind]()`` is a plugin the decorators wrote into the registry: a static edge that ran
    assert [(c.from_.data["symbol"], seen(c.from_)) for c in calls or ()] == [("shop.plugins:notify", "observed 1×")]
    save = await prepare(client, "storage.py", "def save")
    saved = await client.call_hierarchy_incoming_calls_async(types.CallHierarchyIncomingCallsParams(item=save))
    details = {c.from_.data["symbol"]: seen(c.from_) for c in saved or ()}
    assert details["shop.orders:OrderService.do_archive"] == "observed 1× (not in the static graph)"
    work = await prepare(client, "workers.py", "def work")
    callers = await client.call_hierarchy_incoming_calls_async(types.CallHierarchyIncomingCallsParams(item=work))
    details = {c.from_.data["symbol"]: seen(c.from_) for c in callers or ()}
    assert details == {  # handed to a thread and a pool: static edges too (Thread(target=work), pool.map(work))
        "shop.workers:in_thread": "observed 1×",
        "shop.workers:in_executor": "observed 3×",
    }


async def test_static_calls_that_ran_say_how_often(client: LanguageClient) -> None:
    total = await prepare(client, "orders.py", "def total")
    calls = await client.call_hierarchy_outgoing_calls_async(types.CallHierarchyOutgoingCallsParams(item=total))
    numbers = next(c for c in calls or () if c.to.data["symbol"] == "shop.orders:numbers")
    assert seen(numbers.to) == "observed 1×" and len(numbers.from_ranges) == 1
