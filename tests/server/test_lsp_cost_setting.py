"""The cost decision in the editor, over stdio (tests/fixtures/cost_hot): a helper `analyze` leaves out as too hot
gets no diagnostic (so no quick-fix, no "Add span" lens, nothing for "Add spans to all recommended functions");
`hotCallsPerUnit` above its estimate gives it one (so does its former name, `hotCallsPerRequest`), the default leaves it
out again, and an invalid value is a warning naming the key while the server keeps serving under the defaults."""

from __future__ import annotations

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.server.lsp_session import (
    eventually,
    folders_of,
    named,
    open_document,
    session_fixture,
    wait_diagnostics,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")
# the rules scorer: these tests are about the cost setting; the fixture's callers were chosen with its confidences
FAST = {"server": {"debounceMs": 20}, "scoring": "rules"}
client = session_fixture("cost-setting", folders=("cost_hot",), copies=("../cost_hot",), configuration=FAST)


def change_settings(client: LanguageClient, settings: dict[str, object]) -> None:
    client.set_configuration({"traceAdvisor": {**FAST, **settings}})
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))


async def test_the_threshold_setting_decides_whether_a_hot_helper_gets_a_diagnostic(client: LanguageClient) -> None:
    uri = open_document(client, folders_of(client)[0] / "catalog" / "urls.py")
    assert not named(await wait_diagnostics(client, uri), ":parse_url")  # ~2,000 calls per request: left out
    change_settings(client, {"hotCallsPerUnit": 5000})
    [found] = named(await wait_diagnostics(client, uri, lambda d: bool(named(d, ":parse_url"))), ":parse_url")
    assert found.range.start.line == 9
    change_settings(client, {})
    await wait_diagnostics(client, uri, lambda d: not named(d, ":parse_url"))
    change_settings(client, {"hotCallsPerRequest": 5000})  # the former name, still read
    await wait_diagnostics(client, uri, lambda d: bool(named(d, ":parse_url")))
    change_settings(client, {})
    await wait_diagnostics(client, uri, lambda d: not named(d, ":parse_url"))


async def test_an_invalid_threshold_is_a_warning_naming_the_key(client: LanguageClient) -> None:
    uri = folders_of(client)[0].joinpath("catalog", "urls.py").as_uri()
    change_settings(client, {"hotCallsPerUnit": 5000})
    await wait_diagnostics(client, uri, lambda d: bool(named(d, ":parse_url")))
    change_settings(client, {"hotCallsPerUnit": 0})
    message = await eventually(lambda: next((m for m in client.messages if "hot_calls_per_unit" in m.message), None))
    assert message.type == types.MessageType.Warning and "must be at least 1, got 0" in message.message
    await wait_diagnostics(client, uri, lambda d: not named(d, ":parse_url"))  # still serving, at the default 100
