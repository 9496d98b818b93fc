"""Interface edits that keep call-site answers (tests/fixtures/kept_sites): after each edit, made through
``update_file`` as the editor makes it, the call graph equals a fresh index's of the same files, whether the edited
module's other sites kept their answers (a def appended or changed that no other module names) or could not (a class
changed, a decorated definition changed, another module reads a changed name)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from trace_advisor.index import Index

from tests.core.test_interface_edits import fresh_graph, graph_of

LATER = "\n\ndef later(value):\n    return first(value)\n"
DECO = "\n\ndef deco(fn):\n    return fn\n"
# (text before, text after, whether sites kept their answers)
EDITS: list[tuple[str, str, bool]] = [
    ("    return Node().run()\n", "    return Node().run()\n" + LATER, True),  # use() called it already
    ("    return first\n", "    return second\n", True),  # go() calls what make() returns
    ("    return first(value)\n", "    return second(value)\n", True),  # later's own call
    ("def chain(value):\n", "def chain(value):\n    later(value)\n", False),  # a call passing later() a value
    ("    def size(self):\n", "    def step(self):\n", False),  # Node.run's self.step() reaches it
    ("    return second(value)\n", "    return second(value)\n" + DECO, True),  # a decorator defined
    ("\n\ndef later(value):\n", "\n\n@deco\ndef later(value):\n", False),  # and applied
    ("def many(value):\n", "def chain2(value):\n    return chain(value)\n\n\ndef many(value):\n", True),  # new
    ("def chain(value):\n", "def chain(value, extra=None):\n", False),  # views.py names chain
    ("\n\n@deco\ndef later(value):\n    return second(value)\n", "", False),  # a decorated def removed
]


@pytest.fixture()
def project(fixtures_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "kept_sites"
    shutil.copytree(fixtures_dir / "kept_sites", target)
    return target


def test_kept_sites_give_the_graph_of_a_fresh_index(project: Path, tmp_path: Path) -> None:
    index = Index([project], cache_dir=tmp_path / "cache")
    index.build()
    assert graph_of(index) == fresh_graph(project, tmp_path / "fresh")
    path = project / "app" / "parser.py"
    for number, (old, new, stand) in enumerate(EDITS):
        text = path.read_text()
        assert old in text, (number, old)
        kept = index.site_counts()[1]
        edited = text.replace(old, new, 1)
        assert index.update_file(path, edited) is None
        path.write_text(edited)
        assert graph_of(index) == fresh_graph(project, tmp_path / f"fresh-{number}"), (number, new)
        assert (index.site_counts()[1] > kept) == stand, (number, "sites kept", index.site_counts()[1] - kept)
