"""The spans a project already has, read as labels: its remaining code is advised to be consistent with how it
already traces. A public function of a class or module whose public functions already have spans, beyond what the
evidence alone recommends, is recommended when it has evidence of its own ("3 of 5 public methods of BillingClient
already have spans"); the threshold is raised to the one that best reproduces the project's spans; in a project that
traces sparsely, a function of a file without any span needs stronger evidence. A project without spans is advised
exactly as without this module."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from trace_advisor.advise.local import Verdict
from trace_advisor.advise.units import with_floor
from trace_advisor.detect.context import FunctionContext
from trace_advisor.detect.existing import ModuleSpans

MIN_SPANS = 10  # spans a project must have before its style is read from them
MIN_TRACED = 2  # traced public functions of a unit before its others follow them (one span is no convention)
TRACED_SHARE = 0.25  # share of a unit's public functions with spans for the others to follow them
SPARSE = 0.25  # a project tracing less than this share of its functions traces sparsely
STRONGER = 0.15  # how far above min_confidence a function of a file without spans must be in a sparse project
# the project's threshold is tried in steps of 0.05 from the configured one to ABOVE over it: a few dozen spans say how
# much more selective a project is, not exactly where its cut is; it is never lowered, so the spans trace-advisor adds
# (each at or above the threshold) never make it recommend more on the next run
ABOVE = 0.25


# modules that are the tracing machinery itself (a project's ``telemetry.py``, ``utils/_opentracing.py``,
# ``sensors/distributed_tracing.py``), by a word of their name: their spans say nothing of how the project traces its
# own operations
PLUMBING = frozenset(
    "telemetry tracing tracer tracers instrumentation observability opentelemetry opentracing otel".split()
)


def plumbing(module: str) -> bool:
    """Whether a module is tracing machinery by a word of its dotted name (words split at ``_``)."""
    return any(word in PLUMBING for part in module.lower().split(".") for word in part.split("_"))


@dataclass(frozen=True, slots=True)
class SpanCensus:
    """How many functions of the project (tests excluded) there are, how many already start a span, and the files
    holding those."""

    functions: int = 0
    traced: int = 0
    files: tuple[Path, ...] = ()

    @classmethod
    def of(cls, modules: Iterable[tuple[Path, ModuleSpans]]) -> SpanCensus:
        functions = traced = 0
        files = []
        for path, module in modules:
            functions += module.functions
            traced += len(module.traced)
            if module.traced:
                files.append(path)
        return cls(functions, traced, tuple(files))

    @property
    def share(self) -> float:
        return self.traced / self.functions if self.functions else 0.0

    @property
    def sparse(self) -> bool:
        """Enough spans to read a style from, on few of the project's functions."""
        return self.traced >= MIN_SPANS and self.share < SPARSE

    def describe(self) -> str:
        return f"the project traces {self.traced} of its {self.functions} functions"


@dataclass(frozen=True, slots=True)
class ProjectThreshold:
    """The threshold that best reproduces the project's own spans (``f1`` of its verdicts against them, over the
    ``functions`` of the files with spans, ``spans`` of them traced)."""

    value: float
    spans: int
    functions: int
    f1: float

    def describe(self) -> str:
        return (
            f"{self.value:.2f}, the threshold that best reproduces the project's own spans ({self.spans} in "
            f"{self.functions} functions of their files, F1 {self.f1:.2f})"
        )


def fit_threshold(labelled: Sequence[tuple[Verdict, bool]], default: float) -> ProjectThreshold | None:
    """The threshold, from ``default`` to ``default + ABOVE`` in steps of 0.05, at which the verdicts (scored as if
    untraced) best reproduce which functions have spans (the second of each pair), by F1; among equal ones the
    nearest to ``default``. None below ``MIN_SPANS`` spans."""
    spans = sum(traced for _, traced in labelled)
    if spans < MIN_SPANS:
        return None
    best: tuple[float, float, float] | None = None  # (f1, -distance to default, threshold)
    for threshold in (round(default + 0.05 * i, 2) for i in range(round(ABOVE / 0.05) + 1)):
        tp = fp = 0
        for verdict, traced in labelled:
            if verdict.deserves_span(threshold):
                tp += traced
                fp += not traced
        f1 = 2 * tp / (tp + fp + spans) if tp else 0.0
        candidate = (round(f1, 6), -abs(threshold - default), threshold)
        if best is None or candidate > best:
            best = candidate
    assert best is not None
    return ProjectThreshold(best[2], spans, len(labelled), best[0])


def follow_own_spans(
    functions: Sequence[tuple[FunctionContext, Verdict]],
    census: SpanCensus,
    min_confidence: float,
    fit: ProjectThreshold | None = None,
    instrumented: frozenset[str] = frozenset(),
) -> dict[int, Verdict]:
    """Verdicts changed by the spans the project already has (by index into ``functions``, one file's), each saying
    why. A unit (a class's public methods, a module's public functions) with spans on at least ``MIN_TRACED`` and
    ``TRACED_SHARE`` of them, one at least on a function the engine would not recommend on its own (the maintainers
    trace more there than the evidence says), has its untraced ones with evidence of work (:func:`_does_work`)
    recommended (raised to ``min_confidence``). The other untraced functions with evidence are held to the
    project's threshold (``fit``), and in a sparse project (:attr:`SpanCensus.sparse`) those of a file without spans
    to ``STRONGER`` above ``min_confidence`` at least. Spans the engine itself recommended (``apply --all``)
    therefore never make it recommend more. Functions whose span an instrumentation set up in the code gives them
    (``instrumented``: a GraphQL resolver under strawberry's OpenTelemetryExtension) are no maintainer's choice:
    left out of their unit."""
    if census.traced == 0:
        return {}
    changed: dict[int, Verdict] = {}
    followed: set[int] = set()
    for unit, members in _units(functions, instrumented).items():
        traced = [i for i in members if functions[i][1].traced is not None]
        beyond = [i for i in traced if not functions[i][1].deserves_span(min_confidence)]
        if len(traced) >= MIN_TRACED and len(traced) / len(members) >= TRACED_SHARE and beyond:
            followed.update(members)
            reason = f"{len(traced)} of {len(members)} {unit} already have spans: traced like them"
            for i in members:
                verdict = functions[i][1]
                if verdict.traced is None and _does_work(verdict) and verdict.confidence < min_confidence:
                    changed[i] = with_floor(verdict, min_confidence, reason)
    untraced_file = all(verdict.traced is None for _, verdict in functions)
    for number, (_, verdict) in enumerate(functions):
        if number in followed or verdict.traced is not None or verdict.priority is None:
            continue
        threshold = fit.value if fit is not None else min_confidence
        why = f"the project's threshold is {fit.describe()}" if fit is not None else ""
        if census.sparse and untraced_file and threshold < min_confidence + STRONGER:
            threshold = round(min_confidence + STRONGER, 2)
            why = (
                f"no span in its file, and {census.describe()}: a function of untraced code needs a confidence of "
                f"{threshold:.2f}" + (f" ({why})" if why else "")
            )
        if min_confidence > 0 and min_confidence <= verdict.confidence < threshold:  # 0: the user asked for all
            changed[number] = _below(verdict, min_confidence, why)
    return changed


def _does_work(verdict: Verdict) -> bool:
    """Evidence of work worth a span of its own: I/O, an entry point, a job, a message (a signal with a kind), not
    only a branch, an error handler or the calls it orchestrates (a client factory's ``if not self.region``)."""
    return verdict.priority is not None and any(s.evidence.kind is not None for s in verdict.signals)


def _below(verdict: Verdict, min_confidence: float, reason: str) -> Verdict:
    """``verdict`` just under ``min_confidence``: not recommended, and why (``reason``)."""
    below = max(0.0, round(min_confidence - 0.01, 2))
    return dataclasses.replace(verdict, confidence=min(verdict.confidence, below), reasons=(*verdict.reasons, reason))


def _units(functions: Sequence[tuple[FunctionContext, Verdict]], instrumented: frozenset[str]) -> dict[str, list[int]]:
    """Per unit, as the rationale names it ("public methods of BillingClient", "public functions of billing.api"),
    the indices of its public functions: a class's methods, a module's top-level functions (nested ones excluded),
    those an instrumentation spans (their ``traced`` in ``instrumented``) left out."""
    found: dict[str, list[int]] = {}
    for number, (ctx, verdict) in enumerate(functions):
        if "<" in ctx.qualname or ctx.name.startswith("_") or verdict.traced in instrumented:
            continue
        owner = ctx.qualname.rpartition(".")[0]
        unit = f"public methods of {owner}" if owner else f"public functions of {ctx.module}"
        found.setdefault(unit, []).append(number)
    return found
