"""The span linter over stdio: findings are published as warnings (``code`` = the rule) beside recommendations, and
each mechanical fix is a quick-fix whose edit is the linter's own fix; fixed code is published clean."""

from __future__ import annotations

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient
from trace_advisor.edits import apply_edits
from trace_advisor.lint import lint_text

from tests.server.lsp_session import (
    apply_text_edits,
    edits_of,
    folders_of,
    open_document,
    replace_document,
    session_fixture,
    wait_diagnostics,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")

client = session_fixture("lint", ("linted",), copies=("linted",))


def lints(diagnostics: list[types.Diagnostic]) -> dict[str, types.Diagnostic]:
    return {str(d.code): d for d in diagnostics if isinstance(d.data, dict) and "lint" in d.data}


async def test_findings_are_warnings_with_quick_fixes(client: LanguageClient) -> None:
    file = folders_of(client)[0] / "jobs" / "worker.py"
    uri = open_document(client, file)
    rules = {"unbounded-span-name", "sensitive-attribute", "exception-not-recorded"}
    found = lints(await wait_diagnostics(client, uri, lambda d: rules <= set(lints(list(d)))))
    assert all(d.severity == types.DiagnosticSeverity.Warning for d in found.values())
    assert found["unbounded-span-name"].range.start.line == 11  # 0-based: the f-string on line 12
    text = file.read_text()
    expected = {f.rule: f for f in lint_text(text).findings}
    for rule in sorted(rules):
        actions = await client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                range=found[rule].range,
                context=types.CodeActionContext(diagnostics=[found[rule]], only=[types.CodeActionKind.QuickFix]),
            )
        )
        (fix,) = [a for a in actions or [] if isinstance(a, types.CodeAction)]
        core_fix = expected[rule].fix
        assert core_fix is not None and fix.title == core_fix.title and fix.is_preferred
        assert apply_text_edits(text, edits_of(fix.edit, uri)) == apply_edits(text, core_fix.edits)

    fixed = apply_edits(text, expected["unbounded-span-name"].fix.edits)  # type: ignore[union-attr]
    replace_document(client, uri, 2, fixed)
    after = await wait_diagnostics(client, uri, lambda d: "unbounded-span-name" not in lints(list(d)))
    assert {"sensitive-attribute", "exception-not-recorded"} <= set(lints(list(after)))


LEDGER = """from opentelemetry import trace

tracer = trace.get_tracer(__name__)


def post(entry: int) -> int:
    with tracer.start_as_current_span("post") as span:
        span.set_attribute("code.line.number", 6)
        return entry
"""


async def test_a_line_number_the_code_moved_away_from_is_flagged_after_the_edit(client: LanguageClient) -> None:
    """`apply` wrote `code.line.number` as the def's line; the user then adds a function above it: the editor says the
    number is stale and its quick fix writes the def's new line."""
    file = folders_of(client)[0] / "jobs" / "ledger.py"
    file.write_text(LEDGER)
    uri = open_document(client, file)
    first = await wait_diagnostics(client, uri, lambda d: True)
    assert "stale-line-number" not in lints(list(first))
    edited = LEDGER.replace("\n\ndef post", "\n\ndef void(entry: int) -> int:\n    return -entry\n\n\ndef post", 1)
    replace_document(client, uri, 2, edited)
    found = lints(await wait_diagnostics(client, uri, lambda d: "stale-line-number" in lints(list(d))))
    stale = found["stale-line-number"]
    assert stale.range.start.line == 11  # 0-based: the literal, now on line 12
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=stale.range,
            context=types.CodeActionContext(diagnostics=[stale], only=[types.CodeActionKind.QuickFix]),
        )
    )
    (fix,) = [a for a in actions or [] if isinstance(a, types.CodeAction)]
    assert fix.title == "Write line 10"
    assert 'span.set_attribute("code.line.number", 10)' in apply_text_edits(edited, edits_of(fix.edit, uri))
