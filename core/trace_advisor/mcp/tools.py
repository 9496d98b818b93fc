"""The agent server's tools, declared once: name, description, JSON Schemas of the arguments and of the structured
answer, behaviour hints, and the service method that answers. The protocol layer lists and dispatches from here."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, get_args

from trace_advisor.cancel import CancelToken
from trace_advisor.config_model import PRIORITY_NAMES
from trace_advisor.datatypes import Dispatch, UnresolvedReason
from trace_advisor.lint import RULES
from trace_advisor.mcp.service import AdvisorService, Progress

Arguments = Mapping[str, Any]
Runner = Callable[[AdvisorService, Arguments, CancelToken, Progress | None], dict[str, object]]


@dataclass(frozen=True, slots=True)
class ToolSpec:
    name: str
    title: str
    description: str
    input_schema: dict[str, object]
    output_schema: dict[str, object]
    run: Runner
    read_only: bool = True
    open_world: bool = False  # may send code to a model provider (only when the project configures one)


def _object(properties: dict[str, object], required: tuple[str, ...] = ()) -> dict[str, object]:
    return {"type": "object", "properties": properties, "required": list(required), "additionalProperties": False}


_FUNCTION = {
    "type": "string",
    "minLength": 3,
    "description": "A function as FILE:QUALNAME (FILE relative to the workspace root or absolute, e.g. "
    "shop/services/orders.py:OrderService.place) or as a symbol id module:qualname (shop.services.orders:OrderService"
    ".place; nested functions are outer.<locals>.inner, module-level code is <module>).",
}
_NULLABLE_STRING = {"type": ["string", "null"]}
_PATHS = {
    "type": "array",
    "minItems": 1,
    "items": {"type": "string", "minLength": 1},
    "description": 'Python files or folders inside the workspace, relative to its root or absolute; ["."] is the '
    "whole workspace.",
}
_NULLABLE_LINE = {"type": ["integer", "null"]}


@cache
def report_schema() -> dict[str, object]:
    """The JSON report's schema (config/recommendations.schema.json), the answer of ``recommend``."""
    text = resources.files("trace_advisor").joinpath("resources/recommendations.schema.json").read_text("utf-8")
    schema: dict[str, object] = json.loads(text)
    return schema


_TREE_NODE = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "symbol", "file", "line", "cycle", "truncated", "external", "children"],
    "properties": {
        "id": {"type": "string", "description": "Stable id: a hash of the symbol path from the root."},
        "symbol": {"type": "string"},
        "file": _NULLABLE_STRING,
        "line": _NULLABLE_LINE,
        "cycle": {"type": "boolean", "description": "Already on the path from the root: not expanded."},
        "truncated": {"type": "boolean", "description": "Depth limit reached: not expanded."},
        "external": {"type": "boolean", "description": "No source in the workspace or on its search paths."},
        "static": {"type": "boolean", "description": "The static graph has the call (false: only observed)."},
        "observed": {"type": "integer", "minimum": 0, "description": "Calls seen by `calls --record` (0: none)."},
        "children": {"type": "array", "items": {"$ref": "#/$defs/node"}},
    },
}
CALL_TREE_SCHEMA: dict[str, object] = {**_TREE_NODE, "$defs": {"node": _TREE_NODE}}

_EDGE = {
    "type": "object",
    "additionalProperties": False,
    "required": ["symbol", "file", "line", "call_line", "call_column", "external", "dispatch", "via", "kind"],
    "properties": {
        "symbol": {"type": "string", "description": "The function at the other end of the call."},
        "file": {**_NULLABLE_STRING, "description": "Where that function is defined (null without source)."},
        "line": {**_NULLABLE_LINE, "description": "Line of its def (null without source)."},
        "call_line": {"type": "integer", "description": "Line of the call, in the caller's file."},
        "call_column": {"type": "integer", "description": "0-based column of the call."},
        "external": {"type": "boolean", "description": "The callee's source is not indexed (stdlib, third party)."},
        "dispatch": {
            "enum": list(get_args(Dispatch)),
            "description": "direct: the call names the callee; subclass: `self.m()` reaches a subclass's override; "
            "queued: the call queues a command that a later call sends (`pipe.set` on a redis pipeline, sent by "
            "`pipe.execute()`).",
        },
        "via": {
            **_NULLABLE_STRING,
            "description": "The library function that calls the callee (`threading:Thread` for `Thread(target=f)`).",
        },
        "kind": {
            "enum": ["call", "construct"],
            "description": "construct: the callee is a class built without an `__init__` with source (no function "
            "of it runs; PyCG's format has no such edge).",
        },
    },
}
_FUNCTION_FIELDS = {"symbol": {"type": "string"}, "file": _NULLABLE_STRING, "line": _NULLABLE_LINE}
CALLEES_SCHEMA = _object(
    {
        **_FUNCTION_FIELDS,
        "calls": {"type": "array", "items": {"type": "string"}, "description": "Distinct callees, source order."},
        "edges": {"type": "array", "items": _EDGE, "description": "Every resolved call site, source order."},
        "unresolved": {
            "type": "array",
            "description": "Calls that could not be followed (nothing is guessed), as written, and why.",
            "items": _object(
                {
                    "text": {"type": "string"},
                    "line": {"type": "integer"},
                    "column": {"type": "integer"},
                    "reason": {"enum": list(get_args(UnresolvedReason))},
                    "detail": {"type": "string", "description": "The reason for people: what would help."},
                },
                ("text", "line", "column", "reason", "detail"),
            ),
        },
    },
    ("symbol", "file", "line", "calls", "edges", "unresolved"),
)
CALLERS_SCHEMA = _object(
    {
        **_FUNCTION_FIELDS,
        "callers": {"type": "array", "items": {"type": "string"}, "description": "Distinct callers."},
        "edges": {"type": "array", "items": _EDGE, "description": "Every call site, by caller then line."},
    },
    ("symbol", "file", "line", "callers", "edges"),
)


_TALLY = _object(
    {
        "functions": {"type": "integer", "minimum": 0},
        "traced": {"type": "integer", "minimum": 0},
        "coverage": {"type": "number", "minimum": 0, "maximum": 1},
        "weighted_coverage": {"type": "number", "minimum": 0, "maximum": 1},
    },
    ("functions", "traced", "coverage", "weighted_coverage"),
)
_COVERED_FUNCTION = {
    "type": "object",
    "required": ["key", "symbol", "file", "line", "package", "confidence", "priority", "traced"],
    "properties": {
        "key": {"type": "string", "description": "The symbol id; #2, #3... for further defs sharing it."},
        "symbol": {"type": "string"},
        "file": {"type": "string", "description": "Relative to the project root."},
        "line": {"type": "integer"},
        "package": {"type": "string"},
        "confidence": {"type": "number", "minimum": 0, "maximum": 1},
        "priority": {"type": "string"},
        "traced": {**_NULLABLE_STRING, "description": "The span it has (null: none)."},
        "baseline_state": {"enum": ["new", "unchanged"]},
    },
}
COVERAGE_SCHEMA: dict[str, object] = {
    "type": "object",
    "required": ["min_confidence", "overall", "packages", "functions", "warnings"],
    "properties": {
        "min_confidence": {"type": "number"},
        "overall": _TALLY,
        "packages": {"type": "object", "additionalProperties": _TALLY},
        "functions": {"type": "array", "items": _COVERED_FUNCTION},
        "baseline": {"type": "object", "description": "The comparison with the project's baseline, when it has one."},
        "warnings": {"type": "array", "items": {"type": "string"}, "description": "What the CLI prints on stderr."},
    },
}


_SPAN = _object(
    {
        "symbol": {"type": "string", "description": "The function as named in the request (a symbol id)."},
        "file": {"type": "string", "description": "Relative to the workspace root."},
        "line": {**_NULLABLE_LINE, "description": "The def's line in the file as edited."},
        "status": {
            "enum": ["added", "already_traced", "not_added", "not_written"],
            "description": "added: the diff adds its span; already_traced: it has one (nothing to do); not_added: "
            "no span can be added (message says why); not_written: its file was refused (see refused).",
        },
        "span_name": _NULLABLE_STRING,
        "form": {"enum": ["decorator", "with", None], "description": "How the span is added."},
        "message": _NULLABLE_STRING,
        "notes": {"type": "array", "items": {"type": "string"}, "description": "What was asked for but not done."},
    },
    ("symbol", "file", "line", "status", "span_name", "form", "message", "notes"),
)
_SPAN_ANSWER = {
    "diff": {"type": "string", "description": "Unified diff, paths relative to the workspace root (patch -p1)."},
    "files": {"type": "array", "items": {"type": "string"}, "description": "The files the diff changes."},
    "spans": {"type": "array", "items": _SPAN},
    "problems": {
        "type": "array",
        "items": {"type": "string"},
        "description": "Names matching nothing in the workspace, unreadable files, analysis problems.",
    },
}
PREVIEW_SCHEMA = _object(_SPAN_ANSWER, ("diff", "files", "spans", "problems"))
APPLY_SCHEMA = _object(
    {
        **_SPAN_ANSWER,
        "diff": {"type": "string", "description": "What was written, as a unified diff."},
        "files": {"type": "array", "items": {"type": "string"}, "description": "The files written."},
        "refused": {
            "type": "array",
            "description": "Files not written: changed since preview_span read them (or since they were read), not "
            "writable, or not encodable.",
            "items": _object({"file": {"type": "string"}, "reason": {"type": "string"}}, ("file", "reason")),
        },
    },
    ("diff", "files", "spans", "problems", "refused"),
)
_PLAIN = {
    "type": "boolean",
    "default": False,
    "description": "A span without attributes, even for a recommended function (default: a recommended function "
    "gets the attributes its recommendation captures, exactly as the report shows).",
}


_LINT_FINDING = _object(
    {
        "file": {"type": "string", "description": "Relative to the workspace root."},
        "line": {"type": "integer", "minimum": 1},
        "column": {"type": "integer", "minimum": 1, "description": "1-based, as the CLI prints it."},
        "rule": {"enum": [rule.id for rule in RULES]},
        "message": {"type": "string"},
        "fix": {
            **_NULLABLE_STRING,
            "description": "The mechanical fix `trace-advisor lint --fix` applies (null: none).",
        },
    },
    ("file", "line", "column", "rule", "message", "fix"),
)
LINT_SCHEMA = _object(
    {
        "findings": {"type": "array", "items": _LINT_FINDING, "description": "By file, then position."},
        "fixed": {"type": "integer", "minimum": 0, "description": "Always 0: this tool changes nothing."},
        "warnings": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Files not read or not parsed (what the CLI prints on stderr).",
        },
    },
    ("findings", "fixed", "warnings"),
)


def _recommend(
    service: AdvisorService, args: Arguments, cancel: CancelToken, progress: Progress | None
) -> dict[str, object]:
    return service.recommend(
        args["paths"],
        args.get("min_confidence"),
        args.get("priorities"),
        args.get("traces"),
        cancel=cancel,
        progress=progress,
    )


def _coverage(
    service: AdvisorService, args: Arguments, cancel: CancelToken, progress: Progress | None
) -> dict[str, object]:
    return service.coverage(args["paths"], args.get("min_confidence"), cancel=cancel, progress=progress)


def _call_tree(service: AdvisorService, args: Arguments, cancel: CancelToken, _: Progress | None) -> dict[str, object]:
    return service.call_tree(args["entry"], args.get("depth", 8), cancel=cancel)


def _callees(service: AdvisorService, args: Arguments, cancel: CancelToken, _: Progress | None) -> dict[str, object]:
    return service.callees(args["symbol"], cancel=cancel)


def _preview_span(
    service: AdvisorService, args: Arguments, cancel: CancelToken, _: Progress | None
) -> dict[str, object]:
    return service.preview_span(args["symbol"], args.get("plain", False), cancel=cancel)


def _apply_span(service: AdvisorService, args: Arguments, cancel: CancelToken, _: Progress | None) -> dict[str, object]:
    return service.apply_span(args["symbols"], args.get("plain", False), cancel=cancel)


def _lint_spans(service: AdvisorService, args: Arguments, cancel: CancelToken, _: Progress | None) -> dict[str, object]:
    return service.lint_spans(args["paths"], args.get("rules"), cancel=cancel)


def _callers(service: AdvisorService, args: Arguments, cancel: CancelToken, _: Progress | None) -> dict[str, object]:
    return service.callers(args["symbol"], cancel=cancel)


TOOLS: tuple[ToolSpec, ...] = (
    ToolSpec(
        name="recommend",
        title="Where spans belong",
        description=(
            "Recommend where OpenTelemetry spans belong in Python files or folders of the workspace, why, and what "
            "each span should record (the JSON report of `trace-advisor analyze PATHS --format json`, file paths "
            "relative to the workspace root). Each recommendation names the function (symbol), its priority, a "
            "confidence from 0 to 1, the rationale and evidence, and the attributes to capture; `instrumentation` "
            "names the web framework instrumentation packages to install rather than a span on each request handler "
            "that needs none of its own (and the handlers they cover). Analysis is static "
            "(the code is never imported or run) and local unless the project configures a model provider. With "
            "traces (OTLP JSON exported by the OpenTelemetry Collector's file exporter or an OTLP/HTTP body; "
            "else the project's `traces` setting) the answer carries what they observed: a `traces` object (each "
            "traced function's span count, p50/p95 duration, rate and errors, slow untraced gaps with the functions "
            "that ran in them, spans in code no trace holds), and each recommendation on a slow or frequent path an "
            "`observed` object, more confidence and the figures in its rationale. Use preview_span / apply_span "
            "with a recommendation's symbol to insert its span."
        ),
        input_schema=_object(
            {
                "paths": {
                    "type": "array",
                    "minItems": 1,
                    "items": {"type": "string", "minLength": 1},
                    "description": "Python files or folders inside the workspace, relative to its root or absolute; "
                    '["."] is the whole workspace.',
                },
                "min_confidence": {
                    "type": "number",
                    "minimum": 0,
                    "maximum": 1,
                    "description": "Hide recommendations below this confidence (default: the project's "
                    "min_confidence, 0.5 unless configured).",
                },
                "priorities": {
                    "type": "array",
                    "minItems": 1,
                    "items": {"type": "string", "minLength": 1},
                    "description": f"Only these tracing priorities ({', '.join(PRIORITY_NAMES)}, or a custom one the "
                    "project configures).",
                },
                "traces": {
                    "type": "array",
                    "minItems": 1,
                    "items": {"type": "string", "minLength": 1},
                    "description": "OTLP JSON trace files inside the workspace to check the recommendations against: "
                    "files, folders (their .json/.jsonl/.ndjson files) or glob patterns, relative to its root or "
                    "absolute (default: the project's `traces` setting, if any).",
                },
            },
            ("paths",),
        ),
        output_schema=report_schema(),
        run=_recommend,
        open_world=True,
    ),
    ToolSpec(
        name="preview_span",
        title="Preview a span",
        description=(
            "The exact change apply_span would make to add an OpenTelemetry span to one function: a unified diff "
            "(`trace-advisor apply ROOT --symbol SYMBOL --diff`), with the `from opentelemetry import trace` import "
            "and module tracer when the file lacks them, and what the function gets (decorator or with block, span "
            "name, attributes). Changes nothing; apply_span later refuses a file that changed since this preview."
        ),
        input_schema=_object({"symbol": _FUNCTION, "plain": _PLAIN}, ("symbol",)),
        output_schema=PREVIEW_SCHEMA,
        run=_preview_span,
    ),
    ToolSpec(
        name="apply_span",
        title="Add spans",
        description=(
            "Add OpenTelemetry spans to functions (`trace-advisor apply ROOT --symbol S...`): each file is written "
            "atomically in its own encoding; a file that changed on disk since preview_span showed it, or while it "
            "was being edited, is refused and left as it is. Applying twice changes nothing (a function that "
            "already has a span is left alone). The span code never changes behaviour: exceptions still propagate, "
            "only scalar, non-sensitive attributes are recorded."
        ),
        input_schema=_object(
            {"symbols": {"type": "array", "minItems": 1, "items": _FUNCTION}, "plain": _PLAIN}, ("symbols",)
        ),
        output_schema=APPLY_SCHEMA,
        run=_apply_span,
        read_only=False,
    ),
    ToolSpec(
        name="coverage",
        title="Span coverage",
        description=(
            "Which functions that deserve a span already have one, per package and overall (`trace-advisor coverage "
            "ROOT --format json`, file paths relative to the project root), compared with the project's committed "
            "baseline (.trace-advisor-baseline.json) when there is one: `baseline.regression` is true when a span "
            "the baseline counted was removed or a new function that deserves a span has none in a changed file."
        ),
        input_schema=_object(
            {
                "paths": _PATHS,
                "min_confidence": {
                    "type": "number",
                    "minimum": 0,
                    "maximum": 1,
                    "description": "Functions deserve a span from this confidence (default: the project's "
                    "min_confidence).",
                },
            },
            ("paths",),
        ),
        output_schema=COVERAGE_SCHEMA,
        run=_coverage,
    ),
    ToolSpec(
        name="lint_spans",
        title="Check existing span code",
        description=(
            "Problems in the OpenTelemetry span code the files already have (`trace-advisor lint PATHS --format "
            "json`, file paths relative to the workspace root): "
            + "; ".join(f"{rule.id}: {rule.summary}" for rule in RULES)
            + ". Each finding names the mechanical fix `trace-advisor lint --fix` would apply, when there is one. "
            "Changes nothing."
        ),
        input_schema=_object(
            {
                "paths": _PATHS,
                "rules": {
                    "type": "array",
                    "minItems": 1,
                    "items": {"enum": [rule.id for rule in RULES]},
                    "description": "Only these rules (`--select`; default: all).",
                },
            },
            ("paths",),
        ),
        output_schema=LINT_SCHEMA,
        run=_lint_spans,
    ),
    ToolSpec(
        name="call_tree",
        title="Call tree from a function",
        description=(
            "The static call tree under a function, as `trace-advisor calls ROOT --entry ENTRY --format json` "
            "prints it: each node is a function (symbol, file, def line); `cycle` marks a call back into the path "
            "(not expanded), `truncated` the depth limit, `external` code without source."
        ),
        input_schema=_object(
            {
                "entry": _FUNCTION,
                "depth": {
                    "type": "integer",
                    "minimum": 0,
                    "maximum": 64,
                    "default": 8,
                    "description": "How deep to expand (default 8).",
                },
            },
            ("entry",),
        ),
        output_schema=CALL_TREE_SCHEMA,
        run=_call_tree,
    ),
    ToolSpec(
        name="callees",
        title="What a function calls",
        description=(
            "The functions a function calls, resolved statically (the same edges as its `calls` in "
            "`trace-advisor calls ROOT --format json`), with every call site and the calls that could not be "
            "followed."
        ),
        input_schema=_object({"symbol": _FUNCTION}, ("symbol",)),
        output_schema=CALLEES_SCHEMA,
        run=_callees,
    ),
    ToolSpec(
        name="callers",
        title="Who calls a function",
        description=(
            "The workspace functions that call a function, with every call site. Also works for code without "
            "source in the workspace, named by import path (json:dumps, requests.api:get, urllib.request:urlopen)."
        ),
        input_schema=_object({"symbol": _FUNCTION}, ("symbol",)),
        output_schema=CALLERS_SCHEMA,
        run=_callers,
    ),
)


TOOLS_BY_NAME = {tool.name: tool for tool in TOOLS}
