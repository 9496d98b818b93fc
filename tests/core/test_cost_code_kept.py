"""What the cost decision reads of other files' functions is kept between the editor's refreshes
(tests/fixtures/cost_promote: dedupe.py's decision weighs distance.py's hot ``similarity``): a keystroke in dedupe.py
builds the detectors' view of no function of another file, and the decision is a fresh index's."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path
from typing import Any

import pytest
from trace_advisor import analysis
from trace_advisor.analysis import Analyzer
from trace_advisor.cancel import NEVER
from trace_advisor.config import load_config
from trace_advisor.config_model import Config
from trace_advisor.datatypes import SymbolId
from trace_advisor.detect.context import FunctionContext
from trace_advisor.index import Index

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "cost_promote"


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURE, tmp_path / "cost_promote")
    return tmp_path / "cost_promote"


@pytest.fixture()
def contexts(monkeypatch: pytest.MonkeyPatch) -> list[SymbolId]:
    """The functions the analysis builds the detectors' view of (``FunctionContext``: its syntax walked, its calls
    matched with their resolved sites)."""
    built: list[SymbolId] = []

    class Counted(FunctionContext):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            built.append(self.symbol)

    monkeypatch.setattr(analysis, "FunctionContext", Counted)
    return built


def refresh(index: Index, config: Config, path: Path) -> list[tuple[SymbolId, str]]:
    """What the editor recommends in ``path`` (the server's refresh: one file's run and its cost decision)."""
    analyzer = Analyzer(index, config, index.graph())
    recs, _, _ = analyzer.run([path], NEVER, None)
    return [(rec.symbol, rec.rationale) for rec in analyzer.weigh_file_costs(path, recs)]


def fresh(project: Path, config: Config, path: Path) -> list[tuple[SymbolId, str]]:
    index = Index.from_config(config, [project], use_cache=False)
    index.build()
    return refresh(index, config, path)


def test_a_keystroke_reads_no_function_of_another_file_again(project: Path, contexts: list[SymbolId]) -> None:
    # the rules scorer: the test is about the cost decision's cache, its promoted caller was chosen with the rules
    config = dataclasses.replace(load_config(project), scoring="rules")
    dedupe = project / "names" / "dedupe.py"
    index = Index.from_config(config, [project], use_cache=False)
    index.build()
    before = refresh(index, config, dedupe)
    assert "names.distance:similarity" in contexts, "the decision weighs distance.py's hot function"
    assert "names.dedupe:closest" in {symbol for symbol, _ in before}, "promoted in place of similarity"

    text = dedupe.read_text()
    for typed in ("  # t", "  # ty", "  # typ"):  # typing a comment at the end of a line of closest's body
        contexts.clear()
        dedupe.write_text(
            text.replace("best, best_score = None, THRESHOLD", f"best, best_score = None, THRESHOLD{typed}")
        )
        index.update_file(dedupe, dedupe.read_text())
        decided = refresh(index, config, dedupe)
        assert contexts, "the edited function is analysed again"
        assert all(symbol.startswith("names.dedupe:") for symbol in contexts), contexts
        assert decided == fresh(project, config, dedupe) == before
