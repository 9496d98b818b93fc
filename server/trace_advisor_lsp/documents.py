"""The server's per-document service: refresh open documents' findings (the local engine on every edit,
version-checked), merge them with a model's answers and publish them, analyze a file or the workspace with the
configured model provider (on request or on save), and apply span edits.

Words: *refresh* is the local engine's findings for a document's current text; *analyze* is a run of the configured
engine that the user asked for (analyzeFile, analyzeWorkspace, on save)."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import hashlib
import logging
import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote

from lsprotocol import types
from lsprotocol.types import ProgressToken
from pygls.exceptions import JsonRpcContentModified
from pygls.workspace import TextDocument
from trace_advisor.cancel import NEVER, CancelledError, CancelToken
from trace_advisor.datatypes import (
    AnalysisResult,
    InstrumentationHint,
    Problem,
    Recommendation,
    SyntaxProblem,
    TextEdit,
    split_symbol,
)
from trace_advisor.gcpause import gc_paused
from trace_advisor.index import Index
from trace_advisor.reading_order import reading_key
from trace_advisor.span_names import SpanNames
from trace_advisor.stubs import Stubs, stub_folder

from trace_advisor_lsp import convert, lint, spans
from trace_advisor_lsp.context import Shared
from trace_advisor_lsp.model_runs import ModelRun, ModelRunner
from trace_advisor_lsp.progress import WorkDone
from trace_advisor_lsp.projects import FileFindings, LocalFindings, Project, Target
from trace_advisor_lsp.readers import Readers
from trace_advisor_lsp.scheduling import Debouncer, GivingWay, Pace

if TYPE_CHECKING:
    from trace_advisor.lint import LintFinding

LOG = logging.getLogger(__name__)
INDEX_WAIT_S = 60.0  # how long a request waits for its folder's first index build
INDEX_WAIT_ENV = "TRACE_ADVISOR_INDEX_WAIT_S"  # overrides INDEX_WAIT_S (seconds)
PROGRESS_EVERY_S = 0.2  # how often a waiting request with its own progress token reports the build's progress
Published = tuple[tuple[Recommendation, ...], list[types.Diagnostic]]


@dataclass(frozen=True, slots=True)
class TextFindings:
    """One file's findings together with the text and document version they were computed for."""

    text: str
    version: int | None  # None: the file is not open (the text is the disk's)
    recommendations: tuple[Recommendation, ...]


class Documents:
    """Owned by the server; feature handlers translate parameters and call it."""

    def __init__(self, shared: Shared) -> None:
        self._shared = shared
        self._ls, self._projects, self._engine = shared.ls, shared.projects, shared.engine
        self.debouncer = Debouncer()
        self.pace = Pace()
        self.models = ModelRunner(shared.engine, shared.status, lambda text: self.show(text, "warning"))
        self.stubs = Stubs(stub_folder())  # where the call hierarchy shows callees that have no source
        self.readers = Readers()  # what an interface edit invalidated, resolved again by the refresh taking it in
        self._last_edit: tuple[float, float] | None = None  # when the last edit came, the engine's CPU time then

    # ---- requests ------------------------------------------------------------------------------------------------
    async def ready(self, uri: str, whole: bool = True, progress: ProgressToken | None = None) -> Target | None:
        """The target of a request about ``uri`` once :meth:`ready_index` has its folder's index (None outside
        every folder, or when indexing failed)."""
        found = self._projects.of_uri(uri)
        if found is None:
            return None
        index = await self.ready_index(found[0], whole, progress)
        return Target(found[0], found[1], index, uri) if index is not None else None

    async def ready_index(
        self, project: Project, whole: bool = True, progress: ProgressToken | None = None
    ) -> Index | None:
        """The folder's index once its first build is done; with ``whole`` False (a question about one file's code
        and what it imports), as soon as the build has named the folder's files (each is read when first needed).
        Waits cancellably, showing the build's progress on the request's own ``progress`` token when it has one;
        ContentModified after ``INDEX_WAIT_S`` (or ``$TRACE_ADVISOR_INDEX_WAIT_S``)."""
        if (project.index if whole else project.serving) is None:
            await self._wait_for_build(project, project.built if whole else project.named, progress)
        return project.index if whole else project.serving

    async def _wait_for_build(self, project: Project, done: asyncio.Event, token: ProgressToken | None) -> None:
        bar = WorkDone(self._ls, f"trace-advisor: waiting for {project.root.name} to be indexed", token)
        if token is not None:
            await bar.begin(f"{project.indexed}/{project.total} files" if project.total else "")
        deadline = time.monotonic() + index_wait_s()
        try:
            while not done.is_set():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise JsonRpcContentModified(f"{project.root} is still being indexed; ask again")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(done.wait(), min(left, PROGRESS_EVERY_S if bar.active else left))
                if project.total and not done.is_set():
                    bar.report(project.indexed, project.total)
        finally:
            bar.end()

    def current_texts(self, project: Project, index: Index) -> Callable[[], None]:
        """A job for the thread answering a request that puts the folder's open documents' texts as they are now
        into ``index`` (a request can come before an edit's refresh ran, or while the folder is being indexed), so
        that positions in the request and the answer mean what the editor shows."""
        texts = [(Path(path), text) for path, text in self.open_texts(project)]

        def job() -> None:
            for path, text in texts:
                known = index.source(path)
                if known is not text and known != text:
                    index.update_file(path, text)

        return job

    # ---- small shared pieces ---------------------------------------------------------------------------------
    def document(self, uri: str) -> TextDocument | None:
        """The open document ``uri`` names, however it is spelled: pygls keys open documents by their percent-decoded
        URI (``Netflix+dispatch``, ``My Project``) while clients and :func:`convert.path_to_uri` encode them."""
        found: TextDocument | None = self._ls.workspace.text_documents.get(unquote(uri))
        return found

    def open_documents(self) -> list[TextDocument]:
        """The open documents. Each one's ``uri`` is as the client sent it: what diagnostics are published under and
        the key of its refreshes (a client may compare URIs as strings; pygls' keys are decoded)."""
        return list(self._ls.workspace.text_documents.values())

    def converter(self, project: Project) -> convert.Converter:
        return convert.Converter(self._ls.workspace.position_codec, project.lines, project.text)

    def show(self, text: str, level: str = "info") -> None:
        self._ls.window_show_message(convert.message(text, level))

    def tell(self, problem: Problem) -> None:
        """A run's problem: errors and warnings pop up; an ``info`` note (a file read after rewriting newer syntax,
        say) goes to the output log only: nothing was lost, and a pop-up per file would interrupt the user."""
        where = f"{problem.file}:{problem.line or 1}: " if problem.file else ""
        text = f"trace-advisor: {where}{problem.message}"
        if problem.severity == "info":
            LOG.info("%s", text)
            self._ls.window_log_message(convert.log(text, "info"))
            return
        LOG.warning("%s", text)
        self.show(text, problem.severity)

    async def settled(self) -> None:
        """Wait until a settings change in progress has been applied (work started after it uses the new ones)."""
        async with self._shared.reconfiguring:
            pass

    def refresh_lenses(self) -> None:
        """Ask the client to re-request lenses (after indexing or a change elsewhere), when it supports that."""
        workspace = self._ls.client_capabilities.workspace
        lens = workspace.code_lens if workspace is not None else None
        if lens is not None and lens.refresh_support:
            self._ls.workspace_code_lens_refresh(None)

    def stop(self) -> None:
        self.debouncer.cancel_all()

    # ---- document events -------------------------------------------------------------------------------------
    def opened(self, uri: str) -> None:
        self.schedule(uri, delay=0)

    def changed(self, uri: str) -> None:
        self._last_edit = (time.monotonic(), self._engine.cpu_s())
        self.schedule(uri, edited=True)

    def busy(self) -> int:
        """Engine jobs queued or running, and refreshes waiting for their time."""
        return self._engine.busy + self.debouncer.pending()

    def engine_state(self) -> dict[str, object]:
        """Whether the engine has work (queued or running, or a refresh waiting for its time) and, once it has none,
        how long after the last edit it became idle: wall and its own CPU time, in ms (``trace-advisor/
        engineState``, for tests and diagnosis: an edit storm must leave no backlog); and what the re-resolutions
        after interface edits did (``readers``: passes, modules, passes superseded by a newer edit, the modules of
        the last pass, the pass running now); and how many call sites the engine resolved, and how many call sites and
        property reads kept the answer they had before an edit instead (``sites``: resolved, kept); and the cyclic
        garbage collector's work: its collections so far per generation, and how many objects are set aside from it
        (``gc``: collections, frozen; what the engine keeps is frozen after it is made, see ``gcpause``)."""
        busy = self.busy()
        state: dict[str, object] = {"busy": busy, "idleAfterEditMs": None, "cpuAfterEditMs": None}
        state["readers"] = self.readers.state()  # the background re-resolutions after interface edits
        counts = [index.site_counts() for project in self._projects for index in project.indexes()]
        # call sites resolved, and those that kept their answer from before an edit instead
        state["sites"] = {"resolved": sum(c[0] for c in counts), "kept": sum(c[1] for c in counts)}
        state["gc"] = {"collections": [g["collections"] for g in gc.get_stats()], "frozen": gc.get_freeze_count()}
        if not busy and self._last_edit is not None:
            edited, cpu = self._last_edit
            state["idleAfterEditMs"] = round(max(self._engine.idle_since - edited, 0.0) * 1000, 1)
            state["cpuAfterEditMs"] = round(max(self._engine.idle_cpu - cpu, 0.0) * 1000, 1)
        return state

    def saved(self, uri: str) -> None:
        """Run the configured model provider on the saved file (a newer save cancels the running one); the folder's
        other open documents, whose findings may depend on it, are brought up to date and lenses refreshed."""
        found = self._projects.of_uri(uri)
        if found is None:
            return
        config = found[0].config
        if config.provider.name != "local" and config.server.analyze_on_save:
            self._shared.tasks.spawn(self.analyze_file(uri, CancelToken()))
        self.refresh_open(found[0], skip=uri)
        self.refresh_lenses()

    async def closed(self, uri: str) -> None:
        """Forget the unsaved text (the file on disk is what counts again) and clear its diagnostics."""
        self.debouncer.cancel(uri)
        self._shared.cancellations.cancel(f"refresh:{uri}")
        self._shared.cancellations.cancel(f"model:{uri}")
        self.pace.forget(uri)
        self.clear(uri)
        found = self._projects.of_uri(uri)
        if found is not None:
            project, path = found
            for index in project.indexes():  # the one being built has the text too
                await self._engine.run(partial(_from_disk, index, Path(path), False))

    async def disk_changed(self, changes: list[tuple[str, bool]]) -> None:
        """Python files changed outside the editor, as ``(path, deleted)``: the index takes them (an open
        document's text wins over the disk) and the folders' open documents are refreshed."""
        touched: set[Path] = set()
        for path, deleted in changes:
            project = self._projects.for_path(path)
            if project is None or project.serving is None or not path.endswith(".py"):
                continue
            if self.document(convert.path_to_uri(path)) is not None:
                continue
            for index in project.indexes():
                await self._engine.run(partial(_from_disk, index, Path(path), deleted))
            project.forget_lines(path)
            touched.add(project.root)
        for project in self._projects:
            if project.root in touched:
                self.refresh_open(project)
        if touched:
            self.refresh_lenses()

    # ---- analysis of open documents --------------------------------------------------------------------------
    def schedule(self, uri: str, delay: float | None = None, edited: bool = False) -> None:
        """Refresh ``uri``: cancel the refresh in flight (its version is outdated) and start the new one at once,
        or after ``delay`` seconds (default: ``server.debounce_ms`` when set, else the ``Pace`` of its refreshes:
        a wait only when the file is slow to refresh and, after an edit, edits come faster than that)."""
        found = self._projects.of_uri(uri)
        if found is None:
            return
        self._shared.cancellations.cancel(f"refresh:{uri}")
        wait = self.pace.edited(uri) if edited else self.pace.wait(uri)
        if delay is None:
            explicit = found[0].config.server.debounce_ms
            delay = explicit / 1000 if explicit is not None else wait
        self.debouncer.schedule(uri, delay, lambda: self.refresh(uri))

    def _open_in(self, project: Project, skip: str = "") -> Iterator[tuple[TextDocument, str]]:
        """The folder's open documents but ``skip``, with their paths."""
        for doc in self.open_documents():
            where = self._projects.of_uri(doc.uri)
            if doc.uri != skip and where is not None and where[0] is project:
                yield doc, where[1]

    def open_files(self, project: Project, skip: str = "") -> list[tuple[str, str]]:
        """(uri, path) of the folder's open documents but ``skip``."""
        return [(doc.uri, path) for doc, path in self._open_in(project, skip)]

    def open_texts(self, project: Project) -> list[tuple[str, str]]:
        """(path, text) of the folder's open documents."""
        return [(path, doc.source) for doc, path in self._open_in(project)]

    def refresh_open(self, project: Project, delay: float | None = None, skip: str = "") -> None:
        """Refresh the folder's open documents (after indexing, a config change or a change elsewhere)."""
        for doc, _ in self._open_in(project, skip):
            self.schedule(doc.uri, delay)

    async def refresh(self, uri: str) -> TextFindings | None:
        """Parse the open document at its current version and find what to recommend; publish unless a newer
        version arrived. Returns what was found (None when the document is not open in an indexed folder, or when a
        newer edit cancelled this refresh)."""
        target, doc = self._projects.target(uri), self.document(uri)
        if target is None or doc is None:
            return None
        project, path, index = target.project, target.path, target.index
        version, text = doc.version, doc.source
        findings, conv = project.findings_for(path), self.converter(project)
        token, key = GivingWay(self._engine), f"refresh:{uri}"
        self._shared.cancellations.replace(key, token)
        others = self.open_files(project, skip=uri)
        loop = asyncio.get_running_loop()

        def first_paint(local: LocalFindings) -> None:
            """Engine thread: a document's first findings from its own file, published at once while the hot
            functions its functions reach in other files are still weighed (on a big workspace that takes seconds
            the first time); the full findings follow."""
            visible = _visible(project, index, path, local.recommendations, findings, text)
            shown = render_diagnostics(conv, path, visible, None, (), local.install, project.config.max_per_file)
            loop.call_soon_threadsafe(self._publish_first, project, uri, path, (visible, shown), version, painted)

        early = first_paint if findings.refreshed_version is None else None  # only a document just opened
        painted: list[list[types.Diagnostic]] = []  # what the first paint published

        def job() -> tuple[float, SyntaxProblem | None, LocalFindings, Published, list[str] | None]:
            started = time.perf_counter()
            token.check()  # queued behind work that took long enough for a newer edit to come
            # what a refresh keeps (the file's facts and tree, resolved calls, the analysis' caches, the findings)
            # lives until a later edit and holds no cycles: set aside from the collector, it is not traversed again
            # by the collections the next edit's allocations start
            with gc_paused(then_settle=True):
                project.forget_lines(path)
                problem = index.update_file(Path(path), text)
                # what the edit left stale, resolved before the analysis reads it (and the open documents reading it)
                passed = self.readers.resolve(index, token)
                readers = _open_readers(index, others, set(passed.resolved)) if passed is not None else None
                local, visible = _find(project, index, path, text, findings, problem, token, early)
                linted = lint.findings(project, text, index, path) if problem is None else ()
                diagnostics = render_diagnostics(
                    conv, path, visible, problem, linted, local.install, project.config.max_per_file
                )
            return time.perf_counter() - started - token.waited, problem, local, (visible, diagnostics), readers

        try:
            took, problem, local, published, readers = await self._engine.run(job)
        except CancelledError:
            LOG.debug("refresh of %s v%s cancelled by a newer edit", path, version)
            return None
        finally:
            self._shared.cancellations.finish(key, token)
        self.pace.refreshed(uri, took)
        LOG.debug("refreshed %s v%s in %.1f ms", path, version, 1000 * took)
        current = self.document(uri)
        if current is not None and current.version == version and project.index is index:
            if problem is None:
                findings.local = local
            findings.syntax, findings.refreshed_version = problem, version
            if painted and painted[0] == published[1]:  # the first paint said it all already
                project.findings_for(path).visible = published[0]
            else:
                self.publish(project, uri, path, published, version)
        # else superseded: the newer version has its own refresh
        if readers is not None:  # an interface edit: what other open documents and the lenses show may have changed
            for other in readers:
                self.schedule(other)
            self.refresh_lenses()
        return TextFindings(text, version, published[0])

    async def findings_now(self, target: Target) -> TextFindings:
        """The file's text as it is now (the open document's, else the disk's), its version (None: not open) and
        the findings for exactly that text under the current settings: the published ones when they are, else
        found now (a file just opened, edited or re-configured)."""
        await self.settled()
        findings = target.project.findings_for(target.path)
        while (doc := self.document(target.uri)) is not None:
            if findings.refreshed_version == doc.version and target.project.index is target.index:
                return TextFindings(doc.source, doc.version, findings.visible)
            self.debouncer.cancel(target.uri)  # this refresh is the one it would run
            found = await self.refresh(target.uri)
            if found is not None:
                return found
            # cancelled by a newer edit: that one's refresh (or the next round) gives the findings
        project, index, path = target.project, target.index, target.path
        return await self._engine.run(lambda: _findings_on_disk(project, index, path, findings))

    async def recommended(self, target: Target) -> tuple[Recommendation, ...]:
        """The recommendations of an open document's current text (refreshed first when they are not yet: a client
        may ask right after opening it); a closed file's last published ones."""
        if self.document(target.uri) is not None:
            return (await self.findings_now(target)).recommendations
        return target.project.findings_for(target.path).visible

    def _publish_first(
        self,
        project: Project,
        uri: str,
        path: str,
        published: Published,
        version: int | None,
        painted: list[list[types.Diagnostic]],
    ) -> None:
        """Publish a document's first findings unless a newer version or the full findings came first (noted in
        ``painted``: the full findings are not sent again when they are the same)."""
        current = self.document(uri)
        if current is not None and current.version == version and project.findings_for(path).refreshed_version is None:
            self.publish(project, uri, path, published, version)
            painted.append(published[1])

    def publish(self, project: Project, uri: str, path: str, published: Published, version: int | None) -> None:
        recommendations, diagnostics = published
        project.findings_for(path).visible = recommendations
        self._ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=version)
        )

    def clear(self, uri: str) -> None:
        self._ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    # ---- model analysis --------------------------------------------------------------------------------------
    async def analyze_file(
        self, uri: str, token: CancelToken, progress_token: ProgressToken | None = None
    ) -> AnalysisResult | None:
        """Analyse ``uri`` with the provider (local engine when none is configured); None when cancelled or not
        not in an indexed folder. A newer run for the same document cancels this one."""
        target = await self.ready(uri)
        if target is None:
            return None
        project, path = target.project, Path(target.path)
        key = f"model:{uri}"
        self._shared.cancellations.replace(key, token)
        progress = WorkDone(self._ls, f"trace-advisor: analysing with {project.config.provider.engine}", progress_token)
        with self._shared.status.analyzing():
            await progress.begin(path.name, cancellable=False)
            try:
                run = await self.models.run(project, target.index, (path,), token)
            except CancelledError:
                LOG.info("analysis of %s cancelled", path)
                return None
            finally:
                self._shared.cancellations.finish(key, token)
                progress.end()
        if token.cancelled:
            return None
        # the total the answer reports, sent to the client at once
        self._shared.status.add_usage(project, run.result.usage)
        for problem in run.result.problems:
            self.tell(problem)
        self._keep_answers(run)
        await self._republish(project, uri, target.path)
        return run.result

    async def analyze_workspace(
        self, projects: list[Project], token: CancelToken, progress_token: ProgressToken | None = None
    ) -> list[ModelRun] | None:
        """The provider over every file of each folder in turn, with a cancellable progress bar; None when cancelled
        ($/cancelRequest or the progress bar's cancel button). The model's answers show in the files' findings."""
        await self.settled()
        progress = WorkDone(self._ls, "trace-advisor: analysing the workspace", progress_token)
        await progress.begin(", ".join(p.root.name for p in projects), cancellable=True)
        progress.on_cancel(token.cancel)
        report = _reporter(progress)
        runs: list[ModelRun] = []
        with self._shared.status.analyzing():
            try:
                for project in projects:
                    index = project.index
                    if index is None:
                        continue
                    files = await self._engine.run(index.files)
                    runs.append(await self.models.run(project, index, files, token, report, progress.note))
                    self._folder_analyzed(runs[-1])
            except CancelledError:
                LOG.info("workspace analysis cancelled")
                return None
            finally:
                progress.end("cancelled" if token.cancelled else f"{sum(len(r.files) for r in runs)} files analysed")
        return runs

    def _folder_analyzed(self, run: ModelRun) -> None:
        """Keep the model's answers, add the cost to the session, tell about folder-wide problems, republish."""
        self._keep_answers(run)
        self._shared.status.add_usage(run.project, run.result.usage)
        for problem in run.result.problems:
            if problem.file is None:
                self.tell(problem)
        self.refresh_open(run.project, delay=0)
        self.refresh_lenses()

    def _keep_answers(self, run: ModelRun) -> None:
        for path, answers in run.answers.items():
            run.project.findings_for(str(path)).answers = answers

    async def _republish(self, project: Project, uri: str, path: str) -> None:
        """Publish the open document's findings again with the answers just kept."""
        doc, index = self.document(uri), project.index
        if doc is None or index is None:
            return
        text, version, conv = doc.source, doc.version, self.converter(project)
        findings = project.findings_for(path)

        def job() -> Published:
            visible = _visible(project, index, path, findings.local.recommendations, findings, text)
            linted = lint.findings(project, text, index, path) if findings.syntax is None else ()
            diagnostics = render_diagnostics(
                conv, path, visible, findings.syntax, linted, findings.local.install, project.config.max_per_file
            )
            return visible, diagnostics

        published = await self._engine.run(job)
        current = self.document(uri)
        if current is not None and current.version == version:
            self.publish(project, uri, path, published, version)
            self.refresh_lenses()

    # ---- reports and span edits ------------------------------------------------------------------------------
    async def write_html_report(self, project: Project, index: Index, token: CancelToken) -> Path:
        """Analyse the folder and write its HTML report; returns where."""
        from trace_advisor.report import render, write_report  # jinja2 and the report code: loaded when first used

        config, target = project.config, report_path(project)

        def job() -> None:
            from trace_advisor.analysis import analyze
            from trace_advisor.record.observed import RecordingWatch

            result = analyze(index, config, cancel=token)
            observed = index.extension(RecordingWatch).graph()  # the workspace's `calls --record`, if any
            text = render(result, "html", graph=index.graph(), config=config, root=project.root, observed=observed)
            write_report(text, target)

        await self._engine.run(job)
        LOG.info("report written to %s", target)
        return target

    async def add_spans_in_file(self, target: Target) -> tuple[bool, int]:
        """Apply "Add spans to all recommended functions" to the file's text as it is now; (applied, functions)."""
        now = await self.findings_now(target)
        style, origin = target.project.span_style(formatter=True, path=target.path), target.span_origin()
        edits, changed = await self._engine.run(lambda: spans.file_edits(now.text, now.recommendations, style, origin))
        if not changed:
            return False, 0
        return await self._apply(target.project, target.path, edits, now.version, "Add spans"), changed

    async def add_span(self, target: Target, symbol: str, line: int | None) -> tuple[bool, str | None]:
        """Apply the span edit of one function (the def of ``symbol`` spanning ``line``); (applied, message)."""
        project, path = target.project, target.path
        rec = project.findings_for(path).recommendation(symbol, line)
        doc = self.document(target.uri)
        # a file that is not open is read as apply reads it: PEP 263 encoding, line endings kept
        text, version = (doc.source, doc.version) if doc is not None else (target.index.source(Path(path)), None)
        if text is None:
            return False, f"cannot read {path} (unreadable, or not decodable as its encoding declares)"
        try:
            qualname, capture = split_symbol(symbol)[1], rec.capture if rec else None
        except ValueError as exc:
            return False, str(exc)
        style, origin = project.span_style(formatter=True, path=path), target.span_origin()
        name = rec.span_name if rec else target.index.extension(SpanNames).name(target.index, symbol)
        edits, message = await self._engine.run(
            lambda: spans.function_edits(text, qualname, capture, line, style, origin, name)
        )
        if not edits:
            return False, message
        return await self._apply(project, path, list(edits), version, "Add span"), message

    async def _apply(self, project: Project, path: str, edits: list[TextEdit], version: int | None, label: str) -> bool:
        conv = self.converter(project)
        edit = await self._engine.run(lambda: conv.workspace_edit(path, edits, version))
        answer = await self._ls.workspace_apply_edit_async(types.ApplyWorkspaceEditParams(edit=edit, label=label))
        return bool(answer.applied)


# ---- engine-thread work ------------------------------------------------------------------------------------------
def _find(
    project: Project,
    index: Index,
    path: str,
    text: str,
    findings: FileFindings,
    problem: SyntaxProblem | None,
    token: CancelToken = NEVER,
    early: Callable[[LocalFindings], None] | None = None,
) -> tuple[LocalFindings, tuple[Recommendation, ...]]:
    """What to recommend in this one file, once the index has its text (the last good findings while it does not
    parse); ``early`` is given the file's own findings first (see :func:`_local_findings`)."""
    local = findings.local if problem is not None else _local_findings(project, index, path, token, early)
    return local, _visible(project, index, path, local.recommendations, findings, text)


def _open_readers(index: Index, files: list[tuple[str, str]], modules: set[str]) -> list[str]:
    """The uris of the open ``files`` (uri, path) whose modules are among ``modules``."""
    return [uri for uri, path in files if index.module_for_path(Path(path)) in modules]


def _findings_on_disk(project: Project, index: Index, path: str, findings: FileFindings) -> TextFindings:
    """A file that is not open, as it is on disk now (nothing to recommend when it does not parse)."""
    project.forget_lines(path)
    if index.update_file(Path(path), None) is not None:
        return TextFindings(index.source(Path(path)) or "", None, ())
    text = index.source(Path(path)) or ""
    local = _local_findings(project, index, path)
    return TextFindings(text, None, _visible(project, index, path, local.recommendations, findings, text))


def _local_findings(
    project: Project,
    index: Index,
    path: str,
    token: CancelToken = NEVER,
    early: Callable[[LocalFindings], None] | None = None,
) -> LocalFindings:
    """The local engine's findings for one file of the index as it is, without what ``analyze`` leaves out for cost
    (and with the callers it promotes in place of hot functions, wherever those are), so the editor offers the spans
    ``apply --all`` adds, and the instrumentation ``analyze`` advises for its request handlers. ``early`` is given
    the findings weighed on the file's own functions first, before the hot functions they reach elsewhere are."""
    from trace_advisor.analysis import Analyzer  # the detectors: loaded by the first refresh, not at start-up

    analyzer = Analyzer(index, project.config, index.graph())
    recs, _, _ = analyzer.run([Path(path)], token, None)
    token.check()
    if early is not None:
        own = tuple(analyzer.weigh_file_costs(Path(path), recs, token, reached=False))
        early(LocalFindings(own, analyzer.instrumentation(own)))
    kept = tuple(analyzer.weigh_file_costs(Path(path), recs, token))
    return LocalFindings(kept, analyzer.instrumentation(kept))


def _visible(
    project: Project, index: Index, path: str, local: tuple[Recommendation, ...], findings: FileFindings, text: str
) -> tuple[Recommendation, ...]:
    """The local findings merged with the model's answers that still stand (stale ones are dropped for good)."""
    if not findings.answers:
        return local
    from trace_advisor.analysis import with_model_answers

    merged, findings.answers = with_model_answers(
        local, findings.answers, index.definitions(Path(path)), text, project.config
    )
    return tuple(merged)


def _from_disk(index: Index, path: Path, deleted: bool) -> None:
    """Take a file's new content (or its deletion) from the disk."""
    if deleted or not path.exists():
        index.remove_file(path)
    else:
        index.update_file(path, None)


def render_diagnostics(
    conv: convert.Converter,
    path: str,
    recommendations: tuple[Recommendation, ...],
    problem: SyntaxProblem | None,
    linted: Sequence[LintFinding] = (),
    install: Sequence[InstrumentationHint] = (),
    shown: int | None = None,
) -> list[types.Diagnostic]:
    """Engine thread (conversion reads the file's lines from the index): recommendations (the ``shown`` first in the
    reading order, ``max_per_file``, then one diagnostic naming the others), the instrumentation to install for the
    file's request handlers that get none (one per package), then the span linter's findings, then the paused-analysis
    hint."""
    strongest = sorted(recommendations, key=lambda r: (reading_key(r), r.range.start))
    cut = len(strongest) if shown is None else max(shown, 1)
    diagnostics = [conv.diagnostic(rec) for rec in sorted(strongest[:cut], key=lambda r: r.range.start)]
    if strongest[cut:]:
        diagnostics.append(conv.more_diagnostic(cut, strongest[cut:]))
    recommended = {rec.symbol for rec in recommendations}  # a model's answer may recommend a handler after all
    for hint in install:  # advised whether or not a handler is recommended: the server span is theirs either way
        covers = tuple(f for f in hint.handlers if f.symbol not in recommended)
        spanned = tuple(f for f in hint.handlers if f.symbol in recommended)
        if hint.handlers:
            diagnostics.append(conv.install_diagnostic(replace(hint, covers=covers, spanned=spanned)))
    diagnostics.extend(lint.diagnostics(conv, path, linted))
    if problem is not None:
        diagnostics.append(conv.paused_hint(problem))
    return diagnostics


def index_wait_s() -> float:
    """How long a request waits for its folder's first index build: ``$TRACE_ADVISOR_INDEX_WAIT_S`` seconds when it is
    a positive number, else INDEX_WAIT_S."""
    raw = os.environ.get(INDEX_WAIT_ENV, "")
    try:
        found = float(raw) if raw else INDEX_WAIT_S
    except ValueError:
        found = 0.0
    if found > 0:
        return found
    LOG.warning("%s=%r is not a positive number of seconds: waiting %.0f s", INDEX_WAIT_ENV, raw, INDEX_WAIT_S)
    return INDEX_WAIT_S


def report_path(project: Project) -> Path:
    """The configured report file when it is HTML, else a per-folder file in the user's cache directory."""
    output = project.config.report.output
    if output and output.endswith(".html"):
        return (project.root / output).resolve()
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "trace-advisor" / "reports"
    digest = hashlib.sha256(str(project.root).encode()).hexdigest()[:10]
    return cache / f"{project.root.name}-{digest}.html"


def _reporter(progress: WorkDone) -> Callable[[int, int], None]:
    """A ``progress(done, total)`` the engine thread can call: it reports on the event loop."""
    loop = asyncio.get_running_loop()

    def report(done: int, total: int) -> None:
        loop.call_soon_threadsafe(progress.report, done, total, "files")

    return report
