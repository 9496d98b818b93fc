"""Interface edits over stdio (tests/fixtures/interface_edits): a function renamed, a base class changed, a name
appearing behind a star import, typed into open documents; after each edit the call hierarchy (outgoing and
incoming calls, in the edited module and in the modules naming what changed) equals `trace-advisor calls` on the
same text."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pytest_lsp import LanguageClient

from tests.server.lsp_session import (
    folders_of,
    incoming_calls,
    open_document,
    outgoing_calls,
    replace_document,
    session_fixture,
)
from tests.support.cli import run_cli

pytestmark = pytest.mark.asyncio(loop_scope="module")

client = session_fixture("interface_edits", ("interface_edits",), copies=("../interface_edits",))

EDITS = [
    ("util.py", "def other():\n", "def renamed():\n"),  # views' util.other() no longer resolves
    ("models.py", "class Store(Base):", "class Store(Other):"),  # Store's save/load come from Other now
    ("models.py", "def make_store():\n", "def extra():\n    return Base()\n\n\ndef make_store():\n"),  # star import
]


def cli_functions(root: Path, cache: Path) -> dict[str, Any]:
    done = run_cli("calls", root, "--format", "json", env={"TRACE_ADVISOR_CACHE_DIR": str(cache)})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)["functions"]  # type: ignore[no-any-return]


async def test_the_call_hierarchy_follows_interface_edits(client: LanguageClient, tmp_path: Path) -> None:
    root = folders_of(client)[0]
    app = root / "app"
    texts = {name: (app / name).read_text() for name in ("util.py", "models.py")}
    uris = {name: open_document(client, app / name) for name in texts}
    before = await outgoing_calls(client, app / "views.py", "def view(")
    assert "app.util:other" in before
    for version, (name, old, new) in enumerate(EDITS, 2):
        assert old in texts[name]
        texts[name] = texts[name].replace(old, new, 1)
        replace_document(client, uris[name], version, texts[name])
        (app / name).write_text(texts[name])  # the CLI reads the disk
        functions = cli_functions(root, tmp_path / f"cache-{version}")
        for file, needle, symbol in (
            ("views.py", "def view(", "app.views:view"),
            ("service.py", "def run(", "app.service:run"),
            ("models.py", "def save(", "app.models:Base.save"),
        ):
            calls = await outgoing_calls(client, app / file, needle)
            assert set(calls) == set(functions[symbol]["calls"]), (version, symbol)
        callers = await incoming_calls(client, app / "models.py", "    def load(", len("    def "))
        expected = {caller for caller, found in functions.items() if "app.models:Base.load" in found["calls"]}
        assert set(callers) == expected, version
    assert "app.util:other" not in functions["app.views:view"]["calls"]
    assert "app.models:extra" in functions["app.service:run"]["calls"]
    assert "app.models:Other.load" in functions["app.service:run"]["calls"]
