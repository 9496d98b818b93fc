"""The calibrated scorer (``scoring: calibrated``): a logistic model or shallow boosted trees (whichever
``resources/calibration.json`` holds) over the rules scorer's typed evidence, fitted by
``benchmarks/fit_calibration.py`` on repositories whose maintainers placed spans by hand, so a function's confidence
is the fitted probability that its maintainers would trace it.

Features per function: the rules confidence and each priority's effect, the strength of each finding, its shape (size,
parameters, private, dunder, method, async, generator, listed in ``__all__``, runs a callable it cannot see), how much
of its own I/O an auto-instrumentation package traces and how much none does, call-graph facts (callers, other
packages calling it, what share of its callers are its own class's or have evidence, how many workspace functions it
calls and how many of those have evidence, workspace callees doing I/O and how far down the nearest is) and its unit
(how many public methods its class has, what share of them have evidence or deserve a span by the rules, the same
shares for the file, how many functions of the file have evidence and how many of those are stronger), and where it
sits on the paths from entry points to I/O across files (``g_*``, read through :class:`Around`: what share of its
callers have evidence or a span by the rules, whether it is the outermost function with evidence, how many other
modules call it, how many of its callees get a span, how close an entry point is above it, whether it overrides a
method a base class of the workspace defines and whether that one has evidence, what share of its callees doing I/O
only make calls an instrumentation traces, what share of its callers are request handlers with a server span; a model
reading none of them reads no other file). The model is data; nothing is learned at run time. Functions the rules
never recommend (trivial, no evidence, silenced, only wrapping an instrumented call) keep their verdict.
"""

from __future__ import annotations

import ast
import dataclasses
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Protocol

from trace_advisor.advise.local import LocalScorer, Verdict, runs_unseen_callable, served_request
from trace_advisor.advise.units import with_floor
from trace_advisor.datatypes import SymbolId
from trace_advisor.detect.context import FunctionContext
from trace_advisor.detect.findings import Finding, Signal

RULES_THRESHOLD = 0.5  # the rules' own cut: unit features and the ``conf`` feature are read at it, as when fitted


@dataclass(frozen=True, slots=True)
class Weight:
    name: str
    mean: float
    scale: float
    weight: float


@dataclass(frozen=True, slots=True)
class Tree:
    """One boosted tree: a leaf (``feature`` empty) adds ``value``; a split goes to ``low`` when the feature is at
    most ``cut`` (an absent feature is 0), else to ``high``."""

    feature: str = ""
    cut: float = 0.0
    low: Tree | None = None
    high: Tree | None = None
    value: float = 0.0

    def score(self, features: Mapping[str, float]) -> float:
        node = self
        while node.feature:
            node = node.low if features.get(node.feature, 0.0) <= node.cut else node.high  # type: ignore[assignment]
        return node.value

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Tree:
        if "feature" not in data:
            return cls(value=float(data["value"]))  # type: ignore[arg-type]
        return cls(
            str(data["feature"]),
            float(data["cut"]),  # type: ignore[arg-type]
            cls.from_json(data["low"]),  # type: ignore[arg-type]
            cls.from_json(data["high"]),  # type: ignore[arg-type]
        )

    def to_json(self) -> dict[str, object]:
        if not self.feature:
            return {"value": round(self.value, 6)}
        assert self.low is not None and self.high is not None
        return {"feature": self.feature, "cut": self.cut, "low": self.low.to_json(), "high": self.high.to_json()}

    def names(self) -> set[str]:
        if not self.feature:
            return set()
        assert self.low is not None and self.high is not None
        return {self.feature} | self.low.names() | self.high.names()


@dataclass(frozen=True, slots=True)
class Calibration:
    """``probability = sigmoid(bias + sum(weight x (feature - mean) / scale) + sum(tree scores))``: a logistic model,
    boosted trees, or both; ``threshold`` is the cut the fit chose on its leave-one-repository-out predictions (the
    default ``min_confidence`` of this scorer)."""

    bias: float
    threshold: float
    weights: tuple[Weight, ...]
    trees: tuple[Tree, ...] = ()

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Calibration:
        items = data.get("features", [])
        trees = data.get("trees", [])
        assert isinstance(items, list) and isinstance(trees, list)
        return cls(
            bias=float(data["bias"]),  # type: ignore[arg-type]
            threshold=float(data["threshold"]),  # type: ignore[arg-type]
            weights=tuple(
                Weight(str(i["name"]), float(i["mean"]), float(i["scale"]), float(i["weight"])) for i in items
            ),
            trees=tuple(Tree.from_json(t) for t in trees),
        )

    def names(self) -> set[str]:
        """Every feature the model reads."""
        return {w.name for w in self.weights}.union(*(t.names() for t in self.trees))

    def probability(self, features: Mapping[str, float]) -> float:
        total = self.bias + sum(w.weight * (features.get(w.name, 0.0) - w.mean) / w.scale for w in self.weights)
        total += sum(tree.score(features) for tree in self.trees)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, total))))


@cache
def shipped() -> Calibration:
    text = resources.files("trace_advisor.resources").joinpath("calibration.json").read_text("utf-8")
    return Calibration.from_json(json.loads(text))


@dataclass(frozen=True, slots=True)
class Scored:
    """What the features read of one function: its context, the rules' signals and verdict."""

    ctx: FunctionContext
    signals: tuple[Signal, ...]
    verdict: Verdict


def _deserves(verdict: Verdict) -> bool:
    return verdict.deserves_span(RULES_THRESHOLD)


class Around(Protocol):
    """What the features read of the workspace beyond one file: the rules verdict of any workspace function (None
    outside it) and how many calls up from a function its nearest entry point is (None: none within ``ENTRY_DEPTH``)."""

    def verdict(self, symbol: SymbolId) -> Verdict | None: ...
    def entry_distance(self, symbol: SymbolId) -> int | None: ...


GRAPH = "g_"  # the features that read other files (through ``Around``)
ENTRY_DEPTH = 4  # how far up the callers an entry point is looked for
NEIGHBOURS = 25  # callers and callees read per function for the graph features (sorted: the same ones every run)


@dataclass(frozen=True, slots=True)
class _Own:
    """What the features read of one function alone, its context and the rules' signals (the same while both are the
    same objects: a kept result's): its own features, in order, and the call-graph neighbours the others read."""

    head: tuple[tuple[str, float], ...]  # the findings' effects and strengths, its shape, callers and callees' I/O
    generator: float
    params: float
    callees: frozenset[SymbolId]  # the workspace functions it calls
    callers: frozenset[SymbolId]
    io_near: float
    near_callers: tuple[SymbolId, ...]  # the callers and callees ``_graph`` reads (itself aside, sorted, at most 25)
    near_callees: tuple[SymbolId, ...]
    bases: tuple[SymbolId, ...]  # the methods of its name on its class's bases (``g_overrides``)


# the features kept per function while its context and signals are the same objects (``features``' ``memo``)
OwnMemo = dict[int, tuple[FunctionContext, tuple[Signal, ...], _Own]]


def _own(f: Scored, scorer: LocalScorer) -> _Own:
    ctx = f.ctx
    head: dict[str, float] = {}
    for priority, effect in scorer.effects(f.signals).items():
        head[f"eff_{priority}"] = effect
    for signal in f.signals:
        if signal.finding is Finding.ROUTE and signal.instrumentation is None:
            # the fitted route weight is what maintainers do when a framework's instrumentation already gives
            # each request a span; a hand-written router has none, so that weight does not apply to it
            continue
        key = f"fd_{signal.finding.value}"
        head[key] = max(head.get(key, 0.0), signal.strength)
    name = ctx.name
    head["private"] = float(name.startswith("_") and not name.startswith("__"))
    head["dunder"] = float(name.startswith("__") and name.endswith("__"))
    head["method"] = float(ctx.is_method)
    head["async"] = float(ctx.is_async)
    head["log_stmts"] = math.log1p(len(ctx.statements()))
    head["fan_in"] = math.log1p(ctx.fan_in)
    head["cross_pkg"] = float(ctx.crosses_package_boundary)
    head["callee_io"] = math.log1p(len(ctx.callee_io))
    head["handed_io"] = math.log1p(len(ctx.graph.handed_io))
    # it runs a callable it was given or looked up that resolves to nothing (``handler(request, **params)``): a
    # dispatcher, whose work is unseen; on the corpus's dev split 58% of such candidates are traced, 34% of the others
    head["unseen_call"] = float(runs_unseen_callable(ctx))
    head.update(_io_cover(f.signals))
    callees = frozenset(c for call in ctx.calls for c in call.workspace_callees)
    callers = frozenset(ctx.graph.callers)
    below = [io.below for io in ctx.callee_io.values()]
    bases = tuple(f"{base}.{ctx.name}" for base in ctx.class_mro[:NEIGHBOURS]) if ctx.class_name is not None else ()
    return _Own(
        tuple(head.items()),
        float(any(isinstance(n, ast.Yield | ast.YieldFrom) for n in ctx.nodes)),
        math.log1p(len(ctx.parameters())),
        callees,
        callers,
        1.0 / (2.0 + min(below)) if below else 0.0,
        tuple(sorted(callers - {ctx.symbol})[:NEIGHBOURS]),
        tuple(sorted(callees - {ctx.symbol})[:NEIGHBOURS]),
        bases,
    )


def features(
    functions: Sequence[Scored],
    scorer: LocalScorer,
    around: Around | None = None,
    memo: OwnMemo | None = None,
    only: Sequence[int] | None = None,
) -> list[dict[str, float]]:
    """The model's inputs for every function of one file (rules verdicts read at ``RULES_THRESHOLD``), or for the
    functions numbered ``only``; ``around`` gives the graph features that read other files (without it those read
    this file only). ``memo`` keeps what each function's features read of it alone between calls (for one scorer's
    settings: its own features and neighbours), while its context and signals are the same objects: it is left
    holding those of ``functions``."""
    top = [f for f in functions if "<" not in f.ctx.qualname]
    file_share = sum(_deserves(f.verdict) for f in top) / max(len(top), 1)
    file_cand = sum(f.verdict.priority is not None for f in top) / max(len(top), 1)
    strengths = [f.verdict.confidence for f in functions if f.verdict.priority is not None]
    by_symbol = {str(f.ctx.symbol): f for f in functions}
    exported = _exported(functions[0].ctx.analysed.tree) if functions else frozenset()
    classes: dict[str, list[Scored]] = {}
    for f in top:
        if f.ctx.class_name is not None and not f.ctx.name.startswith("_"):
            classes.setdefault(f.ctx.qualname.rpartition(".")[0], []).append(f)
    kept: OwnMemo = {}
    out: list[dict[str, float]] = []
    for f in functions if only is None else [functions[number] for number in only]:
        ctx, verdict = f.ctx, f.verdict
        known = memo.get(id(ctx)) if memo is not None else None
        if known is not None and known[0] is ctx and known[1] is f.signals:
            own = known[2]
        else:
            own = _own(f, scorer)
        kept[id(ctx)] = (ctx, f.signals, own)
        found: dict[str, float] = {"conf": verdict.confidence if verdict.priority is not None else 0.0}
        found.update(own.head)
        members = classes.get(ctx.qualname.rpartition(".")[0], []) if ctx.class_name is not None else []
        if members:
            found["cls_pub"] = math.log1p(len(members))
            found["cls_share"] = sum(_deserves(m.verdict) for m in members) / len(members)
        found["file_share"] = file_share
        found["trivial"] = float(any(reason.startswith("trivial") for reason in verdict.reasons))
        found["generator"] = own.generator
        found["exported"] = float(ctx.qualname.split(".")[0] in exported)
        found["params"] = own.params
        found.update(_neighbours(ctx, own, by_symbol, members))
        found.update(_graph(ctx, own, by_symbol, around))
        if members:
            found["cls_io"] = sum(_does_io(m) for m in members) / len(members)
        found["file_cand"] = file_cand
        found["file_cands"] = math.log1p(len(strengths))
        found["above_me"] = sum(c > found["conf"] for c in strengths) / max(len(strengths), 1)
        out.append(found)
    if memo is not None:
        memo.clear()
        memo.update(kept)
    return out


_IO = frozenset({"external_io", "message_bus"})


def _own_io(signals: Sequence[Signal]) -> list[Signal]:
    """Its own I/O: the client calls and messages it makes itself (not those of the workspace functions it calls)."""
    return [s for s in signals if s.evidence.priority in _IO and not s.delegated]


def _io_cover(signals: Sequence[Signal]) -> dict[str, float]:
    """How much of its own I/O an OTel auto-instrumentation package traces (installed or not: a project that
    traces by hand installs them first): what share of its I/O findings name one (``io_auto``; the ORM query, the
    HTTP request already get their span, a span around them adds one more layer) and how many name none
    (``io_open``: a vendor SDK or subprocess call nothing else will ever show)."""
    own = _own_io(signals)
    if not own:
        return {}
    covered = sum(s.instrumentation is not None for s in own)
    return {"io_auto": covered / len(own), "io_open": math.log1p(len(own) - covered)}


def _exported(tree: ast.Module) -> frozenset[str]:
    """The names a module's ``__all__`` lists (its declared public surface)."""
    for stmt in tree.body:
        if (
            isinstance(stmt, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "__all__" for t in stmt.targets)
            and isinstance(stmt.value, ast.List | ast.Tuple)
        ):
            return frozenset(
                e.value for e in stmt.value.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)
            )
    return frozenset()


def _neighbours(
    ctx: FunctionContext, own: _Own, by_symbol: Mapping[str, Scored], members: Sequence[Scored]
) -> dict[str, float]:
    """Where it sits in the call graph: how many workspace functions it calls and how many of those in its file have
    evidence (it is above them), what share of its callers in its file have evidence (it is below them), what share of
    its callers are its own class's methods (a helper of the class), how far down its nearest I/O is."""
    callees, callers = own.callees, own.callers
    found = {
        "fan_out": math.log1p(len(callees)),
        "callee_cand": math.log1p(sum(c in by_symbol and by_symbol[c].verdict.priority is not None for c in callees)),
        "caller_cand": sum(c in by_symbol and by_symbol[c].verdict.priority is not None for c in callers)
        / max(len(callers), 1),
        "io_near": own.io_near,
    }
    if ctx.class_name is not None:
        owner = f"{ctx.module}:{ctx.qualname.rpartition('.')[0]}."
        found["caller_self"] = sum(c.startswith(owner) for c in callers) / max(len(callers), 1)
    if members:
        found["cls_cand"] = sum(m.verdict.priority is not None for m in members) / len(members)
    return found


def _does_io(f: Scored) -> bool:
    """It reaches I/O: a client call of its own or a workspace callee doing I/O."""
    return bool(f.ctx.callee_io) or any(s.finding is Finding.CLIENT_CALL for s in f.signals)


def _graph(ctx: FunctionContext, own: _Own, by_symbol: Mapping[str, Scored], around: Around | None) -> dict[str, float]:
    """Where it sits on the paths from entry points to I/O, across files: what share of its callers have evidence
    or get a span by the rules, whether it is the outermost function with evidence (no caller has any), whether
    every caller gets a span by the rules (it is covered), how many other modules call it, how many of its callees
    get a span by the rules, and how close an entry point is above it. A neighbour's own span counts for nothing
    (each is read on its own work, as if the span were not there): the corpus is read with every span taken out,
    and a span ``apply`` writes must change no other function's confidence."""

    def verdict(symbol: SymbolId) -> Verdict | None:
        if symbol in by_symbol:
            return by_symbol[symbol].verdict
        return around.verdict(symbol) if around is not None else None

    callers, callees = own.near_callers, own.near_callees
    above = [v for v in map(verdict, callers) if v is not None]
    below = [v for v in map(verdict, callees) if v is not None]
    evidence = [v.priority is not None for v in above]
    spanned = [_deserves(v) for v in above]
    module = ctx.module
    found = {
        "g_callers_ev": sum(evidence) / max(len(above), 1),
        "g_callers_span": sum(spanned) / max(len(above), 1),
        "g_covered": float(bool(spanned) and all(spanned)),
        "g_top": float(not any(evidence)),
        "g_mods_in": math.log1p(len({c.partition(":")[0] for c in callers} - {module})),
        "g_callee_span": math.log1p(sum(_deserves(v) for v in below)),
        "g_callee_ev": math.log1p(sum(v.priority is not None for v in below)),
    }
    doing_io = [_own_io(v.signals) for v in below]
    doing_io = [io for io in doing_io if io]
    if doing_io:  # its callees' own I/O: what share of those callees only make calls an instrumentation traces
        found["g_below_auto"] = sum(all(s.instrumentation is not None for s in io) for io in doing_io) / len(doing_io)
    # a caller is a request handler whose framework's instrumentation gives each request its server span
    found["g_route_above"] = sum(served_request(v.signals) for v in above) / max(len(above), 1)
    distance = around.entry_distance(ctx.symbol) if around is not None else None
    found["g_entry"] = 1.0 / (1.0 + distance) if distance is not None else 0.0
    if ctx.class_name is not None:  # an implementation of an operation a base class of the workspace declares
        inherited = [v for v in map(verdict, own.bases) if v is not None]
        found["g_overrides"] = float(bool(inherited))
        found["g_base_ev"] = float(any(v.priority is not None for v in inherited))
    return found


FINDINGS = tuple(f"fd_{finding.value}" for finding in Finding)


def calibrated(
    functions: Sequence[Scored],
    scorer: LocalScorer,
    model: Calibration,
    floors: Mapping[int, str] | None = None,
    around: Around | None = None,
    memo: OwnMemo | None = None,
) -> list[Verdict]:
    """Every function's verdict with the model's probability as its confidence (functions the rules never recommend
    keep theirs: only the others' features are made, each from what ``memo`` kept of it alone when it can). ``floors``
    (by index, with the reason) are held at least at the model's threshold: the operations of a client class
    (:func:`trace_advisor.advise.units.client_operations`), a convention of the class that the per-function features
    cannot see."""
    floors = floors or {}
    if not any(name.startswith(GRAPH) for name in model.names()):
        around = None  # the model reads no other file: none is scored for it
    scored = [number for number, f in enumerate(functions) if f.verdict.priority is not None]
    inputs = dict(zip(scored, features(functions, scorer, around, memo, scored), strict=True))
    out: list[Verdict] = []
    for number, f in enumerate(functions):
        if f.verdict.priority is None:
            out.append(f.verdict)
            continue
        verdict = dataclasses.replace(f.verdict, confidence=round(model.probability(inputs[number]), 4))
        reason = floors.get(number)
        if reason is not None and verdict.confidence < model.threshold:
            verdict = with_floor(verdict, model.threshold, reason)
        out.append(verdict)
    return out
