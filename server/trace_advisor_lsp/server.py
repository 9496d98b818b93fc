"""The language server: one ``TraceAdvisorServer`` owns all state and the services feature handlers call."""

from __future__ import annotations

import sys
from collections.abc import Generator
from typing import Any, BinaryIO

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.protocol import lsp_method
from pygls.workspace import Workspace
from trace_advisor import __version__

from trace_advisor_lsp import convert
from trace_advisor_lsp.capabilities import NAME
from trace_advisor_lsp.context import Shared
from trace_advisor_lsp.documents import Documents
from trace_advisor_lsp.folders import Folders
from trace_advisor_lsp.logs import ClientLogHandler
from trace_advisor_lsp.projects import Projects
from trace_advisor_lsp.status import Status
from trace_advisor_lsp.text_sync import LspWorkspace
from trace_advisor_lsp.traces import Traces
from trace_advisor_lsp.transport import RobustProtocol, serve_stdio


class TraceAdvisorProtocol(RobustProtocol):
    """Adds to pygls' protocol (with the transport's answers to bad input): $/cancelRequest also cancels the token of
    work already running; a command's own workDoneToken is kept for it (pygls passes a command only its arguments)."""

    _server: TraceAdvisorServer

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.work_done_tokens: dict[int | str, types.ProgressToken] = {}  # by request id, until the command takes it

    def command_progress(self) -> types.ProgressToken | None:
        """The workDoneToken of the command being run (a command handler calls this once)."""
        msg_id = self.msg_id
        return self.work_done_tokens.pop(msg_id, None) if msg_id is not None else None

    @lsp_method(types.WORKSPACE_EXECUTE_COMMAND)
    def lsp_workspace__execute_command(self, params: types.ExecuteCommandParams) -> Generator[Any, Any, Any]:
        msg_id = self.msg_id
        if params.work_done_token is not None and msg_id is not None:
            self.work_done_tokens[msg_id] = params.work_done_token
        try:
            return (yield from super().lsp_workspace__execute_command(params))
        finally:
            if msg_id is not None:
                self.work_done_tokens.pop(msg_id, None)

    def _handle_cancel_notification(self, msg_id: Any) -> None:
        self._server.cancellations.cancel_request(msg_id)
        super()._handle_cancel_notification(msg_id)


class TraceAdvisorServer(LanguageServer):
    """Workspace folders (``folders``: config and indexes), open documents and their findings (``documents``),
    the configured trace files (``traces``), the engine thread, cancellation, the status notification and the client
    log bridge."""

    def __init__(self) -> None:
        super().__init__(
            NAME,
            __version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            protocol_cls=TraceAdvisorProtocol,
        )
        self.exit_code = 0
        self.projects = Projects()
        self.status = Status(self, self.projects)
        shared = Shared(self, self.projects, self.status)
        self.engine, self.cancellations, self.tasks = shared.engine, shared.cancellations, shared.tasks
        self.log_handler = ClientLogHandler(self._send_log)
        self.documents = Documents(shared)
        self.traces = Traces(shared, self.documents)
        self.folders = Folders(shared, self.documents, self.traces, self.log_handler)

    def start_io(self, stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> None:
        """Serve stdio through our transport (robust framing, an answer to every request); ``exit_code`` is what the
        process should exit with."""
        self.exit_code = serve_stdio(self, stdin or sys.stdin.buffer, stdout or sys.stdout.buffer)

    def keep_lsp_lines(self) -> None:
        """Open documents count lines as LSP does (text_sync.py); called once pygls made its workspace."""
        workspace = self.workspace
        if type(workspace) is Workspace:  # our subclass changes only the class of the documents it makes
            workspace.__class__ = LspWorkspace

    def command_progress(self) -> types.ProgressToken | None:
        """The workDoneToken the client gave the command being run (a command handler asks once)."""
        assert isinstance(self.protocol, TraceAdvisorProtocol)
        return self.protocol.command_progress()

    def stop_everything(self) -> None:
        self.documents.stop()
        self.cancellations.cancel_all()
        self.tasks.cancel_all()
        self.engine.shutdown()

    def _send_log(self, level: str, text: str) -> None:
        self.window_log_message(convert.log(text, level))
