"""A workspace whose path needs percent-encoding in a URI (a space, ``+``, a non-ASCII letter: ``My Project``,
``Netflix+dispatch``, ``Développement``): the server answers under the URI exactly as the client spelled it.
pygls keys open documents by their decoded URI; before, diagnostics went out under that decoded spelling (a client
comparing strings never saw them), an edit's refresh found no open document (no fresh hints while typing), and
code actions answered nothing."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.server.lsp_session import (
    apply_text_edits,
    change_document,
    edits_of,
    folders_of,
    named,
    open_document,
    resolved,
    session_fixture,
    wait_diagnostics,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")

client = session_fixture("my project+dévelop", options={"server": {"debounceMs": 30}})


async def test_diagnostics_edits_and_actions_use_the_clients_uri(client: LanguageClient) -> None:
    file = folders_of(client)[0] / "orders" / "notify.py"
    uri = open_document(client, file)
    assert "%20" in uri and "%2B" in uri and "%C3%A9" in uri  # as VS Code and Path.as_uri() spell it
    first = await wait_diagnostics(client, uri, lambda d: bool(named(d, ":send_receipt")))
    (hint,) = named(first, ":send_receipt")
    assert unquote(uri) not in client.diagnostics  # nothing under another spelling

    # an edit above it: fresh diagnostics for the new text, under the same URI
    top = types.Position(line=0, character=0)
    change_document(client, uri, 2, types.Range(start=top, end=top), "\n")
    moved = await wait_diagnostics(
        client, uri, lambda d: [x.range.start.line for x in named(d, ":send_receipt")] == [hint.range.start.line + 1]
    )
    (hint,) = named(moved, ":send_receipt")

    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=hint.range,
            context=types.CodeActionContext(diagnostics=[hint], only=[types.CodeActionKind.QuickFix]),
        )
    )
    fixes = [await resolved(client, a) for a in actions or [] if isinstance(a, types.CodeAction)]
    assert fixes, actions
    new_text = apply_text_edits("\n" + file.read_text(), edits_of(fixes[0].edit, uri))
    assert 'start_as_current_span("send_receipt")' in new_text
