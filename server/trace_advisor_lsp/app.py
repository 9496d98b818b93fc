"""Builds the server in one place (a ``TraceAdvisorServer`` with every feature's handlers) and serves stdio."""

from __future__ import annotations

import argparse

from trace_advisor import __version__

from trace_advisor_lsp.features import (
    actions,
    commands,
    hierarchy,
    lenses,
    lifecycle,
    sync,
    workspace_analysis,
)
from trace_advisor_lsp.logs import configure_process_logging
from trace_advisor_lsp.server import TraceAdvisorServer

FEATURES = (lifecycle, sync, lenses, actions, hierarchy, commands, workspace_analysis)


def create_server() -> TraceAdvisorServer:
    """A fresh server with every feature registered (tests and ``run`` each use their own)."""
    server = TraceAdvisorServer()
    for feature in FEATURES:
        feature.register(server)
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
    return server.exit_code
