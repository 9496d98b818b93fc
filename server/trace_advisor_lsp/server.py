"""The language server: one ``TraceAdvisorServer`` owns all state and the services feature handlers call."""

from __future__ import annotations

from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from trace_advisor import __version__

from trace_advisor_lsp import convert
from trace_advisor_lsp.capabilities import NAME
from trace_advisor_lsp.context import Shared
from trace_advisor_lsp.documents import Documents
from trace_advisor_lsp.folders import Folders
from trace_advisor_lsp.logs import ClientLogHandler
from trace_advisor_lsp.projects import Projects
from trace_advisor_lsp.status import Status


class TraceAdvisorProtocol(LanguageServerProtocol):
    """Adds one thing to pygls' protocol: $/cancelRequest also cancels the token of work already running."""

    _server: TraceAdvisorServer

    def _handle_cancel_notification(self, msg_id: Any) -> None:
        self._server.cancellations.cancel_request(msg_id)
        super()._handle_cancel_notification(msg_id)


class TraceAdvisorServer(LanguageServer):
    """Workspace folders (``folders``: config and indexes), open documents and their findings (``documents``),
    the engine thread, cancellation, the status notification and the client log bridge."""

    def __init__(self) -> None:
        super().__init__(
            NAME,
            __version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            protocol_cls=TraceAdvisorProtocol,
        )
        self.projects = Projects()
        self.status = Status(self, self.projects)
        shared = Shared(self, self.projects, self.status)
        self.engine, self.cancellations, self.tasks = shared.engine, shared.cancellations, shared.tasks
        self.log_handler = ClientLogHandler(self._send_log)
        self.documents = Documents(shared)
        self.folders = Folders(shared, self.documents, self.log_handler)

    def stop_everything(self) -> None:
        self.documents.stop()
        self.cancellations.cancel_all()
        self.tasks.cancel_all()
        self.engine.shutdown()

    def _send_log(self, level: str, text: str) -> None:
        self.window_log_message(convert.log(text, level))
