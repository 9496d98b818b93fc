"""Model analysis of files and of the whole workspace over stdio, against the tests' loopback Bedrock (real boto3 in
the server): the session's usage in `trace-advisor/status` is exactly the sum of what the answers reported, and
`trace-advisor.analyzeWorkspace` answers per file with progress and can be cancelled."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcRequestCancelled
from pytest_lsp import LanguageClient

from tests.server.lsp_session import (
    eventually,
    folders_of,
    named,
    open_document,
    service_of,
    session_fixture,
    wait_diagnostics,
)
from tests.support.bedrock_server import Reply, fake_bedrock
from tests.support.fake_model import FakeModelServer

pytestmark = pytest.mark.asyncio(loop_scope="module")
MODEL = "anthropic.claude-3-5-sonnet-20240620-v1:0"
ENGINE = f"bedrock:{MODEL}"
TITLE = "trace-advisor: analysing the workspace"
AWS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_CONFIG_FILE": "/nonexistent/aws-config",
    "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/aws-credentials",
}


@pytest.fixture(scope="module")
def bedrock() -> Iterator[FakeModelServer]:
    with fake_bedrock() as server:
        yield server


def bedrock_options(bedrock: FakeModelServer) -> dict[str, Any]:
    return {
        "provider": {
            "name": "bedrock",
            "cache": False,  # every run asks again, so every run costs tokens
            "bedrock": {"endpointUrl": bedrock.url, "region": "us-east-1", "maxAttempts": 1, "timeoutSeconds": 20},
        },
        "server": {"debounceMs": 20, "analyzeOnSave": False},
        # the rules score OrderService.place about 0.8, a confidence a model can change (the boosted refit makes it
        # 0.90, certain, and the model is never asked): these tests are about asking it
        "scoring": "rules",
    }


client = session_fixture(
    "workspace-analysis",
    ("multiroot/orders", "multiroot/billing"),
    options=bedrock_options,
    service="bedrock",
    env=AWS,
)


def root(client: LanguageClient) -> Path:
    return folders_of(client)[0].parent


def model(client: LanguageClient) -> FakeModelServer:
    return service_of(client)  # type: ignore[no-any-return]


def statuses(client: LanguageClient) -> list[dict[str, Any]]:
    return client.statuses  # type: ignore[attr-defined,no-any-return]


def tokens(usage: dict[str, Any]) -> tuple[int, int]:
    return usage["input_tokens"], usage["output_tokens"]


async def session_usage_settles_at(client: LanguageClient, expected: tuple[int, int]) -> dict[str, Any]:
    """The last status once it reports ``expected`` tokens (fails with the last one seen otherwise)."""
    try:
        return await eventually(
            lambda: statuses(client)[-1] if tokens(statuses(client)[-1]["usage"]) == expected else None, 5, "usage"
        )
    except AssertionError:
        raise AssertionError(f"session usage {statuses(client)[-1]['usage']}, answers add up to {expected}") from None


async def execute(client: LanguageClient, command: str, *arguments: object) -> Any:
    return await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=command, arguments=list(arguments))
    )


async def test_session_usage_is_the_sum_of_the_analyze_file_answers(client: LanguageClient) -> None:
    start = tokens(statuses(client)[-1]["usage"])
    assert start == (0, 0)
    files = sorted((root(client) / "orders" / "orders").glob("*.py"))
    total, asked = start, 0
    for file in files:  # not open in the editor, as when VS Code's Analyze Workspace loops over files
        answer = await execute(client, "trace-advisor.analyzeFile", file.as_uri())
        assert answer["engine"] == ENGINE
        total = (total[0] + answer["usage"]["input_tokens"], total[1] + answer["usage"]["output_tokens"])
        asked += answer["usage"]["input_tokens"] > 0
        # after every answer, not only at the end: the status never lags behind what was reported
        await session_usage_settles_at(client, total)
    assert asked >= 3, "the model was asked about broken.py, cli.py, notify.py and service.py"


async def test_analyze_workspace_answers_per_file_and_costs_what_it_reports(client: LanguageClient) -> None:
    service = root(client) / "orders" / "orders" / "service.py"
    uri = open_document(client, service)
    await wait_diagnostics(client, uri, lambda d: bool(named(d, ":OrderService.place")))
    before, requests = tokens(statuses(client)[-1]["usage"]), len(model(client).requests)
    answers = await execute(client, "trace-advisor.analyzeWorkspace")
    indexed = [*sorted((root(client) / "orders").rglob("*.py")), *sorted((root(client) / "billing").rglob("*.py"))]
    assert [a["uri"] for a in answers] == [p.as_uri() for p in indexed]
    assert {a["engine"] for a in answers} == {ENGINE}
    by_symbol = {r["symbol"]: r for a in answers for r in a["recommendations"]}
    assert by_symbol["orders.service:OrderService.place"]["source"] == MODEL
    assert by_symbol["orders.store:OrderStore.save"]["source"] == "local"  # certain locally: not asked
    assert len(model(client).requests) > requests
    spent = (sum(a["usage"]["input_tokens"] for a in answers), sum(a["usage"]["output_tokens"] for a in answers))
    assert spent[0] > 0 and spent[1] > 0
    await session_usage_settles_at(client, (before[0] + spent[0], before[1] + spent[1]))
    # the open document shows the model's answer
    found = await wait_diagnostics(client, uri, lambda d: named(d, ":OrderService.place")[0].data["source"] == MODEL)
    assert named(found, ":OrderService.place")
    (report,) = [r for r in client.progress_reports.values() if r and getattr(r[0], "title", "") == TITLE]
    assert report[0].cancellable is True and isinstance(report[-1], types.WorkDoneProgressEnd)
    assert report[-1].message == f"{len(indexed)} files analysed"


async def test_analyze_workspace_for_one_folder(client: LanguageClient) -> None:
    """(with the request's own workDoneToken: the progress is reported on it)"""
    client.progress_reports["billing-analysis"] = []  # the client's token for this request
    answers = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(
            command="trace-advisor.analyzeWorkspace",
            arguments=[(root(client) / "billing").as_uri()],
            work_done_token="billing-analysis",
        )
    )
    assert [Path(a["uri"]).name for a in answers] == ["__init__.py", "invoices.py"]
    steps = client.progress_reports["billing-analysis"]
    assert isinstance(steps[0], types.WorkDoneProgressBegin) and steps[0].title == TITLE
    assert isinstance(steps[-1], types.WorkDoneProgressEnd) and steps[-1].message == "2 files analysed"


async def test_cancel_request_stops_the_workspace_analysis(client: LanguageClient) -> None:
    before = len(model(client).requests)
    model(client).add(Reply(delay=8), Reply(delay=8))
    params = types.ExecuteCommandParams(command="trace-advisor.analyzeWorkspace", arguments=[])
    request = asyncio.ensure_future(
        client.protocol.send_request_async(types.WORKSPACE_EXECUTE_COMMAND, params, msg_id="slow-workspace")
    )
    await eventually(lambda: len(model(client).requests) > before, what="the model request")
    client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id="slow-workspace"))
    with pytest.raises(JsonRpcRequestCancelled):
        await asyncio.wait_for(request, 5)
    await eventually(lambda: statuses(client)[-1]["state"] == "ready", 5, "ready again")
    ends = [r[-1] for r in client.progress_reports.values() if r and getattr(r[0], "title", "") == TITLE]
    assert isinstance(ends[-1], types.WorkDoneProgressEnd) and ends[-1].message == "cancelled"


async def test_the_progress_bar_cancels_the_workspace_analysis(client: LanguageClient) -> None:
    before = len(model(client).requests)
    seen = set(client.progress_reports)
    model(client).add(Reply(delay=8), Reply(delay=8))
    request = asyncio.ensure_future(execute(client, "trace-advisor.analyzeWorkspace"))
    await eventually(lambda: len(model(client).requests) > before, what="the model request")
    (token,) = [
        t for t, r in client.progress_reports.items() if t not in seen and r and getattr(r[0], "title", "") == TITLE
    ]
    client.protocol.notify(types.WINDOW_WORK_DONE_PROGRESS_CANCEL, types.WorkDoneProgressCancelParams(token=token))
    assert await asyncio.wait_for(request, 5) is None
    assert client.progress_reports[token][-1].message == "cancelled"
