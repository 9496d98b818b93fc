"""Edits that keep property-read answers (tests/fixtures/kept_reads): after each edit, made through ``update_file`` as
the editor makes it, the call graph equals a fresh index's of the same files, and when the edit left the module's
other sites as they were, its property reads outside the edited definition kept their answers too (they run the same
getters) instead of being evaluated again."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from trace_advisor.index import Index

from tests.core.test_interface_edits import fresh_graph, graph_of

LATER = "\n\ndef later(box: Box):\n    return box.inner.area\n"
# (text before, text after, the top-level definition it edits, whether the other sites keep their answers)
EDITS: list[tuple[str, str, str, bool]] = [
    ('    return f"{box.width}: {box.area}"\n', '    return f"{box.width}: {box.area}"\n' + LATER, "later", True),
    ("        return Box(self.width - 1)\n", "        return Crate(self.width - 1)\n", "Box", False),  # inner
    ("    return str(box.area)\n", "    return str(Crate(box.width).area)\n", "describe", True),
    (LATER, "", "later", True),
]


@pytest.fixture()
def project(fixtures_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "kept_reads"
    shutil.copytree(fixtures_dir / "kept_reads", target)
    return target


def test_kept_reads_give_the_graph_of_a_fresh_index(project: Path, tmp_path: Path) -> None:
    index = Index([project], cache_dir=tmp_path / "cache")
    index.build()
    assert graph_of(index) == fresh_graph(project, tmp_path / "fresh")
    path = project / "app" / "shapes.py"
    for number, (old, new, edited_name, stand) in enumerate(EDITS):
        text = path.read_text()
        assert old in text, (number, old)
        kept = index.site_counts()[1]
        edited = text.replace(old, new, 1)
        assert index.update_file(path, edited) is None
        path.write_text(edited)
        assert graph_of(index) == fresh_graph(project, tmp_path / f"fresh-{number}"), (number, new)
        facts = index.facts(path)
        assert facts is not None
        # the sites and the property reads outside the edited definition
        others = [s for s in (*facts.calls, *facts.reads) if s.scope.partition(".")[0] != edited_name]
        assert any(s.chain and s.chain[-1] == "area" for s in facts.reads if s in others)
        gained = index.site_counts()[1] - kept
        assert gained == (len(others) if stand else 0), (number, gained, len(others))
