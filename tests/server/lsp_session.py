"""Helpers shared by the language-server tests: start a session on copied fixture folders, wait for results."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from trace_advisor.config.loader import trust_project_file

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "lsp"
SERVER_COMMAND = [sys.executable, "-m", "trace_advisor_lsp", "--stdio"]
STATUS = "trace-advisor/status"
T = TypeVar("T")


def server_config(**env: str) -> ClientServerConfig:
    """The server under test, started over stdio with a private cache directory (answers, reports)."""
    cache = tempfile.mkdtemp(prefix="trace-advisor-lsp-test-cache-")
    return ClientServerConfig(server_command=SERVER_COMMAND, server_env={**os.environ, "XDG_CACHE_HOME": cache, **env})


def copy_fixture(target: Path, name: str = "multiroot") -> Path:
    """A private copy of a fixture folder (tests edit files), named as its last part (``../callgraph/x``: ``x``)."""
    dest = target / Path(name).name
    shutil.copytree(FIXTURES / name, dest)
    return dest


def session_fixture(
    name: str,
    folders: Sequence[str] = ("multiroot/orders",),
    *,
    copies: Sequence[str] = ("multiroot",),
    options: Any = None,
    configuration: Any = None,
    service: str | None = None,
    env: dict[str, str] | None = None,
    wait: bool = True,
    client_name: str = "visual_studio_code",
) -> Any:
    """A module-scoped ``client`` fixture (pytest-lsp gives it the matching module loop scope): the server over stdio
    on private copies of the fixture folders ``copies``, with workspace ``folders`` (relative to the copies' parent),
    initialization ``options`` and, when given, ``configuration`` answered to workspace/configuration; returns once
    indexing is ready (at once with ``wait=False``). With ``service`` (the name of a module fixture, e.g. a fake
    model server) ``options`` is a function of that fixture's value. ``client_name``: whose capabilities the client
    advertises (pytest-lsp's recorded ones). Read the session back with ``folders_of``,
    ``service_of``, ``init_result_of``.
    """

    @pytest_lsp.fixture(scope="module", config=server_config(**(env or {})))  # type: ignore[untyped-decorator]
    async def client(lsp_client: LanguageClient, request: pytest.FixtureRequest) -> AsyncIterator[None]:
        base: Path = request.getfixturevalue("tmp_path_factory").mktemp(name)
        for copy in copies:
            copy_fixture(base, copy)
        roots = [base / folder for folder in folders]
        for root in roots:  # the user trusts these projects' config files (tests/server/test_lsp_trust.py: not yet)
            if any((root / name).is_file() for name in (".trace-advisor.yaml", "pyproject.toml")):
                trust_project_file(root)
        record_server_requests(lsp_client)
        lsp_client.folders = roots  # type: ignore[attr-defined]
        settings = options
        if service is not None:
            lsp_client.service = request.getfixturevalue(service)  # type: ignore[attr-defined]
            settings = options(lsp_client.service)  # type: ignore[attr-defined]
        if configuration is not None:
            lsp_client.set_configuration({"traceAdvisor": configuration})
        lsp_client.init_result = await initialize(lsp_client, roots, settings, client_name)  # type: ignore[attr-defined]
        if wait:
            await wait_ready(lsp_client)
        yield
        await lsp_client.shutdown_session()

    return client


def folders_of(client: LanguageClient) -> list[Path]:
    """The workspace folders a ``session_fixture`` session was started with (private copies)."""
    return client.folders  # type: ignore[attr-defined,no-any-return]


def service_of(client: LanguageClient) -> Any:
    """The value of the ``service`` fixture a ``session_fixture`` session was started with."""
    return client.service  # type: ignore[attr-defined]


def init_result_of(client: LanguageClient) -> types.InitializeResult:
    return client.init_result  # type: ignore[attr-defined,no-any-return]


def record_server_requests(client: LanguageClient) -> None:
    """Capture what pytest-lsp does not: our status notification, lens refreshes and workspace edits."""
    client.statuses = []  # type: ignore[attr-defined]
    client.applied_edits = []  # type: ignore[attr-defined]
    client.lens_refreshes = 0  # type: ignore[attr-defined]
    client.registrations = []  # type: ignore[attr-defined]

    @client.feature(STATUS)
    def status(ls: LanguageClient, params: Any) -> None:
        ls.statuses.append(as_dict(params))  # type: ignore[attr-defined]

    @client.feature(types.WORKSPACE_CODE_LENS_REFRESH)
    def lens_refresh(ls: LanguageClient, params: None) -> None:
        ls.lens_refreshes += 1  # type: ignore[attr-defined]

    @client.feature(types.WORKSPACE_APPLY_EDIT)
    def apply_edit(ls: LanguageClient, params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
        ls.applied_edits.append(params)  # type: ignore[attr-defined]
        return types.ApplyWorkspaceEditResult(applied=True)

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(ls: LanguageClient, params: types.RegistrationParams) -> None:
        ls.registrations.extend(params.registrations)  # type: ignore[attr-defined]

    @client.feature(types.CLIENT_UNREGISTER_CAPABILITY)
    def unregister(ls: LanguageClient, params: types.UnregistrationParams) -> None:
        gone = {u.id for u in params.unregisterations}
        ls.registrations[:] = [r for r in ls.registrations if r.id not in gone]  # type: ignore[attr-defined]


def as_dict(value: Any) -> Any:
    """Plain data from what pygls gives untyped notifications (nested namedtuples)."""
    if hasattr(value, "_asdict"):
        value = value._asdict()
    if isinstance(value, dict):
        return {k: as_dict(v) for k, v in value.items()}
    return value


async def initialize(
    client: LanguageClient, roots: Sequence[Path], options: Any = None, client_name: str = "visual_studio_code"
) -> types.InitializeResult:
    folders = [types.WorkspaceFolder(uri=root.as_uri(), name=root.name) for root in roots]
    return await client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities(client_name),
            workspace_folders=folders,
            root_uri=roots[0].as_uri(),
            initialization_options=options,
        )
    )


async def eventually(check: Callable[[], T | None], timeout: float = 20.0, what: str = "condition") -> T:
    """Poll ``check`` until it returns something truthy."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = check()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


async def wait_ready(client: LanguageClient, timeout: float = 60.0) -> dict[str, Any]:
    statuses: list[dict[str, Any]] = client.statuses  # type: ignore[attr-defined]
    try:
        return await eventually(
            lambda: next((s for s in reversed(statuses) if s["state"] == "ready"), None), timeout, "index ready"
        )
    except AssertionError as exc:
        told = [m.message for m in client.messages] + [m.message for m in client.log_messages]
        raise AssertionError(f"{exc}; statuses {statuses}; messages {told}") from None


def open_document(client: LanguageClient, path: Path, language: str = "python") -> str:
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id=language, version=1, text=path.read_text())
        )
    )
    return uri


async def wait_diagnostics(
    client: LanguageClient,
    uri: str,
    check: Callable[[Sequence[types.Diagnostic]], bool] = lambda d: True,
    timeout: float = 20.0,
) -> Sequence[types.Diagnostic]:
    def ready() -> Sequence[types.Diagnostic] | None:
        found = client.diagnostics.get(uri)
        return found if found is not None and check(found) else None

    def wrapped() -> tuple[Sequence[types.Diagnostic]] | None:
        found = ready()
        return (found,) if found is not None else None

    return (await eventually(wrapped, timeout, f"diagnostics of {uri}"))[0]


def named(diagnostics: Sequence[types.Diagnostic], symbol_suffix: str) -> list[types.Diagnostic]:
    return [
        d for d in diagnostics if isinstance(d.data, dict) and str(d.data.get("symbol", "")).endswith(symbol_suffix)
    ]


def apply_text_edits(text: str, edits: Sequence[types.TextEdit]) -> str:
    """Apply LSP edits (ASCII documents: UTF-16 columns equal character columns) the way an editor does."""
    lines = text.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))

    def offset(pos: types.Position) -> int:
        if pos.line >= len(lines):
            return len(text)
        return offsets[pos.line] + pos.character

    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end) :]
    return text


async def resolved(client: LanguageClient, action: types.CodeAction) -> types.CodeAction:
    """``action`` with its edit: span actions are listed without one to a client that resolves edits (VS Code's
    capabilities, what these sessions advertise) and get it from codeAction/resolve when picked."""
    if action.edit is not None:
        return action
    answer = await client.code_action_resolve_async(action)
    assert answer.edit is not None, action
    return answer


def edits_of(edit: types.WorkspaceEdit, uri: str) -> list[types.TextEdit]:
    found: list[types.TextEdit] = []
    for change in edit.document_changes or []:
        if isinstance(change, types.TextDocumentEdit) and change.text_document.uri == uri:
            found.extend(e for e in change.edits if isinstance(e, types.TextEdit))
    for key, edits in (edit.changes or {}).items():
        if key == uri:
            found.extend(edits)
    return found


def change_document(client: LanguageClient, uri: str, version: int, rng: types.Range, text: str) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangePartial(range=rng, text=text)],
        )
    )


def replace_document(client: LanguageClient, uri: str, version: int, text: str) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


def position_of(text: str, needle: str, offset: int = 0) -> types.Position:
    """The position of ``needle`` (plus ``offset`` characters) in an ASCII line of ``text``."""
    index = text.index(needle) + offset
    line = text.count("\n", 0, index)
    return types.Position(line=line, character=index - (text.rfind("\n", 0, index) + 1))


async def hierarchy_item(
    client: LanguageClient, file: Path, needle: str, offset: int = len("def ")
) -> types.CallHierarchyItem:
    """The one call-hierarchy item prepared at ``needle`` (plus ``offset``, by default a def's name) in ``file``."""
    items = await client.text_document_prepare_call_hierarchy_async(
        types.CallHierarchyPrepareParams(
            text_document=types.TextDocumentIdentifier(uri=file.as_uri()),
            position=position_of(file.read_text(), needle, offset),
        )
    )
    assert items and len(items) == 1
    return items[0]


async def outgoing_calls(
    client: LanguageClient, file: Path, needle: str, offset: int = len("def ")
) -> dict[str, types.CallHierarchyOutgoingCall]:
    """The outgoing calls of the item at ``needle`` in ``file``, by the callee's symbol id."""
    item = await hierarchy_item(client, file, needle, offset)
    calls = await client.call_hierarchy_outgoing_calls_async(types.CallHierarchyOutgoingCallsParams(item=item))
    return {call.to.data["symbol"]: call for call in calls or []}


async def incoming_calls(
    client: LanguageClient, file: Path, needle: str, offset: int = len("def ")
) -> dict[str, types.CallHierarchyIncomingCall]:
    """The incoming calls of the item at ``needle`` in ``file``, by the caller's symbol id."""
    item = await hierarchy_item(client, file, needle, offset)
    calls = await client.call_hierarchy_incoming_calls_async(types.CallHierarchyIncomingCallsParams(item=item))
    return {call.from_.data["symbol"]: call for call in calls or []}


CLI = Path(sys.executable).with_name("trace-advisor")


def cli_apply(root: Path, file: Path, *args: str) -> str:
    """What `trace-advisor apply` makes of ``file``: run on a fresh copy of its folder ``root`` (the CLI rewrites
    files), with ``args`` (``--all``, ``--symbol QUALNAME``); PATH is the folder with ``--all`` (so the project is
    analysed as the server analyses it) and the file otherwise. Returns the file's new text."""
    copy = Path(tempfile.mkdtemp(prefix="trace-advisor-apply-")) / root.name
    shutil.copytree(root, copy)
    target = copy / file.relative_to(root)
    command = [str(CLI), "apply", str(copy if "--all" in args else target), *args]
    env = {**os.environ, "XDG_CACHE_HOME": str(copy.parent / "cache")}
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, f"{command}: {done.returncode}\n{done.stderr}"
    return target.read_text()
