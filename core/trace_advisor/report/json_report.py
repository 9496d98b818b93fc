"""The JSON report: a stable envelope around the recommendations (schema: config/recommendations.schema.json)."""

from __future__ import annotations

import json

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
    data["span_estimates"] = [
        {"entry": e.entry, "spans": e.spans, "per_iteration": e.per_iteration} for e in facts.span_estimates
    ]
    data["left_out"] = [
        {"symbol": n.symbol, "file": n.file, "line": n.line, "reason": n.reason} for n in facts.left_out
    ]
    return data


def render_json(facts: ReportFacts) -> str:
    return json.dumps(report_object(facts), indent=2, ensure_ascii=False) + "\n"
