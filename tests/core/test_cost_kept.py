"""The cost decision's calls per request are kept between the editor's refreshes while no function's calls changed
(tests/fixtures/cost_hot, threshold 1,500: `parse_url` is estimated at 1,000 calls per request): an edit that moves
code without changing who calls whom, how often or in which loops counts nothing again; an edit that adds a call (the
same callee, so the graph's shape is the same) or takes a loop away decides again, as a fresh index and analysis
decide it."""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from trace_advisor import cost
from trace_advisor.analysis import Analyzer
from trace_advisor.cancel import NEVER
from trace_advisor.config import load_config
from trace_advisor.config_model import Config
from trace_advisor.datatypes import SymbolId
from trace_advisor.index import Index

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "cost_hot"
PARSE_URL = "catalog.urls:parse_url"


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURE, tmp_path / "cost_hot")
    return tmp_path / "cost_hot"


@pytest.fixture()
def config(project: Path) -> Config:
    # the rules scorer: the test is about the cost decision, its callers were chosen with the rules' confidences
    return dataclasses.replace(load_config(project), hot_calls_per_unit=1500, scoring="rules", min_confidence=0.5)


@pytest.fixture()
def walks(monkeypatch: pytest.MonkeyPatch) -> list[SymbolId]:
    """The entry points whose calls per request are counted (each a walk of the graph below it)."""
    counted: list[SymbolId] = []
    real = cost.calls_from

    def counting(entry: SymbolId, calls: Callable[[SymbolId], Mapping[SymbolId, float]]) -> dict[SymbolId, float]:
        counted.append(entry)
        return real(entry, calls)

    monkeypatch.setattr(cost, "calls_from", counting)
    return counted


def refresh(index: Index, config: Config, path: Path) -> set[SymbolId]:
    """What the editor recommends in ``path`` (the server's refresh: one file's run and its cost decision)."""
    analyzer = Analyzer(index, config, index.graph())
    recs, _, _ = analyzer.run([path], NEVER, None)
    return {rec.symbol for rec in analyzer.weigh_file_costs(path, recs)}


def fresh(project: Path, config: Config, path: Path) -> set[SymbolId]:
    index = Index.from_config(config, [project], use_cache=False)
    index.build()
    return refresh(index, config, path)


def edit(index: Index, path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    index.update_file(path, path.read_text())


def test_request_counts_are_kept_until_a_function_calls_something_else(
    project: Path, config: Config, walks: list[SymbolId]
) -> None:
    urls, crawl = project / "catalog" / "urls.py", project / "catalog" / "crawl.py"
    index = Index.from_config(config, [project], use_cache=False)
    index.build()
    assert PARSE_URL in refresh(index, config, urls)  # 1,000 calls per request: under the threshold
    assert walks

    # a body edit above the others: every function below moves, none calls anything else
    walks.clear()
    edit(index, urls, "    if len(url) > MAX_URL_LENGTH:\n", "    limit = MAX_URL_LENGTH\n    if len(url) > limit:\n")
    decided = refresh(index, config, urls)
    assert not walks, "counted again although no function calls anything else"
    assert PARSE_URL in decided
    assert decided == fresh(project, config, urls)

    # one more call of parse_url from resolve (the same callers and callees): 2,000 calls per request
    walks.clear()
    edit(index, urls, "    default = DEFAULT_PORTS", "    parse_url(link)\n    default = DEFAULT_PORTS")
    decided = refresh(index, config, urls)
    assert walks
    assert PARSE_URL not in decided
    assert decided == fresh(project, config, urls)

    # a loop taken away in another file (the graph's shape is the same): 200 calls per request
    walks.clear()
    edit(
        index,
        crawl,
        "            for piece in line.split('href=\"')[1:]:\n                found.append(",
        "            if line:\n                piece = line\n                found.append(",
    )
    decided = refresh(index, config, urls)
    assert walks
    assert PARSE_URL in decided
    assert decided == fresh(project, config, urls)
