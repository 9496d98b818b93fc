"""The workspace folders: each folder's config (project file < env < editor settings), pulled from the client and
applied without a restart, and its index, built off the event loop with progress and swapped in when done."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from pathlib import Path

from lsprotocol import types
from trace_advisor.cancel import CancelledError, CancelToken
from trace_advisor.config import find_project_root
from trace_advisor.config.loader import trust_project_file
from trace_advisor.config.trust import untrusted_warning
from trace_advisor.config_model import Config
from trace_advisor.index import Index
from trace_advisor.record.observed import RecordingWatch
from trace_advisor.record.recording import default_path as default_recording
from trace_advisor.traces.watch import TraceWatch

from trace_advisor_lsp import graph_start, settings
from trace_advisor_lsp.context import Shared
from trace_advisor_lsp.documents import Documents
from trace_advisor_lsp.logs import ClientLogHandler, set_client_level
from trace_advisor_lsp.progress import WorkDone
from trace_advisor_lsp.projects import Project
from trace_advisor_lsp.traces import Traces

LOG = logging.getLogger(__name__)
CONFIG_FILES = (".trace-advisor.yaml", "pyproject.toml")
PROJECT_MARKERS = (*CONFIG_FILES, ".git")
STATUS_INTERVAL_S = 0.25
PHASE_EVERY_S = 0.2  # how often the indexing bar says how far resolving the folder's calls has come
TRUST_COMMAND = "trace-advisor.trust"
# Clients that show the warning themselves, with a Trust button (the VS Code extension), declare
# ``capabilities.experimental.traceAdvisor.untrustedConfigNotification`` and get this notification instead of a
# plain window/showMessage: ``{folderUri, file, message, settings: [{key, where, value, reason}]}``.
UNTRUSTED_CONFIG = "trace-advisor/untrustedConfig"


class Folders:
    """Owned by the server: adds, configures and indexes workspace folders."""

    def __init__(self, shared: Shared, documents: Documents, traces: Traces, log_handler: ClientLogHandler) -> None:
        self._shared = shared
        self._ls, self._projects, self._engine = shared.ls, shared.projects, shared.engine
        self._documents, self._traces = documents, traces
        self._log_handler = log_handler
        self.client_settings = settings.ClientSettings()
        self.initialization_options: object = None
        self._warned_untrusted: set[tuple[str, tuple[str, ...]]] = set()
        self._initialized = False  # custom notifications may only follow the initialize response

    # ---- start-up and settings -------------------------------------------------------------------------------
    def start(self, roots: list[Path], initialization_options: object) -> None:
        """The client's folders and settings from initialize; indexing starts once the client is initialized."""
        self.initialization_options = initialization_options
        self.client_settings = settings.parse_client_settings(initialization_options)
        for root in roots:
            self.add(root)
        self.apply_log_level()

    async def initialized(self) -> None:
        """Pull the workspace settings, then index every folder in the background."""
        self._initialized = True
        async with self._shared.reconfiguring:
            await self.pull_settings()
            self.reconfigure()

    async def settings_changed(self, pushed: object) -> None:
        """The client's current settings replace the previous ones: pulled with workspace/configuration or, when
        the client cannot be asked, the ``pushed`` ones (didChangeConfiguration's ``settings``)."""
        async with self._shared.reconfiguring:
            if not await self.pull_settings() and pushed is not None:
                self.client_settings = settings.parse_client_settings(pushed)
            self.reconfigure()

    async def pull_settings(self) -> bool:
        """Ask the client for the ``traceAdvisor`` section (global and per folder); False when it cannot be asked."""
        workspace = self._ls.client_capabilities.workspace
        if workspace is None or not workspace.configuration:
            return False
        projects = list(self._projects)
        items = [types.ConfigurationItem(section=settings.SECTION)] + [
            types.ConfigurationItem(scope_uri=p.root.as_uri(), section=settings.SECTION) for p in projects
        ]
        try:
            answer = await self._ls.workspace_configuration_async(types.ConfigurationParams(items=items))
        except Exception as exc:
            LOG.warning("workspace/configuration failed: %s", exc)
            return False
        roots = [p.root for p in projects]
        self.client_settings = settings.from_pulled(list(answer or []), roots, self.initialization_options)
        return True

    def reconfigure(self) -> None:
        """Reload each folder's config; index folders whose index (or build in flight) is not for the settings that
        decide what is indexed, refresh the others' documents. A settings change that keeps those (a client sends
        one right after start-up) lets the build in flight run on."""
        for project in self._projects:
            project.config = self._load(project.root)
            project.outdate_findings()
            if project.needs_build():
                self._shared.tasks.spawn(self.index(project))
            else:
                self._documents.refresh_open(project, delay=0)
        self.apply_log_level()
        self._traces.configure()
        if self._initialized:
            self._shared.tasks.spawn(self._traces.watch())
        self._documents.refresh_lenses()
        self._shared.status.send()

    def apply_log_level(self) -> None:
        first = next(iter(self._projects), None)
        set_client_level(self._log_handler, first.config.server.log_level if first is not None else "info")

    # ---- folders -------------------------------------------------------------------------------------------------
    def add(self, root: Path) -> Project:
        project = Project(root=root, config=self._load(root))
        self._projects.add(project)
        return project

    def added(self, roots: list[Path]) -> None:
        for root in roots:
            self._shared.tasks.spawn(self.index(self.add(root)))
        self._shared.status.send()

    def removed(self, roots: list[Path]) -> None:
        for root in roots:
            self._shared.cancellations.cancel(f"index:{root}")
            self._projects.remove(root)
        self._shared.status.send()

    def adopt_project_of(self, path: str) -> None:
        """Serve a Python file opened outside every workspace folder (single-file mode, e.g. Neovim without a
        root): index the project around it when one is marked by .trace-advisor.yaml, pyproject.toml or .git."""
        if not path.endswith(".py") or self._projects.for_path(path) is not None:
            return
        root = find_project_root(Path(path).parent)
        if any((root / marker).exists() for marker in PROJECT_MARKERS):
            LOG.info("%s is outside the workspace folders: indexing its project %s", path, root)
            self._shared.tasks.spawn(self.index(self.add(root)))

    def _load(self, root: Path) -> Config:
        config, problems = settings.project_config(root, self.client_settings)
        for problem in problems:
            LOG.warning("%s", problem)
            self._documents.show(problem, "warning")
        self._warn_untrusted(root, config)
        return config

    def _warn_untrusted(self, root: Path, config: Config) -> None:
        """One warning per untrusted project file (and set of ignored settings), naming each ignored key: the
        client's own (with a Trust button) when it declared it shows one, else a window/showMessage."""
        if not config.ignored or config.untrusted_file is None:
            return
        seen = (config.untrusted_file, tuple(f"{item.key}={item.value}" for item in config.ignored))
        own = self._client_shows_untrusted_config()
        if seen in self._warned_untrusted or (own and not self._initialized):
            return  # during initialize, the client's own warning waits for the reconfigure of `initialized`
        self._warned_untrusted.add(seen)
        text = untrusted_warning(config.untrusted_file, config.ignored)
        LOG.warning("%s", text)
        if not own:
            self._documents.show(f"trace-advisor: {text} (or run the command {TRUST_COMMAND})", "warning")
            return
        settings_held = [
            {"key": item.key, "where": item.where, "value": item.value, "reason": item.reason}
            for item in config.ignored
        ]
        payload = {
            "folderUri": root.as_uri(),
            "file": config.untrusted_file,
            "message": text,
            "settings": settings_held,
        }
        self._ls.protocol.notify(UNTRUSTED_CONFIG, payload)

    def _client_shows_untrusted_config(self) -> bool:
        experimental = self._ls.client_capabilities.experimental
        ours = experimental.get("traceAdvisor") if isinstance(experimental, dict) else None
        return isinstance(ours, dict) and ours.get("untrustedConfigNotification") is True

    def trust(self, project: Project) -> dict[str, object]:
        """Trust the folder's project file as it is now (``trace-advisor trust``) and apply its settings."""
        file = trust_project_file(project.root)
        LOG.info("trusted %s", file)
        self.reconfigure()
        return {"trusted": str(file) if file is not None else None}

    # ---- indexing ------------------------------------------------------------------------------------------------
    async def index(self, project: Project) -> None:
        """Build a fresh index of the folder off the event loop, with progress (a newer build cancels this one):
        name the folder's files and put the open documents' texts in, then serve questions about one file from it
        (``project.loading``: each file is read when first needed) while the rest is read, then swap it in."""
        token, settings = CancelToken(), project.index_settings()
        self._shared.cancellations.replace(f"index:{project.root}", token)
        project.building = (token, settings)
        project.state, project.indexed, project.total = "indexing", 0, 0
        self._shared.status.send()
        progress = WorkDone(self._ls, "trace-advisor: indexing")
        await progress.begin(project.root.name)
        loop = asyncio.get_running_loop()
        last_status = [0.0]

        def on_progress(done: int, total: int) -> None:  # background side, between two files
            loop.call_soon_threadsafe(reported, done, total)
            self._engine.give_way()  # a request answered meanwhile (the open file's hierarchy) comes first

        def reported(done: int, total: int) -> None:
            project.indexed, project.total = done, total
            progress.report(done, total)
            if time.monotonic() - last_status[0] > STATUS_INTERVAL_S:
                last_status[0] = time.monotonic()
                self._shared.status.send()

        started = time.monotonic()
        config, index = project.config, None
        try:
            index = named = await self._engine.run_background(lambda: _named(config, project.root, token))
            texts = self._documents.open_texts(project)
            await self._engine.run_background(lambda: _take_texts(named, texts, token))
            token.check()
            project.loading = named
            project.named.set()
            await self._engine.run_background(lambda: named.load(token, on_progress))
            resolving = _phase_reporter(progress, loop, "calls resolved in {done}/{total} modules")
            reused = await self._engine.run_background(
                lambda: graph_start.resolve_graph(named, token, self._engine, resolving)
            )
        except CancelledError:
            progress.end("cancelled")
            return
        except Exception as exc:
            project.state = "error"
            progress.end("failed")
            LOG.exception("indexing %s failed", project.root)
            self._documents.show(f"trace-advisor: indexing {project.root} failed: {exc}", "error")
            self._shared.status.send()
            if index is not None and project.loading is index:
                project.loading = None
            project.named.set()  # requests waiting for the index stop waiting (and find none)
            project.built.set()
            return
        finally:
            self._shared.cancellations.finish(f"index:{project.root}", token)
            if project.building is not None and project.building[0] is token:
                project.building = None
        if token.cancelled:
            return
        files = len(index.files())
        project.index, project.indexed_with, project.loading = index, settings, None
        project.state, project.indexed, project.total = "ready", files, files
        project.findings.clear()
        project.built.set()
        progress.end(f"indexed {files} files in {time.monotonic() - started:.1f} s")
        LOG.info("indexed %s: %d files in %.2f s", project.root, files, time.monotonic() - started)
        self._shared.status.send()
        self._documents.refresh_open(project, delay=0)
        self._documents.refresh_lenses()
        after = CancelToken()  # a newer build cancels it as it cancels an index being built
        self._shared.cancellations.replace(f"index:{project.root}", after)
        self._shared.tasks.spawn(
            graph_start.after_start(
                self._engine, index, reused, after, lambda: project.index is index, self._documents.busy
            )
        )
        self._traces.reload()
        await self._traces.watch()  # a folder added after start-up may bring trace files


def _named(config: Config, root: Path, token: CancelToken) -> Index:
    """A new index of the folder with its files named, none read yet."""
    index = Index.from_config(config, [root])
    index.extension(RecordingWatch).use(default_recording(root))  # calls observed by `calls --record`, if any
    index.extension(TraceWatch).use(config.traces)  # the traces setting (hovers and lenses)
    index.register(token)
    return index


def _take_texts(index: Index, texts: list[tuple[str, str]], token: CancelToken) -> None:
    """The open documents' texts, so the first answers from the new index are about what the editor shows."""
    for path, text in texts:
        token.check()
        index.update_file(Path(path), text)


def _phase_reporter(progress: WorkDone, loop: asyncio.AbstractEventLoop, message: str) -> Callable[[int, int], None]:
    """A ``progress(done, total)`` the engine side can call for a phase after the files are read (a cold start
    resolving the folder's calls): said in the bar's message, every ``PHASE_EVERY_S`` and at the end, its
    percentage left where the file count put it (a bar's percentage only rises)."""
    last = [0.0]

    def report(done: int, total: int) -> None:
        now = time.monotonic()
        if done == total or now - last[0] >= PHASE_EVERY_S:
            last[0] = now
            loop.call_soon_threadsafe(progress.note, message.format(done=done, total=total))

    return report
