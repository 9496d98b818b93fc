"""Typing in a function body over stdio (tests/fixtures/local_bindings): the importer's call hierarchy follows what
the edited function returns, and stays as it was when the edit renames or rebinds a variable only that function
reads; after each keystroke its outgoing calls equal `trace-advisor calls` on the same text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pytest_lsp import LanguageClient

from tests.server.lsp_session import folders_of, open_document, outgoing_calls, replace_document, session_fixture
from tests.support.cli import run_cli

pytestmark = pytest.mark.asyncio(loop_scope="module")

client = session_fixture("local_bindings", ("local_bindings",), copies=("../local_bindings",))


def cli_callees(root: Path, symbol: str, cache: Path) -> set[str]:
    done = run_cli("calls", root, "--format", "json", env={"TRACE_ADVISOR_CACHE_DIR": str(cache)})
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout)["functions"][symbol]["calls"])


async def test_the_importers_answers_follow_typing_in_a_function_body(client: LanguageClient, tmp_path: Path) -> None:
    root = folders_of(client)[0]
    service, views = root / "app" / "service.py", root / "app" / "views.py"
    uri = open_document(client, service)
    text = service.read_text()
    before = await outgoing_calls(client, views, "def view(")
    assert "app.clients:Client.send" in before
    typed = [
        ("        local = Client()\n        local.send()", "        locl = Other()\n        locl.send()"),  # its own
        ("        locl = Other()", "        loc = Other()"),  # the next line's name is undefined now
        ("        made = Client()", "        made = Other()"),  # returned: view's ``service.make().send()``
    ]
    for version, (old, new) in enumerate(typed, 2):
        assert old in text
        text = text.replace(old, new)
        replace_document(client, uri, version, text)
        service.write_text(text)  # the CLI reads the disk
        calls = await outgoing_calls(client, views, "def view(")
        assert set(calls) == cli_callees(root, "app.views:view", tmp_path / f"cache-{version}")
        own = await outgoing_calls(client, service, "def handle(")
        assert set(own) == cli_callees(root, "app.service:Service.handle", tmp_path / f"cache-{version}")
    assert "app.clients:Other.send" in calls  # what make() returns changed
