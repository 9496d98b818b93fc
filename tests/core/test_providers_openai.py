"""The OpenAI-compatible provider against a loopback /v1/chat/completions server, with the stdlib HTTP client."""

from __future__ import annotations

import json
import time
from pathlib import Path

from trace_advisor.cancel import NEVER

from tests.support.candidates import candidates_from_file
from tests.support.openai_server import Reply, fake_openai
from tests.support.providers import FIXTURES, free_port, openai

ORDERS = candidates_from_file(FIXTURES / "orders" / "orders.py", "orders")
PLACE = next(c for c in ORDERS if c.qualname == "OrderService.place")


def messages(result: object) -> str:
    return " | ".join(p.message for p in result.problems)  # type: ignore[attr-defined]


def test_chat_completion_round_trip_with_key_from_the_named_env_var() -> None:
    with fake_openai(api_key="sk-test-123") as server:
        provider = openai(
            server.url, environ={"MY_LLM_KEY": "sk-test-123"}, api_key_env="MY_LLM_KEY", temperature=0.1, max_tokens=999
        )
        result = provider.advise(ORDERS, NEVER)
    assert result.problems == ()
    assert len(result.recommendations) == len(ORDERS) and result.recommendations[0].source == "llama3.2"
    [request] = server.requests
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == "Bearer sk-test-123"
    assert request.body["model"] == "llama3.2" and request.body["max_tokens"] == 999
    assert request.body["temperature"] == 0.1
    assert [m["role"] for m in request.body["messages"]] == ["system", "user"]
    assert result.usage.calls == 1 and result.usage.input_tokens > 0


def test_missing_key_and_rejected_key_name_the_env_var() -> None:
    with fake_openai(api_key="right") as server:
        missing = openai(server.url, api_key_env="MY_LLM_KEY").advise((PLACE,), NEVER)
        wrong = openai(server.url, api_key_env="MY_LLM_KEY", environ={"MY_LLM_KEY": "wrong"}).advise((PLACE,), NEVER)
    assert "set the environment variable MY_LLM_KEY" in messages(missing)
    assert "check the key in the environment variable MY_LLM_KEY" in messages(wrong)
    assert "wrong" not in messages(wrong)  # the key itself is never echoed
    assert len(server.requests) == 2


def test_secrets_never_reach_the_server() -> None:
    leaky = candidates_from_file(FIXTURES / "leaky" / "app.py", "leaky.app")
    secrets = (FIXTURES / "leaky" / "secrets.txt").read_text().split()
    with fake_openai() as server:
        openai(server.url, batch_size=2).advise(leaky, NEVER)
    raw = json.dumps([r.body for r in server.requests])
    assert len(server.requests) == 3
    assert [s for s in secrets if s in raw] == []


def test_429_with_retry_after_then_success() -> None:
    with fake_openai() as server:
        server.add(Reply(status=429, error_type="rate_limit_exceeded", headers={"Retry-After": "0.3"}))
        started = time.monotonic()
        result = openai(server.url).advise((PLACE,), NEVER)
    assert time.monotonic() - started >= 0.3
    assert len(server.requests) == 2 and len(result.recommendations) == 1


def test_persistent_5xx_gives_up_with_a_message() -> None:
    with fake_openai() as server:
        server.add(*[Reply(status=502, error_type="server_error", message="bad gateway")] * 5)
        result = openai(server.url, max_attempts=3).advise((PLACE,), NEVER)
    assert len(server.requests) == 3
    assert "server error (502: bad gateway) (gave up after 3 attempts)" in messages(result)


def test_connection_refused_says_is_the_server_running() -> None:
    result = openai(f"http://127.0.0.1:{free_port()}", max_attempts=2).advise(ORDERS, NEVER)
    assert "is the server running?" in messages(result) and len(result.problems) == 1


def test_read_timeout() -> None:
    with fake_openai() as server:
        server.add(Reply(delay=3), Reply(delay=3))
        started = time.monotonic()
        result = openai(server.url, timeout_seconds=0.3, max_attempts=2).advise((PLACE,), NEVER)
    assert time.monotonic() - started < 2.5
    assert "within 0.3s" in messages(result)


def test_dropped_connection_is_retried() -> None:
    with fake_openai() as server:
        server.add(Reply(close=True))
        result = openai(server.url).advise((PLACE,), NEVER)
    assert len(server.requests) == 2 and len(result.recommendations) == 1


def test_unknown_model() -> None:
    with fake_openai(known_models={"llama3.2"}) as server:
        result = openai(server.url, model="llama9").advise(ORDERS, NEVER)
    assert len(server.requests) == 1
    assert "model 'llama9' or endpoint not found" in messages(result)


def test_malformed_body_and_non_json_answer() -> None:
    with fake_openai() as server:
        server.add(Reply(raw_body=b"not json"), Reply(text="I would add spans everywhere."))
        first = openai(server.url).advise((PLACE,), NEVER)
        second = openai(server.url).advise((PLACE,), NEVER)
    assert "not a chat completion" in messages(first)
    assert "no JSON" in messages(second)


def test_truncated_answer_finish_reason_length(tmp_path: Path) -> None:
    with fake_openai() as server:
        server.add(Reply(text='{"recommendations": [{"symbol": "orders:Order', stop_reason="max_tokens"))
        result = openai(server.url, tmp_path).advise((PLACE,), NEVER)
        rerun = openai(server.url, tmp_path).advise((PLACE,), NEVER)
    assert "cut off" in messages(result) and result.recommendations == ()
    assert len(rerun.recommendations) == 1 and len(server.requests) == 2  # nothing cached from the cut answer


def test_server_without_usage_is_flagged() -> None:
    body = {"choices": [{"message": {"content": json.dumps({"recommendations": []})}, "finish_reason": "stop"}]}
    with fake_openai() as server:
        server.add(Reply(raw_body=json.dumps(body).encode()))
        result = openai(server.url).advise((PLACE,), NEVER)
    assert "reported no token usage" in messages(result)
    assert result.usage.calls == 1 and result.usage.input_tokens == 0
