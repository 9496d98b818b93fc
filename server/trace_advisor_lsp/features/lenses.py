"""Code lenses: "N callers · M callees" on every function (counted lazily in codeLens/resolve), "Add span", and the
figures observed in the configured traces on functions that have spans there."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lsprotocol import types
from trace_advisor.traces.watch import TraceView, TraceWatch

from trace_advisor_lsp import convert
from trace_advisor_lsp.server import TraceAdvisorServer

SHOW_CALL_HIERARCHY = "trace-advisor.showCallHierarchy"  # client-side command: [uri, position]
ADD_SPAN = "trace-advisor.addSpan"  # server command: [uri, symbol, def line]
SHOW_OBSERVED = "trace-advisor.showObserved"  # server command (features/commands.py): [uri, symbol]
FUNCTION_KINDS = ("function", "method")


async def code_lens(ls: TraceAdvisorServer, params: types.CodeLensParams) -> list[types.CodeLens] | None:
    """One unresolved call-count lens per function, and an "Add span" lens on each recommended one."""
    uri = params.text_document.uri
    target = await ls.documents.ready(uri, progress=params.work_done_token)
    if target is None or not target.project.config.server.code_lens:
        return None
    project, path, index = target.project, target.path, target.index
    recommended = await ls.documents.recommended(target)
    conv, current = ls.documents.converter(project), ls.documents.current_texts(target.project, target.index)

    def job() -> tuple[list[types.CodeLens], TraceView | None]:
        from trace_advisor.traces.notes import lens_title  # Markdown escaping (report package): when used

        current()
        out = []
        view = index.extension(TraceWatch).view(index, wait=False)
        for definition in index.definitions(Path(path)):
            if definition.kind in FUNCTION_KINDS:
                rng = conv.range(path, definition.name_range)
                out.append(convert.code_lens(rng, {"uri": uri, "symbol": definition.symbol}))
                figure = view.functions.get(definition.symbol) if view is not None else None
                if figure is not None:
                    # a lens must run a command (Neovim's codelens.run() and VS Code's click execute it): the figures
                    observed = convert.command(lens_title(figure), SHOW_OBSERVED, [uri, definition.symbol])
                    out.append(convert.code_lens(rng, {"uri": uri, "symbol": definition.symbol}, observed))
        for rec in recommended:
            title = f"Add span \u201c{rec.span_name}\u201d"
            command = convert.command(title, ADD_SPAN, [uri, rec.symbol, rec.range.start.line])
            out.append(convert.code_lens(conv.range(path, rec.name_range), {"uri": uri, "symbol": rec.symbol}, command))
        return out, view

    lenses, view = await ls.engine.query(job)
    ls.traces.report(project, view)
    return lenses


async def code_lens_resolve(ls: TraceAdvisorServer, lens: types.CodeLens) -> types.CodeLens:
    """Count callers and callees in the workspace call graph and attach the call-hierarchy command."""
    data: dict[str, Any] = lens.data if isinstance(lens.data, dict) else {}
    target = await ls.documents.ready(str(data.get("uri", ""))) if lens.command is None else None
    if target is None:
        return lens
    index, symbol = target.index, str(data.get("symbol", ""))

    def counts() -> tuple[int, int]:
        graph = index.graph()
        return len({e.caller for e in graph.callers(symbol)}), len({e.callee for e in graph.callees(symbol)})

    callers, callees = await ls.engine.query(counts)
    title = f"{callers} caller{'s' * (callers != 1)} \u00b7 {callees} callee{'s' * (callees != 1)}"
    position = {"line": lens.range.start.line, "character": lens.range.start.character}
    lens.command = convert.command(title, SHOW_CALL_HIERARCHY, [data["uri"], position])
    return lens


def register(server: TraceAdvisorServer) -> None:
    server.feature(types.TEXT_DOCUMENT_CODE_LENS, types.CodeLensOptions(resolve_provider=True))(code_lens)
    server.feature(types.CODE_LENS_RESOLVE)(code_lens_resolve)
