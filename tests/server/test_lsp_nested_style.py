"""A workspace folder holding a project of its own (the FastAPI full-stack template's ``backend/``, with its own
pyproject.toml and ruff target version): the span quick-fix in one of its files is written in that project's style,
as ruff formats it (here the parenthesized ``with`` of Python 3.9+ for the span and its 4xx helper), not in the style
of the folder's top (tests/cli/test_apply_lint_kept.py for ``trace-advisor apply``)."""

from __future__ import annotations

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.server.lsp_session import (
    apply_text_edits,
    edits_of,
    folders_of,
    named,
    open_document,
    session_fixture,
    wait_diagnostics,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")

client = session_fixture("nested_style", ("nested_style",), copies=("nested_style",))


async def test_the_quick_fix_in_a_nested_project_is_written_in_its_style(client: LanguageClient) -> None:
    file = folders_of(client)[0] / "backend" / "app" / "profiles.py"
    text = file.read_text(encoding="utf-8")
    uri = open_document(client, file)
    diagnostics = await wait_diagnostics(client, uri, lambda d: bool(named(d, ":load_profile")))
    (target,) = named(diagnostics, ":load_profile")
    found = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=target.range,
            context=types.CodeActionContext(diagnostics=[target], only=["quickfix"]),
        )
    )
    actions = [a for a in found or [] if isinstance(a, types.CodeAction)]
    assert actions, found
    action = actions[-1]
    if action.edit is None:
        action = await client.code_action_resolve_async(action)
    result = apply_text_edits(text, edits_of(action.edit, uri))
    assert "    with (\n        tracer.start_as_current_span(" in result, result
