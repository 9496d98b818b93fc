"""Analyses with the configured model provider: one provider per folder config, and ``analyze(provider=...)`` in
its steps so that the network wait does not hold the engine thread (edits, lenses and the call hierarchy stay fast
while the model thinks): local analysis and candidates on the engine thread, the provider on the background pool,
then the merge."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from trace_advisor.advise.provider import Provider
from trace_advisor.cancel import CancelToken
from trace_advisor.datatypes import AnalysisResult, Recommendation
from trace_advisor.index import Index

from trace_advisor_lsp.projects import Project
from trace_advisor_lsp.scheduling import Engine
from trace_advisor_lsp.status import Status

LOG = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ModelRun:
    """One analysis of ``files``: the merged result, and the model's own answers for each of them (each stands while
    its function's code is unchanged; none with the local engine)."""

    project: Project
    files: tuple[Path, ...]
    result: AnalysisResult
    answers: dict[Path, tuple[Recommendation, ...]]


class ModelRunner:
    """Runs the provider of a folder's config (the local engine when none is configured)."""

    def __init__(self, engine: Engine, status: Status, warn: Callable[[str], None]) -> None:
        self._engine = engine
        self._status = status
        self._warn = warn

    def provider_for(self, project: Project) -> Provider | None:
        """The provider for the project's current config (None: the local engine), built once per config. One that
        cannot be built (bad settings) is reported once and the local engine is used."""
        cached = project.provider
        if cached is None or cached[0] is not project.config:
            from trace_advisor.advise.providers import create_provider  # provider code: loaded when first used

            try:
                provider = create_provider(project.config)
            except Exception as exc:
                self._warn(f"trace-advisor: {exc}; using the local engine")
                provider = None
            cached = project.provider = (project.config, provider)
        return cached[1]

    async def run(
        self,
        project: Project,
        index: Index,
        files: tuple[Path, ...],
        token: CancelToken,
        progress: Callable[[int, int], None] | None = None,
        note: Callable[[str], None] | None = None,
    ) -> ModelRun:
        """Analyse ``files`` of the folder; raises CancelledError when ``token`` is cancelled. Model calls made
        before a cancel still count in the session's usage."""
        from trace_advisor.analysis import ask_provider, finish_model_request, prepare_model_request

        config, provider = project.config, self.provider_for(project)
        request = await self._engine.run(
            lambda: prepare_model_request(index, config, files, cancel=token, progress=progress)
        )
        if provider is None:
            return ModelRun(project, files, request.local, {})
        if request.candidates and note is not None:
            note(f"{project.root.name}: asking {config.provider.engine} about {len(request.candidates)} functions")
        answer = await self._engine.run_background(lambda: ask_provider(provider, request.candidates, token))
        if token.cancelled:
            self._status.add_usage(project, answer.usage)  # spent before the cancel: part of the session's cost
            LOG.info("analysis cancelled after model calls costing %s", answer.usage.to_json())
        token.check()
        answers: dict[Path, list[Recommendation]] = {path: [] for path in files}
        for rec in answer.recommendations:
            answers.setdefault(Path(rec.file), []).append(rec)
        result = finish_model_request(request, provider, answer)
        return ModelRun(project, files, result, {path: tuple(recs) for path, recs in answers.items()})
