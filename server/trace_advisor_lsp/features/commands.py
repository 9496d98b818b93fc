"""workspace/executeCommand: analyse a file, write the HTML report, add spans to a function or a whole file."""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path
from typing import Any

from lsprotocol import types
from trace_advisor.analysis import analyze
from trace_advisor.model import TextEdit, split_symbol
from trace_advisor.report import render, write_report

from trace_advisor_lsp import convert, spans
from trace_advisor_lsp.features import diagnostics, model_analysis
from trace_advisor_lsp.projects import Project
from trace_advisor_lsp.server import TraceAdvisorServer

LOG = logging.getLogger(__name__)
ANALYZE_FILE = "trace-advisor.analyzeFile"
SHOW_REPORT = "trace-advisor.showReport"
ADD_SPANS_IN_FILE = "trace-advisor.addSpansInFile"
ADD_SPAN = "trace-advisor.addSpan"


async def analyze_file(ls: TraceAdvisorServer, *args: Any) -> dict[str, Any] | None:
    """[uri] -> the file's recommendations, engine and usage (cancellable with $/cancelRequest)."""
    uri = _uri(args)
    msg_id = ls.protocol.msg_id
    token = ls.cancellations.for_request(msg_id)
    try:
        result = await model_analysis.analyse_file(ls, uri, token)
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
    config, target = project.config, report_path(project)
    token = ls.cancellations.for_request(ls.protocol.msg_id)

    def job() -> None:
        result = analyze(index, config, cancel=token)
        write_report(render(result, "html", graph=index.graph(), config=config, root=project.root), target)

    try:
        await ls.engine.run(job)
    finally:
        ls.cancellations.release_request(ls.protocol.msg_id)
    LOG.info("report written to %s", target)
    return str(target)


async def add_spans_in_file(ls: TraceAdvisorServer, *args: Any) -> dict[str, Any]:
    """[uri] -> applies the "Add spans to all recommended functions" edit through workspace/applyEdit, with the
    file's findings for its current text (analysed first when they are not yet)."""
    target = ls.target(_uri(args))
    if target is None:
        return {"applied": False, "functions": 0}
    now = await diagnostics.findings_now(ls, target)
    style = target.project.span_style()
    edits, changed = await ls.engine.run(lambda: spans.file_edits(now.text, now.recommendations, style))
    applied = await _apply(ls, target.project, target.path, edits, now.version, "Add spans") if changed else False
    return {"applied": applied, "functions": changed}


async def add_span(ls: TraceAdvisorServer, *args: Any) -> dict[str, Any]:
    """[uri, symbol, line?] -> applies the span edit of one function (the def spanning line) via workspace/applyEdit."""
    uri, symbol = _uri(args), str(args[1]) if len(args) > 1 else ""
    line = args[2] if len(args) > 2 and isinstance(args[2], int) else None
    target = ls.target(uri)
    if target is None:
        return {"applied": False, "message": "not in an indexed workspace folder"}
    project, path = target.project, target.path
    rec = project.findings_for(path).recommendation(symbol, line)
    text, version = _text(ls, project, uri, path)
    try:
        qualname, capture = split_symbol(symbol)[1], rec.capture if rec else None
    except ValueError as exc:
        return {"applied": False, "message": str(exc)}
    style = project.span_style()
    edits, message = await ls.engine.run(lambda: spans.function_edits(text, qualname, capture, line, style))
    if not edits:
        return {"applied": False, "message": message}
    return {"applied": await _apply(ls, project, path, list(edits), version, "Add span"), "message": message}


def report_path(project: Project) -> Path:
    """The configured report file when it is HTML, else a per-folder file in the user's cache directory."""
    output = project.config.report.output
    if output and output.endswith(".html"):
        return (project.root / output).resolve()
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "trace-advisor" / "reports"
    digest = hashlib.sha256(str(project.root).encode()).hexdigest()[:10]
    return cache / f"{project.root.name}-{digest}.html"


async def _apply(
    ls: TraceAdvisorServer, project: Project, path: str, edits: list[TextEdit], version: int | None, label: str
) -> bool:
    edit = await ls.engine.run(lambda: ls.converter(project).workspace_edit(path, edits, version))
    answer = await ls.workspace_apply_edit_async(types.ApplyWorkspaceEditParams(edit=edit, label=label))
    return bool(answer.applied)


def _text(ls: TraceAdvisorServer, project: Project, uri: str, path: str) -> tuple[str, int | None]:
    doc = ls.workspace.text_documents.get(uri)
    if doc is not None:
        return doc.source, doc.version
    return Path(path).read_text(encoding="utf-8"), None


def _uri(args: tuple[Any, ...]) -> str:
    if not args or not isinstance(args[0], str):
        raise ValueError("expected the document uri as the first argument")
    return args[0]


def _project(ls: TraceAdvisorServer, uri: object) -> Project | None:
    if isinstance(uri, str):
        found = ls.project_of(uri)
        return found[0] if found is not None else None
    return next(iter(ls.projects), None)


def register(server: TraceAdvisorServer) -> None:
    server.command(ANALYZE_FILE)(analyze_file)
    server.command(SHOW_REPORT)(show_report)
    server.command(ADD_SPANS_IN_FILE)(add_spans_in_file)
    server.command(ADD_SPAN)(add_span)
