"""``trace-advisor mcp`` spoken to in raw lines: every request gets an answer, also one the SDK cannot read (params
that are not an object, a lone surrogate, a line over the size limit), a line that is not JSON gets a ParseError, and
the server keeps serving afterwards. A protocol library would refuse to send these, hence raw bytes."""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from trace_advisor.mcp.transport import MAX_LINE

from tests.support.mcp_session import server_env

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PARSE_ERROR, INVALID_REQUEST, INVALID_PARAMS = -32700, -32600, -32602


class RawMcp:
    """The server process and the JSON lines it wrote, in order."""

    def __init__(self, cache: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "trace_advisor", "mcp", str(EXAMPLES)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=server_env(cache),
        )
        self._lines: queue.Queue[dict[str, Any] | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.stderr = b""

    def send(self, data: bytes) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(data)
        self.process.stdin.flush()

    def request(self, ident: int, method: str, params: Any = None) -> None:
        message = {"jsonrpc": "2.0", "id": ident, "method": method, **({"params": params} if params else {})}
        self.send(json.dumps(message).encode() + b"\n")

    def next(self, timeout: float = 60) -> dict[str, Any]:
        message = self._lines.get(timeout=timeout)
        assert message is not None, "the server closed its output"
        return message

    def close(self) -> int:
        assert self.process.stdin is not None
        self.process.stdin.close()
        code = self.process.wait(30)
        assert self.process.stderr is not None
        self.stderr = self.process.stderr.read()
        return code

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.put(json.loads(line))
        self._lines.put(None)


@pytest.fixture()
def server(tmp_path: Path) -> Iterator[RawMcp]:
    raw = RawMcp(tmp_path / "cache")
    raw.request(1, "initialize", {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t"}})
    assert raw.next()["id"] == 1
    raw.send(b'{"jsonrpc": "2.0", "method": "notifications/initialized"}\n')
    yield raw
    if raw.process.poll() is None:
        raw.process.kill()
        raw.process.wait(10)


def error_of(answer: dict[str, Any]) -> tuple[object, int]:
    assert "error" in answer, answer
    return answer["id"], answer["error"]["code"]


def test_every_unreadable_line_is_answered_and_the_server_keeps_serving(server: RawMcp) -> None:
    cases: list[tuple[bytes, tuple[object, int]]] = [
        (b"this is not json", (None, PARSE_ERROR)),
        (b"[" * 100_000, (None, PARSE_ERROR)),  # nested too deep for a JSON parser
        (b'{"jsonrpc": "2.0", "id": 4, "method": "tools/call", "params": 7}', (4, INVALID_PARAMS)),
        (b'{"jsonrpc": "2.0", "id": "s-5", "method": 12}', ("s-5", INVALID_REQUEST)),
        (b'{"jsonrpc": "2.0", "id": [1], "method": "tools/list"}', (None, INVALID_REQUEST)),
        (b'[{"jsonrpc": "2.0", "id": 6, "method": "tools/list"}]', (None, INVALID_REQUEST)),
        (
            b'{"jsonrpc": "2.0", "id": 7, "method": "tools/call", '
            b'"params": {"name": "preview_span", "arguments": {"symbol": "app:\\ud800"}}}',
            (7, INVALID_PARAMS),
        ),
        (b"\xff\xfe{", (None, PARSE_ERROR)),
    ]
    for line, expected in cases:
        server.send(line + b"\n")
        assert error_of(server.next()) == expected, line[:80]
    server.send(b"\n")  # a blank line: nothing to answer
    server.send(b'{"jsonrpc": "2.0", "method": "notifications/cancelled", "params": 3}\n')  # nor a bad notification
    server.request(8, "tools/list")
    answer = server.next()
    assert answer["id"] == 8 and {t["name"] for t in answer["result"]["tools"]} >= {"recommend", "apply_span"}
    assert server.close() == 0


def test_a_line_over_the_limit_is_skipped_unbuffered_and_answered(server: RawMcp) -> None:
    head = b'{"jsonrpc": "2.0", "id": 12, "method": "tools/call", "params": {"name": "callers", "arguments": '
    server.send(head + b'{"symbol": "' + b"a" * (MAX_LINE + 1024) + b'"}}}\n')
    ident, code = error_of(server.next(timeout=120))
    assert (ident, code) == (12, INVALID_REQUEST)
    server.request(13, "tools/call", {"name": "callers", "arguments": {"symbol": "shop.cli:cmd_place"}})
    answer = server.next()
    assert answer["id"] == 13 and "result" in answer
    assert server.close() == 0
