"""Interface edits re-resolve their readers in the background (tests/fixtures/reader_pass): a function typed into
one open file that another open file calls makes the server resolve the importer again on its own, refresh the
importer's diagnostics and answer its call hierarchy as `trace-advisor calls` does; a newer edit cancels the pass
it supersedes. ``trace-advisor/engineState`` counts the passes (``readers``). Shipped settings (no debounce set)."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.server.lsp_session import (
    as_dict,
    folders_of,
    incoming_calls,
    named,
    open_document,
    outgoing_calls,
    position_of,
    replace_document,
    session_fixture,
    wait_diagnostics,
)
from tests.support.cli import run_cli

pytestmark = pytest.mark.asyncio(loop_scope="module")

client = session_fixture("reader_pass", ("reader_pass",), copies=("../reader_pass",))

# modules importing what an edit renames, and their functions calling it: their pass takes long enough (≈0.5 s on
# an idle core) to be seen running
READERS, USES = 40, 200
LOAD = """

def load(url):
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.load(response)
"""


async def engine_state(client: LanguageClient) -> dict[str, Any]:
    """``trace-advisor/engineState`` once the engine has no work left (nothing queued, no pass waiting its time)."""
    deadline = time.monotonic() + 20
    while True:
        state = as_dict(await client.protocol.send_request_async("trace-advisor/engineState", None))
        if not state["busy"] or time.monotonic() > deadline:
            assert not state["busy"], state
            return state  # type: ignore[no-any-return]
        await asyncio.sleep(0.02)


def cli(root: Path, tmp_path: Path, command: str) -> dict[str, Any]:
    done = run_cli(command, root, "--format", "json", env={"TRACE_ADVISOR_CACHE_DIR": str(tmp_path / command)})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


async def test_an_importer_is_resolved_again_and_refreshed(client: LanguageClient, tmp_path: Path) -> None:
    root = folders_of(client)[0]
    store, views = root / "app" / "store.py", root / "app" / "views.py"
    store_uri, views_uri = open_document(client, store), open_document(client, views)
    await wait_diagnostics(client, views_uri)
    # store.load is not there: nothing known to retry (the boosted model still recommends show on its retry after
    # OSError alone, 0.48: the subject is that no evidence names store.load yet)
    assert not any("load" in d.message for d in named(client.diagnostics[views_uri], ":show"))
    assert "app.store:load" not in await outgoing_calls(client, views, "def show(")
    before = (await engine_state(client))["readers"]

    text = store.read_text() + LOAD
    replace_document(client, store_uri, 2, text)  # only store.py changes: views.py is not edited
    store.write_text(text)  # what the CLI reads
    shown = await wait_diagnostics(client, views_uri, lambda found: bool(named(found, ":show")))
    after = (await engine_state(client))["readers"]
    assert after["passes"] == before["passes"] + 1, (before, after)
    assert after["last"] == ["app.store", "app.views"]  # the edited module and its reader, nothing else

    # the importer's diagnostics are those of `trace-advisor analyze`, its call hierarchy that of `trace-advisor calls`
    analysed = cli(root, tmp_path, "analyze")["recommendations"]
    assert sorted(d.data["symbol"] for d in shown if isinstance(d.data, dict) and "symbol" in d.data) == sorted(
        r["symbol"] for r in analysed if r["file"].endswith("views.py")
    )
    functions = cli(root, tmp_path, "calls")["functions"]
    assert set(await outgoing_calls(client, views, "def show(")) == set(functions["app.views:show"]["calls"])
    assert set(await incoming_calls(client, store, "def load(")) == {"app.views:show"}


async def test_a_newer_edit_cancels_the_pass_it_supersedes(client: LanguageClient) -> None:
    """A name forty modules import and call 8,000 times, renamed and renamed back while their pass runs: the first
    pass is cancelled, the second resolves what both edits left stale, and the callers are right."""
    root = folders_of(client)[0]
    store, app = root / "app" / "store.py", root / "app"
    readers = [app / f"reader_{number}.py" for number in range(READERS)]
    for number, path in enumerate(readers):
        uses = (f"\n\ndef use_{number}_{use}(record):\n    return encode(record)\n" for use in range(USES))
        path.write_text("from app.store import encode\n" + "".join(uses))
    created = [types.FileEvent(uri=path.as_uri(), type=types.FileChangeType.Created) for path in readers]
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=created))
    deadline, last = time.monotonic() + 30, readers[-1]
    while not await client.text_document_prepare_call_hierarchy_async(
        types.CallHierarchyPrepareParams(
            types.TextDocumentIdentifier(last.as_uri()), position_of(last.read_text(), "use_")
        )
    ):  # the last file is not taken in yet
        assert time.monotonic() < deadline, "the new files were not taken in"
        await asyncio.sleep(0.1)
    assert not await incoming_calls(client, root / "app" / "views.py", "def save(")  # (resolves the whole graph)
    before = (await engine_state(client))["readers"]
    text = store.read_text()
    replace_document(client, store.as_uri(), 20, text.replace("def encode(", "def encoded(", 1))

    def running() -> bool:
        return bool(state and state["readers"]["running"])

    state: dict[str, Any] | None = None
    deadline = time.monotonic() + 20
    while not running() and time.monotonic() < deadline:
        state = as_dict(await client.protocol.send_request_async("trace-advisor/engineState", None))
    assert running(), state
    replace_document(client, store.as_uri(), 21, text)  # renamed back while the pass runs
    after = (await engine_state(client))["readers"]
    assert after["superseded"] == before["superseded"] + 1, (before, after)
    assert after["passes"] == before["passes"] + 1, (before, after)  # the newer edit's pass ran to its end
    assert len(after["last"]) == READERS + 2  # the readers, views and store
    callers = await incoming_calls(client, store, "def encode(")
    uses = {f"app.reader_{number}:use_{number}_{use}" for number in range(READERS) for use in range(USES)}
    assert set(callers) == uses | {"app.views:save"}


async def test_the_engine_state_tells_the_collector_s_work(client: LanguageClient) -> None:
    """``gc`` in ``trace-advisor/engineState``: the cyclic collector's collections per generation (what
    benchmarks/lsp_speed.py reports per edit) and the objects set aside from it (the folder's index once read)."""
    await incoming_calls(client, folders_of(client)[0] / "app" / "store.py", "def encode(")  # the folder is indexed
    state = (await engine_state(client))["gc"]
    assert len(state["collections"]) == 3 and all(type(n) is int and n >= 0 for n in state["collections"])
    assert state["frozen"] > 0
