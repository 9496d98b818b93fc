"""The editor's cost decision reads the hot functions of the files its file reaches (``weigh_file_costs``); each
file's are kept between refreshes while nothing they were read from changed (``Analyzer._hot_candidates``). After
every kind of edit, of the edited file or of the file holding the hot function, what a refresh recommends equals what
a fresh index and analysis recommend (tests/fixtures/cost_promote: ``similarity`` in names/distance.py is too hot for
a span, ``closest`` in names/dedupe.py is recommended in its place)."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest
from trace_advisor.analysis import Analyzer
from trace_advisor.cancel import NEVER
from trace_advisor.config import load_config
from trace_advisor.config_model import Config
from trace_advisor.datatypes import Recommendation
from trace_advisor.index import Index

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "cost_promote"
SIMILARITY = "names.distance:similarity"


# a second hot function (nested loops), an operation of three workspace calls whose confidence grows with its callers
SCORE = """\
\"\"\"Rank names by how alike they are to the others.\"\"\"

from __future__ import annotations

def normalise(name: str) -> str:
    return name.strip().lower()


def weight(name: str) -> float:
    return 1.0 + len(name) / 100


def bonus(a: str, b: str) -> float:
    return 0.5 if a[:1] == b[:1] else 0.0


def rank(names: list[str]) -> list[tuple[str, float]]:
    \"\"\"Each name with its summed likeness to the others, best first.\"\"\"
    scored = []
    for name in names:
        total = 0.0
        for other in names:
            total += len(normalise(name)) * weight(other) + bonus(name, other)
        scored.append((name, total))
    scored.sort(key=lambda pair: -pair[1])
    return scored
"""


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURE, tmp_path / "cost_promote")
    (tmp_path / "cost_promote" / "names" / "score.py").write_text(SCORE)
    return tmp_path / "cost_promote"


def refresh(index: Index, config: Config, path: Path) -> tuple[tuple[Recommendation, ...], ...]:
    """What the editor recommends in ``path`` (the server's refresh: one file's run and its cost decision), and the
    hot functions of other files that decision weighed (what is kept between refreshes)."""
    analyzer = Analyzer(index, config, index.graph())
    recs, _, _ = analyzer.run([path], NEVER, None)
    decided = tuple(analyzer.weigh_file_costs(path, recs))
    return decided, tuple(analyzer._reached_hot_candidates(path.resolve(), NEVER))


def fresh(project: Path, config: Config, path: Path) -> tuple[tuple[Recommendation, ...], ...]:
    index = Index.from_config(config, [project], use_cache=False)
    index.build()
    return refresh(index, config, path)


def edit(index: Index, path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    index.update_file(path, path.read_text())


# (file, old, new): each applied to the file as the previous ones left it
EDITS = [
    # a new function calls the hot one once (its callers change; an interface edit of the editor's file)
    (
        "dedupe.py",
        "\n\ndef dedupe(",
        "\n\ndef first(names: list[str]) -> float:\n    return similarity(names[0], names[-1])\n\n\ndef dedupe(",
    ),
    # a body edit of a caller: the loop around the hot calls goes (it is called once per call of closest)
    (
        "dedupe.py",
        "    for other in names:\n        if other != name:\n",
        "    for other in names[:1]:\n        if other != name:\n",
    ),
    # a new helper in the hot function's file, called in nested loops from the editor's file (made hot by a caller)
    (
        "distance.py",
        "\n\ndef similarity(",
        "\n\ndef norm(a: str) -> str:\n    return a.strip().lower()\n\n\ndef similarity(",
    ),
    (
        "dedupe.py",
        "    pairs = {}\n",
        "    pairs = {}\n    for one in names:\n        for two in names:\n            for three in names:\n"
        "                norm(one + two + three)\n",
    ),
    ("dedupe.py", "from names.distance import similarity\n", "from names.distance import norm, similarity\n"),
    # the hot function's file: its nested loops go, then come back
    ("distance.py", "        for j, right in enumerate(b, 1):\n", "        for j, right in [(1, b[0])]:\n"),
    ("distance.py", "        for j, right in [(1, b[0])]:\n", "        for j, right in enumerate(b, 1):\n"),
    # the helper calls the hot function (whose callers change from another file), then the new function goes
    ("distance.py", "    return a.strip().lower()\n", "    return a.strip().lower() if similarity(a, a) else a\n"),
    ("dedupe.py", "def first(names: list[str]) -> float:\n    return similarity(names[0], names[-1])\n\n\n", ""),
    # callers of the second hot function, from the editor's file: its confidence grows with them
    (
        "dedupe.py",
        "from names.distance import norm, similarity\n",
        "from names.distance import norm, similarity\nfrom names.score import rank\n",
    ),
    (
        "dedupe.py",
        "\n\ndef dedupe(",
        "\n\ndef best(names: list[str]) -> str:\n    return rank(names)[0][0]\n\n\ndef dedupe(",
    ),
    (
        "dedupe.py",
        "\n\ndef dedupe(",
        "\n\ndef worst(names: list[str]) -> str:\n    return rank(names)[-1][0]\n\n\ndef dedupe(",
    ),
    (
        "dedupe.py",
        "\n\ndef dedupe(",
        "\n\ndef middle(names: list[str]) -> str:\n    return rank(names)[1][0]\n\n\ndef dedupe(",
    ),
    (
        "dedupe.py",
        "    for name in names:\n        match",
        "    for name in names:\n        best(names)\n        match",
    ),
    ("dedupe.py", "def worst(names: list[str]) -> str:\n    return rank(names)[-1][0]\n\n\n", ""),
    # a line above everything in the editor's file: every function moves, none changes
    ("dedupe.py", '"""Group the names', '"""\n\nGroup the names'),
]


@pytest.mark.parametrize("scoring", ["rules", "calibrated"])
def test_kept_hot_candidates_decide_as_a_fresh_analysis_after_edits(project: Path, scoring: str) -> None:
    config = dataclasses.replace(load_config(project), scoring=scoring)
    index = Index.from_config(config, [project], use_cache=False)
    index.build()
    root = project / "names"
    dedupe = root / "dedupe.py"
    first = refresh(index, config, dedupe)
    assert first == fresh(project, config, dedupe)
    if scoring == "rules":
        promoted = [rec for rec in first[0] if rec.symbol == "names.dedupe:closest"]
        assert promoted and "in place of similarity" in promoted[0].rationale
    seen = {first}
    for number, (name, old, new) in enumerate(EDITS):
        edit(index, root / name, old, new)
        for path in (dedupe, root / "distance.py", root / "score.py"):
            decided = refresh(index, config, path)
            assert decided == fresh(project, config, path), (number, name, path.name)
            seen.add(decided)
    if scoring == "rules":  # (the calibrated model recommends nothing in these few lines: equal all the same)
        assert len(seen) > 3  # the edits changed what is recommended
