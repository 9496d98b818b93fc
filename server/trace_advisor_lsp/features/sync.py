"""Document sync (open/change/save/close, incremental) and files changed on disk."""

from __future__ import annotations

import logging
from functools import partial
from pathlib import Path

from lsprotocol import types
from trace_advisor.index import Index

from trace_advisor_lsp.convert import uri_to_path
from trace_advisor_lsp.features import diagnostics, lenses, lifecycle, model_analysis
from trace_advisor_lsp.server import TraceAdvisorServer

LOG = logging.getLogger(__name__)


def did_open(ls: TraceAdvisorServer, params: types.DidOpenTextDocumentParams) -> None:
    """Analyse a newly opened document at once (a file outside every folder brings in its project's folder)."""
    lifecycle.adopt_project_of(ls, params.text_document.uri)
    diagnostics.schedule(ls, params.text_document.uri, delay=0)


def did_change(ls: TraceAdvisorServer, params: types.DidChangeTextDocumentParams) -> None:
    """pygls applied the incremental edit; re-analyse this document once typing pauses."""
    diagnostics.schedule(ls, params.text_document.uri)


def did_save(ls: TraceAdvisorServer, params: types.DidSaveTextDocumentParams) -> None:
    """Run the configured model provider on the saved file (a newer save cancels the running one); other open
    documents of the folder, whose findings may depend on it, are brought up to date and lenses refreshed."""
    uri = params.text_document.uri
    model_analysis.on_save(ls, uri)
    found = ls.project_of(uri)
    if found is not None:
        diagnostics.reanalyse_open(ls, found[0], skip=uri)
        lenses.refresh(ls)


async def did_close(ls: TraceAdvisorServer, params: types.DidCloseTextDocumentParams) -> None:
    """Forget the unsaved text (the file on disk is what counts again) and clear its diagnostics."""
    uri = params.text_document.uri
    ls.debouncer.cancel(uri)
    ls.cancellations.cancel(f"model:{uri}")
    diagnostics.clear(ls, uri)
    target = ls.target(uri)
    if target is not None:
        index, path = target.index, Path(target.path)
        await ls.engine.run(partial(from_disk, index, path, False))


async def did_change_watched_files(ls: TraceAdvisorServer, params: types.DidChangeWatchedFilesParams) -> None:
    """Keep the index in step with files changed outside the editor; config files reload the settings."""
    touched = set()
    for change in params.changes:
        path = uri_to_path(change.uri)
        if path is None:
            continue
        if Path(path).name in lifecycle.CONFIG_FILES:
            lifecycle.reconfigure(ls)
            continue
        found = ls.projects.for_path(path)
        if found is None or found.index is None or not path.endswith(".py"):
            continue
        if change.uri in ls.workspace.text_documents:
            continue  # the editor's text wins over the disk while the document is open
        await ls.engine.run(partial(from_disk, found.index, Path(path), change.type == types.FileChangeType.Deleted))
        found.forget_lines(path)
        touched.add(found.root)
    for project in ls.projects:
        if project.root in touched:
            diagnostics.reanalyse_open(ls, project)
    if touched:
        lenses.refresh(ls)


def from_disk(index: Index, path: Path, deleted: bool) -> None:
    """Engine thread: take a file's new content (or its deletion) from the disk."""
    if deleted or not path.exists():
        index.remove_file(path)
    else:
        index.update_file(path, None)


def register(server: TraceAdvisorServer) -> None:
    server.feature(types.TEXT_DOCUMENT_DID_OPEN)(did_open)
    server.feature(types.TEXT_DOCUMENT_DID_CHANGE)(did_change)
    server.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))(did_save)
    server.feature(types.TEXT_DOCUMENT_DID_CLOSE)(did_close)
    server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)(did_change_watched_files)
