"""The versioned model prompt: the configured priorities, the candidate functions (redacted) and the answer shape."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass

from trace_advisor.advise.provider import Candidate
from trace_advisor.advise.redact import redact
from trace_advisor.config_model import PriorityConfig

# Bump whenever the wording, the listing format or the answer shape changes: it is part of the answer cache key.
PROMPT_VERSION = "2026-11-25.3"

MAX_CODE_LINES = 300  # longer functions are cut (and the model is told) so one function cannot blow the budget
MAX_CONTEXT_SYMBOLS = 8  # callers/callees listed per function (builtins are left out: the code shows them)
MAX_EVIDENCE = 6  # local findings listed per function

ANSWER_EXAMPLE = {
    "recommendations": [
        {
            "symbol": "shop.orders:OrderService.place",
            "line": 1,
            "priority": "external_io",
            "confidence": 0.9,
            "rationale": "Calls the payment API over HTTP and writes the order; a span shows latency and failures.",
            "capture": {
                "parameters": ["order_id"],
                "return_value": False,
                "exceptions": True,
                "attributes": [{"key": "order.id", "expression": "order_id"}],
            },
        }
    ]
}

_SYSTEM = """\
You are an OpenTelemetry expert. For each Python function listed, judge whether it deserves its own tracing span.

Tracing priorities of this project (higher weight matters more):
{priorities}

Rules:
- One entry per listed function, "symbol" copied exactly; never invent functions.
- No span needed (trivial, already traced, or only one call an auto-instrumentation traces): confidence below 0.3 \
and a one-line reason.
- "line": a line number of that function's listing (1 = its first line) where the span starts.
- "priority": one of {names}. "confidence": 0 to 1. "rationale": one or two actionable sentences.
- "capture.parameters": that function's parameter names worth recording; "capture.attributes": OpenTelemetry \
semantic-convention keys where one exists, with a Python expression valid at the top of the body; \
"return_value" and "exceptions": booleans.

Reply with one JSON object only, of this shape:
{example}"""

_SECTION = """\
### symbol: {symbol}
called by: {callers}
calls: {callees}
local findings:
{evidence}
code ({count} lines):
{code}"""


@dataclass(frozen=True, slots=True)
class RenderedCandidate:
    """One candidate as sent (already redacted) and the cache key of that exact content."""

    candidate: Candidate
    text: str
    line_count: int  # lines of code shown; valid answer lines are 1..line_count
    secrets_redacted: int


def enabled_priorities(priorities: Mapping[str, PriorityConfig]) -> dict[str, PriorityConfig]:
    """The priorities a model may answer with: the configured ones with a positive weight."""
    return {name: p for name, p in priorities.items() if p.weight > 0}


def system_prompt(priorities: Mapping[str, PriorityConfig]) -> str:
    enabled = enabled_priorities(priorities)
    lines = "\n".join(f"- {name} ({p.weight:g}): {p.description}" for name, p in enabled.items())
    return _SYSTEM.format(
        priorities=lines or "- (none)",
        names=", ".join(enabled) or "(none)",
        example=json.dumps(ANSWER_EXAMPLE),
    )


def priorities_fingerprint(priorities: Mapping[str, PriorityConfig]) -> str:
    """A stable hash of the priorities as the model sees them (names, weights, descriptions)."""
    enabled = enabled_priorities(priorities)
    data = sorted((name, p.weight, p.description) for name, p in enabled.items())
    return hashlib.sha256(json.dumps(data).encode("utf-8")).hexdigest()


def render_candidate(candidate: Candidate) -> RenderedCandidate:
    """The candidate's section of the user message: redacted, with lines numbered from the function's first line.

    Numbering is relative so that moving a function (an import added above it) keeps its cache entry valid.
    """
    code = redact(candidate.code)
    code_lines = _dedent(code.text.splitlines() or [""], candidate.range.start.column)
    shown = code_lines[:MAX_CODE_LINES]
    numbered = "\n".join(f"{i}|{line}" for i, line in enumerate(shown, start=1))
    if len(code_lines) > len(shown):
        numbered += f"\n     ... ({len(code_lines) - len(shown)} more lines not shown)"
    first = candidate.range.start.line
    evidence_lines = []
    for ev in candidate.evidence[:MAX_EVIDENCE]:
        reason = redact(ev.reason).text
        relative = ev.range.start.line - first + 1
        # Findings on a decorator (outside the code shown) are named as such rather than by an invalid line.
        where = f"line {relative}" if 1 <= relative <= len(shown) else "decorator" if relative < 1 else "after"
        evidence_lines.append(f"- {where}: [{ev.priority}] {reason}")
    text = _SECTION.format(
        symbol=candidate.symbol,
        callers=_symbols(candidate.callers),
        callees=_symbols(tuple(s for s in candidate.callees if not s.startswith("builtins:"))),
        evidence="\n".join(evidence_lines) or "- (none)",
        count=len(shown),
        code=numbered,
    )
    return RenderedCandidate(candidate, text, len(shown), code.total)


def user_prompt(sections: list[RenderedCandidate]) -> str:
    body = "\n\n".join(section.text for section in sections)
    return f"Functions to review ({len(sections)}):\n\n{body}\n\nAnswer with the JSON object only."


def _symbols(symbols: tuple[str, ...]) -> str:
    if not symbols:
        return "(none found)"
    shown = ", ".join(symbols[:MAX_CONTEXT_SYMBOLS])
    more = len(symbols) - MAX_CONTEXT_SYMBOLS
    return f"{shown}, and {more} more" if more > 0 else shown


def _dedent(lines: list[str], column: int) -> list[str]:
    """Remove the def's own indentation from every line (the first may already lack it: ``ast`` segments)."""
    if lines[0][:1].isspace():
        column = min(len(line) - len(line.lstrip()) for line in lines if line.strip())
        return [line[column:] for line in lines]
    return [lines[0], *(line[column:] if line[:column].isspace() else line.lstrip() for line in lines[1:])]
