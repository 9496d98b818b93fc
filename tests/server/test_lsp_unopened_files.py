"""The editor's "Add span" on a file that is not open reads it as ``trace-advisor apply`` does: its PEP 263 encoding
(not UTF-8 only) and its line endings (CRLF stays CRLF). Raw stdio; the edit the server asks the editor to apply is
checked against the file's own bytes."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.raw_lsp import RawServer

SOURCE = (
    "# -*- coding: latin-1 -*-\r\n"
    "import requests\r\n"
    "\r\n"
    "\r\n"
    "def fetch(order_id):\r\n"
    '    """Commande réservée."""\r\n'
    '    return requests.get("https://example.com/é/%s" % order_id, timeout=5).json()\r\n'
)


@pytest.fixture()
def server(tmp_path: Path) -> Iterator[RawServer]:
    root = tmp_path / "legacy"
    root.mkdir()
    (root / "legacy.py").write_bytes(SOURCE.encode("latin-1"))
    with RawServer(env={"TRACE_ADVISOR_CACHE_DIR": str(tmp_path / "cache")}) as started:
        started.initialize(root)
        yield started


def apply_text_edits(text: str, edits: list[dict[str, object]]) -> str:
    lines = text.split("\r\n")  # this fixture uses CRLF only; columns are UTF-16 units (all BMP here)

    def offset(position: dict[str, int]) -> int:
        return sum(len(line) + 2 for line in lines[: position["line"]]) + position["character"]

    for edit in sorted(edits, key=lambda e: offset(e["range"]["start"]), reverse=True):  # type: ignore[index]
        start, end = offset(edit["range"]["start"]), offset(edit["range"]["end"])  # type: ignore[index]
        text = text[:start] + str(edit["newText"]) + text[end:]
    return text


def test_add_span_on_a_closed_latin1_crlf_file(server: RawServer, tmp_path: Path) -> None:
    path = tmp_path / "legacy" / "legacy.py"
    answer = server.call(
        "workspace/executeCommand", {"command": "trace-advisor.addSpan", "arguments": [path.as_uri(), "legacy:fetch"]}
    )
    assert "result" in answer, answer
    request = next(m for m in server.received if m.get("method") == "workspace/applyEdit")
    (change,) = request["params"]["edit"]["documentChanges"]
    assert change["textDocument"] == {"uri": path.as_uri(), "version": None}
    edited = apply_text_edits(path.read_bytes().decode("latin-1"), change["edits"])
    assert "\n" not in edited.replace("\r\n", "")  # every line written in the file's own CRLF
    assert 'start_as_current_span("fetch")' in edited and "Commande réservée" in edited and "/é/" in edited
    ast.parse(edited)
    assert edited.encode("latin-1").decode("latin-1") == edited  # still writable in the declared encoding
