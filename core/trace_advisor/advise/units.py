"""Consistency within a class: maintainers trace a service or client class method by method, so when most of its
public methods deserve a span, its other public methods with evidence of their own are recommended with them; a
client class whose public methods mostly reach I/O (through its own private transport, ``self._request(...)``, or a
client library no instrumentation traces) has each of them recommended, one-line forwards included (one span per
operation, at the layer that names it); and where a job's own work runs is recommended, at its public method
(:func:`work_runs`)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from trace_advisor.advise.local import Verdict
from trace_advisor.datatypes import Evidence, EvidenceKind
from trace_advisor.detect.context import FunctionContext
from trace_advisor.detect.entry_points import view_base
from trace_advisor.detect.findings import Finding, Signal

MIN_PUBLIC_METHODS = 3  # below this a "majority" is one or two methods: no convention to follow
MAJORITY = 0.5  # share of the class's public methods that deserve a span on their own
_DIRECT = 0.5  # a client call at least this strong is a resolved one (a receiver's name alone says less)
MARGIN = 0.1  # how far under min_confidence a sibling with evidence may be and still join them
# where a job is submitted or runs -> how strong that alone makes a span there: a job's run is the span each job's trace
# hangs from (as strong as the strongest I/O); its submission is where the job's trace context must be sent with it; a
# job no instrumentation traces (an rq ``@job``, a function handed to a queue) is where each of its runs' traces starts
WORK_CONFIDENCE = {
    Finding.RUNS_WORK: 0.95,
    Finding.CALLS_WORK: 0.95,
    Finding.SUBMITS_WORK: 0.9,
    Finding.JOB: 0.9,
}
_WORK_REASONS = {
    Finding.SUBMITS_WORK: "where a job is submitted: a unit of work",
    Finding.JOB: "a job no instrumentation traces: each of its runs' traces starts at its span",
}


def _work(signal: Signal) -> bool:
    """Where a job runs or is submitted, or a job whose runs no instrumentation package traces (Celery's does)."""
    return signal.finding in WORK_CONFIDENCE and (signal.finding is not Finding.JOB or signal.instrumentation is None)


def public_method(ctx: FunctionContext) -> bool:
    """A method a caller of the class uses (not ``_private``, not a dunder, not nested)."""
    return ctx.class_name is not None and "<" not in ctx.qualname and not ctx.name.startswith("_")


def client_operations(functions: Sequence[tuple[FunctionContext, Verdict]]) -> dict[int, str]:
    """The public operations of client classes (by index into ``functions``), each with the reason: a class with at
    least ``MIN_PUBLIC_METHODS`` public methods, most of which reach I/O (:func:`_remote_operation`)."""
    found: dict[int, str] = {}
    for class_name, members in _public_methods(functions).items():
        if _view_class(functions, members):
            continue
        operations = [i for i in members if _remote_operation(*functions[i])]
        if len(operations) >= MIN_PUBLIC_METHODS and len(operations) / len(members) >= MAJORITY:
            reason = (
                f"{len(operations)} of {len(members)} public methods of {class_name} reach I/O: a client class, "
                "traced operation by operation"
            )
            found.update(dict.fromkeys(operations, reason))
    return found


def consistent(functions: Sequence[tuple[FunctionContext, Verdict]], min_confidence: float) -> dict[int, Verdict]:
    """Verdicts raised to ``min_confidence`` (by index into ``functions``): the public operations of a client class
    (:func:`client_operations`), else public methods with some evidence, at most ``MARGIN`` short, of a class whose
    public methods mostly deserve a span; the reason says so."""
    raised: dict[int, Verdict] = {}
    clients = client_operations(functions)
    for number, reason in clients.items():
        verdict = functions[number][1]
        if verdict.priority is not None and verdict.confidence < min_confidence:
            raised[number] = with_floor(verdict, min_confidence, reason)
    for class_name, members in _public_methods(functions).items():
        if any(i in clients for i in members) or _view_class(functions, members):
            continue
        qualifying = sum(functions[i][1].deserves_span(min_confidence) for i in members)
        if qualifying / len(members) < MAJORITY:
            continue
        reason = (
            f"{qualifying} of {len(members)} public methods of {class_name} deserve a span: traced method by "
            "method, like them"
        )
        for i in members:
            verdict = functions[i][1]
            if verdict.priority is not None and min_confidence - MARGIN <= verdict.confidence < min_confidence:
                raised[i] = with_floor(verdict, min_confidence, reason)
    return raised


@dataclass(frozen=True, slots=True)
class WorkRuns:
    """Where jobs' own work runs, by index into the functions of a file: the functions to recommend, each with the
    signal that says so (a public method's, found through the private method it calls), and the private methods whose
    run a public method's span covers, each with that method's qualname."""

    runs: dict[int, Signal]
    covered: dict[int, str]


def work_runs(functions: Sequence[tuple[FunctionContext, Sequence[Signal]]]) -> WorkRuns:
    """Where a job's own work runs (:attr:`Finding.RUNS_WORK`: a call of the callable stored on the job) or is
    submitted (:attr:`Finding.SUBMITS_WORK`: ``Queue.enqueue(f, *args, **kwargs)``), or where a job is run through
    the function that runs its work (:attr:`Finding.CALLS_WORK`: a worker's ``job.perform()``), or a job no
    instrumentation traces (:attr:`Finding.JOB` without one: an rq ``@job``): that function, or, for
    a private method, the public methods of its class that call it (``Job.perform`` around ``Job._execute``), one span
    per run at the layer that names it. A unit of work whatever the callable does, so it is recommended at least at
    its :data:`WORK_CONFIDENCE`."""
    runs: dict[int, Signal] = {}
    covered: dict[int, str] = {}
    by_symbol = {ctx.symbol: number for number, (ctx, _) in enumerate(functions)}
    for number, (ctx, signals) in enumerate(functions):
        run = next((s for s in signals if _work(s)), None)
        if run is None:
            continue
        climbs = ctx.name.startswith("_") and run.finding is not Finding.JOB  # a job is its own entry point
        public = _public_callers(functions, by_symbol, ctx) if climbs else []
        if not public:
            runs.setdefault(number, run)
            continue
        for caller in public:
            site = next(c for c in functions[caller][0].calls if ctx.symbol in c.workspace_callees)
            what = "submits a job" if run.finding is Finding.SUBMITS_WORK else "runs the job's own work"
            reason = f"{what} through `{ctx.name}` ({run.evidence.detail})"
            evidence = Evidence(run.evidence.priority, reason, site.range, ctx.symbol, EvidenceKind.WORK)
            runs[caller] = Signal(evidence, run.strength, run.finding)
        covered[number] = functions[public[0]][0].qualname
    return WorkRuns(runs, covered)


def with_run(verdict: Verdict, run: Signal, floor: float) -> Verdict:
    """``verdict`` of a function where a job's own work runs or is submitted, or of a job no instrumentation traces
    (``run`` says so): at least its :data:`WORK_CONFIDENCE` and ``floor`` (the threshold), the run among its signals.
    A function never recommended for a reason of its own (a dunder, silenced) stays so."""
    if verdict.priority is None and not verdict.no_work:
        return verdict
    reason = _WORK_REASONS.get(run.finding, "where a job's own work runs: a unit of work")
    signals = verdict.signals if run in verdict.signals else (*verdict.signals, run)
    return dataclasses.replace(
        verdict,
        confidence=max(verdict.confidence, floor, WORK_CONFIDENCE[run.finding]),
        priority=verdict.priority or run.evidence.priority,
        reasons=(*(() if verdict.no_work else verdict.reasons), reason),
        signals=signals,
        handling_only=False,
        no_work=False,
    )


def covered_by(verdict: Verdict, reason: str) -> Verdict:
    """``verdict`` of a function whose work its callers' spans cover: not recommended, and why (``reason``)."""
    if verdict.traced is not None or verdict.priority is None:
        return verdict
    return dataclasses.replace(verdict, confidence=0.0, priority=None, reasons=(*verdict.reasons, reason))


def _public_callers(
    functions: Sequence[tuple[FunctionContext, Sequence[Signal]]], by_symbol: dict[str, int], ctx: FunctionContext
) -> list[int]:
    """The public methods of ``ctx``'s class in the same file that call it, by index."""
    owner = ctx.qualname.rpartition(".")[0]
    found = []
    for caller in ctx.graph.callers:
        number = by_symbol.get(caller)
        if number is None:
            continue
        other = functions[number][0]
        if public_method(other) and other.qualname.rpartition(".")[0] == owner:
            found.append(number)
    return sorted(set(found))


def with_floor(verdict: Verdict, confidence: float, reason: str) -> Verdict:
    """``verdict`` raised to ``confidence`` because of its unit (``reason`` ends its rationale, after the reasons of
    other units that held before: a client's network boundary that is also the public operation over its transport
    says both); one skipped as error handling alone (``handling_only``) takes the priority of its strongest
    evidence."""
    if verdict.handling_only and verdict.signals:
        strongest = max(verdict.signals, key=lambda s: s.strength)
        verdict = dataclasses.replace(verdict, priority=strongest.evidence.priority, reasons=(), handling_only=False)
    if verdict.consistency is not None and reason in verdict.consistency.split(_AND):
        return dataclasses.replace(verdict, confidence=confidence)
    said = f"{verdict.consistency}{_AND}{reason}" if verdict.consistency else reason
    return dataclasses.replace(verdict, confidence=confidence, reasons=(*verdict.reasons, reason), consistency=said)


_AND = "; "  # between the reasons of the units a function belongs to, in its rationale


def _public_methods(functions: Sequence[tuple[FunctionContext, Verdict]]) -> dict[str, list[int]]:
    """Per class with at least ``MIN_PUBLIC_METHODS`` public methods, their indices into ``functions``."""
    by_class: dict[str, list[int]] = {}
    for number, (ctx, _) in enumerate(functions):
        if public_method(ctx):
            by_class.setdefault(ctx.qualname.rpartition(".")[0], []).append(number)
    return {name: members for name, members in by_class.items() if len(members) >= MIN_PUBLIC_METHODS}


def _view_class(functions: Sequence[tuple[FunctionContext, Verdict]], members: Sequence[int]) -> bool:
    """Whether the class is a web framework's view (a Django REST framework ``ModelViewSet``, a Django ``View``): its
    public methods are request handlers, each request spanned by the framework's instrumentation, not the operations
    of a client or service class. hermes' ``CardLinkView`` (four handlers, each reaching the ORM through a private
    helper) was 'a client class, traced operation by operation'; its maintainers traced none of its views."""
    return view_base(functions[members[0]][0]) is not None


def _remote_operation(ctx: FunctionContext, verdict: Verdict) -> bool:
    """A remote operation of a client class: the method reaches I/O through a private method (of its class or a base
    class: the client's transport, ``self._request(...)``) or a private function of its module, or calls a client
    library no instrumentation package traces (``self._bucket.blob(name).upload_from_string(...)``: the class is the
    only place its operations get a span). An SDK's resource classes call the library's client directly as often as
    through a transport of their own. A call an instrumentation traces (a repository's query, a cache's ``get``) has
    its span already: a thin wrapper around it is no operation of its own."""
    return any(
        (s.finding is Finding.CALLS_IO_FUNCTION and _private_transport(ctx, s.evidence.detail))
        or (s.finding is Finding.CLIENT_CALL and s.instrumentation is None and s.strength >= _DIRECT)
        for s in verdict.signals
    )


def _private_transport(ctx: FunctionContext, callee: str) -> bool:
    """Whether ``callee`` is the client's transport: a private method or module function, or a method of the
    collaborator the class holds in a private attribute (hvac's ``self._adapter.post(...)``, an SDK's
    ``self._requestor.request(...)``)."""
    module, _, qualname = callee.partition(":")
    owner, _, name = qualname.rpartition(".")
    if _private(name):
        return bool(owner) or module == ctx.module
    return any(callee in call.workspace_callees and _held_privately(call.text) for call in ctx.calls)


def _held_privately(text: str) -> bool:
    """``self._adapter.post``: a method of what ``self`` holds in a private attribute."""
    parts = text.split(".")
    return len(parts) == 3 and parts[0] == "self" and _private(parts[1])


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")
