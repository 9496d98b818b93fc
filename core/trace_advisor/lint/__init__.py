"""The span linter: problems in OpenTelemetry code that already exists (``trace-advisor lint``, editor diagnostics).

Each rule is a function of one module (``LintContext``) yielding ``LintFinding`` s, registered once in ``RULES``
with a one-line summary; a finding carries its mechanical fix when there is one.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from trace_advisor.attribute_safety import DEFAULT_POLICY, AttributePolicy
from trace_advisor.edits.source import SourceText, apply_edits
from trace_advisor.edits.style import SpanStyle
from trace_advisor.lint.findings import Fix, LintContext, LintFinding
from trace_advisor.lint.lifecycle import exception_not_recorded, span_across_yield, span_not_ended
from trace_advisor.lint.setup import context_not_propagated, tracer_per_call
from trace_advisor.lint.values import (
    deprecated_attribute,
    sensitive_attribute,
    stale_line_number,
    unbounded_span_name,
    unsupported_attribute_type,
)
from trace_advisor.project_style import ProjectStyle

__all__ = ["RULES", "Fix", "LintFinding", "LintOptions", "LintResult", "Rule", "fix_text", "lint_text"]


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    summary: str
    check: Callable[[LintContext], Iterator[LintFinding]]


RULES: tuple[Rule, ...] = (
    Rule("span-not-ended", "start_span() without end() on every path: the span is never exported", span_not_ended),
    Rule(
        "exception-not-recorded",
        "an except clause inside a span fails or swallows without recording the exception",
        exception_not_recorded,
    ),
    Rule(
        "span-across-yield",
        "a generator's span that is current where it yields, or a span decorator on a generator",
        span_across_yield,
    ),
    Rule("unbounded-span-name", "a span name built from runtime values (unbounded cardinality)", unbounded_span_name),
    Rule(
        "unsupported-attribute-type",
        "an attribute value OpenTelemetry drops (not str/bool/int/float or a sequence of them)",
        unsupported_attribute_type,
    ),
    Rule("sensitive-attribute", "an attribute carrying a secret, personal data or a payload", sensitive_attribute),
    Rule(
        "deprecated-attribute",
        "a semantic-convention key under a name the conventions replaced (db.system, http.method...)",
        deprecated_attribute,
    ),
    Rule(
        "stale-line-number",
        "a code.line.number written as a number that is not its function's line any more",
        stale_line_number,
    ),
    Rule("tracer-per-call", "get_tracer() called in a function instead of once per module", tracer_per_call),
    Rule(
        "context-not-propagated",
        "work handed to a thread or executor inside a span without the span's context",
        context_not_propagated,
    ),
)


@dataclass(frozen=True, slots=True)
class LintOptions:
    """The project's settings the rules read."""

    policy: AttributePolicy = DEFAULT_POLICY  # sensitive names (built-in plus spans.sensitive_names)
    style: ProjectStyle = field(default_factory=ProjectStyle)  # import sections and line length of fixes
    swallowed_events: bool = True  # spans.swallowed_exceptions == "event": swallowed exceptions should be recorded

    @classmethod
    def of(cls, style: SpanStyle) -> LintOptions:
        return cls(style.policy, style.project, style.spans.swallowed_exceptions == "event")


@dataclass(frozen=True, slots=True)
class LintResult:
    findings: tuple[LintFinding, ...]
    error: str | None = None  # the text does not parse


def lint_text(
    text: str, options: LintOptions | None = None, rules: tuple[Rule, ...] = RULES, tree: ast.Module | None = None
) -> LintResult:
    """Every rule's findings on one module's text, in source order. ``tree``: the text's syntax tree when the
    caller has it already (the editor's index does: a second parse would double the cost of a keystroke)."""
    if tree is None:
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
            return LintResult((), f"the file does not parse: {exc}")
    if "opentelemetry" not in text and "get_tracer" not in text and "span" not in text:
        return LintResult(())  # nothing OpenTelemetry in it: nothing to check
    options = options or LintOptions()
    ctx = LintContext(SourceText(text), tree, options.policy, options.style, options.swallowed_events)
    findings: list[LintFinding] = []
    for rule in rules:
        try:
            findings.extend(rule.check(ctx))
        except RecursionError:  # absurdly deep code: skip the rule, never the file
            continue
    return LintResult(tuple(sorted(findings, key=lambda f: (f.range.start, f.rule))))


def fix_text(text: str, options: LintOptions | None = None) -> tuple[str, int]:
    """The text with every mechanical fix applied, one at a time (each later one found on the text the earlier ones
    left), and how many were applied. A fix whose result does not parse is skipped."""
    applied = 0
    skipped: set[tuple[str, int]] = set()
    for _ in range(500):  # fixes never add findings; the bound only guards against a rule that would
        found = lint_text(text, options)
        todo = [f for f in found.findings if f.fix is not None and (f.rule, f.range.start.line) not in skipped]
        if not todo:
            break
        finding = todo[0]
        assert finding.fix is not None
        new_text = apply_edits(text, finding.fix.edits)
        try:
            ast.parse(new_text)
        except SyntaxError:
            skipped.add((finding.rule, finding.range.start.line))
            continue
        text, applied = new_text, applied + 1
    return text, applied
