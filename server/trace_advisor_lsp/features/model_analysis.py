"""Analysis of one file with the configured model provider (on save or on request): cancellable, with progress,
merged into the file's diagnostics and lenses with its source and token cost."""

from __future__ import annotations

import logging
from pathlib import Path

from trace_advisor.advise.provider import Provider
from trace_advisor.advise.providers import create_provider
from trace_advisor.analysis import analyze, ask_provider, finish_model_request, prepare_model_request
from trace_advisor.cancel import CancelledError, CancelToken
from trace_advisor.config_model import Config
from trace_advisor.index import Index
from trace_advisor.model import AnalysisResult

from trace_advisor_lsp.features import diagnostics, lenses
from trace_advisor_lsp.progress import WorkDone
from trace_advisor_lsp.projects import Project
from trace_advisor_lsp.server import TraceAdvisorServer

LOG = logging.getLogger(__name__)


def on_save(ls: TraceAdvisorServer, uri: str) -> None:
    found = ls.project_of(uri)
    if found is None:
        return
    config = found[0].config
    if config.provider.name != "local" and config.server.analyze_on_save:
        ls.spawn(analyse_file(ls, uri, CancelToken()))


async def analyse_file(ls: TraceAdvisorServer, uri: str, token: CancelToken) -> AnalysisResult | None:
    """Analyse ``uri`` with the provider (local engine when none is configured); None when cancelled or not
    analysable. A newer run for the same document cancels this one."""
    target = ls.target(uri)
    if target is None:
        return None
    project, path, index = target.project, target.path, target.index
    key = f"model:{uri}"
    ls.cancellations.replace(key, token)
    config = project.config
    engine = "local" if config.provider.name == "local" else f"{config.provider.name}:{config.provider.model}"
    progress = WorkDone(ls, f"trace-advisor: analysing with {engine}")
    ls.analyzing += 1
    ls.send_status()
    await progress.begin(Path(path).name, cancellable=False)
    try:
        provider = provider_for(ls, project)
        if provider is None:
            result = await ls.engine.run(lambda: analyze(index, config, [Path(path)], cancel=token))
        else:
            result = await ask_model(ls, index, config, Path(path), provider, token)
    except CancelledError:
        LOG.info("analysis of %s cancelled", path)
        return None
    finally:
        ls.cancellations.finish(key, token)
        ls.analyzing -= 1
        progress.end()
        ls.send_status()
    if token.cancelled:
        return None
    await keep_findings(ls, project, uri, path, result)
    return result


async def ask_model(
    ls: TraceAdvisorServer, index: Index, config: Config, path: Path, provider: Provider, token: CancelToken
) -> AnalysisResult:
    """``analyze(..., provider=...)`` in its three steps, so that the network wait does not hold the engine thread
    (edits, lenses and the call hierarchy stay fast while the model thinks): local analysis and candidates on the
    engine thread, the provider on the background pool, then the merge."""
    request = await ls.engine.run(lambda: prepare_model_request(index, config, [path], cancel=token))
    answer = await ls.engine.run_background(lambda: ask_provider(provider, request.candidates, token))
    token.check()
    return finish_model_request(request, provider, answer)


def provider_for(ls: TraceAdvisorServer, project: Project) -> Provider | None:
    """The provider for the project's current config (None: the local engine); built once per config. A provider
    that cannot be built (bad settings) is reported once and the local engine is used."""
    cached = project.provider
    if cached is None or cached[0] is not project.config:
        try:
            provider = create_provider(project.config)
        except Exception as exc:
            ls.show(f"trace-advisor: {exc}; using the local engine", "warning")
            provider = None
        cached = project.provider = (project.config, provider)
    return cached[1]


async def keep_findings(ls: TraceAdvisorServer, project: Project, uri: str, path: str, result: AnalysisResult) -> None:
    """Keep the model's answers for this file, account their cost, tell about problems, and republish."""
    findings = project.findings_for(path)
    findings.model = {r.symbol: r for r in result.recommendations if Path(r.file) == Path(path) and r.source != "local"}
    ls.add_usage(project, result.usage)  # the total the answer reports, sent to the client at once
    for problem in result.problems:
        LOG.warning("%s", problem.message)
        ls.show(f"trace-advisor: {problem.message}", "warning" if problem.severity != "error" else "error")
    doc = ls.workspace.text_documents.get(uri)
    index = project.index
    if doc is None or index is None:
        return
    text, version, conv = doc.source, doc.version, ls.converter(project)

    def job() -> diagnostics.Published:
        visible = diagnostics.visible_findings(index, findings.local, findings.model, text)
        return visible, diagnostics.render(conv, visible, findings.syntax)

    published = await ls.engine.run(job)
    current = ls.workspace.text_documents.get(uri)
    if current is not None and current.version == version:
        diagnostics.publish(ls, project, uri, path, published, version)
        lenses.refresh(ls)
    ls.send_status()
