"""Per-document analysis (debounced, version-checked) and publishing its findings as Hint diagnostics."""

from __future__ import annotations

import dataclasses
import logging
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

from lsprotocol import types
from trace_advisor.analysis import Analyzer
from trace_advisor.cancel import NEVER
from trace_advisor.index import Index
from trace_advisor.model import Recommendation, SyntaxProblem
from trace_advisor.positions import source_lines

from trace_advisor_lsp import convert
from trace_advisor_lsp.projects import FileFindings, Project
from trace_advisor_lsp.server import Target, TraceAdvisorServer

LOG = logging.getLogger(__name__)
Published = tuple[tuple[Recommendation, ...], list[types.Diagnostic]]


@dataclass(frozen=True, slots=True)
class Analysed:
    """One file's findings together with the text and document version they were computed for."""

    text: str
    version: int | None  # None: the file is not open (the text is the disk's)
    recommendations: tuple[Recommendation, ...]


def schedule(ls: TraceAdvisorServer, uri: str, delay: float | None = None) -> None:
    """Re-analyse ``uri`` after the configured quiet period (a newer edit restarts the wait)."""
    found = ls.project_of(uri)
    if found is None:
        return
    project = found[0]
    wait = project.config.server.debounce_ms / 1000 if delay is None else delay
    ls.debouncer.schedule(uri, wait, lambda: refresh(ls, uri))


def reanalyse_open(ls: TraceAdvisorServer, project: Project, delay: float | None = None, skip: str = "") -> None:
    """Re-analyse the folder's open documents (after indexing, a config change or a change elsewhere)."""
    for uri in list(ls.workspace.text_documents):
        found = ls.project_of(uri)
        if uri != skip and found is not None and found[0] is project:
            schedule(ls, uri, delay)


async def refresh(ls: TraceAdvisorServer, uri: str) -> Analysed | None:
    """Parse and analyse the open document at its current version; publish unless a newer version arrived.
    Returns what was analysed (None when the document is not open in an indexed folder)."""
    target, doc = ls.target(uri), ls.workspace.text_documents.get(uri)
    if target is None or doc is None:
        return None
    project, path, index = target.project, target.path, target.index
    version, text = doc.version, doc.source
    findings, conv = project.findings_for(path), ls.converter(project)

    def job() -> tuple[SyntaxProblem | None, tuple[Recommendation, ...], Published]:
        problem, local, visible = analyse(project, index, path, text, findings)
        return problem, local, (visible, render(conv, visible, problem))

    started = time.perf_counter()
    problem, local, published = await ls.engine.run(job)
    LOG.debug(
        "analysed %s v%s in %.1f ms: %d findings", path, version, 1000 * (time.perf_counter() - started), len(local)
    )
    current = ls.workspace.text_documents.get(uri)
    if current is not None and current.version == version and project.index is index:
        if problem is None:
            findings.local = local
        findings.syntax, findings.analysed_version = problem, version
        publish(ls, project, uri, path, published, version)
    # else superseded: the newer version has its own job
    return Analysed(text, version, published[0])


async def findings_now(ls: TraceAdvisorServer, target: Target) -> Analysed:
    """The file's text as it is now (the open document's, else the disk's), its version (None: not open) and the
    findings for exactly that text under the current settings: the published ones when they are, else analysed now
    (a file just opened, edited or re-configured)."""
    await ls.settled()
    doc = ls.workspace.text_documents.get(target.uri)
    findings = target.project.findings_for(target.path)
    if doc is not None and findings.analysed_version == doc.version and target.project.index is target.index:
        return Analysed(doc.source, doc.version, findings.visible)
    if doc is not None:
        ls.debouncer.cancel(target.uri)  # this analysis is the one it would run
        analysed = await refresh(ls, target.uri)
        if analysed is not None:
            return analysed
    project, index, path = target.project, target.index, target.path
    return await ls.engine.run(lambda: analyse_closed(project, index, path, findings))


def analyse(
    project: Project, index: Index, path: str, text: str, findings: FileFindings
) -> tuple[SyntaxProblem | None, tuple[Recommendation, ...], tuple[Recommendation, ...]]:
    """Engine thread: update the index with the text and analyse this one file (the graph updates lazily)."""
    project.forget_lines(path)
    problem = index.update_file(Path(path), text)
    if problem is not None:
        return problem, findings.local, visible_findings(index, findings.local, findings.model, text)
    local = analyse_local(project, index, path)
    return None, local, visible_findings(index, local, findings.model, text)


def analyse_closed(project: Project, index: Index, path: str, findings: FileFindings) -> Analysed:
    """Engine thread: a file that is not open, as it is on disk now (nothing to recommend when it does not parse)."""
    project.forget_lines(path)
    if index.update_file(Path(path), None) is not None:
        return Analysed(index.source(Path(path)) or "", None, ())
    text = index.source(Path(path)) or ""
    return Analysed(text, None, visible_findings(index, analyse_local(project, index, path), findings.model, text))


def analyse_local(project: Project, index: Index, path: str) -> tuple[Recommendation, ...]:
    """Engine thread: the local engine's findings for one file of the index as it is."""
    # the facade's per-run setup (which instrumentation packages are installed) is done once per folder, not per key
    analyzer = Analyzer(index, project.config, index.graph(), installed=project.installed_instrumentations())
    recs, _, _ = analyzer.run([Path(path)], NEVER, None)
    return tuple(r for r in recs if Path(r.file) == Path(path))


def visible_findings(
    index: Index, local: tuple[Recommendation, ...], model: dict[str, Recommendation], text: str
) -> tuple[Recommendation, ...]:
    """Local findings, with a model's answer in place of the local one while that function's code is unchanged."""
    lines = source_lines(text) if model else []
    for symbol in [s for s, rec in model.items() if rec.code_block and not unchanged(index, rec, lines)]:
        del model[symbol]  # the function changed (or got its span): the model's answer is stale
    if not model:
        return local
    merged: list[Recommendation] = []
    for rec in local:
        answer = model.get(rec.symbol)
        merged.append(
            rec if answer is None else dataclasses.replace(answer, range=rec.range, name_range=rec.name_range)
        )
    seen = {rec.symbol for rec in local}
    for symbol, answer in model.items():
        definition = index.definition(symbol) if symbol not in seen else None
        if definition is not None:
            merged.append(dataclasses.replace(answer, range=definition.range, name_range=definition.name_range))
    return tuple(merged)


def unchanged(index: Index, rec: Recommendation, lines: list[str]) -> bool:
    """Whether a def of ``rec``'s symbol still has the code the model saw (``code_block``: the def with its
    decorators, dedented, so a method's block is not a substring of the file)."""
    return any(
        textwrap.dedent("\n".join(lines[d.range.start.line - 1 : d.range.end.line])) == rec.code_block
        for d in index.definitions(Path(rec.file))
        if d.symbol == rec.symbol
    )


def render(
    conv: convert.Converter, recommendations: tuple[Recommendation, ...], problem: SyntaxProblem | None
) -> list[types.Diagnostic]:
    """Engine thread (conversion reads the file's lines from the index)."""
    diagnostics = [conv.diagnostic(rec) for rec in recommendations]
    if problem is not None:
        diagnostics.append(conv.paused_hint(problem))
    return diagnostics


def publish(
    ls: TraceAdvisorServer, project: Project, uri: str, path: str, published: Published, version: int | None
) -> None:
    recommendations, diagnostics = published
    project.findings_for(path).visible = recommendations
    ls.text_document_publish_diagnostics(
        types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=version)
    )


def clear(ls: TraceAdvisorServer, uri: str) -> None:
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


def register(server: TraceAdvisorServer) -> None:
    """Diagnostics are pushed (publishDiagnostics) from sync events; there is no request handler to register."""
