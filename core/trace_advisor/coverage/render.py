"""Coverage as text (a table per package), JSON, or SARIF 2.1.0 with ``baselineState`` against a baseline."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from trace_advisor import __version__
from trace_advisor.coverage.baseline import Comparison
from trace_advisor.coverage.measure import Coverage, FunctionCoverage, Tally

FORMATS = ("text", "json", "sarif")
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
_UNTRACED = "trace-advisor/coverage/untraced"
_REMOVED = "trace-advisor/coverage/span-removed"
_SHOWN_UNTRACED = 10  # the text format lists the strongest untraced functions; json and sarif list all


def render(coverage: Coverage, fmt: str, comparison: Comparison | None, root: Path) -> str:
    if fmt == "json":
        return _json(coverage, comparison)
    if fmt == "sarif":
        return _sarif(coverage, comparison, root)
    return _text(coverage, comparison)


def _percent(value: float) -> str:
    return f"{value * 100:.1f}%"


def _text(coverage: Coverage, comparison: Comparison | None) -> str:
    packages = coverage.packages()
    overall = coverage.overall()
    width = max([len("overall"), *(len(name) for name in packages)])
    out = [
        f"Span coverage of the functions that deserve a span (confidence >= {coverage.min_confidence:g})",
        "",
        f"{'package':<{width}}  {'traced':>6} / {'of':<6} {'coverage':>8}  {'weighted':>8}",
    ]
    for name, tally in packages.items():
        out.append(_row(name, tally, width))
    out.append(_row("overall", overall, width))
    if comparison is not None:
        base = comparison.baseline
        out.append(
            f"baseline: {_percent(base.ratio)} ({_percent(base.weighted)} weighted); change: "
            f"{_points(overall.ratio - base.ratio)} ({_points(overall.weighted - base.weighted)} weighted)"
        )
        if comparison.lost:
            out += ["", "Regressions: spans removed (the baseline counted these as traced):"]
            out += [f"  {_where(f)}" for f in comparison.lost]
        if comparison.new_in_changed:
            out += ["", "Regressions: new functions that deserve a span, without one, in changed files:"]
            out += [f"  {_where(f)}" for f in comparison.new_in_changed]
        if comparison.new_in_unchanged:
            out += ["", "New in files that did not change (not a regression: a callee or the scorer changed):"]
            out += [f"  {_where(f)}" for f in comparison.new_in_unchanged]
    untraced = sorted((f for f in coverage.functions if not f.is_traced), key=lambda f: (-f.confidence, f.key))
    if untraced:
        shown = untraced[:_SHOWN_UNTRACED]
        more = len(untraced) - len(shown)
        out += ["", f"Without a span ({len(untraced)}; strongest first):"]
        out += [f"  {_where(f)}" for f in shown]
        if more:
            out.append(f"  ... and {more} more (--format json lists all)")
    return "\n".join(out) + "\n"


def _row(name: str, tally: Tally, width: int) -> str:
    return (
        f"{name:<{width}}  {tally.traced:>6} / {tally.functions:<6} {_percent(tally.ratio):>8}  "
        f"{_percent(tally.weighted):>8}"
    )


def _points(delta: float) -> str:
    return f"{delta * 100:+.1f} points"


def _where(function: FunctionCoverage) -> str:
    return f"{function.file}:{function.line} {function.symbol} ({function.confidence:.2f} {function.priority})"


def _tally_json(tally: Tally) -> dict[str, object]:
    return {
        "functions": tally.functions,
        "traced": tally.traced,
        "coverage": round(tally.ratio, 4),
        "weighted_coverage": round(tally.weighted, 4),
    }


def _json(coverage: Coverage, comparison: Comparison | None) -> str:
    def function(f: FunctionCoverage) -> dict[str, object]:
        data: dict[str, object] = {
            "key": f.key,
            "symbol": f.symbol,
            "file": f.file,
            "line": f.line,
            "package": f.package,
            "confidence": round(f.confidence, 4),
            "priority": f.priority,
            "traced": f.traced,
        }
        if comparison is not None and not f.is_traced:
            data["baseline_state"] = "new" if comparison.is_new(f) else "unchanged"
        return data

    data: dict[str, object] = {
        "min_confidence": coverage.min_confidence,
        "overall": _tally_json(coverage.overall()),
        "packages": {name: _tally_json(t) for name, t in coverage.packages().items()},
        "functions": [function(f) for f in coverage.functions],
    }
    if comparison is not None:
        data["baseline"] = {
            "coverage": comparison.baseline.ratio,
            "weighted_coverage": comparison.baseline.weighted,
            "min_confidence": comparison.baseline.min_confidence,
            "spans_removed": [f.key for f in comparison.lost],
            "new_in_changed_files": [f.key for f in comparison.new_in_changed],
            "new_in_unchanged_files": [f.key for f in comparison.new_in_unchanged],
            "changed_files": sorted(comparison.changed_files),
            "regression": bool(comparison.regressions),
        }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _sarif(coverage: Coverage, comparison: Comparison | None, root: Path) -> str:
    lost = {f.key for f in comparison.lost} if comparison is not None else set()
    results = []
    for function in coverage.functions:
        if function.is_traced:
            continue
        result = _result(function, removed=function.key in lost)
        if comparison is not None:
            new = comparison.is_new(function)
            result["baselineState"] = "new" if new else "unchanged"
            regression = function.key in lost or function in comparison.new_in_changed
            result["level"] = "warning" if regression else "note"
        results.append(result)
    run: dict[str, object] = {
        "tool": {
            "driver": {
                "name": "trace-advisor",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": [
                    _rule(_UNTRACED, "FunctionWithoutSpan", "A function that deserves a span has none"),
                    _rule(_REMOVED, "SpanRemoved", "A span the coverage baseline counted was removed"),
                ],
            }
        },
        "originalUriBaseIds": {"SRCROOT": {"uri": root.resolve().as_uri() + "/"}},
        "results": results,
        "properties": {
            "minConfidence": coverage.min_confidence,
            "coverage": round(coverage.overall().ratio, 4),
            "weightedCoverage": round(coverage.overall().weighted, 4),
        },
    }
    return json.dumps({"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2) + "\n"


def _rule(rule_id: str, name: str, text: str) -> dict[str, object]:
    return {
        "id": rule_id,
        "name": name,
        "shortDescription": {"text": text},
        "help": {"text": f"{text}. `trace-advisor apply --symbol SYMBOL` (or the editor's quick-fix) adds it."},
        "defaultConfiguration": {"level": "note"},
        "properties": {"tags": ["observability", "opentelemetry", "tracing", "coverage"]},
    }


def _result(function: FunctionCoverage, *, removed: bool) -> dict[str, object]:
    message = (
        f"{function.symbol} lost its span (the coverage baseline counted it as traced)"
        if removed
        else f"{function.symbol} deserves a span and has none (confidence {function.confidence:.2f}, "
        f"{function.priority})"
    )
    return {
        "ruleId": _REMOVED if removed else _UNTRACED,
        "ruleIndex": 1 if removed else 0,
        "level": "note",
        "message": {"text": message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": function.file, "uriBaseId": "SRCROOT"},
                    "region": {"startLine": function.line},
                },
                "logicalLocations": [{"fullyQualifiedName": function.symbol, "kind": "function"}],
            }
        ],
        "partialFingerprints": {"traceAdvisorSymbol/v1": hashlib.sha256(function.key.encode("utf-8")).hexdigest()[:32]},
        "properties": {"confidence": round(function.confidence, 4), "priority": function.priority},
    }
