"""A document just opened shows its own file's findings at once, then the full ones (tests/fixtures/hot_callers):
on a big workspace, weighing the hot functions a file's functions reach in other files takes seconds the first time,
and the editor should not show nothing meanwhile. dedupe.py's `leader` is recommended only in place of the hot `rank`
of names/score.py: the first publish of dedupe.py weighs its own functions alone (no `leader`), the next one is what
`trace-advisor analyze` says. Later edits publish once per refresh, the full findings only."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.server.lsp_session import (
    folders_of,
    open_document,
    replace_document,
    session_fixture,
    wait_diagnostics,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")
client = session_fixture(
    "first-paint",
    folders=("hot_callers",),
    copies=("../hot_callers",),
    configuration={"server": {"debounceMs": 20}},
)


class Recorded(dict[str, Sequence[types.Diagnostic]]):
    """The client's diagnostics, also kept in the order they were published."""

    def __init__(self) -> None:
        super().__init__()
        self.history: list[tuple[str, list[str]]] = []

    def __setitem__(self, uri: str, diagnostics: Sequence[types.Diagnostic]) -> None:
        self.history.append((uri, symbols(diagnostics)))
        super().__setitem__(uri, diagnostics)


def symbols(diagnostics: Sequence[types.Diagnostic]) -> list[str]:
    return sorted(str(d.data["symbol"]) for d in diagnostics if d.message.startswith("Span recommended"))


async def test_a_document_just_opened_shows_its_own_findings_first_then_the_full_ones(client: LanguageClient) -> None:
    recorded = Recorded()
    client.diagnostics = recorded
    dedupe = folders_of(client)[0] / "names" / "dedupe.py"
    uri = open_document(client, dedupe)
    await wait_diagnostics(client, uri, lambda d: symbols(d) == ["names.dedupe:leader"])
    published = [found for at, found in recorded.history if at == uri]
    assert published == [[], ["names.dedupe:leader"]]

    # an edit: one publish, with the full findings (the hot function elsewhere is weighed from the start)
    text = dedupe.read_text()
    replace_document(client, uri, 2, text + "\n\ndef spare() -> None:\n    pass\n")
    await wait_diagnostics(client, uri, lambda d: len(recorded.history) > len(published))
    await wait_diagnostics(client, uri, lambda d: symbols(d) == ["names.dedupe:leader"])
    assert [found for at, found in recorded.history if at == uri][len(published) :] == [["names.dedupe:leader"]]
