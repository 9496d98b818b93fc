"""The language server: one ``TraceAdvisorServer`` owns all state; features register on it; ``run`` serves stdio."""

from __future__ import annotations

import argparse
import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.workspace import TextDocument
from trace_advisor import __version__
from trace_advisor.index import Index
from trace_advisor.model import Usage

from trace_advisor_lsp import convert
from trace_advisor_lsp.convert import Converter
from trace_advisor_lsp.logs import ClientLogHandler, configure_process_logging, set_client_level
from trace_advisor_lsp.projects import Project, Projects
from trace_advisor_lsp.scheduling import Cancellations, Debouncer, Engine
from trace_advisor_lsp.settings import ClientSettings

LOG = logging.getLogger(__name__)
STATUS = "trace-advisor/status"


@dataclass(frozen=True, slots=True)
class Target:
    """Where a request points: the folder's project, the file path, the folder's index and the document uri."""

    project: Project
    path: str
    index: Index
    uri: str


class TraceAdvisorProtocol(LanguageServerProtocol):
    """Adds one thing to pygls' protocol: $/cancelRequest also cancels the token of work already running."""

    _server: TraceAdvisorServer

    def _handle_cancel_notification(self, msg_id: Any) -> None:
        self._server.cancellations.cancel_request(msg_id)
        super()._handle_cancel_notification(msg_id)


class TraceAdvisorServer(LanguageServer):
    """All server state: workspace folders (projects), client settings, scheduling and the client log bridge."""

    def __init__(self) -> None:
        super().__init__(
            "trace-advisor-lsp",
            __version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            protocol_cls=TraceAdvisorProtocol,
        )
        self.projects = Projects()
        self.client_settings = ClientSettings()
        self.initialization_options: object = None
        self.engine = Engine()
        self.debouncer = Debouncer()
        self.cancellations = Cancellations()
        self.background: set[asyncio.Task[Any]] = set()
        self.analyzing = 0
        self.log_handler = ClientLogHandler(self._send_log)
        self.reconfiguring = asyncio.Lock()  # held while new settings are pulled and applied

    # ---- documents and conversion ------------------------------------------------------------------------------
    def document(self, uri: str) -> TextDocument:
        return self.workspace.get_text_document(uri)

    def open_version(self, path: str) -> int | None:
        """The version of the open document at ``path``, None when it is not open."""
        doc = self.workspace.text_documents.get(convert.path_to_uri(path))
        return doc.version if doc is not None else None

    def project_of(self, uri: str) -> tuple[Project, str] | None:
        """The project and file path of ``uri``, when it is a Python file inside a workspace folder."""
        path = convert.uri_to_path(uri)
        if path is None:
            return None
        project = self.projects.for_path(path)
        return (project, path) if project is not None else None

    def target(self, uri: str) -> Target | None:
        """Project, path and index of ``uri`` once its folder is indexed (None before, or outside the folders)."""
        found = self.project_of(uri)
        if found is None or found[0].index is None:
            return None
        return Target(found[0], found[1], found[0].index, uri)

    def converter(self, project: Project) -> Converter:
        return Converter(self.workspace.position_codec, project.lines)

    async def settled(self) -> None:
        """Wait until a settings change in progress has been applied (work started after it uses the new ones)."""
        async with self.reconfiguring:
            pass

    # ---- background work -----------------------------------------------------------------------------------------
    def spawn(self, coro: Any) -> asyncio.Task[Any]:
        """Start a background task that the server keeps a reference to until it is done."""
        task: asyncio.Task[Any] = asyncio.ensure_future(coro)
        self.background.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self.background.discard(task)
        if not task.cancelled() and task.exception() is not None:
            LOG.error("background task failed", exc_info=task.exception())

    def stop_everything(self) -> None:
        self.debouncer.cancel_all()
        self.cancellations.cancel_all()
        for task in list(self.background):
            task.cancel()
        self.engine.shutdown()

    # ---- talking to the client -----------------------------------------------------------------------------------
    def show(self, text: str, level: str = "info") -> None:
        self.window_show_message(convert.message(text, level))

    def _send_log(self, level: str, text: str) -> None:
        self.window_log_message(convert.log(text, level))

    def apply_log_level(self) -> None:
        first = next(iter(self.projects), None)
        level = first.config.server.log_level if first is not None else "info"
        set_client_level(self.log_handler, level)

    def add_usage(self, project: Project, usage: Usage) -> None:
        """Count what a model analysis cost (the amount its answer reports) and tell the client the new total."""
        project.usage = project.usage + usage
        self.send_status()

    def send_status(self, state: str | None = None) -> None:
        """Tell the client what the server is doing (the ``trace-advisor/status`` notification)."""
        projects = list(self.projects)
        if state is None:
            if any(p.state == "indexing" for p in projects):
                state = "indexing"
            elif self.analyzing:
                state = "analyzing"
            elif any(p.state == "error" for p in projects):
                state = "error"
            else:
                state = "ready"
        usage = sum((p.usage for p in projects), Usage())
        engine = "local"
        for project in projects:
            provider = project.config.provider
            if provider.name != "local":
                engine = f"{provider.name}:{provider.model}"
                break
        self.protocol.notify(
            STATUS,
            {
                "state": state,
                "indexed": sum(p.indexed for p in projects),
                "total": sum(p.total for p in projects),
                "engine": engine,
                "usage": {
                    "input_tokens": usage.input_tokens,
                    "output_tokens": usage.output_tokens,
                    "cost_usd": round(usage.cost_usd, 6),
                },
            },
        )


def create_server() -> TraceAdvisorServer:
    """A fresh server with every feature registered (tests and ``run`` each use their own)."""
    from trace_advisor_lsp.features import register_all

    server = TraceAdvisorServer()
    register_all(server)
    return server


def run(argv: list[str]) -> int:
    """Serve the protocol on stdin/stdout; ``--stdio`` (added by vscode-languageclient) is accepted and ignored."""
    parser = argparse.ArgumentParser(
        prog="trace-advisor-lsp", description="The trace-advisor language server (LSP over stdin/stdout)."
    )
    parser.add_argument("--stdio", action="store_true", help="use stdin/stdout (the default and only transport)")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.parse_args(argv)
    configure_process_logging()
    server = create_server()
    server.start_io()
    return 0


def roots_of(params: types.InitializeParams) -> list[Path]:
    """Workspace folders of an initialize request (``rootUri``/``rootPath`` when the client sends no folders)."""
    uris = [folder.uri for folder in params.workspace_folders or []]
    if not uris and params.root_uri:
        uris = [params.root_uri]
    paths = [convert.uri_to_path(uri) for uri in uris]
    if not uris and params.root_path:
        paths = [params.root_path]
    return [Path(p).resolve() for p in paths if p]
