"""workspace/executeCommand: analyze a file, write the HTML report, add spans to a function or a whole file, show
what the configured traces observed of a function."""

from __future__ import annotations

from typing import Any

from pygls.exceptions import JsonRpcInvalidParams

from trace_advisor_lsp import convert
from trace_advisor_lsp.projects import Project
from trace_advisor_lsp.server import TraceAdvisorServer

ANALYZE_FILE = "trace-advisor.analyzeFile"
SHOW_REPORT = "trace-advisor.showReport"
ADD_SPANS_IN_FILE = "trace-advisor.addSpansInFile"
ADD_SPAN = "trace-advisor.addSpan"
TRUST = "trace-advisor.trust"
SHOW_OBSERVED = "trace-advisor.showObserved"


async def analyze_file(ls: TraceAdvisorServer, *args: Any) -> dict[str, Any] | None:
    """[uri] -> the file's recommendations, engine and usage (cancellable with $/cancelRequest)."""
    uri, msg_id = _uri(args), ls.protocol.msg_id
    try:
        result = await ls.documents.analyze_file(uri, ls.cancellations.for_request(msg_id), ls.command_progress())
    finally:
        ls.cancellations.release_request(msg_id)
    if result is None:
        return None
    problems = [problem.message for problem in result.problems]
    return convert.analysis_answer(uri, result.engine, result.recommendations, problems, result.usage)


async def show_report(ls: TraceAdvisorServer, *args: Any) -> str | None:
    """[uri?] -> path of the HTML report of that file's workspace folder (the first folder without a uri)."""
    project = _project(ls, args[0] if args else None)
    index = project.index if project is not None else None
    if project is None or index is None:
        return None
    msg_id = ls.protocol.msg_id
    try:
        return str(await ls.documents.write_html_report(project, index, ls.cancellations.for_request(msg_id)))
    finally:
        ls.cancellations.release_request(msg_id)


async def add_spans_in_file(ls: TraceAdvisorServer, *args: Any) -> dict[str, Any]:
    """[uri] -> applies the "Add spans to all recommended functions" edit through workspace/applyEdit, with the
    file's findings for its current text (found first when they are not yet)."""
    target = await ls.documents.ready(_uri(args))
    if target is None:
        return {"applied": False, "functions": 0}
    applied, functions = await ls.documents.add_spans_in_file(target)
    return {"applied": applied, "functions": functions}


async def add_span(ls: TraceAdvisorServer, *args: Any) -> dict[str, Any]:
    """[uri, symbol, line?] -> applies the span edit of one function (the def spanning line) via workspace/applyEdit."""
    uri, symbol = _uri(args), str(args[1]) if len(args) > 1 else ""
    line = args[2] if len(args) > 2 and isinstance(args[2], int) else None
    target = await ls.documents.ready(uri)
    if target is None:
        return {"applied": False, "message": "not in an indexed workspace folder"}
    applied, message = await ls.documents.add_span(target, symbol, line)
    return {"applied": applied, "message": message}


async def trust(ls: TraceAdvisorServer, *args: Any) -> dict[str, object] | None:
    """[folderUri?] -> trusts that folder's project configuration file as it is now (the first folder without a
    uri) and applies the settings it was holding back; ``{"trusted": path | null}``."""
    project = _project(ls, args[0] if args else None)
    if project is None:
        return None
    return ls.folders.trust(project)


async def show_observed(ls: TraceAdvisorServer, *args: Any) -> dict[str, Any] | None:
    """[uri, symbol] -> what the configured traces observed of the function (the observed lens runs it): shown to the
    user as a message and returned as the hover's Markdown; None when the traces have no spans of it."""
    uri, symbol = _uri(args), str(args[1]) if len(args) > 1 else ""
    target = await ls.documents.ready(uri)
    if target is None or not target.project.config.traces:
        return None
    index = target.index

    def job() -> tuple[str, str] | None:
        from trace_advisor.traces.notes import hover, summary  # Markdown escaping (report package): when used
        from trace_advisor.traces.watch import TraceWatch

        view = index.extension(TraceWatch).view(index, wait=False)
        text = summary(view, symbol) if view is not None else None
        markdown = hover(view, [symbol]) if view is not None else None
        return (text, markdown) if text is not None and markdown is not None else None

    found = await ls.engine.query(job)
    if found is None:
        ls.documents.show(f"trace-advisor: the configured traces have no spans of {symbol}")
        return None
    ls.documents.show(f"trace-advisor: {found[0]}")
    return {"symbol": symbol, "text": found[0], "markdown": found[1]}


def _uri(args: tuple[Any, ...]) -> str:
    if not args or not isinstance(args[0], str):
        raise JsonRpcInvalidParams("expected the document uri as the first argument")
    return args[0]


def _project(ls: TraceAdvisorServer, uri: object) -> Project | None:
    if isinstance(uri, str):
        found = ls.projects.of_uri(uri)
        return found[0] if found is not None else None
    return next(iter(ls.projects), None)


def register(server: TraceAdvisorServer) -> None:
    server.command(ANALYZE_FILE)(analyze_file)
    server.command(SHOW_REPORT)(show_report)
    server.command(ADD_SPANS_IN_FILE)(add_spans_in_file)
    server.command(ADD_SPAN)(add_span)
    server.command(TRUST)(trust)
    server.command(SHOW_OBSERVED)(show_observed)
