"""Read OpenTelemetry traces exported as OTLP JSON: the Collector's file exporter (one ``ExportTraceServiceRequest``
per line) and the body of an OTLP/HTTP JSON request (one document, possibly pretty-printed)."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

Scalar = str | int | float | bool


class TraceFileError(Exception):
    """A trace file that cannot be read as OTLP JSON; the message names the file (and line)."""


@dataclass(frozen=True, slots=True)
class ObservedSpan:
    """One finished span as exported: ids as lowercase hex, times in nanoseconds since the epoch."""

    trace_id: str
    span_id: str
    parent_id: str | None
    name: str
    scope: str  # the instrumentation scope (``trace.get_tracer(__name__)``: the module)
    service: str | None  # resource attribute ``service.name``
    start_ns: int
    end_ns: int
    attributes: Mapping[str, Scalar]
    error: bool  # status code ERROR

    @property
    def duration_ns(self) -> int:
        return max(self.end_ns - self.start_ns, 0)


def read_traces(path: Path) -> tuple[ObservedSpan, ...]:
    """Every span in one OTLP JSON file; raises :class:`TraceFileError` when it is not one."""
    spans: list[ObservedSpan] = []
    try:
        for where, document in _documents(path):
            if not isinstance(document, dict) or not isinstance(document.get("resourceSpans"), list):
                raise TraceFileError(f"{where}: not OTLP JSON traces (expected an object with resourceSpans)")
            try:
                spans.extend(_spans(document))
            except (TypeError, ValueError, AttributeError) as exc:
                raise TraceFileError(f"{where}: malformed OTLP span data: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TraceFileError(f"{path}: cannot read: {exc}") from None
    return tuple(spans)


def _documents(path: Path) -> Iterator[tuple[str, object]]:
    """JSON Lines (the file exporter), read a line at a time (exports are large), or, when the first line is not a
    whole JSON value, the file as one document (an OTLP/HTTP body, pretty-printed); each with where it starts."""
    with path.open(encoding="utf-8") as stream:
        read = 0
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            try:
                document = json.loads(line)
            except json.JSONDecodeError as exc:
                if read:
                    raise TraceFileError(f"{path}:{number}: not JSON: {exc.msg}") from None
                break
            read += 1
            yield f"{path}:{number}", document
        else:
            return
        stream.seek(0)
        try:
            document = json.load(stream)
        except json.JSONDecodeError as exc:
            raise TraceFileError(f"{path}:{exc.lineno}: not JSON: {exc.msg}") from None
        yield str(path), document


def _spans(document: Mapping[str, object]) -> Iterator[ObservedSpan]:
    for resource_spans in _list(document, "resourceSpans"):
        service = _attributes(_object(resource_spans, "resource")).get("service.name")
        # ``instrumentationLibrarySpans``: OTLP before 0.15, still written by old exporters
        scopes = _list(resource_spans, "scopeSpans") or _list(resource_spans, "instrumentationLibrarySpans")
        for scope_spans in scopes:
            scope = _object(scope_spans, "scope") or _object(scope_spans, "instrumentationLibrary")
            scope_name = str(scope.get("name", ""))
            for span in _list(scope_spans, "spans"):
                yield ObservedSpan(
                    trace_id=_hex_id(span.get("traceId")),
                    span_id=_hex_id(span.get("spanId")),
                    parent_id=_hex_id(span.get("parentSpanId")) or None,
                    name=str(span.get("name", "")),
                    scope=scope_name,
                    service=str(service) if service is not None else None,
                    start_ns=_int(span.get("startTimeUnixNano")),
                    end_ns=_int(span.get("endTimeUnixNano")),
                    attributes=_attributes(span),
                    error=_object(span, "status").get("code") in (2, "STATUS_CODE_ERROR"),
                )


def _object(mapping: Mapping[str, object], key: str) -> dict[str, object]:
    found = mapping.get(key)
    return found if isinstance(found, dict) else {}


def _int(value: object) -> int:
    """uint64 and int64 fields are JSON strings in OTLP/JSON (numbers are accepted too)."""
    if value is None:
        return 0
    if isinstance(value, int | str):
        return int(value)
    raise ValueError(f"not an integer: {value!r}")


def _list(mapping: Mapping[str, object], key: str) -> list[dict[str, object]]:
    found = mapping.get(key)
    if found is None:
        return []
    if not isinstance(found, list):
        raise ValueError(f"{key} is not a list")
    return [item for item in found if isinstance(item, dict)]


def _hex_id(value: object) -> str:
    """OTLP/JSON writes ids as hex (the spec); some exporters write protobuf's base64: both become hex."""
    if not value:
        return ""
    text = str(value)
    if all(c in "0123456789abcdefABCDEF" for c in text) and len(text) in (16, 32):
        return text.lower()
    try:
        return base64.b64decode(text, validate=True).hex()
    except (binascii.Error, ValueError):
        return text


def _attributes(holder: Mapping[str, object]) -> dict[str, Scalar]:
    """``[{"key": k, "value": {"stringValue": ...}}]`` as a plain dict of scalars (arrays and maps are left out)."""
    out: dict[str, Scalar] = {}
    for item in _list(holder, "attributes"):
        key, value = item.get("key"), item.get("value")
        if not isinstance(key, str) or not isinstance(value, dict):
            continue
        if "stringValue" in value:
            out[key] = str(value["stringValue"])
        elif "intValue" in value:
            out[key] = int(value["intValue"])  # int64 is a JSON string in OTLP/JSON
        elif "doubleValue" in value:
            out[key] = float(value["doubleValue"])
        elif "boolValue" in value:
            out[key] = bool(value["boolValue"])
    return out
