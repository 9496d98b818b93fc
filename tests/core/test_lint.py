"""The span linter on one fixture per rule (tests/fixtures/lint/<rule>/): the findings (rule, line, fix) equal
``expected.json``, and applying the mechanical fixes gives ``fixed/<file>`` (regenerate with
``TRACE_ADVISOR_UPDATE_GOLDEN=1`` and review), which compiles and has only the findings no fix exists for."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from trace_advisor.lint import RULES, fix_text, lint_text

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
