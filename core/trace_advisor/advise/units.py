"""Consistency within a class: maintainers trace a service or client class method by method, so when most of its
public methods deserve a span, its other public methods with evidence of their own are recommended with them."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from trace_advisor.advise.local import Verdict
from trace_advisor.detect.context import FunctionContext

MIN_PUBLIC_METHODS = 3  # below this a "majority" is one or two methods: no convention to follow
MAJORITY = 0.5  # share of the class's public methods that deserve a span on their own
MARGIN = 0.1  # how far under min_confidence a sibling with evidence may be and still join them


def public_method(ctx: FunctionContext) -> bool:
    """A method a caller of the class uses (not ``_private``, not a dunder, not nested)."""
    return ctx.class_name is not None and "<" not in ctx.qualname and not ctx.name.startswith("_")


def consistent(functions: Sequence[tuple[FunctionContext, Verdict]], min_confidence: float) -> dict[int, Verdict]:
    """Verdicts raised to ``min_confidence`` (by index into ``functions``): public methods with some evidence, at
    most ``MARGIN`` short, of a class whose public methods mostly deserve a span; the reason says so."""
    by_class: dict[str, list[int]] = {}
    for number, (ctx, _) in enumerate(functions):
        if public_method(ctx):
            by_class.setdefault(ctx.qualname.rpartition(".")[0], []).append(number)
    raised: dict[int, Verdict] = {}
    for class_name, members in by_class.items():
        if len(members) < MIN_PUBLIC_METHODS:
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
                raised[i] = dataclasses.replace(
                    verdict, confidence=min_confidence, reasons=(*verdict.reasons, reason), consistency=reason
                )
    return raised
