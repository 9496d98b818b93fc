"""Cost of spans (tests/fixtures/cost): a helper a recommended function calls once per loop iteration is left out
with the reason, a function doing I/O itself keeps its span in the loop, tiny helpers are left out, and reports
estimate the spans one call of each entry point makes; a helper that only computes under recommended callers is left
out too."""

from __future__ import annotations

import ast
import dataclasses
import json
from pathlib import Path

import jsonschema
import pytest
from trace_advisor.analysis import analyze
from trace_advisor.config import load_config
from trace_advisor.cost import LOOP_ITERATIONS, loop_depths, repeated_calls
from trace_advisor.datatypes import AnalysisResult
from trace_advisor.index import Index
from trace_advisor.report import default_template, render
from trace_advisor.report.facts import about
from trace_advisor.volume import estimate_costs

ROOT = Path(__file__).resolve().parent.parent / "fixtures" / "cost"


@pytest.fixture(scope="module")
def result() -> AnalysisResult:
    config = load_config(ROOT)
    index = Index.from_config(config, [ROOT], use_cache=False)
    index.build()
    return estimate_costs(analyze(index, config), index, config)


def test_a_helper_called_per_iteration_is_left_out_and_io_keeps_its_span(result: AnalysisResult) -> None:
    recommended = {rec.symbol for rec in result.recommendations}
    assert {"batchapp.imports:import_orders", "batchapp.imports:store"} <= recommended  # store writes to the db
    looped, computed = result.left_out
    assert looped.symbol == "batchapp.imports:parse_row" and looped.line == 11
    assert looped.reason.startswith("called in a loop of import_orders (also recommended): one span per iteration")
    assert computed.symbol == "batchapp.imports:summary"  # only computes, and its one caller has a span
    assert computed.reason.startswith("computation with no I/O of its own, and every caller is recommended")
    assert not {"batchapp.imports:parse_row", "batchapp.imports:summary"} & recommended


def test_spans_per_request_of_what_is_kept(result: AnalysisResult) -> None:
    costs = {rec.symbol: rec.cost for rec in result.recommendations}
    store, imports = costs["batchapp.imports:store"], costs["batchapp.imports:import_orders"]
    assert store is not None and imports is not None
    assert (store.per_request, store.entry) == (LOOP_ITERATIONS, "batchapp.imports:main")  # once per row
    assert imports.per_request == 1
    volume = result.volume
    assert volume is not None and volume.entry == "batchapp.imports:main"
    assert volume.per_request == sum(c.per_request or 0 for c in costs.values() if c and c.entry == volume.entry)


def test_reports_show_the_cost(result: AnalysisResult) -> None:
    config = load_config(ROOT)
    coded = render(result, "md", config=config, root=ROOT)
    assert "## Left out for cost" in coded
    assert "- `batchapp.imports:parse_row` (`batchapp/imports.py:11`): called in a loop of import_orders" in coded
    assert "spans per request** at the busiest entry point, `batchapp.imports:main`" in coded
    assert "- Cost: about 10 spans per call of `batchapp.imports:main` (estimated from the call graph)" in coded
    templated = render(result, "md", config=config, root=ROOT, template=default_template())
    assert templated == coded  # the bundled template shows the same figures, per recommendation and together
    report = json.loads(render(result, "json", config=config, root=ROOT))
    schema = json.loads((ROOT.parents[2] / "config" / "recommendations.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(report)
    assert report["volume"]["entry"] == "batchapp.imports:main"
    assert [n["symbol"] for n in report["left_out"]] == ["batchapp.imports:parse_row", "batchapp.imports:summary"]
    nothing = render(dataclasses.replace(result, left_out=()), "md", config=config, root=ROOT)
    assert "## Left out for cost" not in nothing


def test_large_estimates_read_as_numbers(result: AnalysisResult) -> None:
    # nested loops across a batch job's calls reach millions (mealie's nightly clean-up: 2,183,110), which read as
    # "2.18e+06 spans per request" in both Markdown reports
    assert [about(x) for x in (1, 1.5, 10, 176, 61_111, 2_183_110)] == ["1", "1.5", "10", "180", "61,000", "2,200,000"]
    assert result.volume is not None
    big = dataclasses.replace(result, volume=dataclasses.replace(result.volume, per_request=2_183_110.0))
    config = load_config(ROOT)
    for text in (
        render(big, "md", config=config, root=ROOT),
        render(big, "md", config=config, root=ROOT, template=default_template()),
    ):
        assert "about **2,200,000 spans per request** at the busiest entry point" in text


def test_calls_that_repeat_per_iteration() -> None:
    source = """
def f(items, n):
    for x in load(items):          # the iterable runs once
        use(x)
    while more(n):
        step()
    done()
    return [g(y) for y in fetch() if keep(y)] + [h(z) for a in pairs() for z in inner(a)]
"""
    function = ast.parse(source).body[0]
    assert isinstance(function, ast.FunctionDef)
    repeated = repeated_calls(function)
    names = {n.func.id for n in ast.walk(function) if isinstance(n, ast.Call) and id(n) in repeated}  # type: ignore[union-attr]
    assert names == {"use", "more", "step", "g", "keep", "h", "inner"}
    found = loop_depths(function)
    depths = {n.func.id: found[id(n)] for n in ast.walk(function) if isinstance(n, ast.Call)}  # type: ignore[union-attr]
    assert depths["inner"] == 1 and depths["h"] == 2 and depths["load"] == depths["done"] == 0
