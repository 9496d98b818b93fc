"""Code actions and commands over stdio: every edit is exactly what `trace-advisor apply` (run as a subprocess on a
copy) makes, defs sharing a qualname (a property's getter and setter, `if`/`else` alternatives) each get their own
edit, the result parses, findings not computed yet are computed on demand, and the HTML report is written."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient
from trace_advisor.edits import apply_edits, span_edits
from trace_advisor_lsp.features.actions import ADD_ALL_TITLE as ADD_ALL

from tests.server.lsp_session import (
    apply_text_edits,
    cli_apply,
    edits_of,
    folders_of,
    named,
    open_document,
    position_of,
    replace_document,
    resolved,
    session_fixture,
    wait_diagnostics,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")
SETTER = "    def email(self, value: str) -> None:"
GETTER = "    def email(self) -> str:"


client = session_fixture("actions", ("multiroot/orders", "spans"), copies=("multiroot", "spans"))


def orders(client: LanguageClient) -> Path:
    return folders_of(client)[0]


def path(client: LanguageClient, name: str) -> Path:
    return orders(client) / "orders" / name


def lookup(client: LanguageClient) -> Path:
    return folders_of(client)[1] / "profiles" / "lookup.py"


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


async def execute(client: LanguageClient, command: str, *arguments: object) -> object:
    return await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=command, arguments=list(arguments))
    )


async def test_quick_fix_is_the_cli_edit(client: LanguageClient) -> None:
    file = path(client, "notify.py")  # one recommendation: `apply --all` does to this file what the quick-fix does
    uri = open_document(client, file)
    (target,) = named(await wait_diagnostics(client, uri, lambda d: bool(named(d, ":send_receipt"))), ":send_receipt")
    fix, plain = await actions_at(client, uri, target.range, [target], ["quickfix"])
    assert (
        fix.title == "Add span \u201csend_receipt\u201d with attributes"
        and plain.title == "Add span \u201csend_receipt\u201d"
    )
    assert fix.kind == types.CodeActionKind.QuickFix and fix.is_preferred and list(fix.diagnostics) == [target]
    assert plain.kind == types.CodeActionKind.QuickFix and not plain.is_preferred
    assert fix.edit is None and plain.edit is None  # VS Code resolves edits: made when picked
    fix, plain = await resolved(client, fix), await resolved(client, plain)
    plain_result = apply_text_edits(file.read_text(), edits_of(plain.edit, uri))
    assert plain_result == cli_apply(orders(client), file, "--symbol", "send_receipt", "--plain")
    assert "set_attribute" not in plain_result
    assert fix.edit.document_changes[0].text_document.version == 1
    result = apply_text_edits(file.read_text(), edits_of(fix.edit, uri))
    assert result == cli_apply(orders(client), file, "--symbol", "send_receipt")
    assert result == cli_apply(orders(client), file, "--all")
    compile(result, str(file), "exec")
    assert 'start_as_current_span("send_receipt")' in result and 'span.set_attribute("app.order_id"' in result


async def test_without_a_kind_filter_a_recommended_function_gets_its_quick_fixes_once(client: LanguageClient) -> None:
    """A client that lists every kind in one menu (Neovim's default) sees the two quick-fixes, not the same two edits
    again as refactorings of the function under the cursor; the file-wide action stays."""
    file = path(client, "notify.py")
    uri = open_document(client, file)
    (target,) = named(await wait_diagnostics(client, uri, lambda d: bool(named(d, ":send_receipt"))), ":send_receipt")
    titles = [a.title for a in await actions_at(client, uri, target.range, [target], None)]
    assert titles == ["Add span \u201csend_receipt\u201d with attributes", "Add span \u201csend_receipt\u201d", ADD_ALL]
    refactors = await actions_at(client, uri, target.range, [target], ["refactor"])  # asked for: still there
    assert [a.title for a in refactors] == [
        "Add span with attributes to this function (\u201csend_receipt\u201d)",
        "Add span to this function (\u201csend_receipt\u201d)",
    ]


def span_after_else(text: str) -> bool:
    """Whether the one fetch_profile span in ``text`` is in the def after ``else:`` (not the one after ``if``)."""
    lines = text.splitlines()
    (span,) = [n for n, line in enumerate(lines) if 'start_as_current_span("fetch_profile")' in line]
    return span > lines.index("else:")


async def test_each_quick_fix_edits_its_own_def_and_together_they_are_apply_all(client: LanguageClient) -> None:
    file = lookup(client)
    uri = open_document(client, file)
    first, second = sorted(await wait_diagnostics(client, uri, lambda d: len(d) == 2), key=lambda d: d.range.start.line)
    assert first.data["symbol"] == second.data["symbol"] == "profiles.lookup:fetch_profile"
    fix, _ = await actions_at(client, uri, second.range, [second], ["quickfix"])
    fix = await resolved(client, fix)
    text = apply_text_edits(file.read_text(), edits_of(fix.edit, uri))
    assert span_after_else(text), text
    replace_document(client, uri, 2, text)
    (remaining,) = await wait_diagnostics(client, uri, lambda d: len(d) == 1)
    assert remaining.range.start.line < text.splitlines().index("else:")  # the def after `if` (moved by the import)
    fix, _ = await actions_at(client, uri, remaining.range, [remaining], ["quickfix"])
    fix = await resolved(client, fix)
    text = apply_text_edits(text, edits_of(fix.edit, uri))
    assert text == cli_apply(folders_of(client)[1], file, "--all")
    compile(text, str(file), "exec")
    replace_document(client, uri, 3, file.read_text())  # back to the text on disk for the next tests
    await wait_diagnostics(client, uri, lambda d: len(d) == 2)


async def test_refactor_on_any_function_under_the_cursor(client: LanguageClient) -> None:
    file = path(client, "pricing.py")
    uri = open_document(client, file)
    await wait_diagnostics(client, uri)
    text = file.read_text()
    cursor = position_of(text, "return PRICES")
    action, plain = await actions_at(client, uri, types.Range(start=cursor, end=cursor), [], ["refactor"])
    assert action.kind == "refactor.rewrite" and action.title.startswith("Add span with attributes to this function")
    assert plain.title.startswith("Add span to this function")
    action, plain = await resolved(client, action), await resolved(client, plain)
    result = apply_text_edits(text, edits_of(plain.edit, uri))
    assert result == cli_apply(orders(client), file, "--symbol", "price_of")  # not recommended: a plain span
    compile(result, str(file), "exec")
    located = apply_text_edits(text, edits_of(action.edit, uri))  # where the code is, and its exception paths
    assert 'span.set_attribute("code.function.name", "orders.pricing.price_of")' in located
    compile(located, str(file), "exec")


async def test_refactor_in_a_property_setter_edits_the_setter(client: LanguageClient) -> None:
    file = lookup(client)
    uri, text = file.as_uri(), file.read_text()
    if uri not in client.diagnostics:
        open_document(client, file)
    await wait_diagnostics(client, uri, lambda d: len(d) == 2)
    cursor = position_of(text, 'connection.execute("UPDATE')
    _, plain = await actions_at(client, uri, types.Range(start=cursor, end=cursor), [], ["refactor"])
    plain = await resolved(client, plain)
    result = apply_text_edits(text, edits_of(plain.edit, uri))
    lines = result.splitlines()
    assert '        with tracer.start_as_current_span("AccountSettings.email")' in lines[lines.index(SETTER) + 1]
    assert "start_as_current_span" not in lines[lines.index(GETTER) + 1]
    assert result == apply_edits(text, span_edits(text, "AccountSettings.email", line=cursor.line + 1).edits)
    compile(result, str(file), "exec")


async def test_source_action_adds_every_recommended_span(client: LanguageClient) -> None:
    for file, root in ((path(client, "store.py"), orders(client)), (lookup(client), folders_of(client)[1])):
        uri = file.as_uri()
        if uri not in client.diagnostics:
            open_document(client, file)
        diagnostics = await wait_diagnostics(client, uri, bool)
        start = types.Position(line=0, character=0)
        (action,) = await actions_at(client, uri, types.Range(start=start, end=start), [], ["source"])
        assert action.title == "Add spans to all recommended functions in this file"
        assert action.edit is None, (
            "VS Code resolves edits lazily: the file-wide edit is computed on codeAction/resolve"
        )
        action = await client.code_action_resolve_async(action)
        text = file.read_text()
        result = apply_text_edits(text, edits_of(action.edit, uri))
        assert result == cli_apply(root, file, "--all")
        assert result.count("start_as_current_span(") == len(diagnostics)
        compile(result, str(file), "exec")


async def test_add_span_lens_command_edits_the_def_it_is_on(client: LanguageClient) -> None:
    file = lookup(client)
    uri = file.as_uri()
    if uri not in client.diagnostics:
        open_document(client, file)
    await wait_diagnostics(client, uri, lambda d: len(d) == 2)
    lenses = await client.text_document_code_lens_async(
        types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    add = [lens.command for lens in lenses or [] if lens.command and lens.command.command == "trace-advisor.addSpan"]
    assert len(add) == 2
    second = max(add, key=lambda command: command.arguments[2])
    seen = len(client.applied_edits)  # type: ignore[attr-defined]
    answer = await execute(client, "trace-advisor.addSpan", *second.arguments)
    assert answer == {"applied": True, "message": None}
    (params,) = client.applied_edits[seen:]  # type: ignore[attr-defined]
    assert span_after_else(apply_text_edits(file.read_text(), edits_of(params.edit, uri)))


async def test_add_spans_in_file_command_applies_the_edit(client: LanguageClient) -> None:
    file = path(client, "broken.py")
    uri = open_document(client, file)
    await wait_diagnostics(client, uri, bool)
    seen = len(client.applied_edits)  # type: ignore[attr-defined]
    assert await execute(client, "trace-advisor.addSpansInFile", uri) == {"applied": True, "functions": 1}
    (params,) = client.applied_edits[seen:]  # type: ignore[attr-defined]
    result = apply_text_edits(file.read_text(), edits_of(params.edit, uri))
    assert result == cli_apply(orders(client), file, "--all")
    assert 'start_as_current_span("fetch_status")' in result


@pytest.mark.parametrize("opened", [False, True], ids=["never-opened", "just-opened"])
async def test_add_spans_in_file_computes_findings_it_does_not_have_yet(client: LanguageClient, opened: bool) -> None:
    file = path(client, "cli.py" if not opened else "service.py")
    uri = open_document(client, file) if opened else file.as_uri()  # no waiting: nothing analysed yet
    seen = len(client.applied_edits)  # type: ignore[attr-defined]
    assert await execute(client, "trace-advisor.addSpansInFile", uri) == {"applied": True, "functions": 1}
    (params,) = client.applied_edits[seen:]  # type: ignore[attr-defined]
    (change,) = params.edit.document_changes
    assert change.text_document.version == (1 if opened else None)
    assert apply_text_edits(file.read_text(), edits_of(params.edit, uri)) == cli_apply(orders(client), file, "--all")


async def test_show_report_writes_html(client: LanguageClient, tmp_path: Path) -> None:
    report = await execute(client, "trace-advisor.showReport", path(client, "service.py").as_uri())
    assert isinstance(report, str) and report.endswith(".html") and "trace-advisor-lsp-test-cache-" in report
    html = Path(report).read_text()
    assert "<html" in html.lower() and "send_receipt" in html
