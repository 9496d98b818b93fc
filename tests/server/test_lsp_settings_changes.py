"""Settings changed after startup, over stdio: the client's current settings replace what it sent at initialize
(a setting the user removed is gone), and commands issued right after a change act under the new settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.server.lsp_session import (
    copy_fixture,
    folders_of,
    open_document,
    record_server_requests,
    server_config,
    session_fixture,
    wait_diagnostics,
    wait_ready,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")
STRICT = {"minConfidence": 0.99, "server": {"debounceMs": 20}}  # nothing in the fixture is that certain
DEFAULTS = {"server": {"debounceMs": 20}}  # min_confidence 0.5: notify.send_receipt (0.73) is recommended


# like VS Code: the same settings as initializationOptions and in workspace/configuration
client = session_fixture("settings", options=STRICT, configuration=STRICT)


def notify(client: LanguageClient) -> Path:
    return folders_of(client)[0] / "orders" / "notify.py"


def change_settings(client: LanguageClient, settings: dict[str, Any]) -> None:
    client.set_configuration({"traceAdvisor": settings})
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))


async def add_spans(client: LanguageClient, uri: str) -> Any:
    return await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="trace-advisor.addSpansInFile", arguments=[uri])
    )


async def test_a_setting_removed_after_startup_no_longer_applies(client: LanguageClient) -> None:
    uri = open_document(client, notify(client))
    assert list(await wait_diagnostics(client, uri)) == []  # 0.99, from both sources
    change_settings(client, DEFAULTS)  # the user removed minConfidence: initializationOptions must not bring it back
    found = await wait_diagnostics(client, uri, bool)
    assert [d.data["symbol"] for d in found] == ["orders.notify:send_receipt"]


async def test_add_spans_right_after_a_settings_change_uses_the_new_settings(client: LanguageClient) -> None:
    uri = notify(client).as_uri()
    await wait_diagnostics(client, uri, bool)  # send_receipt recommended under the defaults
    change_settings(client, STRICT)
    assert await add_spans(client, uri) == {"applied": False, "functions": 0}
    change_settings(client, DEFAULTS)
    assert await add_spans(client, uri) == {"applied": True, "functions": 1}


@pytest_lsp.fixture(scope="module", config=server_config())
async def push_client(lsp_client: LanguageClient, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A client that cannot answer workspace/configuration: it pushes its settings with didChangeConfiguration."""
    workspace = copy_fixture(tmp_path_factory.mktemp("settings-push"))
    record_server_requests(lsp_client)
    lsp_client.folders = [workspace / "orders"]  # type: ignore[attr-defined]  # as session_fixture records them
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(workspace=types.WorkspaceClientCapabilities(configuration=False)),
            workspace_folders=[types.WorkspaceFolder(uri=(workspace / "orders").as_uri(), name="orders")],
            initialization_options=STRICT,
        )
    )
    await wait_ready(lsp_client)
    yield
    await lsp_client.shutdown_session()


async def test_pushed_settings_replace_the_initialization_options(push_client: LanguageClient) -> None:
    uri = open_document(push_client, notify(push_client))
    assert list(await wait_diagnostics(push_client, uri)) == []
    push_client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"traceAdvisor": DEFAULTS})
    )
    found = await wait_diagnostics(push_client, uri, bool)
    assert [d.data["symbol"] for d in found] == ["orders.notify:send_receipt"]
