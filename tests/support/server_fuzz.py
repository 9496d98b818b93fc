"""A seeded fuzz session against ``trace-advisor-lsp`` over stdio: random edits (valid code, half-typed code,
garbage, non-BMP characters, CRLF, whole-text replacements, ranges past the end, stale versions), interleaved
with requests of every kind, valid and invalid, sent in bursts. Used by tests/fuzz (a short run) and
benchmarks/fuzz_server.py (10,000 edits). The verdict: every request answered, no internal error, no error shown
to the user, no traceback in the server's log, and a clean exit (0 after shutdown/exit)."""

from __future__ import annotations

import random
import shutil
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.support.raw_lsp import RawServer

INTERNAL_ERROR = -32603
_MESSAGE_TYPES = {1: "error", 2: "warning", 3: "info", 4: "log"}
SNIPPETS = [
    "\n    x = requests.get(url, timeout=5)\n",
    "\ndef added(order_id):\n    return db.execute('SELECT 1')\n",
    "\nclass Extra:\n    def run(self):\n        try:\n            pass\n        except Exception:\n            pass\n",
    "(",
    ")",
    ":",
    "\n",
    "    ",
    "\t",
    "def ",
    "async def f(:\n",
    "'''",
    '"',
    "\\",
    "#",
    "@",
    "lambda",
    "yield",
    "🙂",
    "𝔘𝔫𝔦",
    "é",
    "\u200b",
    "\r\n",
    "\r",
    "\x00",
    "\ufeff",
    "x" * 300,
    "\n" * 20,
    "import os\n",
    "from opentelemetry import trace\n",
    "with tracer.start_as_current_span('x'):\n    pass\n",
]
COMMANDS = ["trace-advisor.analyzeFile", "trace-advisor.addSpan", "trace-advisor.addSpansInFile", "trace-advisor.nope"]


@dataclass
class FuzzReport:
    edits: int = 0
    requests: int = 0
    answered: int = 0
    results: int = 0
    errors: Counter[int] = field(default_factory=Counter)
    internal: list[dict[str, Any]] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)  # "Error in server" messages, error logs of our code
    shown: Counter[str] = field(default_factory=Counter)  # messages shown to the user, by type
    tracebacks: int = 0  # in stderr (pygls logs one for every request it answers with an error)
    exit_code: int | None = None
    seconds: float = 0.0

    @property
    def clean(self) -> bool:
        return self.answered == self.requests and not self.internal and not self.server_errors and self.exit_code == 0

    def summary(self) -> str:
        errors = ", ".join(f"{code}: {count}" for code, count in sorted(self.errors.items())) or "none"
        return (
            f"{self.edits} edits, {self.requests} requests: {self.answered} answered ({self.results} results; "
            f"errors by code {errors}); internal errors {len(self.internal)}, server errors {len(self.server_errors)}; "
            f"messages shown {dict(self.shown)}; tracebacks in stderr {self.tracebacks}; exit code {self.exit_code}; "
            f"{self.seconds:.1f} s"
        )


class Document:
    """The client's copy of an open document, edited with LSP (UTF-16) positions exactly as the server applies them."""

    def __init__(self, uri: str, text: str) -> None:
        self.uri, self.text, self.version = uri, text, 1

    def lines(self) -> list[str]:
        return self.text.split("\n")

    def position(self, rng: random.Random) -> dict[str, int]:
        lines = self.lines()
        line = rng.randrange(len(lines))
        return {"line": line, "character": rng.randint(0, _utf16_len(lines[line]))}

    def offset(self, position: dict[str, int]) -> int:
        lines = self.lines()
        line = min(position["line"], len(lines) - 1)
        start = sum(len(text) + 1 for text in lines[:line])
        units, index = 0, 0
        text = lines[line]
        while index < len(text) and units < position["character"]:
            units += 2 if ord(text[index]) > 0xFFFF else 1
            index += 1
        return start + index

    def replace(self, start: dict[str, int], end: dict[str, int], new: str) -> None:
        a, b = sorted((self.offset(start), self.offset(end)))
        self.text = self.text[:a] + new + self.text[b:]


def fuzz_server(workspace: Path, scratch: Path, *, edits: int, seed: int = 0, burst: int = 8) -> FuzzReport:
    """Run the session on a copy of ``workspace`` (in ``scratch``); see the module docstring."""
    rng = random.Random(seed)
    root = scratch / "workspace"
    shutil.copytree(workspace, root, ignore=shutil.ignore_patterns("__pycache__"))
    files = sorted(root.rglob("*.py"))[:4]
    report = FuzzReport()
    started = time.monotonic()
    with RawServer(
        env={"TRACE_ADVISOR_CACHE_DIR": str(scratch / "cache"), "XDG_CACHE_HOME": str(scratch / "xdg")}
    ) as server:
        server.initialize(root, {"debounceMs": 0})
        docs = [Document(f.as_uri(), f.read_text("utf-8")) for f in files]
        for doc in docs:
            server.notify(
                "textDocument/didOpen",
                {"textDocument": {"uri": doc.uri, "languageId": "python", "version": 1, "text": doc.text}},
            )
        pending: list[int] = []
        for step in range(edits):
            doc = rng.choice(docs)
            _edit(server, doc, rng)
            report.edits += 1
            if step % 3 == 0:
                pending.append(server.request(*_request(rng, doc, docs)))
                report.requests += 1
            if len(pending) >= burst:
                _collect(server, pending, report)
                pending = []
            if step % 500 == 499:
                server.notify("textDocument/didSave", {"textDocument": {"uri": doc.uri}})
        _collect(server, pending, report)
        report.requests += 1
        shutdown = server.call("shutdown", None, timeout=120)
        _count(shutdown, report)
        server.notify("exit")
        report.exit_code = server.wait(60)
        for shown in server.notifications("window/showMessage"):
            report.shown[_MESSAGE_TYPES.get(shown.get("type"), "?")] += 1
            if shown.get("message", "").startswith("Error in server"):  # pygls' report of a failed handler
                report.server_errors.append(shown["message"])
        report.server_errors += [
            logged["message"]
            for logged in server.notifications("window/logMessage")
            if logged.get("type") == 1 and logged.get("message", "").startswith("trace_advisor")
        ]
        report.tracebacks = server.stderr().count("Traceback")
    report.seconds = time.monotonic() - started
    return report


def _edit(server: RawServer, doc: Document, rng: random.Random) -> None:
    kind = rng.random()
    doc.version += 1
    if kind < 0.03:  # the whole text at once (no range)
        doc.text = rng.choice([doc.text, "", "def f(:\n", doc.text.replace("\n", "\r\n"), doc.text * 2][:5])
        changes: list[dict[str, Any]] = [{"text": doc.text}]
    elif kind < 0.05:  # a range past the end (clients should not, servers must survive): then resynchronise
        far = {"line": 10**6, "character": 5}
        changes = [{"range": {"start": far, "end": far}, "text": "x"}, {"text": doc.text}]
    else:
        start = doc.position(rng)
        end = doc.position(rng) if rng.random() < 0.3 else start
        text = rng.choice(SNIPPETS) if rng.random() < 0.8 else ""
        doc.replace(start, end, text)
        if doc.offset(end) < doc.offset(start):
            start, end = end, start
        changes = [{"range": {"start": start, "end": end}, "text": text}]
    version = doc.version if rng.random() > 0.01 else 0  # now and then a stale version
    server.notify(
        "textDocument/didChange", {"textDocument": {"uri": doc.uri, "version": version}, "contentChanges": changes}
    )


def _request(rng: random.Random, doc: Document, docs: list[Document]) -> tuple[str, Any]:
    choice = rng.randrange(9)
    uri = doc.uri if rng.random() > 0.05 else "file:///nowhere/missing.py"
    position = doc.position(rng) if rng.random() > 0.1 else {"line": rng.choice([-1, 2**31 - 1, 10**6]), "character": 0}
    if choice == 0:
        return "textDocument/codeLens", {"textDocument": {"uri": uri}}
    if choice == 1:
        return "textDocument/codeAction", {
            "textDocument": {"uri": uri},
            "range": {"start": position, "end": doc.position(rng)},
            "context": {"diagnostics": [], "only": rng.choice([None, ["quickfix"], ["source.addSpans"]])},
        }
    if choice == 2:
        return "textDocument/prepareCallHierarchy", {"textDocument": {"uri": uri}, "position": position}
    if choice == 3:
        item = {
            "name": "place",
            "kind": 12,
            "uri": uri,
            "range": _range(position),
            "selectionRange": _range(position),
            "data": rng.choice([{"symbol": "shop.services.orders:OrderService.place_order"}, {"symbol": 5}, None, "x"]),
        }
        return rng.choice(["callHierarchy/incomingCalls", "callHierarchy/outgoingCalls"]), {"item": item}
    if choice == 4:
        command = rng.choice(COMMANDS)
        arguments = rng.choice(
            [[uri], [uri, "shop.services.orders:OrderService.place_order", 3], [], [5], [uri, None, "x"], None]
        )
        return "workspace/executeCommand", {"command": command, "arguments": arguments}
    if choice == 5:
        return "codeLens/resolve", {"range": _range(position), "data": rng.choice([None, {"symbol": "x:y"}, [1]])}
    if choice == 6:
        return "textDocument/hover", {"textDocument": {"uri": uri}, "position": position}  # not served: MethodNotFound
    if choice == 7:
        return "textDocument/codeLens", rng.choice([{"textDocument": 5}, [], None, {"textDocument": {"uri": 7}}])
    return "workspace/executeCommand", {
        "command": "trace-advisor.showReport",
        "arguments": rng.choice([[uri], [], [None]]),
    }


def _range(position: dict[str, int]) -> dict[str, Any]:
    return {"start": position, "end": position}


def _collect(server: RawServer, pending: list[int], report: FuzzReport) -> None:
    for msg_id in pending:
        try:
            _count(server.response(msg_id, timeout=120), report)
        except TimeoutError:
            pass


def _count(answer: dict[str, Any], report: FuzzReport) -> None:
    report.answered += 1
    error = answer.get("error")
    if error is None:
        report.results += 1
        return
    report.errors[error.get("code")] += 1
    if error.get("code") == INTERNAL_ERROR:
        report.internal.append(answer)


def _utf16_len(text: str) -> int:
    return sum(2 if ord(c) > 0xFFFF else 1 for c in text)
