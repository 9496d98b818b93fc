"""An agent's whole session, end to end over stdio and without the Python SDK: the server is started exactly as the
README's client configuration says (the virtualenv's ``trace-advisor`` console script, from another folder), spoken
to in raw newline-delimited JSON-RPC as Claude Code, Cursor or VS Code do (protocol revisions they send), asked for
recommendations, a preview and an apply; then the edited code runs under the OpenTelemetry SDK and emits the spans
the diff promised. stdout carries nothing but protocol messages; closing stdin ends the server cleanly."""

from __future__ import annotations

import json
import queue
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from tests.support.mcp_session import server_env

REPO = Path(__file__).resolve().parents[2]
REPOSITORY = "shop/repository/sqlite_repo.py"
WAIT_S = 180  # the first recommend waits for the index build, on a loaded 2-core machine

# Runs the agent-edited repository under the OTel SDK and prints the finished spans (name, attributes) as JSON.
RUN_INSTRUMENTED = """
import json, sys
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

exporter = InMemorySpanExporter()
provider = TracerProvider()
provider.add_span_processor(SimpleSpanProcessor(exporter))
trace.set_tracer_provider(provider)

from shop.models import LineItem, Order, Product
from shop.repository.sqlite_repo import OrderRepository, ProductRepository

products = ProductRepository(sys.argv[1])
products.migrate()
products.upsert_many([Product("sku-1", "Mug", 150, stock=5)])
repo = OrderRepository(sys.argv[1])
repo.add(Order(id="o-1", customer_email="a@example.com", items=[LineItem("sku-1", 2, 150)]))
assert repo.get("o-1").total_cents == 300
print(json.dumps([[s.name, dict(s.attributes or {})] for s in exporter.get_finished_spans()]))
"""


class RawClient:
    """A JSON-RPC 2.0 peer on the server's stdin/stdout: one message per line, as the MCP stdio transport says."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.lines: list[str] = []  # everything the server wrote on stdout
        self.log: list[str] = []  # and on stderr (read as it comes, so a full pipe never blocks the server)
        self._inbox: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._next_id = 0
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._read_log, daemon=True).start()

    def _read_log(self) -> None:
        assert self.process.stderr is not None
        self.log.extend(self.process.stderr)

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)
            self._inbox.put(json.loads(line))
        self._inbox.put(None)

    def notify(self, method: str, params: dict[str, Any] | None = None) -> None:
        self._send({"jsonrpc": "2.0", "method": method, **({"params": params} if params is not None else {})})

    def request(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """The response (``result`` or ``error``) to one request; notifications in between are skipped."""
        self._next_id += 1
        request_id = self._next_id
        self._send(
            {"jsonrpc": "2.0", "id": request_id, "method": method, **({"params": params} if params is not None else {})}
        )
        while True:
            message = self._inbox.get(timeout=WAIT_S)
            assert message is not None, f"the server closed stdout before answering {method}"
            if message.get("id") == request_id and "method" not in message:
                return message

    def call(self, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
        response = self.request("tools/call", {"name": tool, "arguments": arguments})
        assert "result" in response, response
        return response["result"]

    def answer(self, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
        result = self.call(tool, arguments)
        assert not result.get("isError"), result["content"]
        assert json.loads(result["content"][0]["text"]) == result["structuredContent"]
        return result["structuredContent"]

    def _send(self, message: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(message) + "\n")
        self.process.stdin.flush()


def readme_client_config() -> dict[str, Any]:
    """The server entry of the README's ``mcpServers`` snippet (Claude Code, Claude Desktop, Cursor)."""
    readme = (REPO / "README.md").read_text("utf-8")
    for block in re.findall(r"```json\n(.*?)```", readme, flags=re.S):
        servers = json.loads(block).get("mcpServers", {})
        if "trace-advisor" in servers:
            return servers["trace-advisor"]  # type: ignore[no-any-return]
    raise AssertionError("README has no mcpServers snippet for trace-advisor")


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(REPO / "examples", root, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def start(project: Path, tmp_path: Path) -> RawClient:
    """Start the server as a client would from the README's configuration, in a folder that is not the project."""
    entry = readme_client_config()
    command = Path(sys.executable).parent / entry["command"]  # the virtualenv's console script, as README says
    args = [str(project) if a == "/absolute/path/to/your/project" else a for a in entry["args"]]
    assert str(project) in args, entry
    elsewhere = tmp_path / "client-cwd"
    elsewhere.mkdir()
    process = subprocess.Popen(
        [str(command), *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        cwd=elsewhere,
        env=server_env(tmp_path / "cache"),
    )
    return RawClient(process)


def finish(client: RawClient) -> str:
    """Close stdin as clients do on exit: the server must end by itself, cleanly; returns its stderr."""
    assert client.process.stdin is not None
    client.process.stdin.close()
    try:
        returncode = client.process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        client.process.kill()
        raise AssertionError("the server did not exit after its stdin closed") from None
    stderr = "".join(client.log)
    assert returncode == 0, stderr
    return stderr


def initialize(client: RawClient, version: str) -> dict[str, Any]:
    response = client.request(
        "initialize",
        {"protocolVersion": version, "capabilities": {}, "clientInfo": {"name": "raw-e2e", "version": "1"}},
    )
    client.notify("notifications/initialized")
    return response["result"]  # type: ignore[no-any-return]


def test_an_agent_session_from_the_readme_configuration_to_running_spans(project: Path, tmp_path: Path) -> None:
    client = start(project, tmp_path)
    try:
        init = initialize(client, "2025-06-18")
        assert init["protocolVersion"] == "2025-06-18"  # the client's revision is kept when the server speaks it
        assert init["serverInfo"]["name"] == "trace-advisor"
        assert "tools" in init["capabilities"] and "resources" in init["capabilities"]
        assert client.request("ping") == {"jsonrpc": "2.0", "id": 2, "result": {}}

        tools = {t["name"]: t for t in client.request("tools/list")["result"]["tools"]}
        assert {"recommend", "preview_span", "apply_span", "coverage", "call_tree", "callers", "callees"} <= set(tools)
        assert all(t["inputSchema"]["type"] == "object" and "outputSchema" in t for t in tools.values())

        report = client.answer("recommend", {"paths": [REPOSITORY]})
        symbols = [r["symbol"] for r in report["recommendations"]]
        wanted = [s for s in symbols if s.endswith(("OrderRepository.add", "OrderRepository.get"))]
        assert len(wanted) == 2, symbols
        before = (project / REPOSITORY).read_text("utf-8")

        preview = client.answer("preview_span", {"symbol": wanted[0]})
        assert (project / REPOSITORY).read_text("utf-8") == before  # a preview writes nothing
        assert "start_as_current_span" in preview["diff"]

        applied = client.answer("apply_span", {"symbols": wanted})
        after = (project / REPOSITORY).read_text("utf-8")
        assert after != before
        span_names = re.findall(r'^\+.*start_as_current_span\("([^"]+)"', applied["diff"], flags=re.M)
        assert len(span_names) == 2, applied["diff"]
        again = client.answer("apply_span", {"symbols": wanted})
        assert (project / REPOSITORY).read_text("utf-8") == after and not again["diff"]

        outside = client.call("recommend", {"paths": [str(tmp_path)]})
        assert outside["isError"] and str(project) in outside["content"][0]["text"]
        unknown = client.request("tools/undefined")
        assert unknown["error"]["code"] == -32601
    finally:
        stderr = finish(client)

    # stdout was the protocol and nothing else; logs went to stderr
    for line in client.lines:
        assert json.loads(line)["jsonrpc"] == "2.0", line
    assert "Traceback" not in stderr

    ran = subprocess.run(
        [sys.executable, "-c", RUN_INSTRUMENTED, str(tmp_path / "shop.db")],
        capture_output=True,
        text=True,
        cwd=project,
        timeout=120,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    spans = json.loads(ran.stdout)
    assert sorted(name for name, _ in spans) == sorted(span_names)
    # a call too long for the line length has its arguments on the next (added) line
    written_keys = set(re.findall(r'^\+\s*span\.set_attribute\((?:\n\+\s*)?"([^"]+)"', applied["diff"], flags=re.M))
    assert written_keys and written_keys == {key for _, attributes in spans for key in attributes}
    assert all(attributes["db.system.name"] == "sqlite" for _, attributes in spans)


@pytest.mark.parametrize("version", ["2024-11-05", "2025-11-25"])
def test_older_and_newer_handshake_revisions_are_served(project: Path, tmp_path: Path, version: str) -> None:
    client = start(project, tmp_path)
    try:
        assert initialize(client, version)["protocolVersion"] == version
        graph = client.answer("callers", {"symbol": "shop.repository.base:SqliteRepository.connection"})
        assert graph["callers"], graph
    finally:
        finish(client)
