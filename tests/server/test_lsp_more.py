"""``maxPerFile`` is a display limit of the editor, over stdio (tests/fixtures/dense_client, whose project sets
``max_per_file: 3``): the file's three strongest recommendations are span diagnostics, and one Information diagnostic
names the other twelve (each as related information) instead of dropping them; they stay recommended."""

from __future__ import annotations

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.server.lsp_session import folders_of, open_document, session_fixture, wait_diagnostics

pytestmark = pytest.mark.asyncio(loop_scope="module")
client = session_fixture(
    "dense-client", folders=("dense_client",), copies=("../dense_client",), configuration={"server": {"debounceMs": 20}}
)


async def test_the_strongest_per_file_are_shown_and_one_diagnostic_names_the_others(client: LanguageClient) -> None:
    root = folders_of(client)[0]
    uri = open_document(client, root / "billing" / "client.py")
    diagnostics = await wait_diagnostics(client, uri, lambda d: any(x.code == "more" for x in d))
    spans = [d for d in diagnostics if isinstance(d.data, dict) and "symbol" in d.data]
    assert len(spans) == 3
    assert "billing.client:BillingClient._request" in {d.data["symbol"] for d in spans}  # the strongest (0.74)
    [more] = [d for d in diagnostics if d.code == "more"]
    assert more.severity == types.DiagnosticSeverity.Information and more.source == "trace-advisor"
    assert more.message.startswith("12 more spans recommended in this file beside the 3 strongest shown")
    assert len(more.data["more"]) == 12 and not {d.data["symbol"] for d in spans} & set(more.data["more"])
    assert len(more.related_information or ()) == 12
