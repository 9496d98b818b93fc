"""Diagnostics over stdio: Hint findings with evidence, incremental edits that break and repair syntax, spans that
clear findings, and files changed on disk."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.server.lsp_session import (
    apply_text_edits,
    change_document,
    edits_of,
    folders_of,
    named,
    open_document,
    position_of,
    resolved,
    session_fixture,
    wait_diagnostics,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")


client = session_fixture("diagnostics", options={"server": {"debounceMs": 30}})


def path(client: LanguageClient, name: str) -> Path:
    return folders_of(client)[0] / "orders" / name


async def test_recommended_function_gets_a_hint_at_its_name(client: LanguageClient) -> None:
    file = path(client, "notify.py")
    uri = open_document(client, file)
    diagnostics = await wait_diagnostics(client, uri, lambda d: bool(named(d, ":send_receipt")))
    (found,) = named(diagnostics, ":send_receipt")
    text = file.read_text()
    assert found.severity == types.DiagnosticSeverity.Hint
    assert found.source == "trace-advisor"
    assert found.code in ("external_io", "exceptions")
    start = position_of(text, "def send_receipt", len("def "))
    assert found.range.start == start
    assert found.range.end == types.Position(line=start.line, character=start.character + len("send_receipt"))
    assert found.related_information, "evidence lines are attached"
    lines = {info.location.range.start.line for info in found.related_information}
    urlopen_line = position_of(text, "urllib.request.urlopen(request").line
    assert urlopen_line in lines
    assert all(info.location.uri == uri for info in found.related_information)


async def test_pure_functions_get_nothing(client: LanguageClient) -> None:
    uri = open_document(client, path(client, "pricing.py"))
    assert await wait_diagnostics(client, uri) == ()


async def test_broken_syntax_keeps_findings_and_adds_one_hint_until_repaired(client: LanguageClient) -> None:
    file = path(client, "broken.py")
    uri = open_document(client, file)
    good = await wait_diagnostics(client, uri, lambda d: bool(named(d, ":fetch_status")))
    text = file.read_text()
    colon = position_of(text, "def fetch_status(url: str) -> int:", len("def fetch_status(url: str) -> int"))
    # delete the colon: the file no longer parses
    change_document(client, uri, 2, types.Range(start=colon, end=types.Position(colon.line, colon.character + 1)), "")
    broken = await wait_diagnostics(client, uri, lambda d: any(x.code == "analysis-paused" for x in d))
    paused = [d for d in broken if d.code == "analysis-paused"]
    assert len(paused) == 1 and paused[0].severity == types.DiagnosticSeverity.Hint
    assert "parses again" in paused[0].message
    assert named(broken, ":fetch_status") and len(broken) == len(good) + 1
    # type more while broken, then repair: the hint goes, the findings stay
    change_document(client, uri, 3, types.Range(start=colon, end=colon), " ")
    change_document(client, uri, 4, types.Range(start=colon, end=types.Position(colon.line, colon.character + 1)), ":")
    repaired = await wait_diagnostics(client, uri, lambda d: not any(x.code == "analysis-paused" for x in d))
    assert [d.data["symbol"] for d in repaired] == [d.data["symbol"] for d in good]
    assert client.diagnostics[uri] is repaired


async def test_applying_the_quick_fix_clears_the_finding(client: LanguageClient) -> None:
    file = path(client, "store.py")
    uri = open_document(client, file)
    diagnostics = await wait_diagnostics(client, uri, lambda d: bool(named(d, ":OrderStore.save")))
    (target,) = named(diagnostics, ":OrderStore.save")
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=target.range,
            context=types.CodeActionContext(diagnostics=[target], only=[types.CodeActionKind.QuickFix]),
        )
    )
    fix, _plain = [a for a in actions or [] if isinstance(a, types.CodeAction)]
    fix = await resolved(client, fix)
    new_text = apply_text_edits(file.read_text(), edits_of(fix.edit, uri))
    compile(new_text, str(file), "exec")
    assert 'start_as_current_span("OrderStore.save")' in new_text
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=new_text)],
        )
    )
    assert not named(await wait_diagnostics(client, uri, lambda d: not named(d, ":OrderStore.save")), ":save")


async def test_files_changed_on_disk_update_the_index(client: LanguageClient) -> None:
    new_file = path(client, "audit.py")
    new_file.write_text(
        "from orders.notify import send_receipt\n\n\ndef resend(order_id: str) -> bool:\n"
        "    return send_receipt(order_id, 'audit@example.com')\n"
    )
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=new_file.as_uri(), type=types.FileChangeType.Created)]
        )
    )
    notify = path(client, "notify.py")
    text = notify.read_text()
    items = await client.text_document_prepare_call_hierarchy_async(
        types.CallHierarchyPrepareParams(
            text_document=types.TextDocumentIdentifier(uri=notify.as_uri()),
            position=position_of(text, "def send_receipt", len("def ")),
        )
    )
    assert items

    async def callers() -> set[str]:
        calls = await client.call_hierarchy_incoming_calls_async(types.CallHierarchyIncomingCallsParams(item=items[0]))
        return {c.from_.data["symbol"] for c in calls or []}

    # the new file is indexed in the background: wait for its call (the callers known before it come first)
    assert "orders.audit:resend" in await callers_eventually(callers, lambda found: "orders.audit:resend" in found)
    new_file.unlink()
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=new_file.as_uri(), type=types.FileChangeType.Deleted)]
        )
    )
    assert "orders.audit:resend" not in await callers_eventually(callers, lambda s: "orders.audit:resend" not in s)


async def callers_eventually(fetch, accept=bool):  # type: ignore[no-untyped-def]
    latest: list[set[str]] = []

    async def poll() -> set[str] | None:
        latest.append(await fetch())
        return latest[-1] if accept(latest[-1]) else None

    for _ in range(100):
        found = await poll()
        if found is not None:
            return found
        await asyncio.sleep(0.05)
    return latest[-1]


async def test_saving_brings_the_other_open_documents_up_to_date(client: LanguageClient) -> None:
    notify, store = path(client, "notify.py").as_uri(), path(client, "store.py").as_uri()
    await wait_diagnostics(client, notify)
    await wait_diagnostics(client, store)
    refreshes = client.lens_refreshes  # type: ignore[attr-defined]
    client.diagnostics.pop(notify)
    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(store)))
    assert named(await wait_diagnostics(client, notify), ":send_receipt")
    # the lens refresh request may reach the client just after the diagnostics (seen on a loaded machine)
    for _ in range(100):
        if client.lens_refreshes > refreshes:  # type: ignore[attr-defined]
            break
        await asyncio.sleep(0.05)
    assert client.lens_refreshes > refreshes  # type: ignore[attr-defined]
