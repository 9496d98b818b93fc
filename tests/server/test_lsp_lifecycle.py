"""Lifecycle over stdio: capabilities, background indexing with progress and status, multi-root folders,
configuration changes without restart, and the client log."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.server.lsp_session import (
    eventually,
    folders_of,
    init_result_of,
    open_document,
    session_fixture,
    wait_diagnostics,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")


client = session_fixture(
    "lifecycle",
    ("multiroot/orders", "multiroot/billing"),
    options={"minConfidence": 0.5},
    configuration={"server": {"debounceMs": 20, "logLevel": "info"}},
)


def root(client: LanguageClient) -> Path:
    return folders_of(client)[0].parent


async def test_capabilities(client: LanguageClient) -> None:
    caps = init_result_of(client).capabilities
    sync = caps.text_document_sync
    assert isinstance(sync, types.TextDocumentSyncOptions)
    assert isinstance(caps.code_lens_provider, types.CodeLensOptions)
    assert isinstance(caps.code_action_provider, types.CodeActionOptions)
    assert caps.code_action_provider.code_action_kinds is not None and caps.execute_command_provider is not None
    assert sync.change == types.TextDocumentSyncKind.Incremental and sync.save is not None
    assert caps.code_lens_provider.resolve_provider is True
    assert caps.call_hierarchy_provider
    assert set(caps.code_action_provider.code_action_kinds) >= {"quickfix", "refactor.rewrite", "source"}
    assert set(caps.execute_command_provider.commands) == {
        "trace-advisor.analyzeFile",
        "trace-advisor.analyzeWorkspace",
        "trace-advisor.showReport",
        "trace-advisor.addSpansInFile",
        "trace-advisor.addSpan",
        "trace-advisor.trust",
        "trace-advisor.showObserved",
    }
    info = init_result_of(client).server_info
    assert info is not None and info.name == "trace-advisor-lsp"


async def test_indexing_reports_progress_with_counts(client: LanguageClient) -> None:
    reports = [r for r in client.progress_reports.values() if r and r[0].title == "trace-advisor: indexing"]
    assert len(reports) == 2  # one per workspace folder
    for report in reports:
        assert isinstance(report[0], types.WorkDoneProgressBegin)
        assert isinstance(report[-1], types.WorkDoneProgressEnd) and report[-1].message.startswith("indexed ")
    ends = sorted(report[-1].message.split()[1] for report in reports)
    assert ends == ["2", "7"]  # billing: 2 files, orders: 7 files


async def test_status_goes_from_indexing_to_ready(client: LanguageClient) -> None:
    statuses = client.statuses  # type: ignore[attr-defined]
    assert statuses[0]["state"] == "indexing"
    ready = statuses[-1]
    assert ready["state"] == "ready" and ready["engine"] == "local"
    assert ready["indexed"] == ready["total"] == 9
    assert ready["usage"] == {"input_tokens": 0, "output_tokens": 0, "cost_usd": 0}


async def test_watched_files_are_registered(client: LanguageClient) -> None:
    registrations = client.registrations  # type: ignore[attr-defined]
    assert [r.method for r in registrations] == [types.WORKSPACE_DID_CHANGE_WATCHED_FILES]


async def test_both_folders_are_served(client: LanguageClient) -> None:
    orders = open_document(client, root(client) / "orders" / "orders" / "notify.py")
    billing = open_document(client, root(client) / "billing" / "billing" / "invoices.py")
    assert await wait_diagnostics(client, orders, bool)
    found = await wait_diagnostics(client, billing, bool)
    assert {d.data["symbol"] for d in found} == {"billing.invoices:upload"}


async def test_configuration_change_applies_without_restart(client: LanguageClient) -> None:
    uri = (root(client) / "orders" / "orders" / "notify.py").as_uri()
    before = await wait_diagnostics(client, uri, bool)
    client.set_configuration({"traceAdvisor": {"minConfidence": 0.99, "server": {"debounceMs": 20}}})
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    await wait_diagnostics(client, uri, lambda d: len(d) < len(before))
    client.set_configuration({"traceAdvisor": {"server": {"debounceMs": 20}}})
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    assert len(await wait_diagnostics(client, uri, lambda d: len(d) == len(before))) == len(before)


async def test_invalid_settings_show_a_message_and_keep_serving(client: LanguageClient) -> None:
    client.set_configuration({"traceAdvisor": {"minConfidence": "very", "server": {"debounceMs": 20}}})
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    message = await eventually(lambda: next((m for m in client.messages if "min_confidence" in m.message), None))
    assert message.type == types.MessageType.Warning
    client.set_configuration({"traceAdvisor": {"server": {"debounceMs": 20}}})
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    uri = (root(client) / "orders" / "orders" / "notify.py").as_uri()
    assert await wait_diagnostics(client, uri, bool)


async def test_logs_go_to_the_client_log(client: LanguageClient) -> None:
    texts = [m.message for m in client.log_messages]
    assert any("indexed" in text and "orders" in text for text in texts)


async def test_a_file_outside_the_folders_brings_in_its_project(client: LanguageClient) -> None:
    outside = root(client).parent / "outside"
    (outside / "tools").mkdir(parents=True)
    (outside / "pyproject.toml").write_text('[project]\nname = "tools"\n')
    script = outside / "tools" / "fetch.py"
    script.write_text((root(client) / "orders" / "orders" / "broken.py").read_text())
    uri = open_document(client, script)
    found = await wait_diagnostics(client, uri, bool)
    assert [d.data["symbol"] for d in found] == ["tools.fetch:fetch_status"]
    assert client.statuses[-1]["total"] == 9 + 1  # type: ignore[attr-defined]


async def test_workspace_folders_can_be_removed_and_added(client: LanguageClient) -> None:
    billing = root(client) / "billing"
    folder = types.WorkspaceFolder(uri=billing.as_uri(), name="billing")
    statuses = client.statuses  # type: ignore[attr-defined]
    before = statuses[-1]["total"]
    client.workspace_did_change_workspace_folders(
        types.DidChangeWorkspaceFoldersParams(event=types.WorkspaceFoldersChangeEvent(added=[], removed=[folder]))
    )
    await eventually(lambda: statuses[-1]["total"] == before - 2, what="billing forgotten")
    uri = (billing / "billing" / "invoices.py").as_uri()
    client.diagnostics.pop(uri, None)
    client.workspace_did_change_workspace_folders(
        types.DidChangeWorkspaceFoldersParams(event=types.WorkspaceFoldersChangeEvent(added=[folder], removed=[]))
    )
    await eventually(lambda: statuses[-1]["state"] == "ready" and statuses[-1]["total"] == before, what="re-indexed")
    assert await wait_diagnostics(client, uri, bool)  # the open document is analysed again


async def test_log_level_is_configurable(client: LanguageClient) -> None:
    uri = (root(client) / "orders" / "orders" / "notify.py").as_uri()
    version = [1]

    async def touch() -> None:  # an edit that changes nothing: refreshed, republished
        version[0] += 1
        start = types.Position(line=0, character=0)
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version[0]),
                content_changes=[
                    types.TextDocumentContentChangePartial(range=types.Range(start=start, end=start), text="")
                ],
            )
        )
        client.diagnostics.pop(uri, None)
        await eventually(lambda: client.diagnostics.get(uri) is not None, what="republished diagnostics")

    def refreshed() -> bool:  # the debug line of the last touch (it may reach the client after the diagnostics)
        return any(
            m.type == types.MessageType.Log and "refreshed" in m.message and f" v{version[0]} " in m.message
            for m in client.log_messages
        )

    async def logs_debug() -> bool:
        await touch()
        try:
            await eventually(refreshed, timeout=1.0, what="the debug line of the refresh")
        except AssertionError:
            return False
        return True

    for level, expect_debug in (("debug", True), ("info", False)):
        client.set_configuration({"traceAdvisor": {"server": {"debounceMs": 20, "logLevel": level}}})
        client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
        deadline = asyncio.get_running_loop().time() + 20  # the server asks for its settings: under load, not at once
        while await logs_debug() is not expect_debug:
            assert asyncio.get_running_loop().time() < deadline, f"logLevel {level} never applied"
