"""Recommendations as data for tools that trace at runtime: trace-advisor's own runtime (``otel-config``: each
function's span name and attribute sources, read back from the span the engine writes) and Sentry's
``functions_to_trace`` list."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from trace_advisor.datatypes import Recommendation, split_symbol
from trace_advisor.export.spans import read_span
from trace_advisor.report.preview import Previewer
from trace_advisor.runtime.plan import AttributePlan, FunctionPlan, to_text

FORMATS = ("otel-config", "sentry")


@dataclass(frozen=True, slots=True)
class Exported:
    text: str
    functions: int
    skipped: tuple[str, ...]  # "symbol: why" for recommendations the format cannot carry
    notes: tuple[str, ...]  # what a runtime wrapper records differently from the span edit


def export(
    recommendations: Sequence[Recommendation],
    fmt: str,
    root: Path,
    source: Callable[[str], str | None] | None = None,
) -> Exported:
    """``recommendations`` in ``fmt``; file paths relative to ``root``."""
    if fmt == "sentry":
        return _sentry(recommendations)
    return _otel_config(recommendations, root, source)


def _otel_config(
    recommendations: Sequence[Recommendation], root: Path, source: Callable[[str], str | None] | None
) -> Exported:
    previewer = Previewer(source)
    plans: list[FunctionPlan] = []
    skipped: list[str] = []
    notes: list[str] = []
    for rec in recommendations:
        preview = previewer.preview(rec)
        written = read_span(preview.function) if preview.function else None
        if written is None:
            skipped.append(f"{rec.symbol}: {preview.message or 'the span engine wrote no span to read'}")
            continue
        module, qualname = split_symbol(rec.symbol)
        notes.extend(f"{rec.symbol}: {note}" for note in written.notes)
        plans.append(
            FunctionPlan(
                module=module,
                qualname=qualname,
                span_name=written.name,
                attributes=_at_def_line(written.attributes, rec.name_range.start.line),
                line=rec.range.start.line,
                info={
                    "symbol": rec.symbol,
                    "file": _relative(Path(rec.file), root),
                    "confidence": round(rec.confidence, 4),
                    "priority": rec.priority,
                },
            )
        )
    return Exported(to_text(plans), len(plans), tuple(skipped), tuple(notes))


def _at_def_line(attributes: tuple[AttributePlan, ...], line: int) -> tuple[AttributePlan, ...]:
    """``code.line.number`` of the def in the file as it is (the previewed edit moved the def down by the import and
    tracer lines it added; the runtime leaves the file untouched)."""
    return tuple(
        dataclasses.replace(a, value=line) if a.key == "code.line.number" and a.parameter is None else a
        for a in attributes
    )


def _sentry(recommendations: Sequence[Recommendation]) -> Exported:
    """``[{"qualified_name": "pkg.module.function"}, ...]`` for ``sentry_sdk.init(functions_to_trace=...)``, which
    reaches module functions and methods of module-level classes only."""
    import json

    names: list[dict[str, str]] = []
    skipped: list[str] = []
    for rec in recommendations:
        module, qualname = split_symbol(rec.symbol)
        if "<locals>" in qualname or qualname.count(".") > 1:
            skipped.append(f"{rec.symbol}: Sentry traces module functions and methods of module-level classes only")
            continue
        names.append({"qualified_name": f"{module}.{qualname}"})
    return Exported(json.dumps(names, indent=2) + "\n", len(names), tuple(skipped), ())


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()
