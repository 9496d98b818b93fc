"""Message consumers known by where they are registered or called, not by their names
(tests/fixtures/consumers_by_value, issue #16), through ``trace-advisor analyze`` as a subprocess: a function handed
to a queue client's consumer registration (pika, aio-pika, Google Pub/Sub, NATS), or called through a callable a
workspace consumer stores once per message it receives, is a message consumer; the function registering it does none
of its I/O."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cli import run_cli

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "consumers_by_value"
EXTRACT = "; extract the producer's context per message"


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, object]]:
    """Each recommended function's recommendation, at any confidence."""
    out = tmp_path_factory.mktemp("consumers") / "report.json"
    done = run_cli("analyze", FIXTURE, "--format", "json", "-o", out, "--no-cache", "--min-confidence", "0.01")
    assert done.returncode == 0, done.stderr
    return {str(r["qualname"]): r for r in json.loads(out.read_text(encoding="utf-8"))["recommendations"]}


def consumer_reasons(rec: dict[str, object]) -> list[str]:
    evidence = rec["evidence"]
    assert isinstance(evidence, list)
    return [str(e["reason"]) for e in evidence if e.get("kind") == "entry" and "message" in str(e["reason"])]


@pytest.mark.parametrize(
    ("function", "client", "registrar"),
    [
        ("record_payment", "pika.adapters.blocking_connection:BlockingChannel.basic_consume", "start_consumers"),
        ("refresh_index", "google.cloud.pubsub_v1:SubscriberClient.subscribe", "start_consumers"),
        ("Indexer.apply", "aio_pika.abc:AbstractQueue.consume", "start_async_consumers"),
        ("audit", "nats.aio.client:Client.subscribe", "start_async_consumers"),
    ],
)
def test_a_callback_registered_with_a_queue_client_consumes_messages(
    report: dict[str, dict[str, object]], function: str, client: str, registrar: str
) -> None:
    [reason] = consumer_reasons(report[function])
    assert reason.startswith(
        f"consumes each message: registered with `{client}` by `app.consumers:{registrar}`{EXTRACT}"
    ), reason


def test_a_callback_a_workspace_consumer_calls_per_message(report: dict[str, dict[str, object]]) -> None:
    """``QueueWorker.poll_once`` receives from SQS and calls ``self.handler(message)`` in its loop: the handler it
    was built with (``QueueWorker(queue_url, ship_order)``) consumes each message."""
    [reason] = consumer_reasons(report["ship_order"])
    assert reason.startswith(f"handles each message `app.worker:QueueWorker.poll_once` receives{EXTRACT}"), reason


def test_registering_consumers_is_none_of_their_work(report: dict[str, dict[str, object]]) -> None:
    """The registering functions do no I/O of their own; a helper called directly is no consumer."""
    for function in ("start_consumers", "start_async_consumers", "format_receipt", "describe"):
        assert function not in report, (function, report.get(function, {}).get("rationale"))


@pytest.mark.parametrize("function", ["record_payment", "refresh_index", "Indexer.apply", "audit"])
def test_a_registered_consumer_costs_its_spans_per_message(report: dict[str, dict[str, object]], function: str) -> None:
    """Its spans are counted per message it consumes, from itself: not per call of the function registering it."""
    cost = report[function]["cost"]
    assert isinstance(cost, dict)
    assert (cost["unit"], cost["entry"]) == ("message", f"app.handlers:{function}"), cost
