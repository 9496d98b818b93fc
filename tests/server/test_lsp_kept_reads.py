"""Edits of a module with property reads over stdio (tests/fixtures/kept_reads): after each edit the call hierarchy
(the getters a function's reads run, and who reads each getter) equals `trace-advisor calls` on the same text, when
the edit left the module's other reads as they were (they keep their answers: ``trace-advisor/engineState``'s
``sites``) and when it changed what they run (a property's return, a function's receiver)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_lsp import LanguageClient
from trace_advisor.facts.records import CallSite
from trace_advisor.parsing import parse_source

from tests.server.lsp_session import (
    folders_of,
    incoming_calls,
    open_document,
    outgoing_calls,
    replace_document,
    session_fixture,
)
from tests.server.test_lsp_kept_sites import cli_functions, engine_state

pytestmark = pytest.mark.asyncio(loop_scope="module")

client = session_fixture("kept_reads", ("kept_reads",), copies=("../kept_reads",))

LATER = "\n\ndef later(box: Box):\n    return box.inner.area\n"
# (old, new, the definition edited, whether the module's other sites and reads keep their answers): a function
# reading properties appended; what ``Box.inner`` returns changed (``nested`` now reads ``Crate.area`` through it: a
# class changed, nothing stands); ``describe``'s receiver changed in its body; the appended function removed
EDITS = [
    ('    return f"{box.width}: {box.area}"\n', '    return f"{box.width}: {box.area}"\n' + LATER, "later", True),
    ("        return Box(self.width - 1)\n", "        return Crate(self.width - 1)\n", "Box", False),
    ("    return str(box.area)\n", "    return str(Crate(box.width).area)\n", "describe", True),
    (LATER, "", "later", True),
]
CALLERS = {  # the getters, whose callers are asked for
    "    def area(self):\n        return self": "app.shapes:Box.area",
    "    def inner(": "app.shapes:Box.inner",
    "    def area(self):\n        return measure": "app.shapes:Crate.area",
}
READERS = ("def describe(", "def nested(", "def label(")


def sites_outside(text: str, name: str) -> list[CallSite]:
    """The call sites and property reads of ``text`` outside the top-level definition ``name``."""
    facts = parse_source(text, "shapes.py").facts
    assert facts is not None
    return [site for site in (*facts.calls, *facts.reads) if site.scope.partition(".")[0] != name]


async def test_property_reads_follow_the_edits_of_their_module(client: LanguageClient, tmp_path: Path) -> None:
    root = folders_of(client)[0]
    shapes = root / "app" / "shapes.py"
    text = shapes.read_text()
    uri = open_document(client, shapes)
    assert "app.shapes:Box.area" in await outgoing_calls(client, shapes, "def describe(")
    for version, (old, new, edited, stand) in enumerate(EDITS, 2):
        before = (await engine_state(client))["sites"]
        assert old in text
        text = text.replace(old, new, 1)
        replace_document(client, uri, version, text)
        shapes.write_text(text)  # the CLI and the positions below read the disk
        functions = cli_functions(root, tmp_path / f"cache-{version}")
        for needle in (*READERS, *(("def later(",) if "def later(" in text else ())):
            symbol = f"app.shapes:{needle[len('def ') : -1]}"
            assert set(await outgoing_calls(client, shapes, needle)) == set(functions[symbol]["calls"]), version
        for needle, getter in CALLERS.items():
            callers = await incoming_calls(client, shapes, needle, needle.index("def ") + len("def "))
            assert set(callers) == {f for f, found in functions.items() if getter in found["calls"]}, (version, getter)
        kept = (await engine_state(client))["sites"]["kept"] - before["kept"]
        assert kept == (len(sites_outside(text, edited)) if stand else 0), (version, kept)
    assert "app.shapes:Crate.area" in functions["app.shapes:nested"]["calls"]
    assert "app.shapes:Crate.area" in functions["app.shapes:describe"]["calls"]
    assert "app.shapes:Box.area" in functions["app.shapes:label"]["calls"]
