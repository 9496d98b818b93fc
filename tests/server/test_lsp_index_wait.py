"""The cap on how long a request waits for its folder's first index build, over stdio: past it the request is
answered ContentModified (the client asks again) instead of "nothing here", and once the index is built the same
request is answered. The cap is shortened with ``TRACE_ADVISOR_INDEX_WAIT_S`` (default 60 s)."""

from __future__ import annotations

import tempfile
import time

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcContentModified, JsonRpcException
from pytest_lsp import LanguageClient

from tests.server.lsp_session import eventually, server_config, wait_ready
from tests.server.test_lsp_indexing import generated_project_client

pytestmark = pytest.mark.asyncio(loop_scope="module")
CAP_S = 0.3
CONFIG = server_config(
    TRACE_ADVISOR_INDEX_WAIT_S=str(CAP_S),
    TRACE_ADVISOR_CACHE_DIR=tempfile.mkdtemp(prefix="trace-advisor-index-wait-"),  # cold: every file is parsed
)


client = generated_project_client("index-wait", CONFIG)


async def test_a_request_gives_up_with_content_modified_after_the_cap(client: LanguageClient) -> None:
    statuses = client.statuses  # type: ignore[attr-defined]
    await eventually(lambda: statuses and statuses[-1]["state"] == "indexing", what="indexing to start")
    uri = (client.root / "big" / "mod5.py").as_uri()  # type: ignore[attr-defined]
    params = types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=uri))
    sent = time.monotonic()
    with pytest.raises(JsonRpcException) as caught:
        await client.text_document_code_lens_async(params)
    waited = time.monotonic() - sent
    assert caught.value.code == JsonRpcContentModified.CODE, caught.value
    assert "still being indexed" in str(caught.value)
    assert statuses[-1]["state"] == "indexing", "indexed before the cap: make the generated folder larger"
    assert CAP_S <= waited < CAP_S + 5
    # asked again once the folder is indexed: answered
    await wait_ready(client)
    lenses = await client.text_document_code_lens_async(params)
    assert lenses and lenses[0].data["symbol"] == "big.mod5:handle5"
