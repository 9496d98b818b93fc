"""The factory table (``config/factories.json``) through ``trace-advisor calls --format json`` and ``analyze`` as
subprocesses, on tests/fixtures/factories: what library factories return names the methods the table lists and
nothing else, with the packages not installed; with redis installed (the fixture's ``env``), its annotated source
wins; commands on a redis pipeline are queued and only ``execute()`` is a client call; boto3's clients and resources
are the service's own classes when the code names the service; stdlib instances have what their class has."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import run_cli

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "factories"


def environment(tmp_path: Path, installed: bool) -> dict[str, str]:
    """The analysed environment: the fixture's stand-in for redis-py, or an empty one."""
    venv = FIXTURE / "env" if installed else tmp_path / "empty-env"
    venv.mkdir(exist_ok=True)
    return {"VIRTUAL_ENV": str(venv)}


def calls(tmp_path: Path, installed: bool) -> dict[str, dict[str, object]]:
    args = ("calls", FIXTURE / "project", "--no-cache", "--format", "json")
    done = run_cli(*args, env=environment(tmp_path, installed))
    assert done.returncode == 0, done.stderr
    functions: dict[str, dict[str, object]] = json.loads(done.stdout)["functions"]
    return functions


def analyze(tmp_path: Path, installed: bool) -> dict[str, Any]:
    """``analyze --format json`` of the fixture, every function with evidence (the threshold is not the subject)."""
    out = tmp_path / "report.json"
    args = ("analyze", FIXTURE / "project", "--no-cache", "--format", "json", "--min-confidence", "0", "-o", out)
    done = run_cli(*args, env=environment(tmp_path, installed))
    assert done.returncode == 0, done.stderr
    report: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return report


@pytest.mark.parametrize("installed", [False, True], ids=["not-installed", "redis-installed"])
def test_factories_name_the_methods_the_table_lists(tmp_path: Path, installed: bool) -> None:
    expected = json.loads((FIXTURE / ("expected-installed.json" if installed else "expected.json")).read_text("utf-8"))
    functions = calls(tmp_path, installed)
    assert {symbol: functions[symbol]["calls"] for symbol in expected["calls"]} == expected["calls"]
    queued = {symbol: found["queued_calls"] for symbol, found in functions.items() if symbol in expected["calls"]}
    assert {symbol: q for symbol, q in queued.items() if q} == expected["queued_calls"]
    unresolved = {
        symbol: [[u["text"], u["reason"]] for u in functions[symbol]["unresolved"]]  # type: ignore[attr-defined]
        for symbol in expected["calls"]
        if functions[symbol]["unresolved"]
    }
    assert unresolved == expected["unresolved"]


@pytest.mark.parametrize("installed", [False, True], ids=["not-installed", "redis-installed"])
def test_a_pipeline_is_one_round_trip_at_execute(tmp_path: Path, installed: bool) -> None:
    report = analyze(tmp_path, installed)
    evidence = {
        r["symbol"]: [(e["priority"], e["detail"]) for e in r["evidence"] if e["priority"] != "entry_points"]
        for r in report["recommendations"]
    }
    execute = "redis.client:Pipeline.execute" if installed else "redis:Pipeline.execute"
    # the round trip is ``execute``; the queued ``incr`` is a cache write it sends, not a client call of its own
    assert evidence["shop.cache:flush"] == [("external_io", execute), ("state_changes", "pipe.incr")]
    assert [e for e in evidence["shop.cache:swap"] if e[0] == "external_io"] == [
        ("external_io", execute.replace("execute", "watch")),
        ("external_io", execute),
    ]
    # staging commands on a pipeline it is given is no I/O: the span belongs to the caller that executes it
    assert "shop.cache:stage_session" not in evidence
    left_out = {note["symbol"]: note["reason"] for note in report["left_out"]}
    assert left_out["shop.cache:stage_session"].startswith("a tiny helper with no I/O of its own")


def test_aws_clients_are_their_services(tmp_path: Path) -> None:
    report = analyze(tmp_path, False)
    evidence = {
        r["symbol"]: [(e["priority"], e.get("kind"), e["detail"]) for e in r["evidence"]]
        for r in report["recommendations"]
    }
    # ``boto3.resource("dynamodb").Table(name).put_item``: a database write, not a generic AWS call
    table = "boto3.resources.factory:dynamodb.Table.put_item"
    assert evidence["shop.aws:save_order"] == [("external_io", "db", table)]
    assert evidence["shop.aws:notify"] == [("message_bus", "queue", "botocore.client:SQS.send_message")]
    assert evidence["shop.aws:archive"] == [("external_io", "cloud", "botocore.client:S3.put_object")]
    # the service named by a constant, here or imported: the same clients
    assert evidence["shop.aws:publish"] == [("message_bus", "queue", "botocore.client:SQS.send_message")]
    assert evidence["shop.aws:store"] == [("external_io", "cloud", "botocore.client:S3.put_object")]
    # a parameter: its default and what its callers pass, each a client (``queue()`` and ``queue("sns")``)
    assert evidence["shop.aws:enqueue"] == [("message_bus", "queue", "botocore.client:SQS.send_message")]
    assert evidence["shop.aws:announce"] == [("message_bus", "queue", "botocore.client:SNS.publish")]


def test_a_client_of_an_unknown_service_has_only_the_clients_own_methods(tmp_path: Path) -> None:
    """``boto3.client(service)`` with a parameter nothing gives a literal (``describe``'s, or ``listed``'s whose
    caller passes its own parameter on): no made-up ``BaseClient`` operation; why, for the reader."""
    functions = calls(tmp_path, False)
    unknown = {"shop.aws:describe": "client.describe_things", "shop.aws:listed": "boto3.client(service).list_buckets"}
    for symbol, text in unknown.items():
        (missing,) = functions[symbol]["unresolved"]  # type: ignore[misc]
        assert (missing["text"], missing["reason"]) == (text, "external-attribute-unknown")
        assert "service's client it is, is not known" in missing["detail"]


def test_a_redis_write_names_the_store_not_a_cache(tmp_path: Path) -> None:
    # Redis holds a job queue's or a session's data as often as a cache: the write is named for the store
    report = analyze(tmp_path, installed=False)
    [flush] = [r for r in report["recommendations"] if r["symbol"] == "shop.cache:flush"]
    reasons = [e["reason"] for e in flush["evidence"] if e["priority"] == "state_changes"]
    assert reasons == ["writes to Redis (pipe.incr)"]
