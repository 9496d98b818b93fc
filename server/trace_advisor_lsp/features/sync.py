"""Document sync (open/change/save/close, incremental) and files changed on disk."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types

from trace_advisor_lsp.convert import uri_to_path
from trace_advisor_lsp.folders import CONFIG_FILES
from trace_advisor_lsp.server import TraceAdvisorServer

ENGINE_STATE = "trace-advisor/engineState"


def did_open(ls: TraceAdvisorServer, params: types.DidOpenTextDocumentParams) -> None:
    """Analyse a newly opened document at once (a file outside every folder brings in its project's folder)."""
    uri = params.text_document.uri
    path = uri_to_path(uri)
    if path is not None:
        ls.folders.adopt_project_of(path)
    ls.documents.opened(uri)


def did_change(ls: TraceAdvisorServer, params: types.DidChangeTextDocumentParams) -> None:
    """pygls applied the incremental edit; refresh this document's findings."""
    ls.documents.changed(params.text_document.uri)


def did_save(ls: TraceAdvisorServer, params: types.DidSaveTextDocumentParams) -> None:
    """Model analysis on save (when configured); the folder's other open documents are brought up to date."""
    ls.documents.saved(params.text_document.uri)


async def did_close(ls: TraceAdvisorServer, params: types.DidCloseTextDocumentParams) -> None:
    """Forget the unsaved text (the file on disk is what counts again) and clear its diagnostics."""
    await ls.documents.closed(params.text_document.uri)


async def did_change_watched_files(ls: TraceAdvisorServer, params: types.DidChangeWatchedFilesParams) -> None:
    """Keep the index in step with files changed outside the editor; config files reload the settings, trace files
    refresh the lenses."""
    changes = [(path, c.type == types.FileChangeType.Deleted) for c in params.changes if (path := uri_to_path(c.uri))]
    if any(Path(path).name in CONFIG_FILES for path, _ in changes):
        ls.folders.reconfigure()
    ls.traces.changed([path for path, _ in changes])
    await ls.documents.disk_changed([(path, deleted) for path, deleted in changes if path.endswith(".py")])


def engine_state(ls: TraceAdvisorServer, params: object) -> dict[str, object]:
    """``trace-advisor/engineState``: whether the engine has work, and how long after the last edit it became idle."""
    return ls.documents.engine_state()


def register(server: TraceAdvisorServer) -> None:
    server.feature(types.TEXT_DOCUMENT_DID_OPEN)(did_open)
    server.feature(types.TEXT_DOCUMENT_DID_CHANGE)(did_change)
    server.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))(did_save)
    server.feature(types.TEXT_DOCUMENT_DID_CLOSE)(did_close)
    server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)(did_change_watched_files)
    server.feature(ENGINE_STATE)(engine_state)
