"""Span edit cases (tests/fixtures/spans/<case>/: a package, ``plan.json``, ``expected/``): copy, apply, inspect."""

from __future__ import annotations

import io
import json
import shutil
import tokenize
from pathlib import Path

from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from trace_advisor.config_model import SpansConfig
from trace_advisor.datatypes import Attribute, Capture, split_symbol
from trace_advisor.edits import EditResult, SpanEditor, apply_edits
from trace_advisor.edits.style import SpanOrigin, SpanStyle
from trace_advisor.project_style import read_project_style

SPANS = Path(__file__).resolve().parent.parent / "fixtures" / "spans"
CASES = sorted(p.name for p in SPANS.iterdir() if (p / "plan.json").is_file())


def read_text(path: Path) -> tuple[str, str]:
    """(text, encoding) honouring the file's encoding cookie; newlines untouched."""
    data = path.read_bytes()
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    return data.decode(encoding), encoding


def capture_of(entry: dict[str, object]) -> Capture | None:
    raw = entry.get("capture")
    if not isinstance(raw, dict):
        return None
    return Capture(
        parameters=tuple(raw.get("parameters", ())),
        attributes=tuple(Attribute(a["key"], a["expression"]) for a in raw.get("attributes", ())),
    )


def apply_plan(root: Path, case: str, spans: SpansConfig | None = None) -> dict[str, list[EditResult]]:
    """Apply ``plan.json`` of ``case`` to the copy of the case under ``root`` with the ``spans`` settings (default:
    the defaults and the plan's ``form``); returns the results per file."""
    document = json.loads((SPANS / case / "plan.json").read_text())
    plan = document["spans"]
    style = SpanStyle(spans or SpansConfig(form=document.get("form", "with")), read_project_style(root))
    results: dict[str, list[EditResult]] = {}
    for entry in plan:
        module, qualname = split_symbol(entry["symbol"])
        rel = module.replace(".", "/") + ".py"
        path = root / rel
        text, encoding = read_text(path)
        editor = SpanEditor(text, style=style, origin=SpanOrigin(module, rel))
        sites = editor.sites(qualname)
        occurrence = entry.get("occurrence", 0)
        line = sites[occurrence].node.lineno if len(sites) > occurrence else None
        result = editor.edits(qualname, capture_of(entry), line=line)
        path.write_bytes(apply_edits(text, result.edits).encode(encoding))
        results.setdefault(rel, []).append(result)
    return results


def copy_case(case: str, dest: Path) -> Path:
    root = dest / case
    shutil.copytree(SPANS / case, root, ignore=shutil.ignore_patterns("expected", "*.md", "plan.json", "__pycache__"))
    return root


def by_name(exporter: InMemorySpanExporter) -> dict[str, list[ReadableSpan]]:
    found: dict[str, list[ReadableSpan]] = {}
    for span in exporter.get_finished_spans():
        found.setdefault(span.name, []).append(span)
    return found


def parent_of(span: ReadableSpan, spans: dict[str, list[ReadableSpan]]) -> str | None:
    if span.parent is None:
        return None
    for name, group in spans.items():
        if any(s.context.span_id == span.parent.span_id for s in group):
            return name
    return "<unknown>"


def seconds(span: ReadableSpan) -> float:
    assert span.start_time is not None and span.end_time is not None
    return (span.end_time - span.start_time) / 1e9


def captured(span: ReadableSpan) -> dict[str, object]:
    """A span's attributes apart from the ``code.*`` ones every captured span gets."""
    return {key: value for key, value in (span.attributes or {}).items() if not key.startswith("code.")}
