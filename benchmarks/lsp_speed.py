"""Language-server speed over stdio on a large workspace (default: the standard library).

Prints: initialize -> index done; one-character edit -> fresh diagnostics on a ~2,000-line file (p50/p95, with
debounce 0 so the figure is the server's own latency; the configured debounce adds to it); call hierarchy
incoming/outgoing p50/p95; codeLens (+ resolving every lens) on that file; server RSS after indexing. Each figure
is also given as a ratio to a baseline measured in this process (``ast.parse`` of the same file).

    .venv/bin/python benchmarks/lsp_speed.py [--root DIR] [--file FILE] [--edits N]
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import os
import sys
import sysconfig
import tempfile
import time
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.client import LanguageClient


class Client(LanguageClient):
    """A bare client that records what the benchmark waits for."""

    def __init__(self) -> None:
        super().__init__("lsp-speed", "1")
        self.ready = asyncio.Event()
        self.diagnostics: dict[str, tuple[int | None, float, int]] = {}
        self.changed = asyncio.Event()


def attach(client: Client) -> None:
    @client.feature("trace-advisor/status")
    def status(ls: Client, params: Any) -> None:
        if getattr(params, "state", None) == "ready":
            ls.ready.set()

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def diagnostics(ls: Client, params: types.PublishDiagnosticsParams) -> None:
        ls.diagnostics[params.uri] = (params.version, time.perf_counter(), len(params.diagnostics))
        ls.changed.set()

    @client.feature(types.WINDOW_WORK_DONE_PROGRESS_CREATE)
    def progress_create(ls: Client, params: Any) -> None:
        return None

    @client.feature(types.PROGRESS)
    def progress(ls: Client, params: Any) -> None:
        return None

    @client.feature(types.WINDOW_LOG_MESSAGE)
    def log(ls: Client, params: Any) -> None:
        return None

    @client.feature(types.WORKSPACE_CONFIGURATION)
    def configuration(ls: Client, params: types.ConfigurationParams) -> list[Any]:
        return [None for _ in params.items]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.2f} ms"


async def drain(stream: asyncio.StreamReader | None) -> None:
    while stream is not None and await stream.readline():
        pass


async def wait_version(client: Client, uri: str, version: int, timeout: float = 30) -> float:
    deadline = time.perf_counter() + timeout
    while True:
        seen = client.diagnostics.get(uri)
        if seen is not None and seen[0] == version:
            return seen[1]
        client.changed.clear()
        remaining = deadline - time.perf_counter()
        if remaining <= 0:
            raise TimeoutError(f"no diagnostics for version {version}")
        await asyncio.wait_for(client.changed.wait(), remaining)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def run(root: Path, file: Path, edits: int) -> None:
    text = file.read_text()
    baseline = min(timeit_parse(text) for _ in range(5))
    client = Client()
    attach(client)
    env = {**os.environ, "XDG_CACHE_HOME": tempfile.mkdtemp(prefix="lsp-speed-cache-")}
    await client.start_io(sys.executable, "-m", "trace_advisor_lsp", env=env)
    server = client._server  # the subprocess (pygls keeps it there)
    assert server is not None
    drainer = asyncio.ensure_future(drain(server.stderr))
    options = {"server": {"debounceMs": 0, "logLevel": "warning"}}
    started = time.perf_counter()
    await client.initialize_async(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(
                window=types.WindowClientCapabilities(work_done_progress=True),
                text_document=types.TextDocumentClientCapabilities(
                    call_hierarchy=types.CallHierarchyClientCapabilities()
                ),
            ),
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name=root.name)],
            initialization_options=options,
        )
    )
    client.initialized(types.InitializedParams())
    await asyncio.wait_for(client.ready.wait(), 900)
    indexed = time.perf_counter() - started
    rss = rss_mb(server.pid)

    uri = file.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text))
    )
    await wait_version(client, uri, 1, 120)
    findings = client.diagnostics[uri][2]

    # one-character edits: add, then remove, a space at the end of a line in the middle of the file
    lines = text.splitlines()
    line = len(lines) // 2
    end = len(lines[line])
    latencies = []
    for version in range(2, edits + 2):
        if version % 2 == 0:
            change = types.TextDocumentContentChangePartial(
                range=types.Range(types.Position(line, end), types.Position(line, end)), text=" "
            )
        else:
            change = types.TextDocumentContentChangePartial(
                range=types.Range(types.Position(line, end), types.Position(line, end + 1)), text=""
            )
        sent = time.perf_counter()
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version), content_changes=[change]
            )
        )
        latencies.append(await wait_version(client, uri, version) - sent)

    tree = ast.parse(text)
    functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    incoming, outgoing, items = [], [], []
    for node in functions:
        col = lines[node.lineno - 1].index("def ") + 4
        found = await client.text_document_prepare_call_hierarchy_async(
            types.CallHierarchyPrepareParams(types.TextDocumentIdentifier(uri), types.Position(node.lineno - 1, col))
        )
        if found:
            items.append(found[0])
    for item in items:
        t0 = time.perf_counter()
        await client.call_hierarchy_outgoing_calls_async(types.CallHierarchyOutgoingCallsParams(item=item))
        t1 = time.perf_counter()
        await client.call_hierarchy_incoming_calls_async(types.CallHierarchyIncomingCallsParams(item=item))
        t2 = time.perf_counter()
        outgoing.append(t1 - t0)
        incoming.append(t2 - t1)

    t0 = time.perf_counter()
    lenses = await client.text_document_code_lens_async(types.CodeLensParams(types.TextDocumentIdentifier(uri)))
    lens_time = time.perf_counter() - t0
    t0 = time.perf_counter()
    for lens in lenses or []:
        if lens.command is None:
            await client.code_lens_resolve_async(lens)
    resolve_time = time.perf_counter() - t0
    await client.shutdown_async(None)
    client.exit(None)
    await asyncio.sleep(0.2)
    drainer.cancel()

    print(f"workspace {root}  file {file.name} ({len(lines)} lines, {findings} findings, {len(items)} functions)")
    print(f"baseline: ast.parse of the file          {ms(baseline)}")
    print(f"initialize -> index done                 {indexed:8.2f} s")
    print(f"server RSS after indexing                {rss:8.1f} MB")
    for name, values in (
        ("edit -> fresh diagnostics", latencies),
        ("outgoingCalls", outgoing),
        ("incomingCalls", incoming),
    ):
        p50, p95 = pct(values, 0.5), pct(values, 0.95)
        print(f"{name:<26} p50 {ms(p50)} p95 {ms(p95)}  (p95 = {p95 / baseline:5.1f}x ast.parse; n={len(values)})")
    print(f"codeLens ({len(lenses or [])} lenses)             {ms(lens_time)}  (+ resolving all: {ms(resolve_time)})")


def timeit_parse(text: str) -> float:
    t0 = time.perf_counter()
    ast.parse(text)
    return time.perf_counter() - t0


def main() -> None:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=stdlib)
    parser.add_argument("--file", type=Path, default=stdlib / "enum.py")
    parser.add_argument("--edits", type=int, default=60)
    args = parser.parse_args()
    asyncio.run(run(args.root.resolve(), args.file.resolve(), args.edits))


if __name__ == "__main__":
    main()
