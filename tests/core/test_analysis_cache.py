"""Analysis results kept between runs (per function, per parsed module) equal a fresh analysis after every kind of
edit, and unchanged functions are not analysed again. Works on a copy of the examples app."""

from __future__ import annotations

import dataclasses
import gc
import shutil
import weakref
from pathlib import Path
from typing import Any

import pytest
from trace_advisor.analysis import Analyzer
from trace_advisor.analysis_cache import AnalysisCache
from trace_advisor.cancel import NEVER
from trace_advisor.config import config_from_mapping
from trace_advisor.config_model import Config
from trace_advisor.datatypes import Problem, Recommendation
from trace_advisor.detect.graph_facts import GraphFactsBuilder
from trace_advisor.index import Index

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLES / "shop", tmp_path / "shop")
    return tmp_path


@pytest.fixture()
def config() -> Config:
    """The rules scorer: with the calibrated one (the default) each run makes the verdicts again from the model's
    probabilities, and a recommendation is the same object only while its verdict is equal (the last test)."""
    return config_from_mapping({"scoring": "rules"}, "test_analysis_cache")


@pytest.fixture()
def index(project: Path, config: Config) -> Index:
    built = Index.from_config(config, [project], use_cache=False)
    built.build()
    return built


def run(index: Index, config: Config, path: Path, cache: AnalysisCache | None = None) -> tuple[object, ...]:
    analyzer = Analyzer(index, config, index.graph(), cache=cache)
    recs, problems, _ = analyzer.run([path], NEVER, None)
    candidates = [(ctx.symbol, signals, rec, confidence) for ctx, signals, rec, confidence in analyzer.candidates]
    return tuple(recs), tuple(problems), tuple(candidates)


def by_symbol(recs: object) -> dict[str, Recommendation]:
    assert isinstance(recs, tuple)
    return {r.symbol: r for r in recs}


def test_kept_results_equal_a_fresh_analysis_after_edits(project: Path, config: Config, index: Index) -> None:
    orders = project / "shop" / "services" / "orders.py"
    payments = project / "shop" / "clients" / "payments.py"
    text, payments_text = orders.read_text(), payments.read_text()
    edits = [
        (orders, text),  # first run: nothing kept yet
        (
            orders,
            text.replace(
                "        return self.orders.get(order_id)\n", "        return self.orders.get(order_id)  # \n"
            ),
        ),
        (orders, text.replace('"""The order lifecycle', '"""\n\nThe order lifecycle')),  # every line moves down
        (orders, text.replace("from ..clients.payments import PaymentsClient\n", "")),  # the calls' types change
        (orders, text.replace("        self.payments.refund(order.payment_id)\n", "        pass\n")),
        (
            orders,
            text.replace("    def get_order(self, order_id: str) -> Order:", "    def get_order(self, order_id):"),
        ),
        (orders, text.replace("return self.orders.get(order_id)", "return self.orders.get(order_id")),  # broken
        (orders, text),
        # a callee in another module stops doing I/O: its callers' evidence changes without their text changing
        (payments, payments_text.replace("with urllib.request.urlopen(req, timeout=self.timeout) as resp:", "if req:")),
        (payments, payments_text),
    ]
    for path, new_text in edits:
        index.update_file(path, new_text)
        for analysed in (orders, payments):
            kept = run(index, config, analysed)
            assert kept == run(index, config, analysed, AnalysisCache()), (path.name, analysed.name)


def test_unchanged_functions_are_not_analysed_again(project: Path, config: Config, index: Index) -> None:
    orders = project / "shop" / "services" / "orders.py"
    text = orders.read_text()
    first = by_symbol(run(index, config, orders)[0])
    again = by_symbol(run(index, config, orders)[0])
    assert first and all(again[s] is first[s] for s in first)  # the very same objects: nothing recomputed

    index.update_file(orders, text.replace("self.payments.refund(order.payment_id)", "self.payments.refund(order.id)"))
    edited = by_symbol(run(index, config, orders)[0])
    cancel = "shop.services.orders:OrderService.cancel_order"
    assert edited[cancel] is not first[cancel] and edited[cancel] != first[cancel]
    assert all(edited[s] is first[s] for s in first if s != cancel)

    # another configuration: nothing kept applies
    lower = dataclasses.replace(config, min_confidence=0.3)
    relaxed = run(index, lower, orders)
    assert relaxed == run(index, lower, orders, AnalysisCache())
    assert relaxed[0] and not any(r is edited.get(r.symbol) for r in by_symbol(relaxed[0]).values())


def test_a_run_is_freed_as_soon_as_it_is_dropped(project: Path, config: Config, index: Index) -> None:
    """A run as the editor makes one per keystroke (the file's analysis, then the cost decision) holds no reference
    cycle, so reference counting frees it with its files' lines and syntax trees: the index freezes whatever is alive
    when it settles (``gc.freeze``, during a run too), and a run in a cycle was then kept for good (the language
    server's memory grew ~0.6 MB per keystroke on a 3,000-line file)."""
    orders = project / "shop" / "services" / "orders.py"
    text = orders.read_text()
    enabled = gc.isenabled()
    gc.disable()  # only reference counting frees anything below
    try:
        for edit in range(3):
            index.update_file(orders, f"{text}\n# edit {edit}\n")
            analyzer = Analyzer(index, config, index.graph())
            recs, _, _ = analyzer.run([orders], NEVER, None)
            kept, _ = analyzer.weigh_costs(recs)
            assert kept and analyzer.request_counts() is not None  # the helpers that held the analyzer were made
            run = weakref.ref(analyzer)
            del analyzer
            assert run() is None, f"edit {edit}: the analysis run is still alive (a reference cycle)"
    finally:
        if enabled:
            gc.enable()


def test_every_file_a_run_read_is_kept_for_the_next(
    project: Path, config: Config, index: Index, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An editor's refresh reads the edited file and every file it reaches (the cost decision): more files than the
    recently edited ones kept besides them (``_MAX_FILES``, 1 here) must not evict each other before the next
    refresh, which reads them again (on paperless-ngx's views.py, 43 files: every function was analysed again)."""
    monkeypatch.setattr("trace_advisor.analysis_cache._MAX_FILES", 1)
    analysed: list[str] = []
    analyse = Analyzer._analyse_function

    def counted(self: Analyzer, *args: Any) -> Any:  # the real analysis, counted
        analysed.append(args[1].symbol)
        return analyse(self, *args)

    monkeypatch.setattr(Analyzer, "_analyse_function", counted)
    files = sorted((project / "shop").rglob("*.py"))
    cache = AnalysisCache()
    first = run_files(index, config, files, cache)
    assert len(files) > 3 and len(analysed) > 20
    analysed.clear()
    assert run_files(index, config, files, cache) == first
    assert analysed == []  # nothing analysed again
    assert first == run_files(index, config, files, AnalysisCache())
    # memory stays bounded: a run over other files keeps those and one more, the next run over the first ones
    # analyses them again
    half = [f for f in files if "services" in f.parts or "clients" in f.parts]
    cache = AnalysisCache()
    run_files(index, config, half, cache)
    assert run_files(index, config, [f for f in files if f not in half], cache)
    analysed.clear()
    run_files(index, config, half, cache)
    assert {s.partition(":")[0] for s in analysed} >= {"shop.services.orders", "shop.clients.payments"}


def run_files(index: Index, config: Config, files: list[Path], cache: AnalysisCache) -> tuple[Recommendation, ...]:
    analyzer = Analyzer(index, config, index.graph(), cache=cache)
    recs, _, _ = analyzer.run(files, NEVER, None)
    return tuple(recs)


def test_graph_facts_are_found_again_only_where_an_edit_may_change_them(
    project: Path, config: Config, index: Index, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A body edit of one function finds again the graph facts of the functions it may change (its own, its callees',
    its callers' at any depth), not those of every function of the file; the results equal a fresh analysis."""
    orders = project / "shop" / "services" / "orders.py"
    found: list[str] = []
    facts = GraphFactsBuilder.facts

    def counted(self: GraphFactsBuilder, symbol: str) -> Any:  # the real graph facts, counted
        found.append(symbol)
        return facts(self, symbol)

    monkeypatch.setattr(GraphFactsBuilder, "facts", counted)
    run(index, config, orders)
    everything = set(found)
    found.clear()
    text = orders.read_text()
    index.update_file(orders, text.replace("self.payments.refund(order.payment_id)", "self.payments.refund(order.id)"))
    kept = run(index, config, orders)
    assert "shop.services.orders:OrderService.cancel_order" in found
    assert len(everything) > 5 and len(set(found) & everything) < len(everything) / 2
    assert kept == run(index, config, orders, AnalysisCache())


def test_an_edit_of_a_methods_implementation_finds_its_callers_facts_again(tmp_path: Path) -> None:
    """A call of an abstract method does the I/O of the workspace implementations (tests/fixtures/abstract_clients):
    when one implementation stops doing I/O in another module, the kept graph facts of the functions calling the
    abstract method are found again (they call the base method, not the implementation) and equal a fresh analysis."""
    shutil.copytree(FIXTURES / "abstract_clients", tmp_path / "abstract_clients")
    root = tmp_path / "abstract_clients"
    config = config_from_mapping({"scoring": "rules", "min_confidence": 0.01}, "test_analysis_cache")
    index = Index.from_config(config, [root], use_cache=False)
    index.build()
    agent, providers = root / "agentkit" / "agent.py", root / "agentkit" / "providers.py"
    before = by_symbol(run(index, config, agent)[0])
    text = providers.read_text()
    sdk = """        response = await self.client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": prompt}]
        )
        return response.choices[0].message.content or ""
"""
    assert sdk in text
    index.update_file(providers, text.replace(sdk, "        return prompt\n"))
    after = run(index, config, agent)
    assert after == run(index, config, agent, AnalysisCache())
    task = "agentkit.agent:Agent.run"
    assert by_symbol(after[0])[task].evidence != before[task].evidence  # the I/O is Anthropic's now


def test_calibrated_recommendations_are_kept_while_their_verdicts_stand(project: Path, index: Index) -> None:
    """With the calibrated scorer (the default) a verdict the siblings change is made anew on every run; the
    recommendation made from it is kept while the verdict is equal (the same objects), and equals a fresh analysis
    after edits that change it or not."""
    calibrated = config_from_mapping({"scoring": "calibrated"}, "test_analysis_cache")
    orders = project / "shop" / "services" / "orders.py"
    text = orders.read_text()
    first = by_symbol(run(index, calibrated, orders)[0])
    again = by_symbol(run(index, calibrated, orders)[0])
    assert first and all(again[s] is first[s] for s in first)
    for new_text in (
        text.replace("        return self.orders.get(order_id)\n", "        return self.orders.get(order_id)  # \n"),
        text.replace("        self.payments.refund(order.payment_id)\n", "        pass\n"),
        text,
    ):
        index.update_file(orders, new_text)
        kept = run(index, calibrated, orders)
        assert kept == run(index, calibrated, orders, AnalysisCache())


def test_calibrated_features_are_read_again_only_for_changed_functions(project: Path, index: Index) -> None:
    """The calibrated model's inputs that read one function alone (its findings, shape and neighbours) are kept while
    its result is (its context and signals are the same objects) and made again for the functions an edit changed;
    the verdicts equal a fresh analysis after each edit: a def typed at the end of the file calling one of its
    methods (the callee's callers change), a call taken out, an ``__all__`` added (what the kept functions read of
    their file changes), a callee in another module that stops doing I/O, and the text restored."""
    calibrated = config_from_mapping({"scoring": "calibrated"}, "test_analysis_cache")
    orders = project / "shop" / "services" / "orders.py"
    payments = project / "shop" / "clients" / "payments.py"
    text, payments_text = orders.read_text(), payments.read_text()
    cache = index.extension(AnalysisCache)
    run(index, calibrated, orders)
    memo = dict(cache.features[orders])
    assert memo  # the functions the model scores
    typed = text + "\n\ndef typed_probe(service: OrderService) -> None:\n    service.get_order('x')\n"
    index.update_file(orders, typed)
    kept = run(index, calibrated, orders)
    assert kept == run(index, calibrated, orders, AnalysisCache())
    now = cache.features[orders]
    same = [c.symbol for c, _, own in now.values() if id(c) in memo and memo[id(c)][2] is own]
    remade = {c.symbol for c, _, own in now.values() if id(c) not in memo}
    assert "shop.services.orders:OrderService.place_order" in same  # unchanged: its own features kept
    assert "shop.services.orders:OrderService.get_order" not in same  # a new caller
    assert remade and len(same) + len(remade) == len(now)
    for path, new_text in [
        (orders, typed.replace("        self.payments.refund(order.payment_id)\n", "        pass\n")),
        (orders, '__all__ = ["OrderService"]\n' + typed),
        (payments, payments_text.replace("with urllib.request.urlopen(req, timeout=self.timeout) as resp:", "if req:")),
        (payments, payments_text),
        (orders, text),
    ]:
        index.update_file(path, new_text)
        kept = run(index, calibrated, orders)
        assert kept == run(index, calibrated, orders, AnalysisCache()), new_text[:40]


def test_a_later_analyzer_reads_functions_from_the_kept_contexts_while_their_module_is_unchanged(
    project: Path, config: Config, index: Index
) -> None:
    """The volume estimate's analyzer asks for contexts of functions an earlier run analysed: it takes the kept one's
    walk (without its graph facts) instead of walking the def again, and walks it again once the file is edited."""
    from trace_advisor.detect.context import FunctionContext, GraphFacts

    orders = project / "shop" / "services" / "orders.py"
    cache = index.extension(AnalysisCache)
    run(index, config, orders, cache)
    symbol = "shop.services.orders:OrderService.cancel_order"
    kept = cache.kept_context(orders, symbol)
    assert kept is not None and kept.calls

    ctx = Analyzer(index, config, index.graph()).context(symbol)
    analysed = index.analysed(orders)
    assert ctx is not None and not isinstance(analysed, Problem)
    function = analysed.function(symbol)
    assert function is not None
    fresh = FunctionContext(analysed, function)
    assert ctx is not kept and ctx.nodes is kept.nodes  # not walked again
    assert vars(ctx).keys() == vars(fresh).keys()  # every attribute the constructor sets (one added later too)
    assert ctx.graph == fresh.graph == GraphFacts() and ctx.calls == fresh.calls and ctx.nodes == fresh.nodes
    assert [ctx.loop_depth(n) for n in ctx.nodes] == [fresh.loop_depth(n) for n in fresh.nodes]

    index.update_file(orders, orders.read_text().replace('"""The order lifecycle', '"""\n\nThe order lifecycle'))
    moved = Analyzer(index, config, index.graph()).context(symbol)
    assert moved is not None and moved.nodes is not kept.nodes and moved.node.lineno == kept.node.lineno + 2
