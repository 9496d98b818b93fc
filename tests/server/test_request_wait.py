"""A request about a folder still being indexed waits for the first build, and gives up with ContentModified (the
client asks again) after the cap, instead of answering "nothing here"."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from pygls.exceptions import JsonRpcContentModified
from trace_advisor.config import default_config
from trace_advisor_lsp import documents
from trace_advisor_lsp.app import create_server
from trace_advisor_lsp.projects import Project


async def test_waits_for_the_first_build_then_answers(tmp_path: Path) -> None:
    server = create_server()
    project = Project(root=tmp_path, config=default_config())
    waiting = asyncio.ensure_future(server.documents.ready_index(project))
    await asyncio.sleep(0.05)
    assert not waiting.done()
    project.index = object()  # type: ignore[assignment]
    project.built.set()
    assert await asyncio.wait_for(waiting, 1) is project.index


async def test_gives_up_with_content_modified_after_the_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(documents, "INDEX_WAIT_S", 0.1)
    server = create_server()
    project = Project(root=tmp_path, config=default_config())
    with pytest.raises(JsonRpcContentModified):
        await server.documents.ready_index(project)
