"""The JSON report: a stable envelope around the recommendations (schema: config/recommendations.schema.json)."""

from __future__ import annotations

import json

from trace_advisor.datatypes import InstrumentationHint, SpanVolume, TraceCheck
from trace_advisor.report.facts import ReportFacts, all_recommendations


def report_object(facts: ReportFacts) -> dict[str, object]:
    data: dict[str, object] = {
        "tool": facts.tool,
        "version": facts.version,
        "engine": facts.engine,
    }
    if facts.generated_at is not None:
        data["generated_at"] = facts.generated_at
    data["files_analysed"] = facts.files_analysed
    data["summary"] = {
        "total": facts.total,
        "functions": facts.functions_with_recommendations,
        "files": facts.files_with_recommendations,
        "min_confidence": facts.min_confidence,
        "by_priority": dict(facts.counts),
    }
    data["usage"] = {
        "calls": facts.usage.calls,
        "input_tokens": facts.usage.input_tokens,
        "output_tokens": facts.usage.output_tokens,
        "cost_usd": round(facts.usage.cost_usd, 6),
    }
    data["usage_by_file"] = [
        {
            "file": item.file,
            "calls": item.calls,
            "input_tokens": item.input_tokens,
            "output_tokens": item.output_tokens,
            "cost_usd": round(item.cost_usd, 6),
        }
        for item in facts.usage.by_file
    ]
    data["problems"] = [
        {"message": p.message, "file": p.file, "line": p.line, "severity": p.severity} for p in facts.problems
    ]
    recommendations = []
    for rec in all_recommendations(facts):
        item = rec.recommendation.to_json()
        item["file"] = rec.file
        recommendations.append(item)
    data["recommendations"] = recommendations
    data["left_out"] = [
        {"symbol": n.symbol, "file": n.file, "line": n.line, "reason": n.reason} for n in facts.left_out
    ]
    data["instrumentation"] = [instrumentation_object(item.hint) for item in facts.install]
    if facts.volume is not None:
        data["volume"] = volume_object(facts.volume)
    if facts.traces is not None:
        data["traces"] = traces_object(facts.traces)
    return data


def instrumentation_object(hint: InstrumentationHint) -> dict[str, object]:
    """An instrumentation package to install rather than a span per function it covers."""
    return {
        "package": hint.package,
        "action": hint.action,
        "handler": hint.handler,
        "gives": hint.gives,
        "clients": list(hint.clients),
        "covers": [
            {"symbol": f.symbol, "file": f.file, "line": f.name_range.start.line, "clients": list(f.clients)}
            for f in hint.covers
        ],
        # the handlers it spans whose own span is recommended too (the server span is their parent)
        "spanned": [
            {"symbol": f.symbol, "file": f.file, "line": f.name_range.start.line, "clients": list(f.clients)}
            for f in hint.spanned
        ],
    }


def volume_object(volume: SpanVolume) -> dict[str, object]:
    """The spans all recommendations add per unit of the busiest entry point, and of the busiest of each other
    unit."""
    data: dict[str, object] = {
        "spans_per_request": round(volume.per_request, 3),
        "one_pass": round(volume.one_pass, 3),
        "entry": volume.entry,
        "functions": volume.functions,
        "loop_iterations": volume.loop_iterations,
        **volume.unit.to_json(),
    }
    _all_paths(data, volume.all_paths)
    if volume.others:
        data["by_unit"] = [
            _all_paths(
                {
                    "spans_per_request": round(other.per_request, 3),
                    "one_pass": round(other.one_pass, 3),
                    "entry": other.entry,
                    "functions": other.functions,
                    **other.unit.to_json(),
                },
                other.all_paths,
            )
            for other in volume.others
        ]
    return data


def _all_paths(data: dict[str, object], all_paths: float | None) -> dict[str, object]:
    """``data`` with the figure were every path taken, when it differs from the typical one."""
    if all_paths is not None and round(all_paths, 3) != data["spans_per_request"]:
        data["all_paths"] = round(all_paths, 3)
    return data


def traces_object(check: TraceCheck) -> dict[str, object]:
    """What ``analyze --traces`` found, beside the recommendations (which carry their own ``observed``)."""
    return {
        "files": list(check.files),
        "spans": check.spans,
        "traces": check.traces,
        "mapped_spans": check.mapped,
        "window_s": round(check.window_s, 3),
        "functions": [
            {"symbol": f.symbol, "file": f.file, "line": f.line, "observed": f.observed.to_json()}
            for f in check.functions
        ],
        "gaps": [
            {
                "symbol": g.function.symbol,
                "file": g.function.file,
                "line": g.function.line,
                "observed": g.function.observed.to_json(),
                "callees": list(g.callees),
                "library_calls": list(g.library_calls),
            }
            for g in check.gaps
        ],
        "unseen_spans": [
            {"symbol": u.symbol, "file": u.file, "line": u.line, "span_name": u.span_name} for u in check.unseen
        ],
    }


def render_json(facts: ReportFacts) -> str:
    return json.dumps(report_object(facts), indent=2, ensure_ascii=False) + "\n"
