"""The framework instrumentation hint in the editor, over stdio (tests/fixtures/server_spans): the request handlers
``analyze`` leaves to the Flask instrumentation get no span diagnostic (so no quick-fix, no "Add span" lens) but one
Information diagnostic at the first of them, naming the package and every handler it covers; once the app sets
FlaskInstrumentor up (an edit saved in another file) the hint is gone and the two handlers worth a span keep theirs."""

from __future__ import annotations

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.server.lsp_session import (
    FIXTURES,
    folders_of,
    named,
    open_document,
    replace_document,
    session_fixture,
    wait_diagnostics,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")
client = session_fixture(
    "server-spans", folders=("server_spans",), copies=("../server_spans",), configuration={"server": {"debounceMs": 20}}
)
FLASK = "opentelemetry-instrumentation-flask"
SET_UP = (FIXTURES.parent / "server_spans" / "instrumented__init__.py.txt").read_text(encoding="utf-8")


def hints(diagnostics: object) -> list[types.Diagnostic]:
    assert isinstance(diagnostics, tuple | list)
    return [d for d in diagnostics if d.code == "instrumentation"]


async def test_one_hint_at_the_first_handler_left_to_the_instrumentation(client: LanguageClient) -> None:
    root = folders_of(client)[0]
    uri = open_document(client, root / "shop" / "routes.py")
    diagnostics = await wait_diagnostics(client, uri, lambda d: bool(hints(d)))
    spans = [d for d in diagnostics if isinstance(d.data, dict) and "symbol" in d.data]
    assert sorted(d.data["symbol"] for d in spans) == ["shop.routes:place_order", "shop.routes:show_order"]
    assert not named(diagnostics, ":index") and not named(diagnostics, ":stock")
    [hint] = hints(diagnostics)
    assert hint.severity == types.DiagnosticSeverity.Information and hint.source == "trace-advisor"
    assert hint.range.start == types.Position(line=8, character=4)  # `index`, the first handler it covers
    assert hint.message == (
        f"Install {FLASK}: it gives each request its server span; this file's request handlers index, about, health,"
        " stock need no span of their own beside it and opentelemetry-instrumentation-requests, which traces the"
        " calls they make."
    )
    assert [(r.location.uri, r.location.range.start.line) for r in hint.related_information or ()] == [
        (uri, 8),
        (uri, 13),
        (uri, 20),
        (uri, 26),
    ]
    assert hint.data == {
        "install": FLASK,
        "covers": ["shop.routes:index", "shop.routes:about", "shop.routes:health", "shop.routes:stock"],
    }
    # nothing to insert there: the hint offers no span quick-fix
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=hint.range,
            context=types.CodeActionContext(diagnostics=[hint], only=[types.CodeActionKind.QuickFix]),
        )
    )
    assert not [a for a in actions or () if isinstance(a, types.CodeAction) and a.diagnostics]


async def test_the_hint_goes_once_the_app_sets_the_instrumentation_up(client: LanguageClient) -> None:
    root = folders_of(client)[0]
    uri = (root / "shop" / "routes.py").as_uri()
    await wait_diagnostics(client, uri, lambda d: bool(hints(d)))
    setup = open_document(client, root / "shop" / "__init__.py")
    replace_document(client, setup, 2, SET_UP)
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=setup))
    )
    diagnostics = await wait_diagnostics(client, uri, lambda d: not hints(d), timeout=30)
    spans = sorted(d.data["symbol"] for d in diagnostics if isinstance(d.data, dict) and "symbol" in d.data)
    assert spans == ["shop.routes:place_order", "shop.routes:show_order"]
