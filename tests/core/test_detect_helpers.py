"""Shared loading for the detector tests: fixture modules parsed into FunctionContexts, expectations from JSON
(each function's signals by their typed fields)."""

from __future__ import annotations

import functools
import json
from pathlib import Path

from trace_advisor.analysed import AnalysedModule
from trace_advisor.detect import DETECTORS
from trace_advisor.detect.context import FunctionContext
from trace_advisor.detect.findings import Finding, Signal
from trace_advisor.index import Index

DETECT_FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "detect"


@functools.cache
def _index(folder: Path) -> Index:
    index = Index([folder], use_cache=False)
    index.build()
    return index


def analysed(path: Path, root: Path | None = None) -> AnalysedModule:
    """A fixture module as the index analyses it (``root``, by default its folder, is the workspace)."""
    found = _index(root or path.parent).analysed(path)
    assert isinstance(found, AnalysedModule), found
    return found


def contexts(path: Path, root: Path | None = None) -> dict[str, FunctionContext]:
    module = analysed(path, root)
    return {f.scope.qualname: FunctionContext(module, f) for f in module.functions()}


@functools.cache
def signals_by_function(case: str, priority: str) -> dict[str, list[Signal]]:
    """Every function of every module in the case folder -> the priority's detector output."""
    found: dict[str, list[Signal]] = {}
    for path in sorted((DETECT_FIXTURES / case).glob("*.py")):
        for qualname, ctx in contexts(path).items():
            found[qualname] = DETECTORS[priority](ctx)
    return found


_SUBJECT_IS_DETAIL = frozenset({Finding.IO_LOOP, Finding.FILE_LOOP, Finding.AWAITS_IO})


def describe(signal: Signal) -> str:
    """A signal as its typed fields: the finding, then what it is about (the API target, ``(by name)`` when
    guessed; the SQL verb and table; the workspace callee; the call in a loop)."""
    parts = [signal.finding.value]
    if signal.sql is not None:
        parts += [signal.sql.verb, signal.sql.table or "?"]
    elif signal.api is not None and signal.api.target:
        parts.append(signal.api.target + ("" if signal.api.resolved else " (by name)"))
    elif signal.delegated or signal.finding in _SUBJECT_IS_DETAIL:
        parts.append(signal.evidence.detail)
    return " ".join(parts)


def expected_findings(case: str) -> dict[str, list[str]]:
    """``expected.json`` of a case: every function of its modules -> the sorted descriptions of its signals."""
    data: dict[str, list[str]] = json.loads((DETECT_FIXTURES / case / "expected.json").read_text(encoding="utf-8"))[
        "functions"
    ]
    return data


def case_functions(case: str) -> list[str]:
    """The qualnames of a case's expectations, for ``pytest.mark.parametrize`` (one test per function)."""
    return sorted(expected_findings(case))


def check_function(case: str, priority: str, qualname: str) -> list[Signal]:
    """Assert one function's signals, described by their typed fields, equal the case's expectation."""
    found = signals_by_function(case, priority)
    assert set(found) == set(expected_findings(case)), "expected.json must list every function of the case"
    assert sorted(describe(s) for s in found[qualname]) == expected_findings(case)[qualname]
    return found[qualname]
