"""``trace-advisor mcp`` as a subprocess driven by the MCP SDK's own client, from synchronous tests: a blocking portal
runs the client's event loop in a thread, so one server can serve a whole test module."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from anyio.from_thread import BlockingPortal, start_blocking_portal
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp_types import CallToolResult, ListResourcesResult, ListToolsResult, ReadResourceResult


class McpSession:
    """One connected client; every method blocks until the server answered."""

    def __init__(self, portal: BlockingPortal, client: Client) -> None:
        self._portal = portal
        self._client = client

    def tools(self) -> ListToolsResult:
        return self._portal.call(lambda: self._client.list_tools(cache_mode="refresh"))

    def call(self, name: str, arguments: dict[str, Any]) -> CallToolResult:
        return self._portal.call(lambda: self._client.call_tool(name, arguments))

    def progress_of(self, name: str, arguments: dict[str, Any]) -> list[tuple[float, float | None, str | None]]:
        """The progress notifications a call sent (asked for with a progress token)."""
        seen: list[tuple[float, float | None, str | None]] = []

        async def record(progress: float, total: float | None, message: str | None) -> None:
            seen.append((progress, total, message))

        result = self._portal.call(lambda: self._client.call_tool(name, arguments, progress_callback=record))
        assert not result.is_error, result.content
        return seen

    def answer(self, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        """The structured answer of a call that must succeed (its text content is the same JSON)."""
        result = self.call(name, arguments)
        assert not result.is_error, result.content
        assert result.structured_content is not None
        assert json.loads(result.content[0].text) == result.structured_content  # type: ignore[union-attr]
        return result.structured_content

    def error(self, name: str, arguments: dict[str, Any]) -> str:
        """The message of a call that must fail."""
        result = self.call(name, arguments)
        assert result.is_error, result.structured_content
        return result.content[0].text  # type: ignore[union-attr]

    def resources(self) -> ListResourcesResult:
        return self._portal.call(lambda: self._client.list_resources(cache_mode="refresh"))

    def read(self, uri: str) -> ReadResourceResult:
        return self._portal.call(lambda: self._client.read_resource(uri, cache_mode="refresh"))


def server_env(cache: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    return {**os.environ, "TRACE_ADVISOR_CACHE_DIR": str(cache), "PYTHONIOENCODING": "utf-8", **(extra or {})}


def run_cli(
    *args: str | Path, cwd: Path, cache: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``trace-advisor ARGS...`` in ``cwd``, as a user runs it next to the agent (same facts cache)."""
    return subprocess.run(
        [sys.executable, "-m", "trace_advisor", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=server_env(cache, env),
        timeout=300,
        check=False,
    )


@contextmanager
def mcp_session(*args: str | Path, cache: Path, env: dict[str, str] | None = None) -> Iterator[McpSession]:
    """Start ``trace-advisor mcp ARGS...`` (``env`` added to the environment) and connect the SDK's client to it."""
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "trace_advisor", "mcp", *map(str, args)], env=server_env(cache, env)
    )
    with ExitStack() as stack:
        portal = stack.enter_context(start_blocking_portal())
        client = stack.enter_context(portal.wrap_async_context_manager(Client(params, read_timeout_seconds=120)))
        yield McpSession(portal, client)
