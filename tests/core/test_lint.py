"""The span linter on one fixture per rule (tests/fixtures/lint/<rule>/): the findings (rule, line, fix) equal
``expected.json``, and applying the mechanical fixes gives ``fixed/<file>`` (regenerate with
``TRACE_ADVISOR_UPDATE_GOLDEN=1`` and review), which compiles and has only the findings no fix exists for."""

from __future__ import annotations

import ast
import json
import os
from pathlib import Path

import pytest
from trace_advisor.edits.source import SourceText
from trace_advisor.lint import RULES, fix_text, lint_text
from trace_advisor.lint.findings import LintContext

LINT = Path(__file__).resolve().parent.parent / "fixtures" / "lint"
CASES = sorted(p.name for p in LINT.iterdir() if (p / "expected.json").is_file())


def source_of(case: str) -> Path:
    (path,) = [p for p in (LINT / case).glob("*.py")]
    return path


def test_every_rule_has_a_fixture() -> None:
    assert CASES == sorted(rule.id for rule in RULES)


@pytest.mark.parametrize("case", CASES)
def test_findings_are_the_expected_ones(case: str) -> None:
    result = lint_text(source_of(case).read_text())
    assert result.error is None
    found = [
        {"rule": f.rule, "line": f.range.start.line, "fix": f.fix.title if f.fix else None} for f in result.findings
    ]
    assert found == json.loads((LINT / case / "expected.json").read_text())
    assert all(f.message for f in result.findings)


@pytest.mark.parametrize("case", CASES)
def test_fixes_give_the_expected_file(case: str) -> None:
    path = source_of(case)
    fixed, applied = fix_text(path.read_text())
    expected = LINT / case / "fixed" / path.name
    if os.environ.get("TRACE_ADVISOR_UPDATE_GOLDEN") == "1":
        expected.parent.mkdir(exist_ok=True)
        expected.write_text(fixed)
    assert fixed == expected.read_text()
    compile(fixed, path.name, "exec")
    wanted = [e for e in json.loads((LINT / case / "expected.json").read_text())]
    assert applied == sum(1 for e in wanted if e["fix"])
    remaining = lint_text(fixed).findings
    assert [f.rule for f in remaining if f.rule == case] == [case] * sum(1 for e in wanted if not e["fix"])
    assert all(f.fix is None for f in remaining)


def test_the_span_engines_own_code_passes_the_linter() -> None:
    spans = LINT.parent / "spans"
    outputs = sorted(spans.glob("*/expected/**/*.py"))
    assert len(outputs) > 10
    for path in outputs:
        text = path.read_bytes().decode("latin-1" if "cookie" in path.name else "utf-8")
        assert lint_text(text).findings == (), path


@pytest.mark.parametrize("case", CASES)
def test_a_given_tree_is_linted_as_the_text_is(case: str) -> None:
    """The editor passes the tree its index parsed for the text (one parse per keystroke): same findings."""
    import ast

    text = source_of(case).read_text()
    assert lint_text(text, tree=ast.parse(text)) == lint_text(text)


PADDING = "\n".join(
    [
        "",
        "",
        "class Registry:",
        '    """Plain code: no span, no tracer."""',
        "",
        *(f"    def method_{n}(self, value):\n        return [value * {n} for _ in range(3)]\n" for n in range(30)),
        "    def traced(self):",
        "        return trace.get_tracer(__name__)",
        "",
        *(f"def helper_{n}(items):\n    return sorted(items)[:{n}]\n" for n in range(30)),
    ]
)


@pytest.mark.parametrize("case", CASES)
def test_the_rules_read_only_the_statements_that_name_opentelemetry_calls(case: str) -> None:
    """Plain code after a fixture changes none of its findings, and the rules walk none of it: of the class, only the
    method that calls ``get_tracer`` (whose finding is reported)."""
    text = source_of(case).read_text()
    alone = lint_text(text).findings
    padded = text.rstrip("\n") + "\n" + PADDING
    found = lint_text(padded).findings
    assert found[: len(alone)] == alone
    assert [(f.rule, padded.splitlines()[f.range.start.line - 1].strip()) for f in found[len(alone) :]] == [
        ("tracer-per-call", "return trace.get_tracer(__name__)")
    ]
    tree = ast.parse(padded)
    units = LintContext(SourceText(padded), tree).units
    plain = [
        s for s in tree.body if isinstance(s, ast.ClassDef | ast.FunctionDef) and s.name[:7] in ("Registr", "helper_")
    ]
    assert not set(map(id, units)) & set(map(id, plain))
    assert [u.name for u in units if isinstance(u, ast.FunctionDef) and u.lineno > len(text.splitlines())] == ["traced"]


def test_an_end_time_the_moved_statements_compute_gets_no_fix() -> None:
    """``span.end(end_time=finished)`` where ``finished`` is assigned between start and end: in a ``finally`` it may
    be unset when an exception leaves those statements, so there is no mechanical fix (the finding stays)."""
    source = (
        "from opentelemetry import trace\n\ntracer = trace.get_tracer(__name__)\n\n\n"
        "def timed_late(part, started: int):\n"
        '    span = tracer.start_span("timed_late", start_time=started)\n'
        "    finished = part.finish()\n"
        "    span.end(end_time=finished)\n"
    )
    [finding] = lint_text(source).findings
    assert (finding.rule, finding.fix) == ("span-not-ended", None)
