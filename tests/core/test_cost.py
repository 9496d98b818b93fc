"""Cost of spans (tests/fixtures/cost): a function doing I/O itself keeps its span in the loop, tiny helpers are left
out, and reports estimate the spans one call of each entry point makes; the per-row parser and the summary, which only
handle errors and return early, are no candidates at all."""

from __future__ import annotations

import ast
import dataclasses
import json
from pathlib import Path

import jsonschema
import pytest
from trace_advisor.analysis import analyze
from trace_advisor.config import load_config
from trace_advisor.cost import combined, places
from trace_advisor.datatypes import LOOP_ITERATIONS, AnalysisResult, LoopRef
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
    # parse_row (called per row) and summary (only computes) handle errors and return early and do nothing else: no
    # work of their own, never candidates (tests/cli/test_handling_only.py), so no cost note is needed for them; the
    # notes themselves are checked on hot and looped helpers in tests/cli/test_cost_hot.py and test_held_rules.py
    assert result.left_out == ()
    assert not {"batchapp.imports:parse_row", "batchapp.imports:summary"} & recommended


def test_spans_per_request_of_what_is_kept(result: AnalysisResult) -> None:
    costs = {rec.symbol: rec.cost for rec in result.recommendations}
    store, imports = costs["batchapp.imports:store"], costs["batchapp.imports:import_orders"]
    assert store is not None and imports is not None
    assert (store.per_request, store.entry) == (LOOP_ITERATIONS, "batchapp.imports:main")  # once per row
    assert store.one_pass == 1  # were the file one row long: the loop the figure rests on is named
    assert store.loop == LoopRef("for row in csv.DictReader(handle)", "batchapp.imports:import_orders")
    assert (imports.per_request, imports.one_pass, imports.loop) == (1, 1, None)
    volume = result.volume
    assert volume is not None and volume.entry == "batchapp.imports:main"
    assert volume.per_request == sum(c.per_request or 0 for c in costs.values() if c and c.entry == volume.entry)
    assert volume.one_pass == sum(c.one_pass or 0 for c in costs.values() if c and c.entry == volume.entry)


def test_reports_show_the_cost(result: AnalysisResult) -> None:
    config = load_config(ROOT)
    coded = render(result, "md", config=config, root=ROOT)
    assert "## Left out for cost" not in coded  # nothing was a candidate to leave out (see above)
    assert "spans per CLI run** at the busiest entry point, `batchapp.imports:main`" in coded
    assert (
        "- Cost: about 10 spans per CLI run of `batchapp.imports:main` (estimated from the call graph; 1 if each loop"
        " over items ran once: it runs per item of `for row in csv.DictReader(handle)` in"
        " `batchapp.imports:import_orders`, counted as 10)"
    ) in coded
    templated = render(result, "md", config=config, root=ROOT, template=default_template())
    assert templated == coded  # the bundled template shows the same figures, per recommendation and together
    report = json.loads(render(result, "json", config=config, root=ROOT))
    schema = json.loads((ROOT.parents[2] / "config" / "recommendations.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(report)
    assert report["volume"]["entry"] == "batchapp.imports:main"
    assert report["left_out"] == []


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
        assert "about **2,200,000 spans per CLI run** at the busiest entry point" in text


def _nests(source: str) -> dict[str, tuple[tuple[str, float], ...]]:
    function = ast.parse(source).body[0]
    assert isinstance(function, ast.FunctionDef)
    found = {node: place.loops for node, place in places(function).items()}
    return {
        n.func.id if isinstance(n.func, ast.Name) else ast.unparse(n.func): tuple(
            (loop.kind, loop.times) for loop in found[id(n)]
        )
        for n in ast.walk(function)
        if isinstance(n, ast.Call) and found.get(id(n))
    }


def test_calls_that_repeat_per_iteration() -> None:
    nests = _nests("""
def f(items, n):
    for x in load(items):          # the iterable runs once
        use(x)
    while more(n):
        step()
    done()
    return [g(y) for y in fetch() if keep(y)] + [h(z) for a in pairs() for z in inner(a)]
""")
    repeated = {name for name, nest in nests.items() if nest}
    assert repeated == {"use", "more", "step", "g", "keep", "h", "inner"}
    assert len(nests["inner"]) == 1 and len(nests["h"]) == 2 and "load" not in nests and "done" not in nests
    assert all(kind == "items" and times == LOOP_ITERATIONS for nest in nests.values() for kind, times in nest)


def test_a_loop_counts_what_its_shape_says() -> None:
    nests = _nests("""
def send(self, request, regions):
    for attempt in range(self.max_retries):        # a retry loop: one pass
        retried()
    while True:                                    # leaves at the end of its first pass unless a handler continues
        try:
            return attempted()
        except Timeout:
            continue
    location = first()
    while location:                                # follows redirects up to a bound
        followed()
        if hops >= self.max_redirects:
            raise TooManyRedirects()
    for region in ("eu", "us", "ap"):              # a count the code gives
        pinged(region)
    keys = [request.scheme, "all"]
    for key in keys:
        looked_up(key)
    for _ in range(2, 8):
        [per_cell(c) for c in range(4)]
    for item in regions:                           # items of unknown number
        per_item(item)
    grown = [1]
    grown.append(2)
    for g in grown:
        per_grown(g)
    while pos < len(text):                         # a parser's loop, not a retry
        parsed()
""")
    assert nests["retried"] == nests["attempted"] == nests["followed"] == (("retry", 1.0),)
    assert nests["pinged"] == (("fixed", 3.0),)
    assert nests["looked_up"] == (("fixed", 2.0),)  # a local name bound once to a display
    assert nests["per_cell"] == (("fixed", 6.0), ("fixed", 4.0))
    assert nests["per_item"] == nests["per_grown"] == nests["parsed"] == (("items", LOOP_ITERATIONS),)


def test_calls_in_two_arms_of_a_branch_count_once() -> None:
    function = ast.parse("""
def send(self, request, allow_redirects, kind):
    if allow_redirects:
        history = [r for r in self.resolve(request)]
    else:
        history = []
    if not allow_redirects:                        # the other arm of the first ``if``
        self.resolve(request)
    if kind == "a":
        self.save(request)
    elif kind == "b":
        self.save(request)
        self.save(request)
    self.save(request) if kind else self.log()
    match kind:
        case "x":
            self.log()
        case _:
            self.log()
""").body[0]
    assert isinstance(function, ast.FunctionDef)
    found = places(function)
    sites: dict[str, list[tuple[tuple[tuple[int, int], ...], float]]] = {}
    for node in ast.walk(function):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in {"resolve", "save", "log"}
        ):
            sites.setdefault(node.func.attr, []).append((found[id(node)].arms, 1.0))
    assert combined(sites["resolve"]) == 1  # ``if allow_redirects`` / ``if not allow_redirects``
    assert combined(sites["save"]) == 3  # the larger arm of the ``if``/``elif`` (2), and the conditional expression
    assert combined(sites["log"]) == 2  # one of the conditional expression, one of the match


def test_places_leave_no_garbage_cycle() -> None:
    """Every refresh weighs the cost of its file's functions (``places`` per function): what a call made is freed
    when it returns, never left for the cyclic collector (the language server sets what a refresh keeps aside from
    that collector, and garbage cycles young then would never be collected)."""
    import gc

    function = ast.parse("def f(items):\n    for item in items:\n        if item:\n            item.save()\n").body[0]
    assert isinstance(function, ast.FunctionDef)
    enabled = gc.isenabled()
    gc.disable()
    try:
        gc.collect()
        for _ in range(10):
            assert len(places(function)) == 1
        assert gc.collect() == 0
    finally:
        if enabled:
            gc.enable()
