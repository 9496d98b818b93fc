"""Indexing a larger folder in the background: progress reports with counts, and requests answered meanwhile."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.server.lsp_session import eventually, initialize, record_server_requests, server_config, wait_ready

pytestmark = pytest.mark.asyncio(loop_scope="module")
MODULES = 600
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


def generate(root: Path) -> None:
    (root / "big").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[project]\nname = "big"\n')
    (root / "big" / "__init__.py").write_text("")
    for n in range(MODULES):
        (root / "big" / f"mod{n}.py").write_text(MODULE.format(n=n, prev=(n - 1) % MODULES))


@pytest_lsp.fixture(scope="module", config=server_config())
async def client(lsp_client: LanguageClient, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("indexing") / "big-project"
    generate(root)
    record_server_requests(lsp_client)
    lsp_client.root = root  # type: ignore[attr-defined]
    await initialize(lsp_client, [root])
    yield
    await lsp_client.shutdown_session()


async def test_requests_are_answered_while_indexing(client: LanguageClient) -> None:
    statuses = client.statuses  # type: ignore[attr-defined]
    await eventually(lambda: statuses and statuses[-1]["state"] == "indexing", what="indexing to start")
    uri = (client.root / "big" / "mod5.py").as_uri()  # type: ignore[attr-defined]
    started = time.monotonic()
    lenses = await client.text_document_code_lens_async(
        types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    answered = time.monotonic() - started
    still_indexing = statuses[-1]["state"] == "indexing"
    assert lenses is None and answered < 1.0
    assert still_indexing, "the folder was indexed before the request: make the generated folder larger"
    await wait_ready(client)
    lenses = await client.text_document_code_lens_async(
        types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    assert lenses and lenses[0].data["symbol"] == "big.mod5:handle5"


async def test_progress_reports_counts(client: LanguageClient) -> None:
    (report,) = [r for r in client.progress_reports.values() if r and r[0].title == "trace-advisor: indexing"]
    steps = [r for r in report if isinstance(r, types.WorkDoneProgressReport)]
    assert steps, "intermediate reports while indexing"
    total = MODULES + 1
    counts = [int(step.message.split("/")[0]) for step in steps]
    assert counts == sorted(counts) and all(step.message.endswith(f"/{total} files") for step in steps)
    assert [s.percentage for s in steps] == sorted(s.percentage for s in steps)
    assert report[-1].message.startswith(f"indexed {total} files")
    statuses = client.statuses  # type: ignore[attr-defined]
    assert any(s["state"] == "indexing" and 0 < s["indexed"] < s["total"] for s in statuses)
