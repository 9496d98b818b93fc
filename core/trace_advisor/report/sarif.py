"""SARIF 2.1.0 for GitHub code scanning: one rule per priority, one ``note`` result per recommendation."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path, PurePosixPath
from urllib.parse import quote

from trace_advisor.advise.instrumentation_hints import hint_text
from trace_advisor.datatypes import Problem, Range
from trace_advisor.report.facts import (
    InstallFacts,
    PriorityGroup,
    RecommendationFacts,
    ReportFacts,
    count_of,
    priority_title,
)
from trace_advisor.report.json_report import traces_object, volume_object

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
BASE_ID = "SRCROOT"
TAGS = ["observability", "opentelemetry", "tracing"]
_LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def rule_id(priority: str) -> str:
    return f"trace-advisor/{priority}"


def artifact_location(file: str) -> dict[str, str]:
    """A report path as SARIF wants it: a URI reference percent-encoded per RFC 3986 (``100%.py`` -> ``100%25.py``,
    ``q#x.py`` -> ``q%23x.py``), relative to the ``SRCROOT`` base, or an absolute ``file:`` URI outside it."""
    if PurePosixPath(file).is_absolute():
        return {"uri": Path(file).as_uri()}
    return {"uri": quote(file, safe="/"), "uriBaseId": BASE_ID}


def render_sarif(facts: ReportFacts, priorities: dict[str, str]) -> str:
    """``priorities`` maps every configured priority to its description (rules exist even with no result)."""
    names = list(priorities) + [g.priority for g in facts.groups if g.priority not in priorities]
    index = {name: i for i, name in enumerate(names)}
    groups = {g.priority: g for g in facts.groups}
    rules = [_rule(name, priorities.get(name) or _group_description(groups.get(name))) for name in names]
    results = [_result(rec, index[rec.priority]) for g in facts.groups for rec in g.recommendations]
    if facts.install:  # one result per package to install, at the first handler it covers
        rules.append(_INSTALL_RULE)
        results += [_install_result(item, len(rules) - 1) for item in facts.install]
    properties: dict[str, object] = {
        "engine": facts.engine,
        "filesAnalysed": facts.files_analysed,
        "usage": _usage(facts),
    }
    if facts.traces is not None:
        properties["traces"] = traces_object(facts.traces)
    if facts.volume is not None:
        properties["volume"] = volume_object(facts.volume)
    run: dict[str, object] = {
        "tool": {
            "driver": {
                "name": facts.tool,
                "version": facts.version,
                "semanticVersion": facts.version,
                "rules": rules,
            }
        },
        "originalUriBaseIds": {BASE_ID: {"uri": Path(facts.root).resolve().as_uri() + "/"}},
        "columnKind": "unicodeCodePoints",  # our columns count code points, not UTF-16 units
        "invocations": [_invocation(facts)],
        "results": results,
        "properties": properties,
    }
    log = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _usage(facts: ReportFacts) -> dict[str, object]:
    """Model usage for the run and per file (the property bag is free-form; keys in SARIF's camelCase)."""
    u = facts.usage
    return {
        "calls": u.calls,
        "inputTokens": u.input_tokens,
        "outputTokens": u.output_tokens,
        "costUsd": round(u.cost_usd, 6),
        "byFile": [
            {
                "file": f.file,
                "calls": f.calls,
                "inputTokens": f.input_tokens,
                "outputTokens": f.output_tokens,
                "costUsd": round(f.cost_usd, 6),
            }
            for f in u.by_file
        ],
    }


def _group_description(group: PriorityGroup | None) -> str:
    return group.description if group else ""


def _rule(priority: str, description: str) -> dict[str, object]:
    title = priority_title(priority)
    full = description or f"Functions where a span would show {title.lower()}."
    return {
        "id": rule_id(priority),
        "name": "".join(part.capitalize() for part in priority.split("_")) + "NeedsSpan",
        "shortDescription": {"text": f"{title}: add an OpenTelemetry span"},
        "fullDescription": {"text": full},
        "help": {
            "text": f"{full} Wrap the function in a span (tracer.start_as_current_span) and record what the "
            "recommendation lists; trace-advisor's quick-fix inserts it.",
            "markdown": f"**{title}.** {full}\n\nWrap the function in a span "
            "(`tracer.start_as_current_span`) and record what the recommendation lists; the trace-advisor "
            "language server's quick-fix inserts it.",
        },
        "defaultConfiguration": {"level": "note"},
        "properties": {"tags": [*TAGS, priority]},
    }


def _result(rec: RecommendationFacts, rule_index: int) -> dict[str, object]:
    name = rec.recommendation.name_range
    fingerprint = hashlib.sha256(f"{rec.symbol}\0{rec.priority}".encode()).hexdigest()[:32]
    return {
        "ruleId": rule_id(rec.priority),
        "ruleIndex": rule_index,
        "level": "note",
        "message": {
            "text": f'Add a span "{rec.span_name}" to {rec.qualname} (confidence {rec.confidence_text}): '
            f"{rec.recommendation.rationale}"  # each result says what to install: SARIF has no section for it
        },
        "locations": [_location(rec.file, name, rec.symbol)],
        "partialFingerprints": {"traceAdvisorSymbol/v1": fingerprint},
        "properties": {
            "priority": rec.priority,
            "confidence": round(rec.confidence, 4),
            "spanName": rec.span_name,
            "source": rec.source,
            "capture": list(rec.capture),
            **({"observed": rec.recommendation.observed.to_json()} if rec.recommendation.observed else {}),
            **({"cost": rec.recommendation.cost.to_json()} if rec.recommendation.cost else {}),
        },
    }


def _location(file: str, name: Range, symbol: str) -> dict[str, object]:
    """A function's location: the region of its def's name, and its symbol."""
    return {
        "physicalLocation": {
            "artifactLocation": artifact_location(file),
            "region": {
                "startLine": name.start.line,
                "startColumn": name.start.column + 1,
                "endLine": name.end.line,
                "endColumn": max(name.end.column + 1, name.start.column + 2)
                if name.end.line == name.start.line
                else name.end.column + 1,
            },
        },
        "logicalLocations": [
            {"fullyQualifiedName": symbol, "name": symbol.partition(":")[2], "kind": "function"},
        ],
    }


_INSTALL_RULE: dict[str, object] = {
    "id": "trace-advisor/instrumentation",
    "name": "InstallInstrumentation",
    "shortDescription": {"text": "Install the web framework's OpenTelemetry instrumentation"},
    "fullDescription": {
        "text": "A web framework's instrumentation package gives each request its server span: request handlers "
        "that do nothing else worth a span need none of their own."
    },
    "help": {
        "text": "Install the package the result names (and set it up as its documentation says); the handlers it "
        "lists then need no span of their own.",
        "markdown": "Install the package the result names (and set it up as its documentation says); the handlers "
        "it lists then need no span of their own.",
    },
    "defaultConfiguration": {"level": "note"},
    "properties": {"tags": [*TAGS, "instrumentation"]},
}


def _install_result(item: InstallFacts, rule_index: int) -> dict[str, object]:
    covers = item.hint.covers or item.hint.spanned  # where it points: the handlers needing no span of their own first
    locations = [_location(f.file, f.name_range, f.symbol) for f in covers]
    return {
        "ruleId": "trace-advisor/instrumentation",
        "ruleIndex": rule_index,
        "level": "note",
        "message": {
            "text": hint_text(item.hint, f"{count_of(item.covers, item.hint.handler)} (the related locations)")
        },
        "locations": locations[:1],
        "relatedLocations": [{"id": number, **location} for number, location in enumerate(locations)],
        "partialFingerprints": {"traceAdvisorPackage/v1": hashlib.sha256(item.package.encode()).hexdigest()[:32]},
        "properties": {
            "package": item.package,
            "covers": [f.symbol for f in covers],
            "clients": list(item.hint.clients),
        },
    }


def _invocation(facts: ReportFacts) -> dict[str, object]:
    invocation: dict[str, object] = {
        "executionSuccessful": True,
        "toolExecutionNotifications": [_notification(p) for p in facts.problems],
    }
    if facts.generated_at:
        invocation["endTimeUtc"] = facts.generated_at
    return invocation


def _notification(problem: Problem) -> dict[str, object]:
    note: dict[str, object] = {"level": _LEVELS[problem.severity], "message": {"text": problem.message}}
    if problem.file:
        physical: dict[str, object] = {"artifactLocation": artifact_location(problem.file)}
        if problem.line:
            physical["region"] = {"startLine": problem.line}
        note["locations"] = [{"physicalLocation": physical}]
    return note
