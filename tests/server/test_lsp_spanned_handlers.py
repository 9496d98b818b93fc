"""The framework instrumentation hint in the editor when every request handler of the file is recommended for work
of its own (tests/fixtures/server_spans with only its two routes that call the orders service): the hint still
names Flask's instrumentation, the parent of their spans, at the first of them (before, a recommended handler was
left out of the hint, and with none left the editor said nothing of the server span)."""

from __future__ import annotations

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.server.lsp_session import folders_of, open_document, replace_document, session_fixture, wait_diagnostics

pytestmark = pytest.mark.asyncio(loop_scope="module")
client = session_fixture(
    "spanned-handlers",
    folders=("server_spans",),
    copies=("../server_spans",),
    configuration={"server": {"debounceMs": 20}},
)
FLASK = "opentelemetry-instrumentation-flask"


def hints(diagnostics: object) -> list[types.Diagnostic]:
    assert isinstance(diagnostics, tuple | list)
    return [d for d in diagnostics if d.code == "instrumentation"]


async def test_the_hint_stands_when_every_handler_of_the_file_is_recommended(client: LanguageClient) -> None:
    root = folders_of(client)[0]
    path = root / "shop" / "routes.py"
    text = path.read_text(encoding="utf-8")
    worth_a_span = text[: text.index('@bp.route("/")')] + text[text.index('@bp.route("/orders/<order_id>")') :]
    uri = open_document(client, path)
    replace_document(client, uri, 2, worth_a_span)
    diagnostics = await wait_diagnostics(
        client, uri, lambda d: bool(hints(d)) and not any(":index" in str(x.data) for x in d), timeout=30
    )
    spans = sorted(d.data["symbol"] for d in diagnostics if isinstance(d.data, dict) and "symbol" in d.data)
    assert spans == ["shop.routes:place_order", "shop.routes:show_order"]
    [hint] = hints(diagnostics)
    assert hint.message == (
        f"Install {FLASK}: it gives each request its server span, the parent of the spans recommended in 2 request"
        " handlers."
    )
    assert hint.range.start.line == worth_a_span.splitlines().index("def show_order(order_id):")
    assert hint.data == {"install": FLASK, "covers": []}
