"""A keystroke that adds or renames a variable of a function body is not an interface change: the module's importers
keep their resolution unless what they see of the function changes (tests/fixtures/local_bindings) — what
it returns, stores on ``self``, passes to another module's parameter or a returned closure reads. After each edit the
call graph equals a fresh index's."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from trace_advisor.index import Index

SERVICE, VIEWS, JOBS = "app.service", "app.views", "app.jobs"


@pytest.fixture()
def project(fixtures_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "local_bindings"
    shutil.copytree(fixtures_dir / "local_bindings", target)
    return target


def graph_of(index: Index) -> dict[str, list[tuple[str, str]]]:
    """Every function's callees (with the call's text) and unresolved calls."""
    graph = index.graph()
    return {
        symbol: sorted({(e.callee, e.dispatch) for e in graph.callees(symbol)})
        + sorted({(u.text, u.reason) for u in graph.unresolved(symbol)})
        for symbol in graph.symbols()
    }


def fresh_graph(project: Path, tmp_path: Path) -> dict[str, list[tuple[str, str]]]:
    index = Index([project], cache_dir=tmp_path / "fresh-cache", use_cache=False)
    index.build()
    return graph_of(index)


def resolved_again(index: Index, path: Path, old: str, new: str) -> set[str]:
    """Edit ``path`` in the editor (then save it for a fresh index) and say which modules were resolved again."""
    text = path.read_text()
    assert old in text
    index.analysed(path)  # as the editor's analysis does: the index keeps the file's syntax tree for the next edit
    before = {module: index.module_calls(module) for module in (SERVICE, VIEWS, JOBS)}
    edited = text.replace(old, new, 1)
    assert index.update_file(path, edited) is None  # the editor's text (the disk's is the text before)
    path.write_text(edited)
    graph_of(index)
    return {module for module, calls in before.items() if index.module_calls(module) is not calls}


@pytest.mark.parametrize(
    ("old", "new", "seen"),
    [
        # a variable only its function reads: added, renamed
        ("        local.send()\n", "        local.send()\n        extra = Other()\n        extra.send()\n", set()),
        ("        local = Client()\n        local.send()", "        locl = Client()\n        locl.send()", set()),
        ("        local = Client()", "        local = Other()", set()),
        ("        local = Client()", "        locl = Client()", set()),  # the next line's name: now undefined
        # what a function returns when its annotation says what it returns: importers read the annotation alone
        ("    return Other()", "    return Client()", set()),
        ("    found = Other()", "    found = Client()", set()),
        ("    return fn\n", "    return Other()\n", {VIEWS}),  # unless it is written as a decorator
        # what importers see: stored on self, returned, read by a returned closure; passed to another module's
        # unannotated parameter
        ("        client = Client()", "        client = Other()", {VIEWS}),
        ("        made = Client()", "        made = Other()", {VIEWS}),
        ("    kind = Client\n", "    kind = Other\n", {VIEWS}),
        ("        job = Client\n", "        job = Other\n", {JOBS}),
    ],
)
def test_a_local_edit_re_resolves_only_what_can_see_it(
    project: Path, tmp_path: Path, old: str, new: str, seen: set[str]
) -> None:
    index = Index([project], cache_dir=tmp_path / "cache")
    index.build()
    assert graph_of(index) == fresh_graph(project, tmp_path)
    again = resolved_again(index, project / "app" / "service.py", old, new)
    assert SERVICE in again
    if seen:
        assert seen <= again, "a module that sees the change keeps a stale resolution"
    else:
        assert again == {SERVICE}, "an edit no other module can see re-resolved others"
    assert graph_of(index) == fresh_graph(project, tmp_path)
