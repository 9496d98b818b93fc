"""A function with ``@overload`` stubs is where its implementation is: the call tree, the JSON graph and the editor's
call hierarchy name the ``def`` that runs, not the first stub. polar's ``kit.pagination.paginate`` (three typed
overloads above it) showed at the first stub's line."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.cli import run_cli

PAGES = """\
from typing import overload


@overload
def paginate(items: list[int], size: int) -> list[int]: ...


@overload
def paginate(items: list[str], size: int) -> list[str]: ...


def paginate(items, size):
    return items[:size]


def first_page(items):
    return paginate(items, 10)
"""


def test_an_overloaded_function_is_where_its_implementation_is(tmp_path: Path) -> None:
    (tmp_path / "pages.py").write_text(PAGES, encoding="utf-8")
    tree = run_cli("calls", tmp_path, "--entry", "pages.py:first_page", cwd=tmp_path)
    assert tree.returncode == 0, tree.stderr
    assert "pages:paginate  (pages.py:12)" in tree.stdout
    graph = run_cli("calls", tmp_path, "--format", "json", cwd=tmp_path)
    assert graph.returncode == 0, graph.stderr
    assert json.loads(graph.stdout)["functions"]["pages:paginate"]["line"] == 12
