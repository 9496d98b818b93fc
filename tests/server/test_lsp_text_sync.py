"""Incremental edits over stdio land where the client means them: lines end at \\n, \\r\\n or \\r only, as LSP says,
so an edit below a form feed (an Emacs page break) or a \\u2028 in a string changes that line, not the next one."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.server.lsp_session import folders_of, open_document, position_of, session_fixture

pytestmark = pytest.mark.asyncio(loop_scope="module")

client = session_fixture("text-sync", ("multiroot/orders",))

TEXT = 'def helper():\n    return "a\u2028b"\n\x0c\ndef main():\n    return helper()\n'


async def callees(client: LanguageClient, uri: str, text: str) -> set[str]:
    items = await client.text_document_prepare_call_hierarchy_async(
        types.CallHierarchyPrepareParams(types.TextDocumentIdentifier(uri), position_of(text, "main"))
    )
    assert items, "no item for main"
    calls = await client.call_hierarchy_outgoing_calls_async(types.CallHierarchyOutgoingCallsParams(item=items[0]))
    return {call.to.data["symbol"] for call in calls or []}


async def test_an_edit_below_a_form_feed_changes_its_own_line(client: LanguageClient) -> None:
    path: Path = folders_of(client)[0] / "paged.py"
    path.write_text(TEXT)
    uri = open_document(client, path)
    assert await callees(client, uri, TEXT) == {"paged:helper"}
    # replace `helper` in `return helper()` (LSP line 4: the form feed and \u2028 break no line) by `print`
    start = position_of(TEXT, "return helper()", len("return "))
    end = types.Position(start.line, start.character + len("helper"))
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[types.TextDocumentContentChangePartial(range=types.Range(start, end), text="print")],
        )
    )
    edited = TEXT.replace("return helper()", "return print()")
    assert await callees(client, uri, edited) == {"builtins:print"}
