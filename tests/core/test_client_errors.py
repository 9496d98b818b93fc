"""Which frameworks' 4xx can leave a function from below (client_errors.py): the walk reads the code of a function
below only when its module imports a web framework, the one way its ``except`` clauses can name that framework's
4xx. In the editor, where a few dozen trees are kept, reading every module below a Slack handler of Netflix's
dispatch took a minute per quick-fix request."""

from __future__ import annotations

from pathlib import Path

import pytest
from trace_advisor.client_errors import client_errors_below
from trace_advisor.index import Index

FILES = {
    "app/__init__.py": "",
    "app/views.py": (
        "from flask import jsonify\n\n"
        "from app import helpers, lookup\n\n\n"
        "def show(key):\n"
        "    item = lookup.find(key)\n"
        "    return jsonify(helpers.render(item))\n"
    ),
    "app/helpers.py": (
        "def render(item):\n    return {'item': shorten(item)}\n\n\ndef shorten(item):\n    return str(item)[:20]\n"
    ),
    "app/lookup.py": (
        "from werkzeug.exceptions import NotFound\n\n"
        "from app import store\n\n\n"
        "def find(key):\n"
        "    try:\n"
        "        return store.get(key)\n"
        "    except NotFound:\n"
        "        raise\n"
    ),
    "app/store.py": "ITEMS = {}\n\n\ndef get(key):\n    return ITEMS[key]\n",
}


def test_only_functions_of_modules_importing_a_framework_are_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "project"
    for name, text in FILES.items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(text, encoding="utf-8")
    index = Index([project], cache_dir=tmp_path / "cache")
    index.build()
    read: list[str] = []
    original = Index.function_syntax

    def counted(self: Index, symbol: str) -> object:
        read.append(symbol)
        return original(self, symbol)

    monkeypatch.setattr(Index, "function_syntax", counted)
    assert client_errors_below(index.graph(), "app.views:show") == frozenset({"werkzeug"})
    assert read == ["app.lookup:find"]  # helpers and store import no framework: nothing there to read
