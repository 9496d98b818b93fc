"""The Bedrock provider against a loopback server speaking Converse, through real boto3 (no mocks of boto3)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from trace_advisor.advise.prompt import PROMPT_VERSION
from trace_advisor.cancel import NEVER

from tests.support.bedrock_server import Reply, fake_bedrock
from tests.support.candidates import candidates_from_file
from tests.support.providers import CLAUDE, FIXTURES, LLAMA_PROFILE, bedrock, free_port, isolate_aws

ORDERS = candidates_from_file(FIXTURES / "orders" / "orders.py", "orders")
PLACE = next(c for c in ORDERS if c.qualname == "OrderService.place")


@pytest.fixture(autouse=True)
def aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate_aws(monkeypatch, tmp_path)


def messages(result: object) -> str:
    return " | ".join(p.message for p in result.problems)  # type: ignore[attr-defined]


def test_converse_request_and_answer_round_trip() -> None:
    with fake_bedrock() as server:
        result = bedrock(server.url, temperature=0.2, max_tokens=1234).advise(ORDERS, NEVER)
    assert result.problems == ()
    assert {r.symbol for r in result.recommendations} == {c.symbol for c in ORDERS}
    assert all(r.source == CLAUDE for r in result.recommendations)
    [request] = server.requests
    assert request.path == "/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse"
    assert request.headers["authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLETESTKEY00/")
    assert "/us-east-1/bedrock/aws4_request" in request.headers["authorization"]
    assert request.body["inferenceConfig"] == {"maxTokens": 1234, "temperature": 0.2}
    assert "modelId" not in request.body  # the model id travels in the path only
    system = request.body["system"][0]["text"]
    assert "- external_io (1): External resource interactions" in system and '"recommendations"' in system
    # Usage: per call in the result, split over the recommendations, per file.
    assert result.usage.calls == 1 and result.usage.input_tokens > 0 and result.usage.output_tokens > 0
    assert sum(r.usage.input_tokens for r in result.recommendations if r.usage) == result.usage.input_tokens
    assert result.usage_by_file[str(FIXTURES / "orders" / "orders.py")].input_tokens == result.usage.input_tokens
    assert result.usage.cost_usd == pytest.approx(
        (result.usage.input_tokens * 3.0 + result.usage.output_tokens * 15.0) / 1e6
    )


def test_only_the_candidate_functions_are_sent_not_the_file() -> None:
    with fake_bedrock() as server:
        bedrock(server.url).advise((PLACE,), NEVER)
    sent = server.requests[0].text
    assert "def place(self, order_id, amount):" in sent
    assert "def cancel(" not in sent and "def total(" not in sent and "import sqlite3" not in sent
    assert "### symbol: orders:OrderService.place" in sent
    assert str(FIXTURES) not in sent  # no local paths leave the machine


def test_secrets_never_reach_the_server() -> None:
    leaky = candidates_from_file(FIXTURES / "leaky" / "app.py", "leaky.app")
    secrets = (FIXTURES / "leaky" / "secrets.txt").read_text().split()
    with fake_bedrock() as server:
        result = bedrock(server.url).advise(leaky, NEVER)
    raw = json.dumps([r.body for r in server.requests])
    assert [s for s in secrets if s in raw] == []
    assert "psycopg2.connect(dsn, password=password)" in raw
    assert len(result.recommendations) == len(leaky)


def test_cross_region_inference_profile_id_is_accepted() -> None:
    with fake_bedrock(known_models={LLAMA_PROFILE}) as server:
        result = bedrock(server.url, model=LLAMA_PROFILE).advise((PLACE,), NEVER)
    assert server.requests[0].path == "/model/us.meta.llama3-2-3b-instruct-v1%3A0/converse"
    assert result.recommendations[0].source == LLAMA_PROFILE
    assert result.usage.cost_usd == pytest.approx((result.usage.input_tokens + result.usage.output_tokens) * 0.15 / 1e6)


def test_throttling_is_retried_with_backoff_then_succeeds() -> None:
    with fake_bedrock() as server:
        server.add(*[Reply(status=429, error_type="ThrottlingException", message="Too many requests")] * 2)
        result = bedrock(server.url, max_attempts=4).advise((PLACE,), NEVER)
    assert len(server.requests) == 3
    assert result.problems == () and len(result.recommendations) == 1


def test_retry_after_is_honoured() -> None:
    with fake_bedrock() as server:
        server.add(Reply(status=429, error_type="ThrottlingException", headers={"Retry-After": "0.4"}))
        started = time.monotonic()
        result = bedrock(server.url).advise((PLACE,), NEVER)
    assert time.monotonic() - started >= 0.4
    assert len(result.recommendations) == 1


def test_throttling_that_never_ends_gives_a_clear_message() -> None:
    with fake_bedrock() as server:
        server.add(*[Reply(status=429, error_type="ThrottlingException", message="Rate exceeded")] * 10)
        result = bedrock(server.url, max_attempts=3).advise((PLACE,), NEVER)
    assert len(server.requests) == 3
    assert result.recommendations == ()
    assert "throttled by Bedrock (ThrottlingException: Rate exceeded)" in messages(result)
    assert "gave up after 3 attempts" in messages(result)
    assert "1 function(s) keep their local advice" in messages(result)


@pytest.mark.parametrize(("status", "error"), [(500, "InternalServerException"), (503, "ServiceUnavailableException")])
def test_server_errors_are_retried(status: int, error: str) -> None:
    with fake_bedrock() as server:
        server.add(Reply(status=status, error_type=error, message="boom"))
        result = bedrock(server.url).advise((PLACE,), NEVER)
    assert len(server.requests) == 2 and len(result.recommendations) == 1


def test_connection_refused() -> None:
    started = time.monotonic()
    result = bedrock(f"http://127.0.0.1:{free_port()}", max_attempts=2).advise(ORDERS, NEVER)
    assert time.monotonic() - started < 5
    assert result.recommendations == ()
    assert "cannot reach Bedrock" in messages(result)
    assert len(result.problems) == 1


def test_read_timeout() -> None:
    with fake_bedrock() as server:
        server.add(Reply(delay=3), Reply(delay=3))
        started = time.monotonic()
        result = bedrock(server.url, timeout_seconds=0.3, max_attempts=2).advise((PLACE,), NEVER)
    assert time.monotonic() - started < 2.5
    assert "did not answer in time" in messages(result) and "timeout_seconds" in messages(result)


@pytest.mark.parametrize(
    ("status", "error", "expected"),
    [
        (403, "AccessDeniedException", "enable access to this model in the Bedrock console"),
        (403, "ExpiredTokenException", "AWS credentials rejected (ExpiredTokenException"),
        (403, "UnrecognizedClientException", "AWS credentials rejected"),
    ],
)
def test_access_and_credential_errors_stop_at_once(status: int, error: str, expected: str) -> None:
    with fake_bedrock() as server:
        server.add(Reply(status=status, error_type=error, message="The security token included in the request"))
        result = bedrock(server.url, batch_size=1, concurrency=1).advise(ORDERS, NEVER)
    assert len(server.requests) == 1  # not retried, and the other batches are not sent
    assert expected in messages(result)
    assert len(result.problems) == 1
    assert f"{len(ORDERS)} function(s) keep their local advice" in messages(result)


def test_no_credentials_at_all(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate_aws(monkeypatch, tmp_path, credentials=False)
    with fake_bedrock() as server:
        started = time.monotonic()
        result = bedrock(server.url).advise(ORDERS, NEVER)
    assert time.monotonic() - started < 5
    assert server.requests == []
    assert [p.message for p in result.problems] == [
        "bedrock model 'anthropic.claude-3-5-sonnet-20240620-v1:0' in us-east-1: no AWS credentials found: set "
        "AWS_PROFILE or run `aws configure`, or set provider.bedrock.profile; "
        f"{len(ORDERS)} function(s) keep their local advice"
    ]


def test_unknown_profile_is_a_clear_message(monkeypatch: pytest.MonkeyPatch) -> None:
    provider = bedrock("http://127.0.0.1:1", profile="nope")
    result = provider.advise((PLACE,), NEVER)
    assert "AWS profile problem" in messages(result) and "provider.bedrock.profile" in messages(result)


def test_unknown_model_id() -> None:
    with fake_bedrock(known_models={CLAUDE}) as server:
        result = bedrock(server.url, model="anthropic.claude-9").advise(ORDERS, NEVER)
    assert len(server.requests) == 1
    assert "does not know model 'anthropic.claude-9'" in messages(result)
    assert "provider.bedrock.model_id" in messages(result)


def test_answer_that_is_not_json() -> None:
    with fake_bedrock() as server:
        server.add(Reply(text="OrderService.place definitely needs a span!"))
        result = bedrock(server.url).advise((PLACE,), NEVER)
    assert result.recommendations == ()
    assert "the answer holds no JSON" in messages(result)


def test_body_that_is_not_json_is_reported_not_crashed() -> None:
    with fake_bedrock() as server:
        server.add(Reply(raw_body=b"<html>gateway</html>"))
        result = bedrock(server.url).advise((PLACE,), NEVER)
    assert "without a message (malformed body)" in messages(result)


def test_json_of_the_wrong_shape() -> None:
    with fake_bedrock() as server:
        server.add(Reply(text=json.dumps({"functions": {"place": "yes"}})))
        result = bedrock(server.url).advise((PLACE,), NEVER)
    assert result.recommendations == ()
    assert "not of the expected shape" in messages(result)


def test_truncated_answer_keeps_complete_entries_and_asks_again_only_for_the_rest(tmp_path: Path) -> None:
    two = ORDERS[:2]
    entry = {"symbol": two[0].symbol, "line": 1, "priority": "external_io", "confidence": 0.7, "rationale": "r"}
    cut = json.dumps({"recommendations": [entry]})[:-2] + ', {"symbol": "' + two[1].symbol[:4]
    with fake_bedrock() as server:
        server.add(Reply(text=cut, stop_reason="max_tokens", usage=(900, 2048)))
        first = bedrock(server.url, tmp_path).advise(two, NEVER)
        asked = len(server.requests)
        second = bedrock(server.url, tmp_path).advise(two, NEVER)
    assert [r.symbol for r in first.recommendations] == [c.symbol for c in two] and first.problems == ()
    assert asked == 2  # the cut-off answer, then one request for the function it did not reach
    assert "### symbol: " + two[0].symbol not in server.requests[1].text
    assert "### symbol: " + two[1].symbol in server.requests[1].text
    assert first.usage.calls == 2 and first.usage.input_tokens > 900 and first.usage.output_tokens > 2048
    [(file, usage)] = first.usage_by_file.items()
    assert file == two[0].file and usage.calls == 2 and usage.input_tokens == first.usage.input_tokens
    assert len(server.requests) == 2 and second.cached == 2 and second.usage.calls == 0  # all cached


def test_answer_cut_off_before_any_entry_is_reported_and_not_cached(tmp_path: Path) -> None:
    with fake_bedrock() as server:
        server.add(Reply(text='{"recommendations": [{"symbol": "orders:Ord', stop_reason="max_tokens"))
        first = bedrock(server.url, tmp_path).advise(ORDERS[:2], NEVER)
        second = bedrock(server.url, tmp_path).advise(ORDERS[:2], NEVER)
    assert first.recommendations == () and "cut off" in messages(first)
    assert len(server.requests) == 2 and second.cached == 0 and len(second.recommendations) == 2


def test_answer_naming_functions_that_do_not_exist_is_dropped_and_counted() -> None:
    answer = {
        "recommendations": [
            {
                "symbol": "orders:OrderService.refund",
                "line": 1,
                "priority": "external_io",
                "confidence": 0.9,
                "rationale": "invented",
            },
            {"symbol": PLACE.symbol, "line": 99, "priority": "external_io", "confidence": 0.9, "rationale": "bad line"},
            {"symbol": PLACE.symbol, "line": 3, "priority": "external_io", "confidence": 0.8, "rationale": "ok"},
        ]
    }
    with fake_bedrock() as server:
        server.add(Reply(text=f"Here you go:\n```json\n{json.dumps(answer)}\n```"))
        result = bedrock(server.url).advise((PLACE,), NEVER)
    assert result.dropped == 2
    [rec] = result.recommendations
    assert rec.rationale == "ok" and rec.evidence[-1].range.start.line == PLACE.range.start.line + 2
    assert "2 answer(s) named a function or line that was not sent" in messages(result)


def test_recommendation_fields_come_from_the_candidate() -> None:
    with fake_bedrock() as server:
        [rec] = bedrock(server.url).advise((PLACE,), NEVER).recommendations
    assert (rec.file, rec.qualname, rec.range, rec.code_block) == (PLACE.file, PLACE.qualname, PLACE.range, PLACE.code)
    assert rec.name_range.start.line == PLACE.range.start.line and rec.name_range.start.column == 8
    assert rec.evidence[: len(PLACE.evidence)] == PLACE.evidence
    assert PROMPT_VERSION


def test_duplicate_candidates_are_sent_once() -> None:
    with fake_bedrock() as server:
        result = bedrock(server.url).advise((PLACE, PLACE), NEVER)
    assert server.requests[0].text.count("### symbol:") == 1
    assert len(result.recommendations) == 1


def test_no_candidates_no_call() -> None:
    result = bedrock("http://127.0.0.1:1").advise((), NEVER)
    assert result.recommendations == () and result.usage.calls == 0 and result.problems == ()
