"""The span quick-fixes are listed without their edit to a client that resolves edits (VS Code): code actions are
asked for on every cursor move and the edit is made only when one is picked, then with the project's own formatter
(here ruff, configured in pyproject.toml with line-length 60 and found on the server's PATH), so the lines the
span's indent pushes past the line length are laid out as ``ruff format --check`` expects (tests/fixtures/lsp/
formatted; tests/cli/test_apply_formatter.py for ``trace-advisor apply``)."""

from __future__ import annotations

import os
import shutil
import subprocess
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
    position_of,
    replace_document,
    session_fixture,
    wait_diagnostics,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")
BIN = Path(sys.executable).parent  # the test environment's ruff
RUFF = str(BIN / "ruff")
PUSHED = "            stored = (\n                self.db.query(user).filter_by(kind=2).all()\n            )\n"

client = session_fixture(
    "formatted",
    ("formatted",),
    copies=("formatted",),
    env={"PATH": os.pathsep.join([str(BIN), os.environ["PATH"]]), "VIRTUAL_ENV": ""},
)


def ruff_format_check(text: str, scratch: Path, fixture: Path) -> subprocess.CompletedProcess[str]:
    """``ruff format --check`` of ``text`` as the fixture's shop/codes.py, in a copy of the fixture project."""
    project = scratch / "project"
    shutil.copytree(fixture, project)
    (project / "shop" / "codes.py").write_text(text, encoding="utf-8")
    return subprocess.run([RUFF, "format", "--check", "--diff", "."], cwd=project, capture_output=True, text=True)


async def actions_at(
    client: LanguageClient, uri: str, rng: types.Range, diagnostics: list[types.Diagnostic], only: str
) -> list[types.CodeAction]:
    found = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=rng,
            context=types.CodeActionContext(diagnostics=diagnostics, only=[only]),
        )
    )
    return [a for a in found or [] if isinstance(a, types.CodeAction)]


async def test_the_picked_quick_fix_is_laid_out_by_the_formatter(client: LanguageClient, tmp_path: Path) -> None:
    root = folders_of(client)[0]
    file = root / "shop" / "codes.py"
    text = file.read_text()
    uri = open_document(client, file)
    diagnostics = await wait_diagnostics(client, uri, lambda d: bool(named(d, ":CodeStore.recovery_codes")))
    (target,) = named(diagnostics, ":CodeStore.recovery_codes")
    fix, plain = await actions_at(client, uri, target.range, [target], "quickfix")
    assert fix.title == "Add span \u201cCodeStore.recovery_codes\u201d with attributes" and fix.is_preferred
    assert fix.edit is None and plain.edit is None  # listing made no edit (and ran no formatter)
    assert fix.data["version"] == 1
    for action in (fix, plain):
        answer = await client.code_action_resolve_async(action)
        assert answer.edit.document_changes[0].text_document.version == 1
        result = apply_text_edits(text, edits_of(answer.edit, uri))
        assert "start_as_current_span(" in result and PUSHED in result, result
        check = ruff_format_check(result, tmp_path / action.title.replace(" ", "_"), root)
        assert check.returncode == 0, check.stdout


async def test_the_refactor_and_file_action_resolve_with_the_formatter(client: LanguageClient, tmp_path: Path) -> None:
    root = folders_of(client)[0]
    file = root / "shop" / "codes.py"
    text = file.read_text()
    uri = file.as_uri()
    await wait_diagnostics(client, uri, bool)
    cursor = position_of(text, "if not stored")
    here = types.Range(start=cursor, end=cursor)
    refactors = await actions_at(client, uri, here, [], "refactor")
    assert [a.title for a in refactors] == [
        "Add span with attributes to this function (\u201cCodeStore.recovery_codes\u201d)",
        "Add span to this function (\u201cCodeStore.recovery_codes\u201d)",
    ]
    start = types.Position(line=0, character=0)
    (whole,) = await actions_at(client, uri, types.Range(start=start, end=start), [], "source")
    for n, action in enumerate([*refactors, whole]):
        assert action.edit is None
        answer = await client.code_action_resolve_async(action)
        result = apply_text_edits(text, edits_of(answer.edit, uri))
        assert PUSHED in result, result
        check = ruff_format_check(result, tmp_path / str(n), root)
        assert check.returncode == 0, check.stdout


async def test_the_edit_is_made_against_the_document_as_it_is_when_picked(
    client: LanguageClient, tmp_path: Path
) -> None:
    """Typing between the listing and the pick: the edit is made for the text and version the editor has then."""
    root = folders_of(client)[0]
    file = root / "shop" / "codes.py"
    uri = file.as_uri()
    (target,) = named(await wait_diagnostics(client, uri, bool), ":CodeStore.recovery_codes")
    fix, _ = await actions_at(client, uri, target.range, [target], "quickfix")
    typed = "# Recovery codes of the shop's users.\n" + file.read_text()
    replace_document(client, uri, 2, typed)
    answer = await client.code_action_resolve_async(fix)
    assert answer.edit.document_changes[0].text_document.version == 2
    result = apply_text_edits(typed, edits_of(answer.edit, uri))
    assert result.startswith("# Recovery codes of the shop's users.\n") and PUSHED in result, result
    check = ruff_format_check(result, tmp_path, root)
    assert check.returncode == 0, check.stdout
    replace_document(client, uri, 3, file.read_text())


async def test_the_add_span_commands_use_the_formatter(client: LanguageClient, tmp_path: Path) -> None:
    """The code lens's "Add span" and "Add spans to all recommended functions in this file" commands edit as the
    picked actions do: with the project's formatter."""
    root = folders_of(client)[0]
    file = root / "shop" / "codes.py"
    text = file.read_text()
    uri = open_document(client, file) if file.as_uri() not in client.diagnostics else file.as_uri()
    await wait_diagnostics(client, uri, lambda d: bool(named(d, ":CodeStore.recovery_codes")))
    lenses = await client.text_document_code_lens_async(
        types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    add = [lens.command for lens in lenses or [] if lens.command and lens.command.command == "trace-advisor.addSpan"]
    (command,) = [c for c in add if "recovery_codes" in str(c.arguments)]
    for n, (name, arguments) in enumerate(
        ((command.command, command.arguments), ("trace-advisor.addSpansInFile", [uri]))
    ):
        seen = len(client.applied_edits)  # type: ignore[attr-defined]
        answer = await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command=name, arguments=list(arguments or []))
        )
        assert answer["applied"], answer
        (params,) = client.applied_edits[seen:]  # type: ignore[attr-defined]
        result = apply_text_edits(text, edits_of(params.edit, uri))
        assert PUSHED in result, result
        check = ruff_format_check(result, tmp_path / str(n), root)
        assert check.returncode == 0, check.stdout
