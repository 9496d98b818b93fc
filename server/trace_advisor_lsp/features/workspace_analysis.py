"""``trace-advisor.analyzeWorkspace``: the configured provider over every file of the workspace folders in the
background, answering one ``analyzeFile``-shaped summary per file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from trace_advisor.datatypes import Recommendation, Usage

from trace_advisor_lsp import convert
from trace_advisor_lsp.model_runs import ModelRun
from trace_advisor_lsp.projects import Project
from trace_advisor_lsp.server import TraceAdvisorServer

ANALYZE_WORKSPACE = "trace-advisor.analyzeWorkspace"


async def analyze_workspace(ls: TraceAdvisorServer, *args: Any) -> list[dict[str, Any]] | None:
    """[folder uri?] -> one analyzeFile-shaped answer per file of that folder (every folder without one)."""
    msg_id = ls.protocol.msg_id
    try:
        projects = folders(ls, args[0] if args else None)
        runs = await ls.documents.analyze_workspace(
            projects, ls.cancellations.for_request(msg_id), ls.command_progress()
        )
    finally:
        ls.cancellations.release_request(msg_id)
    return None if runs is None else [answer for run in runs for answer in answers(run)]


def answers(run: ModelRun) -> list[dict[str, Any]]:
    """One analyzeFile-shaped answer per file, in path order; each file's usage is its share of the model calls."""
    recs: dict[Path, list[Recommendation]] = {}
    for rec in run.result.recommendations:
        recs.setdefault(Path(rec.file), []).append(rec)
    problems: dict[Path, list[str]] = {}
    for problem in run.result.problems:
        if problem.file is not None:
            problems.setdefault(Path(problem.file), []).append(problem.message)
    usage = {Path(file): share for file, share in run.result.usage_by_file.items()}
    return [
        convert.analysis_answer(
            convert.path_to_uri(str(path)),
            run.result.engine,
            recs.get(path, []),
            problems.get(path, []),
            usage.get(path, Usage()),
        )
        for path in sorted(run.files)
    ]


def folders(ls: TraceAdvisorServer, uri: object) -> list[Project]:
    """The folder of ``uri`` (a folder or a file in it), or every folder."""
    if isinstance(uri, str):
        path = convert.uri_to_path(uri)
        found = ls.projects.for_path(path) if path else None
        return [found] if found is not None else []
    return list(ls.projects)


def register(server: TraceAdvisorServer) -> None:
    server.command(ANALYZE_WORKSPACE)(analyze_workspace)
