"""Indexing a larger folder in the background: progress reports with counts, and requests made meanwhile wait for
the index (cancellably) instead of answering "nothing here"."""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.exceptions import JsonRpcRequestCancelled
from pytest_lsp import ClientServerConfig, LanguageClient

from tests.server.lsp_session import eventually, initialize, record_server_requests, server_config

pytestmark = pytest.mark.asyncio(loop_scope="module")
MODULES = 2000  # large enough that indexing outlasts a cancelled request on an idle machine too
MODULE = '''"""Generated module {n}."""

import json
import urllib.request

from big.mod{prev} import handle{prev}


def handle{n}(payload: dict) -> str:
    if payload.get("retry"):
        return handle{prev}(payload)
    with urllib.request.urlopen("https://example.com/{n}", data=json.dumps(payload).encode()) as answer:
        return answer.read().decode()
'''


HELPER = """

def helper{k}(items: list[dict], limit: int = {k}) -> list[dict]:
    kept = [item for item in items if item.get("size", 0) < limit]
    for item in kept:
        if item.get("retry"):
            item["tries"] = item.get("tries", 0) + 1
    return sorted(kept, key=lambda item: item.get("size", 0))
"""


def generate(root: Path) -> None:
    """MODULES modules of ~90 lines: reading them (a parse each, here or in the prefill process) takes a second or more,
    so requests made meanwhile find the folder still being indexed."""
    (root / "big").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[project]\nname = "big"\n')
    (root / "big" / "__init__.py").write_text("")
    helpers = "".join(HELPER.format(k=k) for k in range(8))
    for n in range(MODULES):
        (root / "big" / f"mod{n}.py").write_text(MODULE.format(n=n, prev=(n - 1) % MODULES) + helpers)


def generated_project_client(name: str, config: ClientServerConfig) -> Any:
    """A module-scoped ``client`` fixture: the server (``config``) over stdio on a freshly generated project
    (``client.root``), initialized without waiting for its index."""

    @pytest_lsp.fixture(scope="module", config=config)  # type: ignore[untyped-decorator]
    async def client(lsp_client: LanguageClient, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[None]:
        root = tmp_path_factory.mktemp(name) / "big-project"
        generate(root)  # the first build takes a second or more
        record_server_requests(lsp_client)
        lsp_client.root = root  # type: ignore[attr-defined]
        await initialize(lsp_client, [root])
        yield
        await lsp_client.shutdown_session()

    return client


# a private facts cache: the generated files are the same in every run, and a cache holding them reads them at once
client = generated_project_client(
    "indexing", server_config(TRACE_ADVISOR_CACHE_DIR=tempfile.mkdtemp(prefix="trace-advisor-indexing-"))
)


async def test_requests_wait_for_the_first_build_and_can_be_cancelled(client: LanguageClient) -> None:
    statuses = client.statuses  # type: ignore[attr-defined]
    await eventually(lambda: statuses and statuses[-1]["state"] == "indexing", what="indexing to start")
    uri = (client.root / "big" / "mod5.py").as_uri()  # type: ignore[attr-defined]
    params = types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=uri))
    # a request cancelled while it waits for the index is answered "cancelled" at once
    waiting = asyncio.ensure_future(
        client.protocol.send_request_async(types.TEXT_DOCUMENT_CODE_LENS, params, msg_id="waits-for-index")
    )
    await asyncio.sleep(0.05)
    client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id="waits-for-index"))
    with pytest.raises(JsonRpcRequestCancelled):
        await asyncio.wait_for(waiting, 2)
    assert statuses[-1]["state"] == "indexing", "the folder was indexed too soon: make the generated folder larger"
    # a request sent while indexing is answered once the index is built: never "null" for "nothing here"
    lenses = await client.text_document_code_lens_async(params)
    assert lenses and lenses[0].data["symbol"] == "big.mod5:handle5"
    assert any(s["state"] == "ready" for s in statuses)


async def test_progress_reports_counts(client: LanguageClient) -> None:
    (report,) = [r for r in client.progress_reports.values() if r and r[0].title == "trace-advisor: indexing"]
    steps = [r for r in report if isinstance(r, types.WorkDoneProgressReport)]
    assert steps, "intermediate reports while indexing"
    total = MODULES + 1
    read = [step for step in steps if step.message.endswith(" files")]
    counts = [int(step.message.split("/")[0]) for step in read]
    assert counts == sorted(counts) and all(step.message.endswith(f"/{total} files") for step in read)
    assert [s.percentage for s in read] == sorted(s.percentage for s in read)
    # a cold start then resolves the folder's calls (in the analysis' order, kept for the next start): said too
    resolving = [step.message for step in steps if step not in read]
    assert resolving and all(m.startswith("calls resolved in ") for m in resolving), resolving
    done, _, modules = resolving[-1].removeprefix("calls resolved in ").removesuffix(" modules").partition("/")
    assert done == modules and int(modules) >= total
    assert report[-1].message.startswith(f"indexed {total} files")
    statuses = client.statuses  # type: ignore[attr-defined]
    assert any(s["state"] == "indexing" and 0 < s["indexed"] < s["total"] for s in statuses)
