"""initialize / initialized / shutdown, configuration changes and workspace folder changes."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from pathlib import Path

from lsprotocol import types

from trace_advisor_lsp.convert import uri_to_path
from trace_advisor_lsp.server import TraceAdvisorServer

LOG = logging.getLogger(__name__)
WATCHED = ("**/*.py", "**/.trace-advisor.yaml", "**/pyproject.toml")


def initialize(ls: TraceAdvisorServer, params: types.InitializeParams) -> None:
    """Read the client's settings and workspace folders; indexing starts once the client is initialized."""
    ls.keep_lsp_lines()
    ls.log_handler.attach(asyncio.get_running_loop())
    ls.folders.start(roots_of(params), params.initialization_options)


async def initialized(ls: TraceAdvisorServer, params: types.InitializedParams) -> None:
    """Watch files, pull workspace settings, then index every folder in the background."""
    await register_watchers(ls)
    await ls.folders.initialized()


def shutdown(ls: TraceAdvisorServer, params: None) -> None:
    """Stop background work; pygls answers and exits."""
    ls.stop_everything()


async def did_change_configuration(ls: TraceAdvisorServer, params: types.DidChangeConfigurationParams) -> None:
    """Apply new settings without a restart (re-index only when what is indexed changed)."""
    await ls.folders.settings_changed(params.settings)


def did_change_workspace_folders(ls: TraceAdvisorServer, params: types.DidChangeWorkspaceFoldersParams) -> None:
    """Index added folders, forget removed ones."""
    ls.folders.removed(_paths(params.event.removed))
    ls.folders.added(_paths(params.event.added))


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


def roots_of(params: types.InitializeParams) -> list[Path]:
    """Workspace folders of an initialize request (``rootUri``/``rootPath`` when the client sends no folders)."""
    uris = [folder.uri for folder in params.workspace_folders or []]
    if not uris and params.root_uri:
        uris = [params.root_uri]
    paths = [uri_to_path(uri) for uri in uris]
    if not uris and params.root_path:
        paths = [params.root_path]
    return [Path(p).resolve() for p in paths if p]


def _paths(folders: Sequence[types.WorkspaceFolder]) -> list[Path]:
    return [Path(path).resolve() for path in (uri_to_path(folder.uri) for folder in folders) if path]


def register(server: TraceAdvisorServer) -> None:
    server.feature(types.INITIALIZE)(initialize)
    server.feature(types.INITIALIZED)(initialized)
    server.feature(types.SHUTDOWN)(shutdown)
    server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)(did_change_configuration)
    server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)(did_change_workspace_folders)
