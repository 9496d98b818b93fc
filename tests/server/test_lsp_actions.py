"""Code actions and commands over stdio: every edit is exactly what the span engine (and `trace-advisor apply`)
produces, the result parses, and the HTML report is written."""

from __future__ import annotations

from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import LanguageClient
from trace_advisor.edits import apply_edits, span_edits

from tests.server.lsp_session import (
    HASH_SEED,
    apply_text_edits,
    copy_fixture,
    edits_of,
    engine_result,
    initialize,
    named,
    open_document,
    position_of,
    record_server_requests,
    server_config,
    wait_diagnostics,
    wait_ready,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_lsp.fixture(scope="module", config=server_config(PYTHONHASHSEED=HASH_SEED))
async def client(lsp_client: LanguageClient, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    workspace = copy_fixture(tmp_path_factory.mktemp("actions"))
    record_server_requests(lsp_client)
    lsp_client.orders = workspace / "orders"  # type: ignore[attr-defined]
    await initialize(lsp_client, [workspace / "orders"])
    await wait_ready(lsp_client)
    yield
    await lsp_client.shutdown_session()


def path(client: LanguageClient, name: str) -> Path:
    return client.orders / "orders" / name  # type: ignore[attr-defined,no-any-return]


async def actions_at(
    client: LanguageClient, uri: str, rng: types.Range, diagnostics: list[types.Diagnostic], only: list[str] | None
) -> list[types.CodeAction]:
    found = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=rng,
            context=types.CodeActionContext(diagnostics=diagnostics, only=only),
        )
    )
    return [a for a in found or [] if isinstance(a, types.CodeAction)]


async def test_quick_fix_is_the_span_engine_edit(client: LanguageClient) -> None:
    file = path(client, "notify.py")
    uri = open_document(client, file)
    (target,) = named(await wait_diagnostics(client, uri, lambda d: bool(named(d, ":send_receipt"))), ":send_receipt")
    (fix,) = await actions_at(client, uri, target.range, [target], ["quickfix"])
    assert fix.kind == types.CodeActionKind.QuickFix and fix.is_preferred and list(fix.diagnostics) == [target]
    assert fix.edit.document_changes[0].text_document.version == 1
    result = apply_text_edits(file.read_text(), edits_of(fix.edit, uri))
    assert result == engine_result(client.orders, file, ["send_receipt"])  # type: ignore[attr-defined]
    compile(result, str(file), "exec")
    assert 'start_as_current_span("send_receipt")' in result


async def test_refactor_on_any_function_under_the_cursor(client: LanguageClient) -> None:
    file = path(client, "pricing.py")
    uri = open_document(client, file)
    await wait_diagnostics(client, uri)
    text = file.read_text()
    cursor = position_of(text, "return PRICES")
    (action,) = await actions_at(client, uri, types.Range(start=cursor, end=cursor), [], ["refactor"])
    assert action.kind == "refactor.rewrite" and "this function" in action.title
    result = apply_text_edits(text, edits_of(action.edit, uri))
    assert result == apply_edits(text, span_edits(text, "price_of").edits)
    compile(result, str(file), "exec")


async def test_source_action_adds_every_recommended_span(client: LanguageClient) -> None:
    file = path(client, "store.py")
    uri = open_document(client, file)
    diagnostics = await wait_diagnostics(client, uri, bool)
    start = types.Position(line=0, character=0)
    (action,) = await actions_at(client, uri, types.Range(start=start, end=start), [], ["source"])
    assert action.title == "Add spans to all recommended functions in this file"
    assert action.edit is None, "VS Code resolves edits lazily: the file-wide edit is computed on codeAction/resolve"
    action = await client.code_action_resolve_async(action)
    text = file.read_text()
    result = apply_text_edits(text, edits_of(action.edit, uri))
    qualnames = [d.data["qualname"] for d in diagnostics]
    assert result == engine_result(client.orders, file, qualnames)  # type: ignore[attr-defined]
    assert result.count("start_as_current_span(") == len(diagnostics)
    compile(result, str(file), "exec")


async def test_add_spans_in_file_command_applies_the_edit(client: LanguageClient) -> None:
    file = path(client, "broken.py")
    uri = open_document(client, file)
    await wait_diagnostics(client, uri, bool)
    answer = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="trace-advisor.addSpansInFile", arguments=[uri])
    )
    assert answer == {"applied": True, "functions": 1}
    (params,) = client.applied_edits  # type: ignore[attr-defined]
    result = apply_text_edits(file.read_text(), edits_of(params.edit, uri))
    compile(result, str(file), "exec")
    assert 'start_as_current_span("fetch_status")' in result


async def test_show_report_writes_html(client: LanguageClient, tmp_path: Path) -> None:
    report = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="trace-advisor.showReport", arguments=[path(client, "service.py").as_uri()])
    )
    assert isinstance(report, str) and report.endswith(".html") and "trace-advisor-lsp-test-cache-" in report
    html = Path(report).read_text()
    assert "<html" in html.lower() and "send_receipt" in html
