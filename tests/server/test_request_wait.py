"""A request about a folder still being indexed waits for the first build, and gives up with ContentModified (the
client asks again) after the cap, instead of answering "nothing here"."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest
from pygls.exceptions import JsonRpcContentModified
from trace_advisor.config import default_config
from trace_advisor_lsp import documents
from trace_advisor_lsp.app import create_server
from trace_advisor_lsp.projects import Project
from trace_advisor_lsp.scheduling import Engine


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


async def _request_held(engine: Engine) -> tuple[asyncio.Future[str], threading.Event]:
    """A request the engine is answering, held until the returned event is set; its answer is "answer"."""
    running, release = threading.Event(), threading.Event()

    def slow_request() -> str:
        running.set()
        release.wait(5)
        return "answer"

    answer = asyncio.ensure_future(engine.query(slow_request))
    await asyncio.get_running_loop().run_in_executor(None, running.wait, 5)
    return answer, release


async def test_background_reading_gives_way_to_requests() -> None:
    """The folder's files are read in the background one at a time, each step waiting while a request is answered
    (threads share one interpreter lock: the user waits for the request, not for the folder); a request cancelled
    before it ran never holds the reading up."""
    engine = Engine()
    answer, release = await _request_held(engine)
    queued = asyncio.ensure_future(engine.query(lambda: "never run"))
    steps: list[str] = []
    reader = asyncio.ensure_future(engine.run_background(lambda: (engine.give_way(), steps.append("read"))))
    await asyncio.sleep(0.2)
    assert steps == [], "the background step went on while a request was being answered"
    queued.cancel()
    release.set()
    assert await asyncio.wait_for(answer, 5) == "answer"
    # at once, not after give_way's 2 s limit (which a leaked count of the cancelled request would wait out)
    await asyncio.wait_for(reader, 1.5)
    assert steps == ["read"]
    engine.give_way(limit_s=5)  # nothing pending: returns at once
    engine.shutdown()


async def test_a_refresh_gives_way_to_requests() -> None:
    """A document's refresh (the detectors over a whole file) checks its token between functions; each check waits
    while a request is answered, so the call hierarchy asked right after opening a file is not slowed down by the
    file's first refresh. The time it gave way is not counted as the refresh's own (its pace)."""
    from trace_advisor.cancel import CancelledError
    from trace_advisor_lsp.scheduling import GivingWay

    engine = Engine()
    answer, release = await _request_held(engine)
    token, steps = GivingWay(engine), []
    refresh = asyncio.ensure_future(engine.run(lambda: (token.check(), steps.append("function analysed"))))
    await asyncio.sleep(0.2)
    assert steps == [], "the refresh went on while a request was being answered"
    release.set()
    assert await asyncio.wait_for(answer, 5) == "answer"
    await asyncio.wait_for(refresh, 1.5)
    assert steps == ["function analysed"] and 0.15 < token.waited < 1.5
    token.cancel()
    with pytest.raises(CancelledError):  # a newer edit still cancels it
        token.check()
    engine.shutdown()
