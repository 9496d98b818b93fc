"""Hostile model endpoints cannot hold a run or its memory, nor collect credentials elsewhere: a whole-request
deadline, a cap on the answer's size and no redirects, over both wire formats (real boto3 and the stdlib client)."""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from trace_advisor.advise.provider import Provider
from trace_advisor.cancel import NEVER

from tests.support.bedrock_server import fake_bedrock
from tests.support.candidates import candidates_from_file
from tests.support.fake_model import FakeModelServer, Reply
from tests.support.openai_server import fake_openai
from tests.support.providers import FIXTURES, bedrock, isolate_aws, openai

PLACE = tuple(
    c for c in candidates_from_file(FIXTURES / "orders" / "orders.py", "orders") if c.qualname == "OrderService.place"
)
KEY = "sk-test-" + "k" * 24


def _openai(url: str, **settings: Any) -> Provider:
    return openai(url, environ={"OPENAI_API_KEY": KEY}, **settings)


WIRES: dict[str, tuple[Callable[[], FakeModelServer], Callable[..., Provider], str]] = {
    "openai": (fake_openai, _openai, "authorization"),
    "bedrock": (fake_bedrock, bedrock, "authorization"),
}


@pytest.fixture(autouse=True)
def aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate_aws(monkeypatch, tmp_path)


def messages(result: object) -> str:
    return " | ".join(p.message for p in result.problems)  # type: ignore[attr-defined]


@pytest.mark.parametrize("wire", WIRES)
def test_trickling_endpoint_is_bounded_by_the_deadline(wire: str) -> None:
    """A byte every 0.2 s: every read succeeds, but the whole request ends at timeout_seconds."""
    server_of, provider_of, _ = WIRES[wire]
    with server_of() as server:
        server.add(Reply(trickle=0.2), Reply(trickle=0.2))
        started = time.monotonic()
        result = provider_of(server.url, timeout_seconds=1.0, max_attempts=2).advise(PLACE, NEVER)
        elapsed = time.monotonic() - started
    assert result.recommendations == ()
    assert "within 1s" in messages(result) or "before the deadline" in messages(result), messages(result)
    assert len(server.requests) == 2
    # two attempts of one second each, not forever (the trickle would last minutes); slack for a loaded machine
    assert 2.0 <= elapsed < 10.0, elapsed


@pytest.mark.parametrize("wire", WIRES)
def test_huge_answer_is_not_read_whole(wire: str) -> None:
    server_of, provider_of, _ = WIRES[wire]
    with server_of() as server:
        server.add(Reply(stream_bytes=200 << 20))
        tracemalloc.start()
        started = time.monotonic()
        try:
            result = provider_of(server.url, max_attempts=1).advise(PLACE, NEVER)
        finally:
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        elapsed = time.monotonic() - started
    assert "larger than 8 MiB; not read" in messages(result), messages(result)
    assert peak < 50 << 20 and elapsed < 10, (peak, elapsed)


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("wire", WIRES)
def test_redirects_are_not_followed(wire: str, status: int) -> None:
    """A redirect to another origin would carry the Authorization header (a bearer key, a SigV4 signature)."""
    server_of, provider_of, header = WIRES[wire]
    with server_of() as elsewhere, server_of() as server:
        server.add(Reply(status=status, redirect_to=f"{elsewhere.url}/v1/chat/completions"))
        result = provider_of(server.url, max_attempts=3).advise(PLACE, NEVER)
    assert elsewhere.requests == []
    assert len(server.requests) == 1  # not retried either: the configuration has to change
    assert f"answered {status}" in messages(result) and "redirects are not followed" in messages(result)
    assert header in server.requests[0].headers  # credentials went only to the configured endpoint


def test_ordinary_answers_still_arrive_through_the_bounded_transport() -> None:
    with fake_openai(api_key=KEY) as server:
        result = _openai(server.url).advise(PLACE, NEVER)
    assert result.problems == () and len(result.recommendations) == 1
    with fake_bedrock() as server:
        result = bedrock(server.url).advise(PLACE, NEVER)
    assert result.problems == () and len(result.recommendations) == 1
