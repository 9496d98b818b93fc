"""Many interface edits of one module (tests/fixtures/kept_sites), as typing gives them: a function appended, changed
to pass another function to a parameter, removed and typed again, forty times. What interface edits read of the
module's facts is kept between edits by object identity and pruned as the edits pile up (``resolve/interface.py``'s
``Mentioned``); after every edit the call graph equals a fresh index's of the same files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from trace_advisor.index import Index
from trace_advisor.resolve.interface import changed_calls, changed_names
from trace_advisor.resolve.mentioned import Mentioned

from tests.core.test_interface_edits import fresh_graph, graph_of

PICK = "\n\ndef pick(fn):\n    return fn\n"
# what is typed at the end of parser.py: nothing; a relay calling what ``pick`` returns (``first``, then ``second``:
# the call passes another function to ``pick``'s parameter); a relay calling ``chain`` by name
VARIANTS = (
    "",
    "\n\ndef relay(value):\n    return pick(first)(value)\n" + PICK,
    "\n\ndef relay(value):\n    return pick(second)(value)\n" + PICK,
    "\n\ndef relay(value):\n    return chain(value)\n",
)
ORDER = (1, 2, 1, 0, 3, 2, 0, 2, 1, 3) * 4


@pytest.fixture()
def project(fixtures_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "kept_sites"
    shutil.copytree(fixtures_dir / "kept_sites", target)
    return target


def test_many_interface_edits_give_the_graph_of_a_fresh_index(project: Path, tmp_path: Path) -> None:
    index = Index([project], cache_dir=tmp_path / "cache")
    index.build()
    path = project / "app" / "parser.py"
    text = path.read_text()
    fresh: dict[int, dict[str, list[tuple[str, ...]]]] = {}
    graph_of(index)
    for number, variant in enumerate(ORDER):
        edited = text + VARIANTS[variant]
        assert index.update_file(path, edited) is None
        if variant not in fresh:
            path.write_text(edited)
            fresh[variant] = fresh_graph(project, tmp_path / f"fresh-{variant}")
        found = graph_of(index)
        assert found == fresh[variant], (number, variant)
        callees = {edge[0] for edge in found.get("app.parser:relay", [])}
        assert ("app.parser:first" in callees, "app.parser:second" in callees) == (variant == 1, variant == 2), number


def test_what_is_kept_between_edits_reads_as_the_facts_do(project: Path, tmp_path: Path) -> None:
    """The changed names and the calls that may pass other values, read with what earlier edits kept (one
    ``Mentioned`` for the whole sequence) and afresh, agree for every edit of the sequence."""
    index = Index([project], cache_dir=tmp_path / "cache")
    index.build()
    path = project / "app" / "parser.py"
    text = path.read_text()
    seen = Mentioned()
    old = index.facts(path)
    for number, variant in enumerate(ORDER):
        assert index.update_file(path, text + VARIANTS[variant]) is None
        new = index.facts(path)
        assert old is not None and new is not None
        names = changed_names(old, new)
        assert changed_names(old, new, seen) == names, number
        if names:
            assert changed_calls(old, new, names, seen) == changed_calls(old, new, names), number
        seen.keep(new)
        old = new
