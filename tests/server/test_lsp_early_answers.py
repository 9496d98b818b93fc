"""A client that opens a file of a large folder and asks at once (cold cache) gets the call hierarchy of that file
before the folder is indexed: the file and what it imports are read first, when asked about, while the rest is read
in the background. A question about the whole folder (a function's callers) waits for the build, with progress,
and is then complete; cancelled while it waits, it is answered RequestCancelled at once."""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.exceptions import JsonRpcRequestCancelled
from pytest_lsp import LanguageClient

from tests.server.lsp_session import (
    initialize,
    open_document,
    position_of,
    record_server_requests,
    replace_document,
    server_config,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")
AREAS, PER_AREA = 15, 100  # 1,500 service modules, ~33k lines: indexing them cold takes seconds
MODULE = '''"""Generated service module {n}."""

import json
import urllib.request

from shop.core.util import helper


def handle{n}(payload: dict) -> str:
    if payload.get("retry"):
        return helper(payload)
    with urllib.request.urlopen("https://example.com/{n}", data=json.dumps(payload).encode()) as answer:
        return answer.read().decode()


class Worker{n}:
    def run(self, items: list) -> int:
        total = 0
        for item in items:
            total += len(handle{n}(item))
        return total
'''
LAST = f"{AREAS - 1}_{PER_AREA - 1}"  # the module read last by the background build
APP = f'''"""The entry point: calls into the module indexed last."""

from shop.area{AREAS - 1:02d}.mod{PER_AREA - 1:03d} import Worker{LAST}, handle{LAST}
from shop.core.util import helper


def main(items: list) -> str:
    helper(items)
    Worker{LAST}().run(items)
    return handle{LAST}(items[0])
'''


def generate(root: Path) -> Path:
    (root / "shop" / "core").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[project]\nname = "shop"\n')
    (root / "shop" / "__init__.py").write_text("")
    (root / "shop" / "core" / "__init__.py").write_text("")
    (root / "shop" / "core" / "util.py").write_text("def helper(payload):\n    return str(payload)\n")
    for area in range(AREAS):
        package = root / "shop" / f"area{area:02d}"
        package.mkdir()
        (package / "__init__.py").write_text("")
        for number in range(PER_AREA):
            (package / f"mod{number:03d}.py").write_text(MODULE.format(n=f"{area}_{number}"))
    (root / "shop" / "app.py").write_text(APP)
    return root / "shop" / "app.py"


@pytest_lsp.fixture(scope="module", config=server_config(TRACE_ADVISOR_CACHE_DIR=tempfile.mkdtemp(prefix="ta-early-")))
async def client(lsp_client: LanguageClient, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("early") / "shop-project"
    lsp_client.app = generate(root)  # type: ignore[attr-defined]
    record_server_requests(lsp_client)
    await initialize(lsp_client, [root])
    yield
    await lsp_client.shutdown_session()


async def outgoing(client: LanguageClient, item: types.CallHierarchyItem) -> set[str]:
    calls = await client.call_hierarchy_outgoing_calls_async(types.CallHierarchyOutgoingCallsParams(item=item))
    return {call.to.data["symbol"] for call in calls or []}


def indexing(client: LanguageClient) -> bool:
    """Whether the folder was still being indexed when the last message so far arrived (messages keep order)."""
    statuses = client.statuses  # type: ignore[attr-defined]
    return not any(s["state"] == "ready" for s in statuses)


async def test_the_open_file_is_answered_before_the_folder_is_indexed(client: LanguageClient) -> None:
    app: Path = client.app  # type: ignore[attr-defined]
    text = app.read_text()
    started = time.monotonic()
    uri = open_document(client, app)  # and ask at once, as Neovim's outgoing_calls() or an agent does
    items = await client.text_document_prepare_call_hierarchy_async(
        types.CallHierarchyPrepareParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=position_of(text, "main(", 0)
        )
    )
    assert items and [item.data["symbol"] for item in items] == ["shop.app:main"]
    calls = await client.call_hierarchy_outgoing_calls_async(types.CallHierarchyOutgoingCallsParams(item=items[0]))
    answered = time.monotonic() - started
    assert indexing(client), f"answered only after the whole folder was indexed ({answered:.1f} s)"
    last = app.parent / f"area{AREAS - 1:02d}" / f"mod{PER_AREA - 1:03d}.py"
    module = f"shop.area{AREAS - 1:02d}.mod{PER_AREA - 1:03d}"
    to = {call.to.data["symbol"]: call for call in calls or []}
    assert set(to) == {
        "shop.core.util:helper",
        f"{module}:Worker{LAST}",
        f"{module}:Worker{LAST}.run",
        f"{module}:handle{LAST}",
    }
    # the callees in the module read last point at their definitions there, read for this answer
    handle = to[f"{module}:handle{LAST}"]
    assert handle.to.uri == last.as_uri()
    assert handle.to.selection_range.start == position_of(last.read_text(), f"handle{LAST}(")
    assert [r.start for r in handle.from_ranges] == [position_of(text, f"handle{LAST}(items")]

    # a question about the whole folder waits for the build; cancelled meanwhile, it is answered at once
    # (its progress shows on the request's own workDoneToken: begun, and ended when the request ends)
    helper = to["shop.core.util:helper"].to
    client.progress_reports["callers-wait"] = []  # a token the client made for this request
    waiting_params = types.CallHierarchyIncomingCallsParams(item=helper, work_done_token="callers-wait")
    waiting = asyncio.ensure_future(
        client.protocol.send_request_async(
            types.CALL_HIERARCHY_INCOMING_CALLS, waiting_params, msg_id="callers-cancelled"
        )
    )
    # cancel once the wait has begun (a fixed delay can cancel before the server has read the request)
    deadline = time.monotonic() + 5
    while not client.progress_reports["callers-wait"] and not waiting.done() and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    cancelled_at = time.monotonic()
    client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id="callers-cancelled"))
    with pytest.raises(JsonRpcRequestCancelled):
        await asyncio.wait_for(waiting, 5)
    assert time.monotonic() - cancelled_at < 2.0, "the cancelled request was answered only when the index was done"
    assert indexing(client), "the folder was indexed too soon: make the generated folder larger"
    steps = client.progress_reports["callers-wait"]
    assert isinstance(steps[0], types.WorkDoneProgressBegin) and "indexed" in steps[0].title, steps
    assert isinstance(steps[-1], types.WorkDoneProgressEnd) and len(steps) >= 2, steps
    params = types.CallHierarchyIncomingCallsParams(item=helper)

    # the unsaved text is what is answered about, and once the document is closed, the disk's again
    replace_document(client, uri, 2, text.replace("    helper(items)\n", "    print(items)\n"))
    edited = await outgoing(client, items[0])
    assert "builtins:print" in edited and "shop.core.util:helper" not in edited
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )

    # asked again, it is answered once the folder is indexed, complete: every caller in the folder
    callers = await client.call_hierarchy_incoming_calls_async(params)
    assert not indexing(client)
    assert await outgoing(client, items[0]) == set(to)
    symbols = sorted(call.from_.data["symbol"] for call in callers or [])
    expected = ["shop.app:main"] + [
        f"shop.area{area:02d}.mod{number:03d}:handle{area}_{number}"
        for area in range(AREAS)
        for number in range(PER_AREA)
    ]
    assert symbols == sorted(expected)
    # the wait showed the indexing progress
    (report,) = [r for r in client.progress_reports.values() if r and r[0].title == "trace-advisor: indexing"]
    assert any(isinstance(step, types.WorkDoneProgressReport) for step in report)
