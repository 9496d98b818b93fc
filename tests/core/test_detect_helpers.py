"""Shared loading for the detector tests: fixture modules parsed into FunctionContexts, expectations from JSON."""

from __future__ import annotations

import ast
import json
from pathlib import Path

from trace_advisor.detect import DETECTORS
from trace_advisor.detect.context import FunctionContext, ModuleFacts, Signal

DETECT_FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "detect"


def load_module(path: Path) -> ModuleFacts:
    text = path.read_text(encoding="utf-8")
    return ModuleFacts(str(path), path.stem, text, ast.parse(text))


def contexts(path: Path) -> dict[str, FunctionContext]:
    facts = load_module(path)
    return {f.qualname: FunctionContext(facts, f) for f in facts.functions}


def signals_by_function(case: str, priority: str) -> dict[str, list[Signal]]:
    """Every function of every module in the case folder -> the priority's detector output."""
    found: dict[str, list[Signal]] = {}
    for path in sorted((DETECT_FIXTURES / case).glob("*.py")):
        for qualname, ctx in contexts(path).items():
            found[qualname] = DETECTORS[priority](ctx)
    return found


def expectations(case: str) -> dict[str, object]:
    data: dict[str, object] = json.loads((DETECT_FIXTURES / case / "expected.json").read_text(encoding="utf-8"))
    return data


def check_case(case: str, priority: str) -> dict[str, list[Signal]]:
    """Assert the case's expected.json: every listed substring in some reason, absent functions silent."""
    found = signals_by_function(case, priority)
    expected = expectations(case)
    found_spec = expected["found"]
    assert isinstance(found_spec, dict)
    for qualname, substrings in found_spec.items():
        reasons = " | ".join(s.evidence.reason for s in found[qualname])
        assert found[qualname], f"{qualname}: expected {priority} evidence, got none"
        for text in substrings:
            assert text in reasons, f"{qualname}: {text!r} not in {reasons!r}"
    for qualname in expected.get("absent", []):  # type: ignore[attr-defined]
        assert found[qualname] == [], (
            f"{qualname}: expected nothing, got {[s.evidence.reason for s in found[qualname]]}"
        )
    for qualname, text in dict(expected.get("not_in_reason", {})).items():  # type: ignore[call-overload]
        assert all(text not in s.evidence.reason for s in found[qualname]), qualname
    return found
