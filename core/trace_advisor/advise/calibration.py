"""The calibrated scorer (``scoring: calibrated``): a logistic model over the rules scorer's typed evidence, fitted
by ``benchmarks/fit_calibration.py`` on repositories whose maintainers placed spans by hand, so a function's
confidence is the fitted probability that its maintainers would trace it.

Features per function: the rules confidence and each priority's effect, the strength of each finding, its shape
(size, private, dunder, method, async), call-graph facts (callers, other packages calling it, workspace callees doing
I/O) and its unit (how many public methods its class has and what share of them and of the file deserve a span by
the rules). The coefficients are data (``resources/calibration.json``); nothing is learned at run time. Functions the
rules never recommend (trivial, no evidence, silenced, only wrapping an instrumented call) keep their verdict.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from trace_advisor.advise.local import LocalScorer, Verdict
from trace_advisor.advise.units import with_floor
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
class Calibration:
    """``probability = sigmoid(bias + sum(weight x (feature - mean) / scale))``; ``threshold`` is the cut the fit
    chose on its leave-one-repository-out predictions (the default ``min_confidence`` of this scorer)."""

    bias: float
    threshold: float
    weights: tuple[Weight, ...]

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Calibration:
        items = data["features"]
        assert isinstance(items, list)
        return cls(
            bias=float(data["bias"]),  # type: ignore[arg-type]
            threshold=float(data["threshold"]),  # type: ignore[arg-type]
            weights=tuple(
                Weight(str(i["name"]), float(i["mean"]), float(i["scale"]), float(i["weight"])) for i in items
            ),
        )

    def probability(self, features: Mapping[str, float]) -> float:
        total = self.bias + sum(w.weight * (features.get(w.name, 0.0) - w.mean) / w.scale for w in self.weights)
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


def features(functions: Sequence[Scored], scorer: LocalScorer) -> list[dict[str, float]]:
    """The model's inputs for every function of one file (rules verdicts read at ``RULES_THRESHOLD``)."""
    top = [f for f in functions if "<" not in f.ctx.qualname]
    file_share = sum(_deserves(f.verdict) for f in top) / max(len(top), 1)
    classes: dict[str, list[Scored]] = {}
    for f in top:
        if f.ctx.class_name is not None and not f.ctx.name.startswith("_"):
            classes.setdefault(f.ctx.qualname.rpartition(".")[0], []).append(f)
    out: list[dict[str, float]] = []
    for f in functions:
        ctx, verdict = f.ctx, f.verdict
        found: dict[str, float] = {"conf": verdict.confidence if verdict.priority is not None else 0.0}
        for priority, effect in scorer.effects(f.signals).items():
            found[f"eff_{priority}"] = effect
        for signal in f.signals:
            if signal.finding is Finding.ROUTE and signal.instrumentation is None:
                # the fitted route weight is what maintainers do when a framework's instrumentation already gives
                # each request a span; a hand-written router has none, so that weight does not apply to it
                continue
            key = f"fd_{signal.finding.value}"
            found[key] = max(found.get(key, 0.0), signal.strength)
        name = ctx.name
        found["private"] = float(name.startswith("_") and not name.startswith("__"))
        found["dunder"] = float(name.startswith("__") and name.endswith("__"))
        found["method"] = float(ctx.is_method)
        found["async"] = float(ctx.is_async)
        found["log_stmts"] = math.log1p(len(ctx.statements()))
        found["fan_in"] = math.log1p(ctx.fan_in)
        found["cross_pkg"] = float(ctx.crosses_package_boundary)
        found["callee_io"] = math.log1p(len(ctx.callee_io))
        found["handed_io"] = math.log1p(len(ctx.graph.handed_io))
        members = classes.get(ctx.qualname.rpartition(".")[0], []) if ctx.class_name is not None else []
        if members:
            found["cls_pub"] = math.log1p(len(members))
            found["cls_share"] = sum(_deserves(m.verdict) for m in members) / len(members)
        found["file_share"] = file_share
        found["trivial"] = float(any(reason.startswith("trivial") for reason in verdict.reasons))
        out.append(found)
    return out


FINDINGS = tuple(f"fd_{finding.value}" for finding in Finding)


def calibrated(
    functions: Sequence[Scored], scorer: LocalScorer, model: Calibration, floors: Mapping[int, str] | None = None
) -> list[Verdict]:
    """Every function's verdict with the model's probability as its confidence (functions the rules never recommend
    keep theirs). ``floors`` (by index, with the reason) are held at least at the model's threshold: the operations of
    a client class (:func:`trace_advisor.advise.units.client_operations`), a convention of the class that the
    per-function features cannot see."""
    floors = floors or {}
    out: list[Verdict] = []
    for number, (f, found) in enumerate(zip(functions, features(functions, scorer), strict=True)):
        if f.verdict.priority is None:
            out.append(f.verdict)
            continue
        verdict = dataclasses.replace(f.verdict, confidence=round(model.probability(found), 4))
        reason = floors.get(number)
        if reason is not None and verdict.confidence < model.threshold:
            verdict = with_floor(verdict, model.threshold, reason)
        out.append(verdict)
    return out
