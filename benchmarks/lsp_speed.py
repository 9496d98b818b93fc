"""Language-server speed over stdio, with the SHIPPED settings (no debounce override), as a user gets it.

Default workspace: a copy of the standard library's ``email/`` and ``json/`` packages (~11k lines) and its 3,000-line
``email/_header_value_parser.py``. Runs one server process on an empty facts cache (cold), then another on the cache
the first filled (warm), and prints for each, also as a ratio to ``ast.parse`` of that file in this process:
- ``initialize``: process start -> the initialize answer;
- first correct hierarchy answer: didOpen right after ``initialized`` -> a prepareCallHierarchy +
  outgoingCalls answer for a function of the file equal to ``trace-advisor calls`` (computed first, with its own cache),
  and whether it came before the folder's index was done;
- one-character edit -> fresh diagnostics (p50/p95), typed 150 ms apart (a brisk typist);
- interface edits: a ``def`` calling one of the file's functions typed at its end (inserted whole, as an editor's
  snippet completes it), then removed, the same pace: edit -> the callers of that function and the new def's callees
  answered (sent at once after the edit: the server re-indexes first), and edit -> fresh diagnostics, with the server's
  CPU time for each (all its threads, from the kernel's per-thread counters: what the edit and the query cost), also in
  a third session whose diagnostics wait 600 ms (``server.debounceMs``), so that the CPU until the answer is the
  re-index and the queries alone; and the server's cyclic GC collections per edit, per generation (``engineState``);
- prepareCallHierarchy, outgoingCalls, incomingCalls on every function of the file (p50/p95);
  request sent -> answer (or diagnostics) received, before this Python client decodes it into lsprotocol objects (an
  editor decodes JSON natively); outgoingCalls is also shown until decoded by pygls;
- server RSS at the end.
Start-up figures also give the server's CPU time (what they would take on an idle machine, one core).

``--startup`` prints start-up figures only, as ratios to ``ast.parse`` of every file of the workspace in this process:
three server processes, on an empty cache (cold; it keeps the folder's resolved graph), then on the cache it filled
(warm: facts and the graph snapshot), then warm again with the first edit sent as soon as the first diagnostics
arrive: didOpen (right after ``initialized``) -> the file's first diagnostics, and -> the engine idle (its full findings
computed, and the server's work after a start: learning what resolution reads after a snapshot); then a
one-character edit -> its diagnostics (once idle, or at once), and a typed ``def`` -> its diagnostics; server CPU for
each; and how many call sites the server resolved (a start from the snapshot resolves none).

    .venv/bin/python benchmarks/lsp_speed.py [--root DIR --file FILE] [--edits N] [--startup]
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.client import LanguageClient

CLI = Path(sys.executable).with_name("trace-advisor")


class Client(LanguageClient):
    """A bare client that records what the benchmark waits for, and when each message arrived: the time this
    client starts decoding it (pygls' decoding into lsprotocol objects is this Python client's own cost; an editor
    decodes JSON natively)."""

    def __init__(self) -> None:
        super().__init__("lsp-speed", "1")
        self.ready = asyncio.Event()
        self.diagnostics: dict[str, tuple[int | None, float, int]] = {}
        self.changed = asyncio.Event()
        self.arrived: dict[object, float] = {}  # response id -> arrival
        self.notified = 0.0  # arrival of the last notification
        self._decoding: float | None = None
        structure = self.protocol.structure_message

        def timed(
            data: Any,
        ) -> Any:  # json.loads' object hook: inner objects first, the message itself last
            if self._decoding is None:
                self._decoding = time.perf_counter()
            if isinstance(data, dict) and "jsonrpc" in data:
                if "method" not in data and "id" in data:
                    self.arrived[data["id"]] = self._decoding
                elif "id" not in data:
                    self.notified = self._decoding
                self._decoding = None
            return structure(data)

        self.protocol.structure_message = timed  # type: ignore[method-assign]


def attach(client: Client) -> None:
    @client.feature("trace-advisor/status")
    def status(ls: Client, params: Any) -> None:
        if getattr(params, "state", None) == "ready":
            ls.ready.set()

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def diagnostics(ls: Client, params: types.PublishDiagnosticsParams) -> None:
        ls.diagnostics[params.uri] = (
            params.version,
            ls.notified,
            len(params.diagnostics),
        )
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

    @client.feature(types.WINDOW_SHOW_MESSAGE)
    def show(ls: Client, params: types.ShowMessageParams) -> None:
        print(f"server: {params.message}", file=sys.stderr)

    @client.feature(types.WORKSPACE_CONFIGURATION)
    def configuration(ls: Client, params: types.ConfigurationParams) -> list[Any]:
        return [None for _ in params.items]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def percentiles(baseline: float, *rows: tuple[str, list[float]]) -> None:
    """One line per figure: p50, p95 and p95 as a ratio to ``ast.parse`` of the file."""
    for name, values in rows:
        p50, p95 = pct(values, 0.5), pct(values, 0.95)
        print(f"{name:<33} p50 {ms(p50)} p95 {ms(p95)}  (p95 = {p95 / baseline:5.1f}x ast.parse; n={len(values)})")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


async def drain(stream: asyncio.StreamReader | None) -> None:
    while stream is not None and await stream.readline():
        pass


async def wait_version(client: Client, uri: str, version: int, timeout: float = 60) -> float:
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


def cpu_s(pid: int) -> float:
    """The process' CPU time so far (user + system): what a wall-clock figure costs on an idle machine."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def threads_cpu_s(pid: int) -> float:
    """The CPU time of the process' live threads, in nanoseconds precision (``/proc/PID/task/*/schedstat``; ``cpu_s``
    counts in clock ticks, 10 ms, too coarse for one edit)."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            total += int((task / "schedstat").read_text().split()[0])
        except (OSError, ValueError, IndexError):  # a thread that ended meanwhile
            continue
    return total / 1e9


def first_function(text: str) -> tuple[str, types.Position]:
    """A module-level function of the file that a typed ``def`` will call: its name and the position of its name."""
    lines = text.splitlines()
    for node in ast.parse(text).body:
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
            return node.name, types.Position(node.lineno - 1, lines[node.lineno - 1].index(f"def {node.name}") + 4)
    raise SystemExit("the file has no public module-level function for the interface edits to call")


def cli_graph(root: Path) -> dict[str, list[str]]:
    """What ``trace-advisor calls`` says (with its own cache, so the server's stays cold)."""
    env = {
        **os.environ,
        "TRACE_ADVISOR_CACHE_DIR": tempfile.mkdtemp(prefix="lsp-speed-cli-"),
    }
    done = subprocess.run(
        [str(CLI), "calls", str(root), "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
    )
    done.check_returncode()
    return {symbol: found["calls"] for symbol, found in json.loads(done.stdout)["functions"].items()}


def def_positions(text: str) -> list[types.Position]:
    lines = text.splitlines()
    found = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            column = lines[node.lineno - 1].index(f"def {node.name}") + 4
            found.append(types.Position(line=node.lineno - 1, character=column))
    return sorted(found, key=lambda p: p.line)


IDS = iter(range(1, 1 << 30))
HELD_BACK_MS = 600  # the debounce of the session that measures re-index + query alone


async def ask(client: Client, method: str, params: Any) -> tuple[Any, float, float]:
    """The answer to one request, the time until it arrived, and until this client had decoded it."""
    msg_id = f"lsp-speed-{next(IDS)}"
    sent = time.perf_counter()
    answer = await client.protocol.send_request_async(method, params, msg_id=msg_id)
    return answer, client.arrived.pop(msg_id) - sent, time.perf_counter() - sent


async def outgoing_of(client: Client, uri: str, position: types.Position) -> tuple[str, set[str]] | None:
    items = await client.text_document_prepare_call_hierarchy_async(
        types.CallHierarchyPrepareParams(types.TextDocumentIdentifier(uri), position)
    )
    if not items:
        return None
    calls = await client.call_hierarchy_outgoing_calls_async(types.CallHierarchyOutgoingCallsParams(item=items[0]))
    return items[0].data["symbol"], {call.to.data["symbol"] for call in calls or []}


async def session(
    root: Path,
    file: Path,
    cache: Path,
    edits: int,
    pause: float,
    graph: dict[str, list[str]],
    settings: dict[str, Any] | None = None,
) -> Figures:
    """One server process on ``root`` with the facts cache ``cache`` (empty: cold; filled by a previous session:
    warm), driven as described at the top."""
    text = file.read_text()
    positions = def_positions(text)
    client = Client()
    attach(client)
    env = {**server_environment(), "TRACE_ADVISOR_CACHE_DIR": str(cache)}
    started = time.perf_counter()
    await client.start_io(sys.executable, "-m", "trace_advisor_lsp", env=env)
    server = client._server  # the subprocess (pygls keeps it there)
    assert server is not None
    drainer = asyncio.ensure_future(drain(server.stderr))
    await client.initialize_async(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(
                window=types.WindowClientCapabilities(work_done_progress=True),
                text_document=types.TextDocumentClientCapabilities(
                    call_hierarchy=types.CallHierarchyClientCapabilities()
                ),
            ),
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name=root.name)],
            initialization_options=settings,
        )
    )
    initialized = time.perf_counter() - started
    initialized_cpu = cpu_s(server.pid)
    client.initialized(types.InitializedParams())

    # no pause: open the file and ask at once for a function's outgoing calls
    uri = file.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text))
    )
    opened = time.perf_counter()
    probe = positions[len(positions) // 2]
    first = await outgoing_of(client, uri, probe)
    first_answer = time.perf_counter() - opened
    first_cpu = cpu_s(server.pid) - initialized_cpu
    first_while_indexing = not client.ready.is_set()  # the folder's index was not done yet
    assert first is not None, "no item for a def"
    correct = first[1] == set(graph.get(first[0], []))
    await asyncio.wait_for(client.ready.wait(), 900)
    await wait_version(client, uri, 1, 120)
    findings = client.diagnostics[uri][2]

    # one-character edits at a typist's pace: add, then remove, a space at the end of a line in the middle
    lines = text.splitlines()
    line = len(lines) // 2
    end = len(lines[line])
    latencies = []
    edits_cpu = cpu_s(server.pid)
    for version in range(2, edits + 2):
        added = version % 2 == 0
        rng = types.Range(types.Position(line, end), types.Position(line, end + (not added)))
        sent = time.perf_counter()
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[types.TextDocumentContentChangePartial(range=rng, text=" " if added else "")],
            )
        )
        latencies.append(await wait_version(client, uri, version) - sent)
        await asyncio.sleep(pause)
    edit_cpu = (cpu_s(server.pid) - edits_cpu) / edits  # the server's own work per edit (idle between them)

    prepare, outgoing, incoming, decoded, items, mismatched = [], [], [], [], [], []
    for position in positions:
        found, took, _ = await ask(
            client,
            types.TEXT_DOCUMENT_PREPARE_CALL_HIERARCHY,
            types.CallHierarchyPrepareParams(types.TextDocumentIdentifier(uri), position),
        )
        prepare.append(took)
        if found:
            items.append(found[0])
    for item in items:
        outgoing_params = types.CallHierarchyOutgoingCallsParams(item=item)
        calls, took, until_decoded = await ask(client, types.CALL_HIERARCHY_OUTGOING_CALLS, outgoing_params)
        outgoing.append(took)
        decoded.append(until_decoded)
        _, took, _ = await ask(
            client,
            types.CALL_HIERARCHY_INCOMING_CALLS,
            types.CallHierarchyIncomingCallsParams(item=item),
        )
        incoming.append(took)
        symbol = item.data["symbol"]
        if {c.to.data["symbol"] for c in calls or []} != set(graph.get(symbol, [])):
            mismatched.append(symbol)
    interface = await interface_edits(client, server.pid, uri, text, edits, pause, edits + 2)
    rss = rss_mb(server.pid)
    await client.shutdown_async(None)
    client.exit(None)
    await asyncio.sleep(0.2)
    drainer.cancel()
    return Figures(
        initialized,
        initialized_cpu,
        first_answer,
        first_cpu,
        correct,
        first_while_indexing,
        findings,
        rss,
        latencies,
        edit_cpu,
        prepare,
        outgoing,
        incoming,
        decoded,
        len(items),
        mismatched,
        interface,
    )


@dataclass
class InterfaceFigures:
    queries: list[float]  # edit sent -> callers and callees answered
    query_cpu: list[float]  # the server's CPU time meanwhile
    diagnostics: list[float]  # edit sent -> fresh diagnostics
    diagnostics_cpu: list[float]
    wrong: int  # answers that did not see the edit
    collections: list[float] = field(default_factory=list)  # the server's GC collections per edit, per generation


async def interface_edits(
    client: Client,
    pid: int,
    uri: str,
    text: str,
    edits: int,
    pause: float,
    first_version: int,
) -> InterfaceFigures:
    """Type a ``def`` that calls one of the file's functions at the end of the file, then remove it, ``edits`` times
    in all: after each edit, ask at once for that function's callers and (when it is there) the new def's callees."""
    callee, callee_at = first_function(text)
    lines = text.splitlines()
    block = f"\n\ndef typed_probe(value):\n    return {callee}(value)\n"
    end = types.Position(len(lines), 0)  # the text ends with a line break: after its last line
    block_end = types.Position(len(lines) + 4, 0)
    probe_at = types.Position(len(lines) + 2, 4)
    doc = types.TextDocumentIdentifier(uri)
    target = await client.text_document_prepare_call_hierarchy_async(types.CallHierarchyPrepareParams(doc, callee_at))
    assert target, f"no call hierarchy item for {callee}"
    figures = InterfaceFigures([], [], [], [], 0)
    collected = await gc_collections(client)
    for version in range(first_version, first_version + edits):
        added = (version - first_version) % 2 == 0
        change = (
            types.TextDocumentContentChangePartial(range=types.Range(end, end), text=block)
            if added
            else types.TextDocumentContentChangePartial(range=types.Range(end, block_end), text="")
        )
        cpu, sent = threads_cpu_s(pid), time.perf_counter()
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                [change],
            )
        )
        callers = client.call_hierarchy_incoming_calls_async(types.CallHierarchyIncomingCallsParams(item=target[0]))
        probe = (
            client.text_document_prepare_call_hierarchy_async(types.CallHierarchyPrepareParams(doc, probe_at))
            if added
            else None
        )
        found = await callers
        items = await probe if probe is not None else None
        callees = (
            await client.call_hierarchy_outgoing_calls_async(types.CallHierarchyOutgoingCallsParams(item=items[0]))
            if items
            else None
        )
        figures.queries.append(time.perf_counter() - sent)
        figures.query_cpu.append(threads_cpu_s(pid) - cpu)
        seen = any(call.from_.name == "typed_probe" for call in found or [])
        calls_callee = any(call.to.name == callee for call in callees or [])
        if seen != added or (added and not calls_callee):
            figures.wrong += 1
        figures.diagnostics.append(await wait_version(client, uri, version) - sent)
        figures.diagnostics_cpu.append(threads_cpu_s(pid) - cpu)
        await asyncio.sleep(pause)
    figures.collections = [(n - was) / edits for n, was in zip(await gc_collections(client), collected, strict=True)]
    return figures


async def gc_collections(client: Client) -> list[int]:
    """The server's cyclic GC collections so far, per generation (``trace-advisor/engineState``)."""
    state = await client.protocol.send_request_async("trace-advisor/engineState", None)
    found = getattr(state, "gc", None)  # (pygls gives an untyped answer as named tuples; none from an older server)
    return [int(n) for n in found.collections] if found is not None else [0, 0, 0]


@dataclass
class Figures:
    initialize: float
    initialize_cpu: float  # the server's CPU time until then
    first_answer: float
    first_cpu: float
    first_correct: bool
    first_while_indexing: bool
    findings: int
    rss: float
    edits: list[float]
    edit_cpu: float
    prepare: list[float]
    outgoing: list[float]
    incoming: list[float]
    outgoing_decoded: list[float]  # until this Python client had decoded the answer into lsprotocol objects
    items: int
    mismatched: list[str]
    interface: InterfaceFigures

    def print(self, label: str, baseline: float, pause: float) -> None:
        print(f"-- {label}: {self.findings} findings in the file")
        ratio = self.initialize / baseline
        cpu = f"server CPU {ms(self.initialize_cpu).strip()}"
        print(f"initialize (process start -> answer)     {ms(self.initialize)}  ({ratio:6.1f}x ast.parse; {cpu})")
        verdict = "equal to" if self.first_correct else "DIFFERENT from"
        print(
            f"first hierarchy answer after didOpen     {ms(self.first_answer)}  "
            f"({self.first_answer / baseline:6.1f}x ast.parse; server CPU {ms(self.first_cpu).strip()}; "
            f"{verdict} `trace-advisor calls`; {'before' if self.first_while_indexing else 'after'} the folder "
            "was indexed)"
        )
        print(f"server RSS                               {self.rss:8.1f} MB")
        percentiles(
            baseline,
            (f"edit -> diagnostics ({int(pause * 1000)} ms apart)", self.edits),
            ("prepareCallHierarchy", self.prepare),
            ("outgoingCalls", self.outgoing),
            ("incomingCalls", self.incoming),
            ("outgoingCalls, decoded by pygls", self.outgoing_decoded),
        )
        cpu = self.edit_cpu
        print(f"server CPU per edit                        {ms(cpu)}  ({cpu / baseline:5.1f}x ast.parse)")
        self.print_interface(baseline)
        equal = self.items - len(self.mismatched)
        print(f"outgoingCalls equal to `trace-advisor calls` for {equal}/{self.items} functions")
        if self.mismatched:
            print(f"  different: {', '.join(self.mismatched[:10])}")

    def print_interface(self, baseline: float) -> None:
        typed = self.interface
        percentiles(
            baseline,
            ("typed def -> callers + callees", typed.queries),
            ("  server CPU until answered", typed.query_cpu),
            ("typed def -> diagnostics", typed.diagnostics),
            ("  server CPU until published", typed.diagnostics_cpu),
        )
        gens = " ".join(f"gen{number} {count:.2f}" for number, count in enumerate(typed.collections))
        print(f"  server GC collections per edit   {gens}")
        if typed.wrong:
            print(f"  {typed.wrong} answers after a typed def did not see it")


async def run(root: Path, file: Path, edits: int, pause: float) -> None:
    """A cold session (empty facts cache), then a warm one (the cache the first filled), each as a fresh process."""
    text = file.read_text()
    baseline = min(timeit_parse(text) for _ in range(5))
    graph = cli_graph(root)
    cache = Path(tempfile.mkdtemp(prefix="lsp-speed-cache-"))
    cold = await session(root, file, cache, edits, pause, graph)
    warm = await session(root, file, cache, edits, pause, graph)
    # the same with the refresh of diagnostics waiting until the queries are answered: their CPU is the re-index and
    # the queries' own
    held = await session(root, file, cache, edits, pause, graph, {"server": {"debounceMs": HELD_BACK_MS}})
    workspace_lines = sum(len(p.read_text(errors="replace").splitlines()) for p in root.rglob("*.py"))
    print(f"workspace {root} ({workspace_lines} lines); file {file.name} ({len(text.splitlines())} lines)")
    print(f"baseline: ast.parse of the file          {ms(baseline)}")
    cold.print("cold facts cache", baseline, pause)
    warm.print("warm facts cache (a second server process)", baseline, pause)
    print(f"-- re-index + query alone: diagnostics held back {HELD_BACK_MS} ms (server.debounceMs), warm cache")
    held.print_interface(baseline)


@dataclass
class StartupFigures:
    first: float  # didOpen -> the file's first diagnostics (its first paint)
    first_cpu: float  # the server's CPU time from process start until then
    # didOpen -> the engine idle (nothing queued or running): the file's full findings are in (published only when
    # they differ from the first ones), and so is what the server does in the background after a start
    idle: float
    start_cpu: float  # the server's CPU time from process start until idle
    edit: float  # one-character edit -> fresh diagnostics
    edit_cpu: float
    typed: float  # a typed ``def`` (an interface edit) -> fresh diagnostics
    typed_cpu: float
    sites: int  # call sites the engine resolved in all (``engineState``)


async def engine_state(client: Client) -> Any:
    return await client.protocol.send_request_async("trace-advisor/engineState", None)


async def wait_idle(client: Client, timeout: float = 900) -> float:
    """Poll ``engineState`` until the engine has no work; when it was found idle."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if (await engine_state(client)).busy == 0:
            return time.perf_counter()
        await asyncio.sleep(0.05)
    raise TimeoutError("the engine never went idle")


async def startup_session(root: Path, file: Path, cache: Path, eager: bool = False) -> StartupFigures:
    """One server process on ``root`` with the cache folder ``cache`` (empty: cold; filled by a previous session:
    warm): ``file`` opened right after ``initialized``; its first and complete diagnostics; then (``eager``: as soon
    as the first diagnostics arrive, else once the engine is idle) a one-character edit, and once idle again a typed
    ``def`` calling one of the file's functions (an interface edit), each until its diagnostics."""
    text = file.read_text()
    client = Client()
    attach(client)
    env = {**server_environment(), "TRACE_ADVISOR_CACHE_DIR": str(cache)}
    await client.start_io(sys.executable, "-m", "trace_advisor_lsp", env=env)
    server = client._server
    assert server is not None
    drainer = asyncio.ensure_future(drain(server.stderr))
    await client.initialize_async(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(window=types.WindowClientCapabilities(work_done_progress=True)),
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name=root.name)],
        )
    )
    client.initialized(types.InitializedParams())
    uri = file.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text))
    )
    opened = time.perf_counter()
    first = await wait_version(client, uri, 1, 900) - opened
    first_cpu = threads_cpu_s(server.pid)
    if not eager:
        await asyncio.wait_for(client.ready.wait(), 900)
        idle = await wait_idle(client) - opened
    start_cpu = threads_cpu_s(server.pid)
    lines = text.splitlines()
    line = len(lines) // 2
    end = types.Position(line, len(lines[line]))
    cpu, sent = threads_cpu_s(server.pid), time.perf_counter()
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            [types.TextDocumentContentChangePartial(range=types.Range(end, end), text=" ")],
        )
    )
    edit = await wait_version(client, uri, 2, 900) - sent
    edit_cpu = threads_cpu_s(server.pid) - cpu
    if eager:
        await asyncio.wait_for(client.ready.wait(), 900)
        idle = await wait_idle(client) - opened
        start_cpu = threads_cpu_s(server.pid) - edit_cpu
    else:
        await wait_idle(client)
    callee, _ = first_function(text)
    block = f"\n\ndef typed_probe(value):\n    return {callee}(value)\n"
    at = types.Position(len(lines), 0)
    cpu, sent = threads_cpu_s(server.pid), time.perf_counter()
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(uri=uri, version=3),
            [types.TextDocumentContentChangePartial(range=types.Range(at, at), text=block)],
        )
    )
    typed = await wait_version(client, uri, 3, 900) - sent
    typed_cpu = threads_cpu_s(server.pid) - cpu
    sites = (await engine_state(client)).sites.resolved
    await client.shutdown_async(None)
    client.exit(None)
    await asyncio.sleep(0.2)
    drainer.cancel()
    return StartupFigures(first, first_cpu, idle, start_cpu, edit, edit_cpu, typed, typed_cpu, sites)


async def run_startup(root: Path, file: Path) -> None:
    """Start-up figures: a server on an empty cache (cold), then a second process on the cache it filled (warm),
    then a third that edits as soon as the first diagnostics arrive (warm, eager), as ratios to ``ast.parse`` of
    every Python file of the workspace in this process."""
    texts = []
    for path in sorted(root.rglob("*.py")):
        try:  # the files this interpreter parses (newer syntax is rewritten by the server: not a plain parse)
            compile(path.read_bytes(), str(path), "exec", ast.PyCF_ONLY_AST)
        except (SyntaxError, ValueError):
            continue
        texts.append(path.read_bytes())
    baseline = min(sum(timeit_parse(t) for t in texts) for _ in range(3))
    cache = Path(tempfile.mkdtemp(prefix="lsp-speed-cache-"))
    runs = [
        ("cold cache", await startup_session(root, file, cache)),
        ("warm cache", await startup_session(root, file, cache)),
        ("warm cache, edit at first diagnostics", await startup_session(root, file, cache, eager=True)),
    ]
    print(f"workspace {root} ({len(texts)} files); file {file.relative_to(root)}")
    print(f"baseline: ast.parse of every file        {ms(baseline)}")
    for (label, found), eager in zip(runs, (False, False, True), strict=True):
        print(f"-- {label} ({found.sites} call sites resolved in all)")
        for name, took, cpu in (
            ("didOpen -> first diagnostics", found.first, found.first_cpu),
            ("didOpen -> engine idle", found.idle, found.start_cpu),
            ("first edit -> diagnostics", found.edit, found.edit_cpu),
            *([("didOpen -> the edit's diagnostics", found.first + found.edit, None)] if eager else []),
            ("typed def -> diagnostics", found.typed, found.typed_cpu),
        ):
            spent = "" if cpu is None else f"; server CPU {ms(cpu).strip()}"
            print(f"{name:<38} {ms(took)}  ({took / baseline:6.2f}x ast.parse{spent})")


def server_environment() -> dict[str, str]:
    """The server's environment, with its own modules' bytecode compiled beforehand, as an installed server has it.

    An installed server loads bytecode (pip compiles it at install time; the VS Code extension's bundle writes it on
    its first start), and so do the standard library and site-packages here. Without this, a machine with
    ``PYTHONDONTWRITEBYTECODE`` set (CI images often are) would compile every module of the server at each start,
    ~0.3 s that no user pays. Every module of both packages is compiled, not only those start-up imports: the ones
    loaded on first use (detectors, linter, span engine) would otherwise be compiled inside the cold figures. "Cold"
    in the figures means an empty facts cache, not a first-ever start."""
    env = {
        key: value for key, value in os.environ.items() if key not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")
    }
    import trace_advisor
    import trace_advisor_lsp

    folders = [str(folder) for package in (trace_advisor, trace_advisor_lsp) for folder in package.__path__]
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", *folders],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return env


def timeit_parse(text: str | bytes) -> float:
    t0 = time.perf_counter()
    ast.parse(text)
    return time.perf_counter() - t0


def stdlib_workspace() -> tuple[Path, Path]:
    """A copy of the standard library's email/ and json/ (the analyser never imports them)."""
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    root = Path(tempfile.mkdtemp(prefix="lsp-speed-ws-")) / "mail"
    for package in ("email", "json"):
        shutil.copytree(
            stdlib / package,
            root / package,
            ignore=shutil.ignore_patterns("__pycache__"),
        )
    return root, root / "email" / "_header_value_parser.py"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--root",
        type=Path,
        help="workspace folder (default: a copy of stdlib email/ + json/)",
    )
    parser.add_argument("--file", type=Path, help="the file to open and edit (with --root)")
    parser.add_argument("--edits", type=int, default=40)
    parser.add_argument("--pause", type=float, default=0.15, help="seconds between edits (default 0.15)")
    parser.add_argument(
        "--startup", action="store_true", help="only the start-up figures: first diagnostics and first edits"
    )
    args = parser.parse_args()
    if args.root is None:
        root, file = stdlib_workspace()
    elif args.file is None:
        parser.error("--file is needed with --root")
    else:
        root, file = args.root.resolve(), args.file.resolve()
    if args.startup:
        asyncio.run(run_startup(root, file))
    else:
        asyncio.run(run(root, file, args.edits, args.pause))


if __name__ == "__main__":
    main()
