"""Hover: what the configured traces observed of the function named under the cursor (its definition or a call)."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types
from trace_advisor.navigation import named_at
from trace_advisor.traces.watch import TraceView, TraceWatch

from trace_advisor_lsp import convert
from trace_advisor_lsp.server import TraceAdvisorServer


async def hover(ls: TraceAdvisorServer, params: types.HoverParams) -> types.Hover | None:
    """Observed p50/p95, spans, rate and errors (or the untraced gap it ran in), when traces are configured."""
    uri = params.text_document.uri
    target = await ls.documents.ready(uri, progress=params.work_done_token)
    if target is None or not target.project.config.traces:
        return None
    path, index = target.path, target.index
    conv, current = ls.documents.converter(target.project), ls.documents.current_texts(target.project, index)

    def job() -> tuple[str | None, TraceView | None]:
        from trace_advisor.traces.notes import hover as hover_text  # Markdown escaping (report package): when used

        current()
        symbols = named_at(index, Path(path), conv.to_core(path, params.position))
        view = index.extension(TraceWatch).view(index, wait=False) if symbols else None
        return (hover_text(view, symbols) if view is not None else None), view

    text, view = await ls.engine.query(job)
    ls.traces.report(target.project, view)
    return convert.hover(text) if text is not None else None


def register(server: TraceAdvisorServer) -> None:
    server.feature(types.TEXT_DOCUMENT_HOVER)(hover)
