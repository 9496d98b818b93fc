"""The cost decision across files in the editor, over stdio (tests/fixtures/cost_promote): `similarity`
(names/distance.py) is too hot for a span and no recommended function calls it, so `analyze`/`apply --all` recommend
its nearest cheap caller `closest` in names/dedupe.py instead. The editor decides the same: opening dedupe.py (whose
own analysis never sees the hot function) shows `closest` with the promotion in its message, and distance.py shows
nothing for `similarity`."""

from __future__ import annotations

import pytest
from pytest_lsp import LanguageClient

from tests.server.lsp_session import folders_of, named, open_document, session_fixture, wait_diagnostics

pytestmark = pytest.mark.asyncio(loop_scope="module")
client = session_fixture(
    "cost-promote",
    folders=("cost_promote",),
    copies=("../cost_promote",),
    configuration={"server": {"debounceMs": 20}, "scoring": "rules"},  # about the cost decision, not scoring
)


async def test_a_caller_promoted_for_a_hot_function_in_another_file_gets_its_diagnostic(
    client: LanguageClient,
) -> None:
    root = folders_of(client)[0] / "names"
    dedupe = open_document(client, root / "dedupe.py")
    [closest] = named(await wait_diagnostics(client, dedupe, lambda d: bool(named(d, ":closest"))), ":closest")
    assert closest.range.start.line == 9
    assert "Recommended in place of similarity, left out for cost" in closest.message
    distance = open_document(client, root / "distance.py")
    assert not named(await wait_diagnostics(client, distance), ":similarity")
