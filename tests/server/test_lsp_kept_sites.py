"""Interface edits of one module over stdio (tests/fixtures/kept_sites): after each edit the call hierarchy of the
edited module equals `trace-advisor calls` on the same text, and when no other module reads what the edit changed,
only the call sites that may read it are resolved again (``trace-advisor/engineState``'s ``sites``): the others keep
their answers, which is what makes typing a ``def`` at the end of a long module cheap."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import pytest
from pytest_lsp import LanguageClient

from tests.server.lsp_session import (
    as_dict,
    folders_of,
    incoming_calls,
    open_document,
    outgoing_calls,
    replace_document,
    session_fixture,
)
from tests.support.cli import run_cli

pytestmark = pytest.mark.asyncio(loop_scope="module")

client = session_fixture("kept_sites", ("kept_sites",), copies=("../kept_sites",))

LATER = "\n\ndef later(value):\n    return first(value)\n"
# (old, new, whether every other site keeps its answer): a function that ``use`` already calls by name appended; what
# ``make`` returns changed (``go`` calls it); a subclass' method renamed to one that ``Node.run``'s ``self.step()``
# reaches (a class changed: no site is known to stand); the appended function removed
EDITS = [
    ("    return Node().run()\n", "    return Node().run()\n" + LATER, True),
    ("    return first\n", "    return second\n", True),
    ("    def size(self):\n", "    def step(self):\n", False),
    (LATER, "", True),
]
SYMBOLS = {
    "def use(": "app.parser:use",
    "def go(": "app.parser:go",
    "def many(": "app.parser:many",
    "def chain(": "app.parser:chain",
    "    def run(": "app.parser:Node.run",
}


async def engine_state(client: LanguageClient) -> dict[str, Any]:
    """``trace-advisor/engineState`` once the engine has no work left."""
    deadline = time.monotonic() + 20
    while True:
        state = as_dict(await client.protocol.send_request_async("trace-advisor/engineState", None))
        if not state["busy"] or time.monotonic() > deadline:
            assert not state["busy"], state
            return state  # type: ignore[no-any-return]
        await asyncio.sleep(0.02)


def cli_functions(root: Path, cache: Path) -> dict[str, Any]:
    done = run_cli("calls", root, "--format", "json", env={"TRACE_ADVISOR_CACHE_DIR": str(cache)})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)["functions"]  # type: ignore[no-any-return]


async def test_an_interface_edit_resolves_only_the_sites_it_may_change(client: LanguageClient, tmp_path: Path) -> None:
    root = folders_of(client)[0]
    parser = root / "app" / "parser.py"
    text = parser.read_text()
    uri = open_document(client, parser)
    assert "app.parser:later" not in await outgoing_calls(client, parser, "def use(")
    sites = text.count("(") - text.count("def ") - text.count("class ")  # the module's calls (roughly)
    for version, (old, new, stand) in enumerate(EDITS, 2):
        before = (await engine_state(client))["sites"]
        assert old in text
        text = text.replace(old, new, 1)
        replace_document(client, uri, version, text)
        parser.write_text(text)  # the CLI and the positions below read the disk
        functions = cli_functions(root, tmp_path / f"cache-{version}")
        symbols = {**SYMBOLS, **({"def later(": "app.parser:later"} if "def later(" in text else {})}
        for needle, symbol in symbols.items():
            calls = await outgoing_calls(client, parser, needle, needle.index("def ") + len("def "))
            assert set(calls) == set(functions[symbol]["calls"]), (version, symbol)
        callers = await incoming_calls(client, parser, "def first(")
        assert set(callers) == {f for f, found in functions.items() if "app.parser:first" in found["calls"]}, version
        after = (await engine_state(client))["sites"]
        resolved, kept = after["resolved"] - before["resolved"], after["kept"] - before["kept"]
        if stand:  # the new or changed function's sites and those naming it (2 or 3), not the module's others
            assert resolved <= 3 and kept >= sites - 3, (version, resolved, kept)
        else:
            assert kept == 0 and resolved >= sites, (version, resolved, kept)
    assert "app.parser:later" in functions["app.parser:use"]["calls"] or "def later(" not in text
    assert "app.parser:second" in functions["app.parser:go"]["calls"]
    assert "app.parser:Leaf.step" in functions["app.parser:Node.run"]["calls"]
