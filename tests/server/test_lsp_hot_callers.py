"""The editor's cost decision reads the hot functions of the files its file reaches, kept between refreshes until
something they read changes (tests/fixtures/hot_callers: `leader` is recommended in place of the hot `rank` of
names/score.py, at `rank`'s confidence, which grows with `rank`'s callers). Typing a third caller of `rank` into
dedupe.py, then a body edit that takes one away, each change dedupe.py's diagnostics exactly as a fresh
`trace-advisor analyze` of the same text says, over stdio."""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient
from trace_advisor.config.loader import trust_project_file

from tests.server.lsp_session import (
    folders_of,
    open_document,
    replace_document,
    session_fixture,
    wait_diagnostics,
)
from tests.support.cli import run_cli

pytestmark = pytest.mark.asyncio(loop_scope="module")
client = session_fixture(
    "hot-callers",
    folders=("hot_callers",),
    copies=("../hot_callers",),
    configuration={"server": {"debounceMs": 20}},
)
THIRD = "\n\ndef third(names: list[str]) -> str:\n    return rank(names)[2][0]\n\n\ndef dedupe("


def fresh(root: Path, text: str, tmp_path: Path) -> list[tuple[str, str]]:
    """What a fresh CLI analysis of the project, with dedupe.py holding ``text``, recommends in dedupe.py: each
    function with its diagnostic's message as the editor shows it (convert.recommendation_message)."""
    copy = tmp_path / f"project-{len(list(tmp_path.iterdir()))}"
    shutil.copytree(root, copy)
    (copy / "names" / "dedupe.py").write_text(text)
    trust_project_file(copy)  # as the session trusts its folder's (the rules scorer, its threshold)
    done = run_cli("analyze", copy, "--format", "json", env={"TRACE_ADVISOR_CACHE_DIR": str(copy / ".cache")})
    assert done.returncode == 0, done.stderr
    return sorted(
        (rec["symbol"], f"Span recommended ({rec['priority']}, confidence {rec['confidence']:.0%}): {rec['rationale']}")
        for rec in json.loads(done.stdout)["recommendations"]
        if rec["symbol"].startswith("names.dedupe:")
    )


def shown(diagnostics: Sequence[types.Diagnostic]) -> list[tuple[str, str]]:
    """The recommendations among the editor's diagnostics, as :func:`fresh` lists them."""
    return sorted((str(d.data["symbol"]), d.message) for d in diagnostics if d.message.startswith("Span recommended"))


async def test_a_new_caller_of_a_hot_function_elsewhere_changes_its_promoted_callers_diagnostic(
    client: LanguageClient, tmp_path: Path
) -> None:
    root = folders_of(client)[0]
    dedupe = root / "names" / "dedupe.py"
    text = dedupe.read_text()
    uri = open_document(client, dedupe)
    first = fresh(root, text, tmp_path)
    assert [symbol for symbol, _ in first] == ["names.dedupe:leader"]
    assert "Recommended in place of rank" in first[0][1]
    assert shown(await wait_diagnostics(client, uri, lambda d: shown(d) == first)) == first

    # an interface edit: a third caller of rank (in the editor's file; rank's own file is unchanged)
    edited = text.replace("\n\ndef dedupe(", THIRD, 1)
    replace_document(client, uri, 2, edited)
    expected = fresh(root, edited, tmp_path)
    assert expected != first  # rank's confidence grew with its callers
    assert shown(await wait_diagnostics(client, uri, lambda d: shown(d) == expected)) == expected

    # a body edit: runner_up no longer calls rank (rank is cheap enough for a span of its own again)
    back = edited.replace("    return rank(names)[1][0]\n", "    return sorted(names)[1]\n", 1)
    replace_document(client, uri, 3, back)
    expected = fresh(root, back, tmp_path)
    assert expected != first
    assert shown(await wait_diagnostics(client, uri, lambda d: shown(d) == expected)) == expected
