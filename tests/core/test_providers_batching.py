"""The shared batch runner: answer cache, resumable batch runs, bounded concurrency, cancellation, partial results."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest
from trace_advisor.advise.answer_cache import AnswerCache
from trace_advisor.cancel import NEVER, CancelToken
from trace_advisor.datatypes import Range

from tests.support.bedrock_server import Reply, fake_bedrock
from tests.support.candidates import candidates_from_file
from tests.support.providers import FIXTURES, bedrock, isolate_aws

ORDERS = candidates_from_file(FIXTURES / "orders" / "orders.py", "orders")


@pytest.fixture(autouse=True)
def aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate_aws(monkeypatch, tmp_path)


def test_rerun_on_unchanged_code_makes_zero_calls(tmp_path: Path) -> None:
    with fake_bedrock() as server:
        first = bedrock(server.url, tmp_path / "cache", batch_size=2).advise(ORDERS, NEVER)
        calls = len(server.requests)
        second = bedrock(server.url, tmp_path / "cache", batch_size=2).advise(ORDERS, NEVER)
    assert calls == 3 and len(server.requests) == 3
    assert second.usage.calls == 0 and second.usage.input_tokens == 0 and second.cached == len(ORDERS)
    assert [(r.symbol, r.rationale) for r in second.recommendations] == [
        (r.symbol, r.rationale) for r in first.recommendations
    ]
    assert all(r.usage is not None and r.usage.calls == 0 for r in second.recommendations)


def test_cache_key_covers_code_model_and_priorities(tmp_path: Path) -> None:
    import dataclasses

    from trace_advisor.config import default_config
    from trace_advisor.config_model import PriorityConfig

    place = next(c for c in ORDERS if c.qualname == "OrderService.place")
    edited = dataclasses.replace(place, code=place.code.replace("timeout=5", "timeout=10"))
    with fake_bedrock() as server:
        bedrock(server.url, tmp_path).advise((place,), NEVER)
        bedrock(server.url, tmp_path).advise((edited,), NEVER)  # code changed
        bedrock(server.url, tmp_path, model="anthropic.claude-3-haiku-20240307-v1:0").advise((place,), NEVER)
        provider = bedrock(server.url, tmp_path)
        priorities = dict(default_config().priorities)
        priorities["external_io"] = PriorityConfig(0.5, priorities["external_io"].description)
        provider.priorities = priorities
        provider.advise((place,), NEVER)  # priorities changed
        moved = dataclasses.replace(place, range=Range(place.range.start, place.range.end))
        bedrock(server.url, tmp_path).advise((moved,), NEVER)  # identical: cached
    assert len(server.requests) == 4


def test_corrupt_cache_entries_are_discarded(tmp_path: Path) -> None:
    with fake_bedrock() as server:
        bedrock(server.url, tmp_path).advise(ORDERS[:2], NEVER)
        entries = sorted(tmp_path.rglob("*.json"))
        assert len(entries) == 2
        entries[0].write_text("{not json")
        entries[1].write_text(json.dumps({"format": 1, "key": "other", "item": None}))
        result = bedrock(server.url, tmp_path).advise(ORDERS[:2], NEVER)
    assert len(server.requests) == 2 and result.cached == 0
    assert all(json.loads(p.read_text())["format"] == 1 for p in tmp_path.rglob("*.json"))


def test_interrupted_batch_run_continues_where_it_stopped(tmp_path: Path) -> None:
    with fake_bedrock() as server:
        # batches 2 and 3 fail (5xx until the retry budget is spent): batch 1's answers are kept and cached
        server.add(Reply(), *[Reply(status=500, error_type="InternalServerException")] * 4)
        first = bedrock(server.url, tmp_path, batch_size=2, concurrency=1, max_attempts=2).advise(ORDERS, NEVER)
        sent_first = len(server.requests)
        second = bedrock(server.url, tmp_path, batch_size=2, concurrency=1).advise(ORDERS, NEVER)
    assert len(first.recommendations) == 2
    assert "Bedrock server error (500 InternalServerException" in first.problems[0].message
    assert "4 function(s) keep their local advice" in first.problems[0].message
    assert second.cached == 2 and len(server.requests) - sent_first == 2
    assert len(second.recommendations) == len(ORDERS)


def test_concurrency_is_bounded_and_used(tmp_path: Path) -> None:
    with fake_bedrock(latency=0.3) as server:
        result = bedrock(server.url, batch_size=1, concurrency=3).advise(ORDERS, NEVER)
    assert len(server.requests) == len(ORDERS) == 6
    # three requests were in flight at once (the server counts them): parallel, and never more than configured;
    # measured by the server rather than by wall time, which a loaded machine stretches
    assert server.max_in_flight == 3
    assert len(result.recommendations) == 6


def test_cancel_stops_waiting_promptly_and_late_answers_are_still_cached(tmp_path: Path) -> None:
    cancel = CancelToken()
    with fake_bedrock(latency=2.0) as server:
        provider = bedrock(server.url, tmp_path, batch_size=1, concurrency=2)

        def cancel_once_two_are_in_flight() -> None:
            # by what the server saw, not a timer: under load a worker may not have sent anything after 0.2 s
            deadline = time.monotonic() + 30
            while len(server.requests) < 2 and time.monotonic() < deadline:
                time.sleep(0.01)
            cancel.cancel()

        threading.Thread(target=cancel_once_two_are_in_flight, daemon=True).start()
        result = provider.advise(ORDERS, cancel)
        # it returned before either answer (2 s after its request) came back: it did not wait for them
        assert list(tmp_path.rglob("*.json")) == []
        assert len(server.requests) == 2
        assert result.recommendations == ()
        assert "cancelled" in result.problems[0].message
        # the two late answers complete in the background and are cached (waited for by their cache entries)
        deadline = time.monotonic() + 30
        while len(list(tmp_path.rglob("*.json"))) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        rerun = bedrock(server.url, tmp_path, batch_size=1, concurrency=2).advise(ORDERS, NEVER)
    assert rerun.cached == 2
    assert len(server.requests) == 2 + 4  # the four never sent before are sent now


def test_cancel_during_retry_after_wait_is_prompt() -> None:
    cancel = CancelToken()
    with fake_bedrock() as server:
        server.add(Reply(status=429, error_type="ThrottlingException", headers={"Retry-After": "30"}))
        threading.Timer(0.3, cancel.cancel).start()
        started = time.monotonic()
        result = bedrock(server.url).advise(ORDERS, cancel)
    assert time.monotonic() - started < 10  # not the 30 s the server asked for (boto3's set-up is timed too)
    assert "cancelled" in result.problems[0].message


def test_retry_after_pauses_every_worker(tmp_path: Path) -> None:
    with fake_bedrock() as server:
        server.add(Reply(status=429, error_type="ThrottlingException", headers={"Retry-After": "0.5"}))
        started = time.monotonic()
        result = bedrock(server.url, batch_size=1, concurrency=2).advise(ORDERS[:4], NEVER)
        elapsed = time.monotonic() - started
    assert len(result.recommendations) == 4 and elapsed >= 0.5


def test_cache_write_is_atomic_and_survives_unwritable_dirs(tmp_path: Path) -> None:
    blocked = tmp_path / "file-not-dir"
    blocked.write_text("x")
    with fake_bedrock() as server:
        result = bedrock(server.url, blocked / "cache").advise(ORDERS[:1], NEVER)
    assert len(result.recommendations) == 1  # the cache failing costs nothing but the cache
    assert AnswerCache(blocked / "cache").get("0" * 64, ("external_io",)) is None


def test_answer_lines_name_real_lines_of_a_condensed_function() -> None:
    sync = next(
        c for c in candidates_from_file(FIXTURES / "condense" / "sync.py", "sync") if c.qualname == "Syncer.sync"
    )
    first = sync.range.start.line  # the first decorator
    total = len(sync.code.splitlines())

    def entry(line: int) -> dict[str, object]:
        return {"symbol": sync.symbol, "line": line, "priority": "external_io", "confidence": 0.8, "rationale": "r"}

    with fake_bedrock() as server:
        server.add(Reply(text=json.dumps({"recommendations": [entry(32)]})))  # elided, yet a real line
        elided = bedrock(server.url).advise((sync,), NEVER)
        server.add(Reply(text=json.dumps({"recommendations": [entry(total + 1)]})))  # past the function's end
        outside = bedrock(server.url).advise((sync,), NEVER)
    sent = server.requests[0].text
    assert "\n32|" not in sent and "# … 2 lines …" in sent and f"\n{total}|" in sent
    [rec] = elided.recommendations
    model_line = rec.evidence[-1].range.start.line
    assert model_line == first + 31
    lines = (FIXTURES / "condense" / "sync.py").read_text("utf-8").splitlines()
    assert lines[model_line - 1].strip().startswith("payload = json.dumps(")
    assert rec.range.start.line == first and lines[first - 1].strip() == "@retry(attempts=3)"  # decorators included
    assert outside.recommendations == () and outside.dropped == 1
