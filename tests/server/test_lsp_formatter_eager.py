"""A client that cannot resolve code actions (Emacs 29's eglot) gets the span quick-fixes with their edit when they
are listed: made without the project's formatter (a subprocess per function, on every cursor move), so the lines
the span's indent pushes out keep trace-advisor's own layout even with ruff configured and on the server's PATH
(tests/server/test_lsp_formatter.py: the same fixture with VS Code, which resolves them)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

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
BIN = Path(sys.executable).parent  # the test environment's ruff

client = session_fixture(
    "formatted_eager",
    ("formatted",),
    copies=("formatted",),
    env={"PATH": os.pathsep.join([str(BIN), os.environ["PATH"]]), "VIRTUAL_ENV": ""},
    client_name="emacs",
)


async def test_listed_quick_fixes_carry_their_edit_without_the_formatter(client: LanguageClient) -> None:
    file = folders_of(client)[0] / "shop" / "codes.py"
    text = file.read_text()
    uri = open_document(client, file)
    diagnostics = await wait_diagnostics(client, uri, lambda d: bool(named(d, ":CodeStore.recovery_codes")))
    (target,) = named(diagnostics, ":CodeStore.recovery_codes")
    found = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=target.range,
            context=types.CodeActionContext(diagnostics=[target], only=["quickfix"]),
        )
    )
    fix, plain = [a for a in found or [] if isinstance(a, types.CodeAction)]
    for action in (fix, plain):
        assert action.edit is not None and action.data is None
        result = apply_text_edits(text, edits_of(action.edit, uri))
        assert "start_as_current_span(" in result
        assert "            stored = (\n" not in result, result  # our own break, not ruff's
        compile(result, str(file), "exec")
