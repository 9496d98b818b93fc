"""The agent server's tests share one facts cache per module and, where a module gives a ``workspace``, one server
session on it (started as README's client snippet does)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.mcp_session import McpSession, mcp_session


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="module")
def session(workspace: Path, cache: Path) -> Iterator[McpSession]:
    with mcp_session(workspace, cache=cache) as connected:
        yield connected
