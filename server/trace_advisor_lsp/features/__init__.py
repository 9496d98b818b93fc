"""The LSP features, one module per area; ``register_all`` attaches every handler to a server."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from trace_advisor_lsp.server import TraceAdvisorServer


def register_all(server: TraceAdvisorServer) -> None:
    from trace_advisor_lsp.features import (
        actions,
        commands,
        diagnostics,
        hierarchy,
        lenses,
        lifecycle,
        sync,
        workspace_analysis,
    )

    for module in (lifecycle, sync, diagnostics, lenses, actions, hierarchy, commands, workspace_analysis):
        module.register(server)
