"""initialize / initialized / shutdown, workspace indexing with progress, and configuration changes."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import Any

from lsprotocol import types
from trace_advisor.cancel import CancelledError, CancelToken
from trace_advisor.config import find_project_root
from trace_advisor.config_model import Config
from trace_advisor.index import Index

from trace_advisor_lsp import settings as client_settings
from trace_advisor_lsp.convert import uri_to_path
from trace_advisor_lsp.features import diagnostics, lenses
from trace_advisor_lsp.progress import WorkDone
from trace_advisor_lsp.projects import Project
from trace_advisor_lsp.server import TraceAdvisorServer, roots_of

LOG = logging.getLogger(__name__)
WATCHED = ("**/*.py", "**/.trace-advisor.yaml", "**/pyproject.toml")
CONFIG_FILES = (".trace-advisor.yaml", "pyproject.toml")
PROJECT_MARKERS = (*CONFIG_FILES, ".git")
STATUS_INTERVAL_S = 0.25


def initialize(ls: TraceAdvisorServer, params: types.InitializeParams) -> None:
    """Read the client's settings and workspace folders; indexing starts once the client is initialized."""
    ls.log_handler.attach(asyncio.get_running_loop())
    ls.initialization_options = params.initialization_options
    ls.client_settings = client_settings.parse_client_settings(params.initialization_options)
    for root in roots_of(params):
        add_project(ls, root)
    ls.apply_log_level()


async def initialized(ls: TraceAdvisorServer, params: types.InitializedParams) -> None:
    """Watch files, pull workspace settings, then index every folder in the background."""
    await register_watchers(ls)
    async with ls.reconfiguring:
        await pull_settings(ls)
        reconfigure(ls, reindex_all=True)


def shutdown(ls: TraceAdvisorServer, params: None) -> None:
    """Stop background work; pygls answers and exits."""
    ls.stop_everything()


async def did_change_configuration(ls: TraceAdvisorServer, params: types.DidChangeConfigurationParams) -> None:
    """Apply new settings without a restart (re-index only when what is indexed changed): the client's current
    settings replace the previous ones, pulled with workspace/configuration or, without it, pushed here."""
    async with ls.reconfiguring:
        if not await pull_settings(ls) and params.settings is not None:
            ls.client_settings = client_settings.parse_client_settings(params.settings)
        reconfigure(ls)


def did_change_workspace_folders(ls: TraceAdvisorServer, params: types.DidChangeWorkspaceFoldersParams) -> None:
    """Index added folders, forget removed ones."""
    for folder in params.event.removed:
        path = uri_to_path(folder.uri)
        if path:
            root = Path(path).resolve()
            ls.cancellations.cancel(f"index:{root}")
            ls.projects.remove(root)
    for folder in params.event.added:
        path = uri_to_path(folder.uri)
        if path:
            ls.spawn(index_project(ls, add_project(ls, Path(path).resolve())))
    ls.send_status()


# ---- helpers -----------------------------------------------------------------------------------------------------
def adopt_project_of(ls: TraceAdvisorServer, uri: str) -> None:
    """Serve a Python file opened outside every workspace folder (single-file mode, e.g. Neovim without a root):
    index the project around it when one is marked by .trace-advisor.yaml, pyproject.toml or .git."""
    path = uri_to_path(uri)
    if path is None or not path.endswith(".py") or ls.projects.for_path(path) is not None:
        return
    root = find_project_root(Path(path).parent)
    if any((root / marker).exists() for marker in PROJECT_MARKERS):
        LOG.info("%s is outside the workspace folders: indexing its project %s", path, root)
        ls.spawn(index_project(ls, add_project(ls, root)))


def add_project(ls: TraceAdvisorServer, root: Path) -> Project:
    config = load(ls, root)
    project = Project(root=root, config=config)
    ls.projects.add(project)
    return project


def load(ls: TraceAdvisorServer, root: Path) -> Config:
    config, problems = client_settings.project_config(root, ls.client_settings)
    for problem in problems:
        LOG.warning("%s", problem)
        ls.show(problem, "warning")
    return config


async def pull_settings(ls: TraceAdvisorServer) -> bool:
    """Ask the client for the ``traceAdvisor`` section (global and per folder); False when it cannot be asked."""
    workspace = ls.client_capabilities.workspace
    if workspace is None or not workspace.configuration:
        return False
    projects = list(ls.projects)
    items = [types.ConfigurationItem(section=client_settings.SECTION)] + [
        types.ConfigurationItem(scope_uri=p.root.as_uri(), section=client_settings.SECTION) for p in projects
    ]
    try:
        answer = await ls.workspace_configuration_async(types.ConfigurationParams(items=items))
    except Exception as exc:
        LOG.warning("workspace/configuration failed: %s", exc)
        return False
    roots = [p.root for p in projects]
    ls.client_settings = client_settings.from_pulled(list(answer or []), roots, ls.initialization_options)
    return True


def reconfigure(ls: TraceAdvisorServer, reindex_all: bool = False) -> None:
    """Reload each folder's config; re-index folders whose indexed set changed, re-analyse the others."""
    for project in ls.projects:
        before = project.index_settings()
        project.config = load(ls, project.root)
        project.outdate_findings()
        if reindex_all or project.index is None or project.index_settings() != before:
            ls.spawn(index_project(ls, project))
        else:
            diagnostics.reanalyse_open(ls, project, delay=0)
    ls.apply_log_level()
    lenses.refresh(ls)
    ls.send_status()


async def register_watchers(ls: TraceAdvisorServer) -> None:
    workspace = ls.client_capabilities.workspace
    watched = workspace.did_change_watched_files if workspace is not None else None
    if watched is None or not watched.dynamic_registration:
        return
    options = types.DidChangeWatchedFilesRegistrationOptions(
        watchers=[types.FileSystemWatcher(glob_pattern=glob) for glob in WATCHED]
    )
    registration = types.Registration(
        id="trace-advisor-watched-files", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES, register_options=options
    )
    try:
        await ls.client_register_capability_async(types.RegistrationParams(registrations=[registration]))
    except Exception as exc:
        LOG.warning("could not watch files: %s", exc)


async def index_project(ls: TraceAdvisorServer, project: Project) -> None:
    """Build a fresh index of the folder off the event loop, with progress, then swap it in."""
    token = CancelToken()
    ls.cancellations.replace(f"index:{project.root}", token)
    project.state, project.indexed, project.total = "indexing", 0, 0
    ls.send_status()
    progress = WorkDone(ls, "trace-advisor: indexing")
    await progress.begin(project.root.name)
    loop = asyncio.get_running_loop()
    last_status = [0.0]

    def on_progress(done: int, total: int) -> None:  # engine side; hop to the loop
        loop.call_soon_threadsafe(reported, done, total)

    def reported(done: int, total: int) -> None:
        project.indexed, project.total = done, total
        progress.report(done, total)
        if time.monotonic() - last_status[0] > STATUS_INTERVAL_S:
            last_status[0] = time.monotonic()
            ls.send_status()

    started = time.monotonic()
    config = project.config
    try:
        index = await ls.engine.run_background(lambda: build(config, project.root, token, on_progress))
    except CancelledError:
        progress.end("cancelled")
        return
    except Exception as exc:
        project.state = "error"
        progress.end("failed")
        LOG.exception("indexing %s failed", project.root)
        ls.show(f"trace-advisor: indexing {project.root} failed: {exc}", "error")
        ls.send_status()
        return
    finally:
        ls.cancellations.finish(f"index:{project.root}", token)
    if token.cancelled:
        return
    files = len(index.files())
    project.index, project.state, project.indexed, project.total = index, "ready", files, files
    project.findings.clear()
    progress.end(f"indexed {files} files in {time.monotonic() - started:.1f} s")
    LOG.info("indexed %s: %d files in %.2f s", project.root, files, time.monotonic() - started)
    ls.send_status()
    diagnostics.reanalyse_open(ls, project, delay=0)
    lenses.refresh(ls)


def build(config: Config, root: Path, token: CancelToken, progress: Any) -> Index:
    index = Index.from_config(config, [root])
    index.build(token, progress)
    return index


def register(server: TraceAdvisorServer) -> None:
    server.feature(types.INITIALIZE)(initialize)
    server.feature(types.INITIALIZED)(initialized)
    server.feature(types.SHUTDOWN)(shutdown)
    server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)(did_change_configuration)
    server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)(did_change_workspace_folders)
