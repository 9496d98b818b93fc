"""Consistency within a class: maintainers trace a service or client class method by method, so when most of its
public methods deserve a span, its other public methods with evidence of their own are recommended with them; and a
client class whose public methods mostly reach I/O through its own private transport (``self._request(...)``) has
each of them recommended, one-line forwards included (one span per operation, at the layer that names it)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from trace_advisor.advise.local import Verdict
from trace_advisor.detect.context import FunctionContext
from trace_advisor.detect.findings import Finding

MIN_PUBLIC_METHODS = 3  # below this a "majority" is one or two methods: no convention to follow
MAJORITY = 0.5  # share of the class's public methods that deserve a span on their own
MARGIN = 0.1  # how far under min_confidence a sibling with evidence may be and still join them


def public_method(ctx: FunctionContext) -> bool:
    """A method a caller of the class uses (not ``_private``, not a dunder, not nested)."""
    return ctx.class_name is not None and "<" not in ctx.qualname and not ctx.name.startswith("_")


def client_operations(functions: Sequence[tuple[FunctionContext, Verdict]]) -> dict[int, str]:
    """The public operations of client classes (by index into ``functions``), each with the reason: a class with at
    least ``MIN_PUBLIC_METHODS`` public methods, most of which call its own transport."""
    found: dict[int, str] = {}
    for class_name, members in _public_methods(functions).items():
        operations = [i for i in members if _through_own_transport(*functions[i])]
        if len(operations) >= MIN_PUBLIC_METHODS and len(operations) / len(members) >= MAJORITY:
            reason = (
                f"{len(operations)} of {len(members)} public methods of {class_name} call its own transport: a "
                "client class, traced operation by operation"
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
        if any(i in clients for i in members):
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


def with_floor(verdict: Verdict, confidence: float, reason: str) -> Verdict:
    """``verdict`` raised to ``confidence`` because of its unit (``reason`` ends its rationale)."""
    if verdict.consistency == reason:
        return dataclasses.replace(verdict, confidence=confidence)
    return dataclasses.replace(verdict, confidence=confidence, reasons=(*verdict.reasons, reason), consistency=reason)


def _public_methods(functions: Sequence[tuple[FunctionContext, Verdict]]) -> dict[str, list[int]]:
    """Per class with at least ``MIN_PUBLIC_METHODS`` public methods, their indices into ``functions``."""
    by_class: dict[str, list[int]] = {}
    for number, (ctx, _) in enumerate(functions):
        if public_method(ctx):
            by_class.setdefault(ctx.qualname.rpartition(".")[0], []).append(number)
    return {name: members for name, members in by_class.items() if len(members) >= MIN_PUBLIC_METHODS}


def _through_own_transport(ctx: FunctionContext, verdict: Verdict) -> bool:
    """A remote operation of a client class: the method reaches I/O through a private method (of its class or a base
    class: the client's transport, ``self._request(...)``) or a private function of its module, not by calling a
    client library itself."""
    return any(
        s.finding is Finding.CALLS_IO_FUNCTION and _private_transport(ctx, s.evidence.detail) for s in verdict.signals
    )


def _private_transport(ctx: FunctionContext, callee: str) -> bool:
    module, _, qualname = callee.partition(":")
    owner, _, name = qualname.rpartition(".")
    private = name.startswith("_") and not name.startswith("__")
    return private and (bool(owner) or module == ctx.module)
