"""The ``trace-advisor/status`` notification: what the server is doing, indexing counts, engine and model cost."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from pygls.lsp.server import LanguageServer
from trace_advisor.datatypes import Usage

from trace_advisor_lsp.projects import Project, Projects

STATUS = "trace-advisor/status"


class Status:
    """Counts analyses in flight and the session's model usage; ``send`` tells the client the current state."""

    def __init__(self, ls: LanguageServer, projects: Projects) -> None:
        self._ls = ls
        self._projects = projects
        self.running = 0

    @contextmanager
    def analyzing(self) -> Iterator[None]:
        """State "analyzing" while the block runs (a model or workspace analysis)."""
        self.running += 1
        self.send()
        try:
            yield
        finally:
            self.running -= 1
            self.send()

    def add_usage(self, project: Project, usage: Usage) -> None:
        """Count what a model analysis cost (the amount its answer reports) and tell the client the new total."""
        project.usage = project.usage + usage
        self.send()

    def send(self, state: str | None = None) -> None:
        projects = list(self._projects)
        if state is None:
            if any(p.state == "indexing" for p in projects):
                state = "indexing"
            elif self.running:
                state = "analyzing"
            elif any(p.state == "error" for p in projects):
                state = "error"
            else:
                state = "ready"
        usage = sum((p.usage for p in projects), Usage())
        engine = next((p.config.provider.engine for p in projects if p.config.provider.name != "local"), "local")
        self._ls.protocol.notify(
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
