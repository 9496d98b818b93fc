"""``trace-advisor.analyzeWorkspace``: the configured provider over every file of the workspace folders in the
background (index work on the engine thread, model calls on the background pool), with $/progress and cancellation;
answers one ``analyzeFile``-shaped summary per file and keeps the model's findings for diagnostics and lenses."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trace_advisor.analysis import ask_provider, finish_model_request, prepare_model_request
from trace_advisor.cancel import CancelledError, CancelToken
from trace_advisor.model import AnalysisResult, Recommendation, Usage

from trace_advisor_lsp import convert
from trace_advisor_lsp.features import diagnostics, lenses, model_analysis
from trace_advisor_lsp.progress import WorkDone
from trace_advisor_lsp.projects import Project
from trace_advisor_lsp.server import TraceAdvisorServer

LOG = logging.getLogger(__name__)
ANALYZE_WORKSPACE = "trace-advisor.analyzeWorkspace"


@dataclass(frozen=True, slots=True)
class FolderRun:
    """One folder's analysis: its files and ``analyze(provider=...)``'s result for them."""

    project: Project
    files: tuple[Path, ...]
    result: AnalysisResult


async def analyze_workspace(ls: TraceAdvisorServer, *args: Any) -> list[dict[str, Any]] | None:
    """[folder uri?] -> one analyzeFile-shaped answer per file of that folder (every folder without one)."""
    msg_id = ls.protocol.msg_id
    token = ls.cancellations.for_request(msg_id)
    try:
        runs = await analyse_folders(ls, folders(ls, args[0] if args else None), token)
    finally:
        ls.cancellations.release_request(msg_id)
    return None if runs is None else [answer for run in runs for answer in answers(run)]


async def analyse_folders(
    ls: TraceAdvisorServer, projects: list[Project], token: CancelToken
) -> list[FolderRun] | None:
    """Analyse each folder in turn; None when cancelled ($/cancelRequest or the progress bar's cancel button)."""
    await ls.settled()
    progress = WorkDone(ls, "trace-advisor: analysing the workspace")
    await progress.begin(", ".join(p.root.name for p in projects), cancellable=True)
    progress.on_cancel(token.cancel)
    ls.analyzing += 1
    ls.send_status()
    runs: list[FolderRun] = []
    try:
        for project in projects:
            runs.append(await analyse_folder(ls, project, token, progress))
            keep_findings(ls, runs[-1])
    except CancelledError:
        LOG.info("workspace analysis cancelled")
        return None
    finally:
        ls.analyzing -= 1
        progress.end("cancelled" if token.cancelled else f"{sum(len(r.files) for r in runs)} files analysed")
        ls.send_status()
    return runs


async def analyse_folder(ls: TraceAdvisorServer, project: Project, token: CancelToken, progress: WorkDone) -> FolderRun:
    """``analyze(index, config, provider=...)`` in its steps, so that the network wait does not hold the engine
    thread: local analysis and candidates on the engine thread, the provider on the background pool, then the merge."""
    index, config = project.index, project.config
    if index is None:
        return FolderRun(project, (), AnalysisResult(()))
    provider = model_analysis.provider_for(ls, project)
    report = progress_reporter(progress)
    files = await ls.engine.run(index.files)
    request = await ls.engine.run(lambda: prepare_model_request(index, config, files, cancel=token, progress=report))
    if provider is None:
        return FolderRun(project, files, request.local)
    if request.candidates:
        engine = f"{provider.name}:{provider.model}"
        progress.note(f"{project.root.name}: asking {engine} about {len(request.candidates)} functions")
    answer = await ls.engine.run_background(lambda: ask_provider(provider, request.candidates, token))
    if token.cancelled:
        ls.add_usage(project, answer.usage)  # spent before the cancel: still part of the session's cost
        LOG.info("workspace analysis cancelled after model calls costing %s", answer.usage.to_json())
    token.check()
    return FolderRun(project, files, finish_model_request(request, provider, answer))


def keep_findings(ls: TraceAdvisorServer, run: FolderRun) -> None:
    """The model's answers become the files' model findings (shown while each function is unchanged); the folder's
    open documents are republished; the cost is added to the session."""
    project = run.project
    by_file: dict[Path, dict[str, Recommendation]] = {}
    for rec in run.result.recommendations:
        if rec.source != "local":
            by_file.setdefault(Path(rec.file), {})[rec.symbol] = rec
    asked = {*by_file, *(Path(file) for file in run.result.usage_by_file)}  # files the model answered about
    for path in asked:
        project.findings_for(str(path)).model = by_file.get(path, {})
    ls.add_usage(project, run.result.usage)
    for problem in run.result.problems:
        if problem.file is None:
            ls.show(f"trace-advisor: {problem.message}", "error" if problem.severity == "error" else "warning")
    diagnostics.reanalyse_open(ls, project, delay=0)
    lenses.refresh(ls)


def answers(run: FolderRun) -> list[dict[str, Any]]:
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


def progress_reporter(progress: WorkDone) -> Callable[[int, int], None]:
    """A ``progress(done, total)`` the engine thread can call: it reports on the event loop."""
    loop = asyncio.get_running_loop()

    def report(done: int, total: int) -> None:
        loop.call_soon_threadsafe(progress.report, done, total, "files")

    return report


def folders(ls: TraceAdvisorServer, uri: object) -> list[Project]:
    """The folder of ``uri`` (a folder or a file in it), or every folder."""
    if isinstance(uri, str):
        path = convert.uri_to_path(uri)
        found = ls.projects.for_path(path) if path else None
        return [found] if found is not None else []
    return list(ls.projects)


def register(server: TraceAdvisorServer) -> None:
    server.command(ANALYZE_WORKSPACE)(analyze_workspace)
