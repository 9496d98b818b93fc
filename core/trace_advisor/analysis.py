"""The analysis facade: detectors over every function of the requested files, local scoring, optional model advice."""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, cast

from trace_advisor.advise.local import LocalScorer
from trace_advisor.advise.provider import Candidate, Provider, ProviderResult
from trace_advisor.analysis_cache import AnalysisCache, FunctionResult, ParsedModule
from trace_advisor.cancel import NEVER, CancelToken
from trace_advisor.config_model import Config
from trace_advisor.cost import Graph as CostGraph
from trace_advisor.cost import LoopCalls, cost_notes, costly, span_estimates
from trace_advisor.detect import run_detectors
from trace_advisor.detect.context import FunctionContext, FunctionDef, GraphFacts, ModuleFacts
from trace_advisor.detect.existing import existing_span, without_span
from trace_advisor.detect.findings import Signal
from trace_advisor.detect.graph_facts import GraphFactsBuilder, GraphLike
from trace_advisor.detect.shape import runs_forever
from trace_advisor.gcpause import gc_paused
from trace_advisor.model import (
    AnalysisResult,
    CostNote,
    Definition,
    Problem,
    Recommendation,
    SpanEstimate,
    SymbolId,
    split_symbol,
)
from trace_advisor.positions import source_lines
from trace_advisor.span_names import SpanNames, Workspace

if TYPE_CHECKING:
    from trace_advisor.index import Index

LOG = logging.getLogger(__name__)
# Which functions a model is asked about: those whose local verdict it can change. Below half of min_confidence the
# local engine found nothing worth a span; at _CERTAIN and above the evidence is overwhelming (I/O plus several other
# priorities) and a model could only restate it, so both keep their local verdict and cost no tokens.
_CANDIDATE_FLOOR = 0.5
_CERTAIN = 0.9


class SourceLike(Protocol):
    """The part of :class:`trace_advisor.index.Index` the analysis reads."""

    def files(self) -> tuple[Path, ...]: ...
    def source(self, path: Path) -> str | None: ...
    def module_for_path(self, path: Path) -> str | None: ...
    def path_for_module(self, module: str) -> Path | None: ...


class _Modules:
    """Parsed module facts by path for one run, taken from the cache when the text is unchanged; unparseable files
    become problems."""

    def __init__(self, index: SourceLike, cache: AnalysisCache) -> None:
        self.index = index
        self.cache = cache
        self._parsed: dict[Path, ParsedModule | Problem] = {}

    def parsed(self, path: Path) -> ParsedModule | Problem:
        found = self._parsed.get(path)
        if found is None:
            text = self.index.source(path)
            if text is None:
                found = Problem("could not read the file", str(path))
            else:
                found = self.cache.module(path, text, self.index.module_for_path(path) or path.stem)
            self._parsed[path] = found
        return found

    def get(self, path: Path) -> ModuleFacts | Problem:
        found = self.parsed(path)
        return found if isinstance(found, Problem) else found.facts

    def function(self, symbol: SymbolId) -> FunctionContext | None:
        """A graph-less context of a workspace function (for summaries of what callees do)."""
        try:
            module, _ = split_symbol(symbol)
        except ValueError:
            return None
        path = self.index.path_for_module(module)
        parsed = self.parsed(path) if path is not None else None
        return parsed.context(symbol) if isinstance(parsed, ParsedModule) else None


class Analyzer:
    """One analysis run: shared parse cache, graph facts and scorer across files.

    Parsed modules and per-function results are kept between runs in ``cache`` (by default the index's
    :class:`AnalysisCache`), so re-analysing an edited file recomputes only the functions the edit affected.
    """

    def __init__(
        self,
        index: SourceLike,
        config: Config,
        graph: GraphLike | None = None,
        installed: frozenset[str] | None = None,
        cache: AnalysisCache | None = None,
    ) -> None:
        self.config = config
        self.cache = cache if cache is not None else _cache_of(index)
        self.modules = _Modules(index, self.cache)
        self.graph = graph
        self.priorities = [p for p in config.priorities if config.weight(p) > 0]
        self.scorer = LocalScorer(config, self.cache.installed.get(config.python) if installed is None else installed)
        self.builder = GraphFactsBuilder(graph, self._io_of, self._forever_of) if graph is not None else None
        self.candidates: list[tuple[FunctionContext, tuple[Signal, ...], Recommendation | None, float]] = []
        self._verdicts: dict[SymbolId, bool] = {}
        self._in_loop = LoopCalls(self.modules.function)
        self._in_loop = LoopCalls(self.modules.function)

    def _io_of(self, symbol: SymbolId) -> str | None:
        """What I/O a workspace function does directly, or through one of its own callees."""
        ctx = self.modules.function(symbol)
        if ctx is None:
            return None
        for call in ctx.calls:
            if call.api is not None:
                return f"{call.api.kind}|{call.api.label} via {call.api.target}"  # targets are short dotted names
        if self.graph is not None and self.builder is not None:
            for edge in self.graph.callees(symbol):
                if not edge.external and edge.callee != symbol:
                    inner = self.modules.function(edge.callee)
                    kinds = {c.api.kind for c in inner.calls if c.api is not None} if inner is not None else set()
                    if kinds:
                        kind = "file" if kinds == {"file"} else sorted(kinds - {"file"})[0]
                        return f"{kind}|I/O through {edge.callee}"
        return None

    def _forever_of(self, symbol: SymbolId) -> bool:
        """Whether a workspace function runs for the life of the process (directly, one level deep)."""
        ctx = self.modules.function(symbol)
        return ctx is not None and runs_forever(ctx)

    def analyze_file(self, path: Path, cancel: CancelToken = NEVER) -> tuple[list[Recommendation], Problem | None]:
        results, problem = self.function_results(path, cancel)
        recs: list[Recommendation] = []
        for result in results:
            if result.recommendation is not None:
                recs.append(result.recommendation)
            verdict = result.verdict
            if (
                verdict.traced is None
                and self.config.min_confidence * _CANDIDATE_FLOOR <= verdict.confidence < _CERTAIN
            ):
                self.candidates.append((result.ctx, result.signals, result.recommendation, verdict.confidence))
        return recs, problem

    def function_results(self, path: Path, cancel: CancelToken = NEVER) -> tuple[list[FunctionResult], Problem | None]:
        """Every function's signals and verdict in one file (from the cache where still valid), in file order."""
        parsed = self.modules.parsed(path)
        if isinstance(parsed, Problem):
            return [], parsed
        facts = parsed.facts
        if isinstance(facts, Problem):
            return [], facts
        kept = self.cache.results(path, self.config, self.scorer.installed)
        fresh: dict[tuple[SymbolId, int], FunctionResult] = {}
        seen: dict[SymbolId, int] = {}
        for fdef in facts.functions:
            cancel.check()
            symbol = facts.symbol(fdef.qualname)
            seen[symbol] = seen.get(symbol, -1) + 1
            slot = (symbol, seen[symbol])  # defs can share a qualname (a property's getter and setter)
            graph_facts = self.builder.facts(symbol) if self.builder is not None else GraphFacts()
            key = parsed.source_key(fdef)
            result = kept.get(slot)
            if result is None or not result.valid_for(key, graph_facts):
                result = self._analyse_function(facts, fdef, key, graph_facts)
                if result is None:
                    continue
            fresh[slot] = result
        kept.clear()
        kept.update(fresh)
        return list(fresh.values()), None

    def _analyse_function(
        self, facts: ModuleFacts, fdef: FunctionDef, key: object, graph_facts: GraphFacts
    ) -> FunctionResult | None:
        try:
            ctx = FunctionContext(facts, fdef, graph_facts)
            traced = existing_span(ctx)
            if traced is not None:  # scored on its own work, as if the span were not there (for coverage)
                ctx = FunctionContext(facts, without_span(ctx), graph_facts)
            signals = tuple(run_detectors(ctx, self.priorities))
        except RecursionError:  # absurdly deep expressions: skip the function, never the run
            LOG.warning("skipped %s: expression too deep", facts.symbol(fdef.qualname))
            return None
        verdict = self.scorer.verdict(ctx, signals, traced=traced)
        return FunctionResult(key, graph_facts, ctx, signals, self.scorer.recommend(ctx, signals, verdict), verdict)

    def run(
        self, files: Sequence[Path], cancel: CancelToken, progress: Callable[[int, int], None] | None
    ) -> tuple[list[Recommendation], list[Problem], int]:
        with gc_paused():  # syntax trees and contexts hold no cycles: a collection mid-run only rescans them
            if not self.cache.lock.acquire(blocking=False):  # another run is using the cache: this one works alone
                self.cache = self.modules.cache = AnalysisCache()
                return self._run(files, cancel, progress)
            try:
                return self._run(files, cancel, progress)
            finally:
                self.cache.lock.release()

    def _run(
        self, files: Sequence[Path], cancel: CancelToken, progress: Callable[[int, int], None] | None
    ) -> tuple[list[Recommendation], list[Problem], int]:
        recs: list[Recommendation] = []
        problems: list[Problem] = []
        done = 0
        for number, path in enumerate(files, 1):
            cancel.check()
            found, problem = self.analyze_file(path, cancel)
            recs.extend(found)
            if problem is not None:
                problems.append(problem)
            else:
                done += 1
            if progress is not None:
                progress(number, len(files))
        return self.scorer.select(recs), problems, done

    def weigh_costs(
        self, recs: list[Recommendation], whole_workspace: bool
    ) -> tuple[list[Recommendation], tuple[CostNote, ...], tuple[SpanEstimate, ...]]:
        """Leave out the recommendations a span would cost too much for (cost.py), and, for a whole-workspace run,
        estimate the spans per call of each entry point."""
        graph = self.graph
        if graph is None or not isinstance(graph, CostGraph):
            return recs, (), ()
        reasons = self.costly(recs)
        kept = [rec for rec in recs if rec.symbol not in reasons]
        traced = {rec.symbol for rec in kept}
        estimates = span_estimates(graph, traced, self._in_loop, graph.entry_points()) if whole_workspace else ()
        return kept, cost_notes(recs, reasons), estimates

    def costly(self, recs: Sequence[Recommendation]) -> dict[SymbolId, str]:
        """The recommendations a span would cost too much for, with why (empty without a call graph)."""
        graph = self.graph
        if graph is None or not isinstance(graph, CostGraph):
            return {}
        chosen = {rec.symbol for rec in recs}

        def recommended(symbol: SymbolId) -> bool:
            return symbol in chosen or self._would_recommend(symbol)

        return costly(recs, graph, self._in_loop, recommended, self.modules.function)

    def _would_recommend(self, symbol: SymbolId) -> bool:
        """Whether the local scorer recommends a function outside this run's files (its verdict without graph
        facts; remembered)."""
        found = self._verdicts.get(symbol)
        if found is None:
            ctx = self.modules.function(symbol)
            found = False
            if ctx is not None:
                verdict = self.scorer.verdict(ctx, tuple(run_detectors(ctx, self.priorities)))
                found = verdict.priority is not None and verdict.confidence >= self.config.min_confidence
            self._verdicts[symbol] = found
        return found

    def build_candidates(self) -> tuple[Candidate, ...]:
        out: list[Candidate] = []
        graph = self.graph
        for ctx, signals, rec, _ in self.candidates:
            code = ctx.facts.code_of(ctx.node)
            callers = tuple(dict.fromkeys(e.caller for e in graph.callers(ctx.symbol))) if graph else ()
            callees = tuple(dict.fromkeys(e.callee for e in graph.callees(ctx.symbol))) if graph else ()
            out.append(
                Candidate(
                    symbol=ctx.symbol,
                    file=ctx.facts.path,
                    qualname=ctx.qualname,
                    range=ctx.full_range(),
                    code=code,
                    evidence=tuple(s.evidence for s in signals),
                    callers=callers[:10],
                    callees=callees[:20],
                    local=rec,
                    content_hash=hashlib.sha256(code.encode("utf-8")).hexdigest(),
                )
            )
        return tuple(out)


def merge(
    local: Iterable[Recommendation], remote: Iterable[Recommendation], scorer: LocalScorer, min_confidence: float
) -> list[Recommendation]:
    """Per function, the model's answer wins (its ``source`` names the model); local answers fill the rest."""
    by_symbol = {r.symbol: r for r in local}
    for rec in remote:
        if rec.confidence >= min_confidence:
            by_symbol[rec.symbol] = rec
        else:
            by_symbol.pop(rec.symbol, None)  # the model looked and judged it not worth a span
    return scorer.select(by_symbol.values())


def with_model_answers(
    local: Iterable[Recommendation],
    answers: Iterable[Recommendation],
    definitions: Sequence[Definition],
    text: str,
    config: Config,
) -> tuple[list[Recommendation], tuple[Recommendation, ...]]:
    """A file's findings for its current ``text``: the local ones merged (as :func:`merge`) with the model's
    ``answers`` about functions whose code is still what the model saw, each placed at its def's current range.
    Also returns the answers that still stand (the others are stale for good: the function changed or got its span).
    """
    lines = source_lines(text)
    standing: list[Recommendation] = []
    placed: list[Recommendation] = []
    for answer in answers:
        definition = _def_as_seen(answer, definitions, lines)
        if definition is not None:
            standing.append(answer)
            placed.append(dataclasses.replace(answer, range=definition.range, name_range=definition.name_range))
    if not standing:
        return list(local), ()
    return merge(local, placed, LocalScorer(config), config.min_confidence), tuple(standing)


def _def_as_seen(answer: Recommendation, definitions: Sequence[Definition], lines: list[str]) -> Definition | None:
    """The def of ``answer``'s symbol whose code is the ``code_block`` the model saw (the def with its decorators,
    dedented, so a method's block is not a substring of the file); without a code block, the first such def."""
    for definition in definitions:
        if definition.symbol != answer.symbol:
            continue
        code = "\n".join(lines[definition.range.start.line - 1 : definition.range.end.line])
        if not answer.code_block or textwrap.dedent(code) == answer.code_block:
            return definition
    return None


def analyze(
    index: Index | SourceLike,
    config: Config,
    files: Sequence[Path] | None = None,
    *,
    provider: Provider | None = None,
    cancel: CancelToken = NEVER,
    progress: Callable[[int, int], None] | None = None,
) -> AnalysisResult:
    """Recommend spans for every function of ``files`` (all indexed files when None); see docs/architecture.md."""
    local, analyzer = _analyze_locally(index, config, files, cancel, progress)
    if provider is None:
        return local
    request = ModelRequest(local, analyzer.build_candidates(), analyzer.scorer, _span_names(index))
    return finish_model_request(request, provider, ask_provider(provider, request.candidates, cancel))


@dataclasses.dataclass(frozen=True, slots=True)
class ModelRequest:
    """The local half of :func:`analyze`: its result without a provider and the candidates a model is asked about."""

    local: AnalysisResult
    candidates: tuple[Candidate, ...]
    scorer: LocalScorer
    span_names: Mapping[SymbolId, str] = dataclasses.field(default_factory=dict)


def prepare_model_request(
    index: Index | SourceLike,
    config: Config,
    files: Sequence[Path] | None = None,
    *,
    cancel: CancelToken = NEVER,
    progress: Callable[[int, int], None] | None = None,
) -> ModelRequest:
    """Local analysis of ``files`` and the model candidates; with :func:`ask_provider` and
    :func:`finish_model_request` it is ``analyze(provider=...)`` in steps (a server waits for the network elsewhere)."""
    local, analyzer = _analyze_locally(index, config, files, cancel, progress)
    return ModelRequest(local, analyzer.build_candidates(), analyzer.scorer, _span_names(index))


def _analyze_locally(
    index: Index | SourceLike,
    config: Config,
    files: Sequence[Path] | None,
    cancel: CancelToken,
    progress: Callable[[int, int], None] | None,
) -> tuple[AnalysisResult, Analyzer]:
    analyzer = Analyzer(index, config, _graph_of(index))
    wanted = list(files) if files is not None else list(index.files())
    recs, problems, done = analyzer.run(wanted, cancel, progress)
    recs, left_out, estimates = analyzer.weigh_costs(recs, whole_workspace=files is None)
    problems = _index_problems(index, wanted) + [p for p in problems if p.file not in _problem_files(index)]
    local = AnalysisResult(
        recommendations=_named(_span_names(index), recs),
        problems=tuple(problems),
        engine="local",
        files_analysed=done,
        extra={"installed_instrumentation": sorted(analyzer.scorer.installed)},
        left_out=left_out,
        span_estimates=estimates,
    )
    return local, analyzer


def ask_provider(provider: Provider, candidates: tuple[Candidate, ...], cancel: CancelToken) -> ProviderResult:
    """The provider's answer; any failure becomes a problem and the local results stand."""
    if not candidates:
        return ProviderResult(())
    try:
        return provider.advise(candidates, cancel)
    except Exception as exc:  # noqa: BLE001 - a broken provider must never lose the local results
        if cancel.cancelled:
            raise
        LOG.exception("provider %s failed", provider.name)
        message = f"{provider.name} ({provider.model}) failed: {exc}; showing local results"
        return ProviderResult((), problems=(Problem(message, severity="error"),))


def finish_model_request(request: ModelRequest, provider: Provider, answer: ProviderResult) -> AnalysisResult:
    """The local result with the provider's answers merged in per function, its usage and its problems."""
    local = request.local
    config = request.scorer.config
    return dataclasses.replace(
        local,
        recommendations=_named(
            request.span_names,
            merge(local.recommendations, answer.recommendations, request.scorer, config.min_confidence),
        ),
        problems=(*local.problems, *answer.problems),
        usage=answer.usage,
        engine=f"{provider.name}:{provider.model}",
        usage_by_file=dict(sorted(answer.usage_by_file.items())),
    )


def _span_names(index: object) -> Mapping[SymbolId, str]:
    """The workspace's span names (none for sources that are not an index)."""
    if isinstance(index, Workspace) and callable(getattr(index, "extension", None)):
        return cast("Index", index).extension(SpanNames).table(index)
    return {}


def _named(names: Mapping[SymbolId, str], recs: Iterable[Recommendation]) -> tuple[Recommendation, ...]:
    """Recommendations carrying their workspace-unique span names (``module.Class.method`` where a bare name would
    collide)."""
    return tuple(dataclasses.replace(rec, span=names.get(rec.symbol, "")) for rec in recs)


def _cache_of(index: object) -> AnalysisCache:
    """The index's analysis cache (a fresh one for sources that cannot keep one)."""
    extension = getattr(index, "extension", None)
    return extension(AnalysisCache) if callable(extension) else AnalysisCache()


def _graph_of(index: object) -> GraphLike | None:
    graph_fn = getattr(index, "graph", None)
    if graph_fn is None:
        return None
    graph: GraphLike = graph_fn()
    return graph


def _problem_files(index: object) -> set[str | None]:
    return {p.file for p in getattr(index, "problems", ())}


def _index_problems(index: object, files: Sequence[Path]) -> list[Problem]:
    wanted = {str(p) for p in files}
    found: tuple[Problem, ...] = getattr(index, "problems", ())
    return [p for p in found if p.file is None or p.file in wanted or not files]
