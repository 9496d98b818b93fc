"""Builds the server in one place (a ``TraceAdvisorServer`` with every feature's handlers) and serves it."""

from __future__ import annotations

import json
from typing import Any, BinaryIO

from lsprotocol import types
from pygls.capabilities import ServerCapabilitiesBuilder
from pygls.protocol import default_converter

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


def initialize_result(client_capabilities: dict[str, Any]) -> dict[str, Any]:
    """pygls' answer to ``initialize`` (as JSON) for a client with these capabilities: what ``capabilities.py``
    must say, for ``boot`` to answer before pygls is loaded."""
    converter = default_converter()  # type: ignore[no-untyped-call]
    client = converter.structure(client_capabilities, types.ClientCapabilities)
    server = create_server()
    fm = server.protocol.fm
    capabilities = ServerCapabilitiesBuilder(
        client,
        set({**fm.features, **fm.builtin_features}),
        fm.feature_options,
        list(fm.commands),
        server._text_document_sync_kind,
        server._notebook_document_sync,
        ServerCapabilitiesBuilder.choose_position_encoding(client),
    ).build()  # type: ignore[no-untyped-call]
    result = types.InitializeResult(capabilities=capabilities, server_info=server.protocol.server_info)
    answer: dict[str, Any] = json.loads(json.dumps(converter.unstructure(result)))
    return answer


def serve(stdin: BinaryIO, stdout: BinaryIO) -> int:
    """Serve the protocol on these streams (``boot`` passes stdin/stdout once it answered initialize)."""
    configure_process_logging()
    server = create_server()
    server.start_io(stdin, stdout)
    return server.exit_code
