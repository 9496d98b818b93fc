"""The static graph measured against a recording: recall per module, and why each missed call was missed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from trace_advisor.callgraph import CallGraph
from trace_advisor.datatypes import Definition, SymbolId
from trace_advisor.record.observed import same_target
from trace_advisor.record.recording import HANDOVERS, ObservedCall, Recording


@dataclass(frozen=True, slots=True)
class ModuleRecall:
    """Distinct observed caller -> callee pairs whose caller is in ``module``, and how many the static graph has."""

    module: str
    observed: int
    found: int

    @property
    def recall(self) -> float:
        return self.found / self.observed if self.observed else 1.0


@dataclass(frozen=True, slots=True)
class Missed:
    """An observed call the static graph does not have, at the caller's line, with the reason found there."""

    caller: SymbolId
    callee: SymbolId
    file: str
    line: int | None
    count: int
    reason: str
    external: bool


@dataclass(frozen=True, slots=True)
class Comparison:
    modules: tuple[ModuleRecall, ...]  # workspace -> workspace calls, by caller module
    missed: tuple[Missed, ...]  # workspace -> workspace calls first, then calls out of the workspace
    external: ModuleRecall  # first calls out of the workspace, all modules together
    stale: int  # observed pairs naming functions the index no longer has (code changed since the recording)

    @property
    def workspace(self) -> ModuleRecall:
        return ModuleRecall("", sum(m.observed for m in self.modules), sum(m.found for m in self.modules))

    def to_json(self) -> dict[str, object]:
        total = self.workspace
        return {
            "recall": round(total.recall, 4),
            "observed": total.observed,
            "found": total.found,
            "external": {
                "observed": self.external.observed,
                "found": self.external.found,
                "recall": round(self.external.recall, 4),
            },
            "stale": self.stale,
            "modules": [
                {"module": m.module, "observed": m.observed, "found": m.found, "recall": round(m.recall, 4)}
                for m in self.modules
            ],
            "missed": [
                {
                    "caller": m.caller,
                    "callee": m.callee,
                    "file": m.file,
                    "line": m.line,
                    "count": m.count,
                    "external": m.external,
                    "reason": m.reason,
                }
                for m in self.missed
            ],
        }


def compare(graph: CallGraph, definition: Callable[[SymbolId], Definition | None], recording: Recording) -> Comparison:
    """Recall of ``graph`` against the observed workspace calls of ``recording`` (entries from outside, such as the
    test runner calling a test, are not calls of the workspace and are left out)."""
    pairs: dict[tuple[SymbolId, SymbolId], list[ObservedCall]] = {}
    for call in recording.calls:
        if call.caller is not None:
            pairs.setdefault((call.caller, call.callee), []).append(call)
    per_module: dict[str, list[int]] = {}
    external = [0, 0]
    missed: list[Missed] = []
    stale = 0
    for (caller, callee), calls in sorted(pairs.items()):
        caller_def = definition(caller)
        is_external = calls[0].external
        if caller_def is None or (not is_external and definition(callee) is None):
            stale += 1
            continue
        found = any(same_target(edge.callee, callee) for edge in graph.callees(caller))
        counts = external if is_external else per_module.setdefault(caller.partition(":")[0], [0, 0])
        counts[0] += 1
        counts[1] += int(found)
        if found:
            continue
        by_line: dict[int | None, int] = {}
        for call in calls:
            by_line[call.line] = by_line.get(call.line, 0) + call.count
        for line, count in sorted(by_line.items(), key=lambda item: item[0] or 0):
            via = next((c.via for c in calls if c.line == line and c.via), None)
            reason = _reason(graph, caller, line, via)
            missed.append(Missed(caller, callee, caller_def.file, line, count, reason, is_external))
    missed.sort(key=lambda m: (m.external, m.file, m.line or 0, m.callee))
    modules = tuple(ModuleRecall(module, n, f) for module, (n, f) in sorted(per_module.items()))
    return Comparison(modules, tuple(missed), ModuleRecall("", external[0], external[1]), stale)


def _reason(graph: CallGraph, caller: SymbolId, line: int | None, via: str | None) -> str:
    """What the static graph has at the caller's line: an unresolved call (with its reason), a call resolved to
    something else, or nothing (an implicit call)."""
    unresolved = [
        u for u in graph.unresolved(caller) if line is not None and u.range.start.line <= line <= u.range.end.line
    ]
    resolved = [e for e in graph.callees(caller) if line is not None and e.range.start.line <= line <= e.range.end.line]
    parts: list[str] = []
    if via in HANDOVERS:
        parts.append(f"handed to {'an' if via == 'executor' else 'a'} {via}")
    elif via is not None:
        parts.append(f"called back through {via}")
    for call in unresolved:
        why = getattr(call, "reason", "")
        parts.append(f"unresolved `{call.text}`" + (f": {why}" if why else ""))
    if resolved and not unresolved:
        targets = ", ".join(dict.fromkeys(e.callee for e in resolved))
        parts.append(f"the call here resolves to {targets}")
    if not unresolved and not resolved:
        parts.append("no call site on this line (an implicit call: decorator, property, operator or dunder method)")
    return "; ".join(parts)
