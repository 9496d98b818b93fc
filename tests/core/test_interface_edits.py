"""Interface edits (tests/fixtures/interface_edits): a function added, renamed or removed, a base class, an import
and an alias changed, a name appearing behind a star import, a decorator's result changed. After each edit, made
through ``update_file`` as the editor makes it, the call graph equals a fresh index's of the same files; an edit
that changes a name no other module names re-resolves the edited module alone."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from trace_advisor.index import Index

MODULES = ("app.models", "app.util", "app.reexport", "app.service", "app.views", "app.unrelated")

# (file, text before, text after, the modules that must be resolved again; None: not checked)
EDITS: list[tuple[str, str, str, set[str] | None]] = [
    ("util.py", "def other():\n", "def added():\n    pass\n\n\ndef other():\n", {"app.util"}),  # named nowhere
    ("util.py", "def other():\n", "def renamed():\n", None),  # views' util.other() no longer resolves
    ("util.py", "def renamed():\n", "def other():\n", None),  # and back
    ("util.py", "def added():\n    pass\n\n\n", "def relay(x):\n    return call(x)\n\n\n", {"app.util"}),  # renamed
    ("util.py", "def relay(x):\n    return call(x)\n\n\n", "", {"app.util"}),  # removed
    ("models.py", "class Store(Base):", "class Store(Other):", None),  # a base class
    ("models.py", "Alias = Store\n", "Alias = Other\n", None),  # an alias
    ("service.py", "import call, logged, pick\n", "import call as logged, other as call, pick\n", None),  # an import
    ("service.py", "import call as logged, other as call, pick\n", "import call, logged, pick\n", None),
    ("models.py", "def make_store():\n", "def extra():\n    return Base()\n\n\ndef make_store():\n", None),  # star
    ("util.py", "    return wrapper\n", "    return fn\n", None),  # what the decorator returns
    ("models.py", "def make_store():\n    return Store()\n", "def make_store():\n    return Other()\n", None),
    ("models.py", "class Store(Other):", "class Store(Base):", None),
    ("models.py", "    def load(self):\n        pass\n\n\nclass Other:", "\n\nclass Other:", None),  # a method removed
    # a new function passing util's own ``call`` another value: what ``call`` returns changes for service
    (
        "util.py",
        "def other():\n",
        "class Helper:\n    def save(self):\n        pass\n\n\ndef use():\n    return call(Helper)\n\n\ndef other():\n",
        None,
    ),
    # a lambda held by a name receives another value (no definition is named ``pick``)
    ("util.py", "def other():\n", "def use_too():\n    return pick(Helper)\n\n\ndef other():\n", None),
]


def graph_of(index: Index) -> dict[str, list[tuple[str, ...]]]:
    """Every function's callees (with how and on which line they are reached), unresolved calls (with why) and
    callers."""
    graph = index.graph()
    return {
        symbol: sorted({(e.callee, e.dispatch, e.via or "", str(e.range.start.line)) for e in graph.callees(symbol)})
        + sorted({(u.text, u.reason) for u in graph.unresolved(symbol)})
        + sorted({(e.caller,) for e in graph.callers(symbol)})
        for symbol in graph.symbols()
    }


def fresh_graph(project: Path, cache: Path) -> dict[str, list[tuple[str, ...]]]:
    index = Index([project], cache_dir=cache, use_cache=False)
    index.build()
    return graph_of(index)


@pytest.fixture()
def project(fixtures_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "interface_edits"
    shutil.copytree(fixtures_dir / "interface_edits", target)
    return target


def test_interface_edits_give_the_graph_of_a_fresh_index(project: Path, tmp_path: Path) -> None:
    index = Index([project], cache_dir=tmp_path / "cache")
    index.build()
    assert graph_of(index) == fresh_graph(project, tmp_path / "fresh")
    seen = graph_of(index)
    for number, (name, old, new, again) in enumerate(EDITS):
        path = project / "app" / name
        text = path.read_text()
        assert old in text, (number, old)
        before = {module: index.module_calls(module) for module in MODULES}
        edited = text.replace(old, new, 1)
        assert index.update_file(path, edited) is None  # the editor's text; the disk's is saved for a fresh index
        path.write_text(edited)
        found = graph_of(index)
        assert found == fresh_graph(project, tmp_path / f"fresh-{number}"), (number, name, new)
        if again is not None:
            resolved = {module for module, calls in before.items() if index.module_calls(module) is not calls}
            assert resolved == again, (number, "re-resolved", resolved)
        else:
            assert found != seen, (number, "an edit the test means to change the graph changed nothing")
        seen = found


def test_names_a_star_import_sees_follow_all(project: Path, tmp_path: Path) -> None:
    """``__all__`` written, then removed, in a module others star-import: the names they see appear and go."""
    index = Index([project], cache_dir=tmp_path / "cache")
    index.build()
    models = project / "app" / "models.py"
    text = models.read_text()
    for number, edited in enumerate((f'__all__ = ["Other"]\n\n{text}', text)):
        assert index.update_file(models, edited) is None
        models.write_text(edited)
        assert graph_of(index) == fresh_graph(project, tmp_path / f"fresh-{number}"), number
