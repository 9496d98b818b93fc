"""The ``traces`` setting in the editor, over stdio: functions with spans in the configured OTLP JSON files show
their observed p50/p95, span count and errors in a code lens and a hover; a function that ran in a slow untraced
stretch of a traced caller says so in its hover; the files are read again when they change (the client watches
them) and when the client's settings name others. The traces come from real runs of tests/fixtures/traces/app
under the OpenTelemetry SDK."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import LanguageClient, client_capabilities
from trace_advisor.config.loader import trust_project_file

from tests.server.lsp_session import (
    eventually,
    position_of,
    record_server_requests,
    server_config,
    wait_ready,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "traces"
CHECKOUT = "shop.orders:checkout"


def record(root: Path, out: Path, orders: int, fail: int = 0) -> None:
    """Run ``orders`` checkouts (the last ``fail`` of them failing) under the SDK, appending their spans to ``out``."""
    work = out.parent / f"work-{out.stem}-{orders}-{fail}"
    work.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, FIXTURE / "scenario.py", root, work, out, "--orders", str(orders), "--fail", str(fail)]
    done = subprocess.run([str(c) for c in command], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr


@pytest_lsp.fixture(scope="module", config=server_config())  # type: ignore[untyped-decorator]
async def client(lsp_client: LanguageClient, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[None]:
    root = tmp_path_factory.mktemp("lsp-traces") / "app"
    shutil.copytree(FIXTURE / "app", root)
    record(root, root / "traces" / "spans.jsonl", orders=4, fail=1)
    (root / ".trace-advisor.yaml").write_text("traces: [traces/*.jsonl]\n", encoding="utf-8")
    trust_project_file(root)
    record_server_requests(lsp_client)
    lsp_client.root = root  # type: ignore[attr-defined]
    capabilities = client_capabilities("visual_studio_code")  # VS Code 1.100 watches relative patterns too
    assert capabilities.workspace is not None and capabilities.workspace.did_change_watched_files is not None
    capabilities.workspace.did_change_watched_files.relative_pattern_support = True
    lsp_client.init_result = await lsp_client.initialize_session(  # type: ignore[attr-defined]
        types.InitializeParams(
            capabilities=capabilities,
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name=root.name)],
            root_uri=root.as_uri(),
        )
    )
    await wait_ready(lsp_client)
    yield
    await lsp_client.shutdown_session()


def app(client: LanguageClient) -> Path:
    return client.root  # type: ignore[attr-defined,no-any-return]


async def observed_lenses(client: LanguageClient, name: str) -> dict[int, str]:
    """The observed-figures lenses of a file, by line."""
    uri = (app(client) / "shop" / name).as_uri()
    lenses = await client.text_document_code_lens_async(
        types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    return {
        lens.range.start.line: lens.command.title
        for lens in lenses or ()
        if lens.command is not None and lens.command.title.startswith("observed")
    }


async def hover(client: LanguageClient, name: str, needle: str, offset: int = 0) -> str | None:
    file = app(client) / "shop" / name
    found = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=file.as_uri()),
            position=position_of(file.read_text(encoding="utf-8"), needle, offset),
        )
    )
    if found is None:
        return None
    assert isinstance(found.contents, types.MarkupContent) and found.contents.kind == types.MarkupKind.Markdown
    return found.contents.value


async def test_lenses_show_the_figures_of_functions_with_spans(client: LanguageClient) -> None:
    # the files are read in the background once the folder is indexed; the lenses are asked for again then
    await eventually(lambda: client.lens_refreshes > 0, what="a lens refresh")  # type: ignore[attr-defined]
    for _ in range(100):
        lenses = await observed_lenses(client, "orders.py")
        if lenses:
            break
        await asyncio.sleep(0.1)
    text = (app(client) / "shop" / "orders.py").read_text(encoding="utf-8").splitlines()
    by_name = {text[line].split("(")[0].removeprefix("def "): title for line, title in lenses.items()}
    assert set(by_name) == {"checkout", "write_receipt"}  # refund and sync_legacy never ran
    checkout = by_name["checkout"]
    assert checkout.startswith("observed: p50 ") and " · p95 " in checkout
    assert checkout.endswith(" · 4 spans · 1 error")
    assert by_name["write_receipt"].endswith(" · 3 spans")  # the failed checkout wrote no receipt
    assert lenses == await observed_lenses(client, "orders.py")  # read once, the same answer
    assert await observed_lenses(client, "inventory.py") == {}  # no spans of its own


async def test_the_observed_lens_runs_a_command_that_shows_the_figures(client: LanguageClient) -> None:
    """What Neovim's ``vim.lsp.codelens.run()`` and a click in VS Code do: execute the lens's command, which the
    server announced at initialize."""
    file = app(client) / "shop" / "orders.py"
    uri, line = file.as_uri(), position_of(file.read_text(encoding="utf-8"), "def checkout").line
    lenses = await client.text_document_code_lens_async(
        types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    [command] = [
        lens.command
        for lens in lenses or ()
        if lens.command is not None and lens.command.title.startswith("observed") and lens.range.start.line == line
    ]
    assert command.command == "trace-advisor.showObserved"
    assert list(command.arguments or ()) == [uri, CHECKOUT]
    assert command.command in client.init_result.capabilities.execute_command_provider.commands  # type: ignore[attr-defined]
    shown = len(client.messages)
    answer = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=command.command, arguments=command.arguments)
    )
    assert answer["symbol"] == CHECKOUT
    assert answer["markdown"] == await hover(client, "orders.py", "def checkout", len("def "))
    assert answer["text"].startswith("checkout, span 'checkout': 4 spans in 4 traces, ")
    assert (
        " 1 error (25%). " in answer["text"]
        and "untraced functions that ran there: Inventory.reserve" in answer["text"]
    )
    message = await eventually(lambda: client.messages[shown:] and client.messages[-1])
    assert message.type == types.MessageType.Info and message.message == f"trace-advisor: {answer['text']}"
    never_ran = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=command.command, arguments=[uri, "shop.orders:refund"])
    )
    assert never_ran is None
    told = await eventually(lambda: client.messages[-1] if "refund" in client.messages[-1].message else None)
    assert told.message == "trace-advisor: the configured traces have no spans of shop.orders:refund"


async def test_hover_on_a_traced_function_gives_figures_and_its_untraced_gap(client: LanguageClient) -> None:
    text = await hover(client, "orders.py", "def checkout", len("def "))
    assert text is not None
    assert text.startswith("**Observed in traces** · `checkout` · span `checkout`")
    assert "| spans | traces | rate | p50 | p95 | errors |" in text
    row = next(line for line in text.splitlines() if line.startswith("| 4 |"))
    assert row.startswith("| 4 | 4 | ") and row.endswith(" | 1 (25%) |")
    # three reservations of 30 ms each run in every checkout outside any child span
    assert "is in no child span. Untraced functions that ran there: `Inventory.reserve`" in text
    assert "spans from `spans.jsonl`" in text


async def test_hover_on_a_callee_that_ran_in_the_gap(client: LanguageClient) -> None:
    at_call = await hover(client, "orders.py", "inventory.reserve(", len("inventory."))
    at_def = await hover(client, "inventory.py", "def reserve", len("def "))
    assert at_call == at_def and at_def is not None
    assert at_def.startswith("**Observed in traces** · `Inventory.reserve`")
    assert "runs inside span 'checkout' (4 spans in 4 traces" in at_def and "1 with errors" in at_def
    assert "(checkout → Inventory.reserve)" in at_def
    assert await hover(client, "orders.py", "def refund", len("def ")) is None  # never ran
    assert await hover(client, "orders.py", "import json") is None  # not a function's name


async def test_the_files_are_watched_and_read_again_when_they_change(client: LanguageClient) -> None:
    registrations = client.registrations  # type: ignore[attr-defined]
    watched = [r for r in registrations if r.id == "trace-advisor-trace-files"]
    assert len(watched) == 1
    patterns = [w["globPattern"] for w in watched[0].register_options["watchers"]]
    assert patterns == [{"baseUri": (app(client) / "traces").as_uri(), "pattern": "*.jsonl"}]

    refreshes = client.lens_refreshes  # type: ignore[attr-defined]
    spans = app(client) / "traces" / "spans.jsonl"
    record(app(client), spans, orders=2)  # two more checkouts, both fine
    changed = types.FileEvent(uri=spans.as_uri(), type=types.FileChangeType.Changed)
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[changed]))
    await eventually(lambda: client.lens_refreshes > refreshes, what="a lens refresh")  # type: ignore[attr-defined]
    lenses = await observed_lenses(client, "orders.py")
    assert any(title.endswith(" · 6 spans · 1 error") for title in lenses.values())


async def test_client_settings_name_other_files_and_bad_files_are_told_once(client: LanguageClient) -> None:
    other = app(client).parent / "elsewhere" / "ok.jsonl"
    record(app(client), other, orders=1)
    broken = other.with_name("broken.jsonl")
    broken.write_text('{"resourceSpans": [\n', encoding="utf-8")
    client.set_configuration({"traceAdvisor": {"traces": [str(other), str(broken)]}})
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))

    async def one_span() -> dict[int, str]:
        lenses = await observed_lenses(client, "orders.py")
        return lenses if any(t.endswith(" · 1 span") for t in lenses.values()) else {}

    for _ in range(200):
        if await one_span():
            break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError("the lenses never showed the client's trace file")
    await observed_lenses(client, "orders.py")
    told = [m.message for m in client.messages if "traces:" in m.message]
    assert len(told) == 1 and told[0].startswith(f"trace-advisor: traces: {broken}:") and "not JSON" in told[0]
    watched = next(r for r in client.registrations if r.id == "trace-advisor-trace-files")  # type: ignore[attr-defined]
    bases = {w["globPattern"]["baseUri"] for w in watched.register_options["watchers"]}
    assert other.parent.as_uri() in bases
