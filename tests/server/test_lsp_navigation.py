"""Code lenses (resolved lazily) and the call hierarchy across the workspace, with exact ranges in UTF-16."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.server.lsp_session import (
    folders_of,
    hierarchy_item,
    open_document,
    position_of,
    session_fixture,
    wait_diagnostics,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")


client = session_fixture("navigation")


def path(client: LanguageClient, name: str) -> Path:
    return folders_of(client)[0] / "orders" / name


async def test_lenses_count_callers_and_callees_lazily(client: LanguageClient) -> None:
    file = path(client, "service.py")
    uri = open_document(client, file)
    await wait_diagnostics(client, uri)
    lenses = await client.text_document_code_lens_async(
        types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    assert lenses
    unresolved = [lens for lens in lenses if lens.command is None]
    assert {lens.data["symbol"] for lens in unresolved} == {
        "orders.service:OrderService.__init__",
        "orders.service:OrderService.place",
    }
    titles = {}
    for lens in unresolved:
        resolved = await client.code_lens_resolve_async(lens)
        assert resolved.command.command == "trace-advisor.showCallHierarchy"
        position = {"line": lens.range.start.line, "character": lens.range.start.character}
        assert list(resolved.command.arguments) == [uri, position]
        titles[lens.data["symbol"]] = resolved.command.title
    assert titles["orders.service:OrderService.place"] == "1 caller \u00b7 3 callees"


async def test_add_span_lens_on_recommended_functions(client: LanguageClient) -> None:
    file = path(client, "notify.py")
    uri = open_document(client, file)
    await wait_diagnostics(client, uri, bool)
    lenses = await client.text_document_code_lens_async(
        types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    add = [lens for lens in lenses or [] if lens.command and lens.command.command == "trace-advisor.addSpan"]
    def_line = file.read_text().splitlines().index("def send_receipt(order_id: str, email: str) -> bool:") + 1
    assert [list(lens.command.arguments) for lens in add] == [[uri, "orders.notify:send_receipt", def_line]]
    assert add[0].command.title == "Add span \u201csend_receipt\u201d"


async def test_prepare_names_the_function_under_the_cursor(client: LanguageClient) -> None:
    file = path(client, "service.py")
    item = await hierarchy_item(client, file, "amount = total(items)", 3)
    assert item.name == "place" and item.kind == types.SymbolKind.Method
    assert item.data == {"symbol": "orders.service:OrderService.place", "root": str(folders_of(client)[0])}
    text = file.read_text()
    assert item.selection_range.start == position_of(text, "def place", len("def "))


async def test_outgoing_calls_with_call_site_ranges(client: LanguageClient) -> None:
    file = path(client, "service.py")
    text = file.read_text()
    item = await hierarchy_item(client, file, "def place", len("def "))
    calls = await client.call_hierarchy_outgoing_calls_async(types.CallHierarchyOutgoingCallsParams(item=item))
    by_symbol = {call.to.data["symbol"]: call for call in calls or []}
    assert {"orders.pricing:total", "orders.store:OrderStore.save", "orders.notify:send_receipt"} <= set(by_symbol)
    total = by_symbol["orders.pricing:total"]
    assert total.to.uri == path(client, "pricing.py").as_uri()
    assert [r.start for r in total.from_ranges] == [position_of(text, "total(items)")]
    assert total.from_ranges[0].end == position_of(text, "total(items)", len("total(items)"))


async def test_incoming_calls_across_files(client: LanguageClient) -> None:
    item = await hierarchy_item(client, path(client, "service.py"), "def place", len("def "))
    calls = await client.call_hierarchy_incoming_calls_async(types.CallHierarchyIncomingCallsParams(item=item))
    (call,) = calls or []
    cli = path(client, "cli.py")
    assert call.from_.data["symbol"] == "orders.cli:main" and call.from_.uri == cli.as_uri()
    assert [r.start for r in call.from_ranges] == [position_of(cli.read_text(), "service.place(")]


async def test_columns_are_utf16_after_non_ascii_text(client: LanguageClient) -> None:
    file = path(client, "pricing.py")
    item = await hierarchy_item(client, file, "def total", len("def "))
    calls = await client.call_hierarchy_outgoing_calls_async(types.CallHierarchyOutgoingCallsParams(item=item))
    (call,) = [c for c in calls or [] if c.to.data["symbol"] == "orders.pricing:price_of"]
    line = next(i for i, text in enumerate(file.read_text().splitlines()) if "price_of(item)" in text)
    text = file.read_text().splitlines()[line]
    characters = text.index("price_of(item)")
    utf16 = len(text[:characters].encode("utf-16-le")) // 2
    assert utf16 == characters + 1  # the emoji is two UTF-16 units
    assert call.from_ranges[0].start == types.Position(line=line, character=utf16)
    # and a position sent by the client in UTF-16 maps back to the right name: the callee, then its argument
    for character, symbol in ((utf16 + 2, "orders.pricing:price_of"), (utf16 + 10, "orders.pricing:total")):
        items = await client.text_document_prepare_call_hierarchy_async(
            types.CallHierarchyPrepareParams(
                text_document=types.TextDocumentIdentifier(uri=file.as_uri()),
                position=types.Position(line=line, character=character),
            )
        )
        assert items and [i.data["symbol"] for i in items] == [symbol]


async def test_external_targets_on_a_search_path_are_shown(client: LanguageClient) -> None:
    file = path(client, "cli.py")
    item = await hierarchy_item(client, file, "def main", len("def "))
    calls = await client.call_hierarchy_outgoing_calls_async(types.CallHierarchyOutgoingCallsParams(item=item))
    by_symbol = {call.to.data["symbol"]: call for call in calls or []}
    label = by_symbol["labels:format_label"]
    vendor = folders_of(client)[0].parent / "vendor" / "labels.py"
    assert label.to.uri == vendor.as_uri() and label.to.name == "format_label"
    assert [r.start for r in label.from_ranges] == [position_of(file.read_text(), "format_label(argv[0]")]
    write = by_symbol["sys:stdout.write"].to  # sys has no Python source: a line of a generated stub
    assert write.detail == "sys:stdout.write \u00b7 external, no source" and write.uri.endswith("/stubs/sys.pyi")
    stub = Path(write.uri.removeprefix("file://")).read_text().splitlines()
    assert stub[write.selection_range.start.line].strip() == "def write(self, *args, **kwargs): ...  # sys:stdout.write"
    # the target's own calls can be followed although its file is outside every folder
    more = await client.call_hierarchy_incoming_calls_async(types.CallHierarchyIncomingCallsParams(item=label.to))
    assert [c.from_.data["symbol"] for c in more or []] == ["orders.cli:main"]
