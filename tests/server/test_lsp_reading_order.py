"""The editor shows a file's first ``maxPerFile`` recommendations in the reading order, over stdio
(tests/fixtures/reading_order, ``max_per_file: 1``): of two equally strong ones, the function making remote calls is
the span diagnostic shown and the database writer, first in the file and a hair stronger, is named by the "more"
diagnostic."""

from __future__ import annotations

import pytest
from pytest_lsp import LanguageClient

from tests.server.lsp_session import folders_of, open_document, session_fixture, wait_diagnostics

pytestmark = pytest.mark.asyncio(loop_scope="module")
client = session_fixture(
    "reading-order",
    folders=("reading_order",),
    copies=("../reading_order",),
    configuration={"server": {"debounceMs": 20}},
)


async def test_the_remote_calls_are_shown_before_an_equally_strong_database_writer(client: LanguageClient) -> None:
    root = folders_of(client)[0]
    uri = open_document(client, root / "shop" / "sync.py")
    diagnostics = await wait_diagnostics(client, uri, lambda d: any(x.code == "more" for x in d))
    spans = [d for d in diagnostics if isinstance(d.data, dict) and "symbol" in d.data]
    assert [d.data["symbol"] for d in spans] == ["shop.sync:push_orders"]
    [more] = [d for d in diagnostics if d.code == "more"]
    assert more.data["more"] == ["shop.sync:save_orders"]
