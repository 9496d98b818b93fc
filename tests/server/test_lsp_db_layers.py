"""One span per operation in the editor, over stdio (tests/fixtures/db_layers): opening the store module, the
database wrapper whose callers (in another file) are all recommended gets no diagnostic, the one with a caller that
gets no span keeps its diagnostic, as ``trace-advisor analyze`` decides."""

from __future__ import annotations

import pytest
from pytest_lsp import LanguageClient

from tests.server.lsp_session import folders_of, open_document, session_fixture, wait_diagnostics

pytestmark = pytest.mark.asyncio(loop_scope="module")
client = session_fixture(
    "db-layers", folders=("db_layers",), copies=("../db_layers",), configuration={"server": {"debounceMs": 20}}
)


async def test_a_wrapper_under_recommended_callers_has_no_diagnostic(client: LanguageClient) -> None:
    root = folders_of(client)[0]
    uri = open_document(client, root / "shop" / "store.py")
    diagnostics = await wait_diagnostics(client, uri, lambda d: len(d) > 0)
    symbols = {d.data["symbol"] for d in diagnostics if isinstance(d.data, dict) and "symbol" in d.data}
    assert symbols == {"shop.store:update_stock"}
