"""Request handlers registered by value, in the editor over stdio (tests/fixtures/routes_by_value): the span diagnostic
of an aiohttp handler registered with ``web.post("/core/options", api_info.options)`` says it handles that request,
and its lens-free neighbours (handlers that only answer) get none: the framework's server span covers them."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.server.lsp_session import folders_of, open_document, session_fixture, wait_diagnostics

pytestmark = pytest.mark.asyncio(loop_scope="module")
client = session_fixture(
    "routes-by-value",
    folders=("routes_by_value",),
    copies=("../routes_by_value",),
    configuration={"server": {"debounceMs": 20}},
)


def _symbols(diagnostics: Sequence[types.Diagnostic]) -> set[str]:
    return {d.data["symbol"] for d in diagnostics if isinstance(d.data, dict) and "symbol" in d.data}


async def test_a_handler_registered_by_value_says_which_request_it_handles(client: LanguageClient) -> None:
    root = folders_of(client)[0]
    uri = open_document(client, root / "hub" / "api" / "info.py")
    symbol = "hub.api.info:APIInfo.options"
    diagnostics = await wait_diagnostics(client, uri, lambda d: symbol in _symbols(d))
    assert _symbols(diagnostics) == {symbol}  # info, logs, ping, fallback: the server span covers them
    [options] = [d for d in diagnostics if isinstance(d.data, dict) and d.data.get("symbol") == symbol]
    assert "handles a request to POST /core/options" in options.message
