"""Workspace trust in the language server, over stdio with a minimal client: an untrusted project file's provider
and outside paths are ignored with one warning naming each key; ``trace-advisor.trust`` trusts the file as it is
and applies them at once (the engine in the status notification changes)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FIXTURE = FIXTURES / "lsp" / "untrusted"


def untrusted_project(tmp_path: Path) -> Path:
    """The untrusted configuration beside the security fixture's ordinary code (one copy of that code for both)."""
    root = tmp_path / "untrusted"
    shutil.copytree(FIXTURE, root)
    shutil.copytree(FIXTURES / "security" / "project" / "app", root / "app")
    return root


class StdioSession:
    """Just enough of a client: send framed JSON-RPC, read messages until one matches."""

    def __init__(self, env: dict[str, str] | None = None) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "trace_advisor_lsp", "--stdio"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env={**os.environ, **(env or {})},
        )
        self.seen: list[dict[str, Any]] = []

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        self.proc.stdin.flush()

    def initialize(self, root: Path, capabilities: dict[str, Any] | None = None) -> None:
        """The initialize request for one workspace folder, and its answer (``initialized`` is the caller's)."""
        folders = [{"uri": root.as_uri(), "name": "u"}]
        params = {"capabilities": capabilities or {}, "workspaceFolders": folders}
        self.send({"id": 1, "method": "initialize", "params": params})
        self.until(lambda m: m.get("id") == 1)

    def until(self, wanted: Any, timeout: float = 60) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        assert self.proc.stdout is not None
        while time.monotonic() < deadline:
            header = b""
            while not header.endswith(b"\r\n\r\n"):
                header += self.proc.stdout.read(1)
            length = int(header.split(b"Content-Length:")[1].split(b"\r\n")[0])
            message = json.loads(self.proc.stdout.read(length))
            self.seen.append(message)
            if wanted(message):
                return message
        raise AssertionError(f"not seen within {timeout}s; got {[m.get('method') for m in self.seen]}")

    def close(self) -> None:
        self.send({"id": 99, "method": "shutdown"})
        self.send({"method": "exit"})
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def _warnings(seen: list[dict[str, Any]]) -> list[str]:
    return [m["params"]["message"] for m in seen if m.get("method") == "window/showMessage"]


def test_untrusted_settings_are_ignored_with_one_warning_until_trusted(tmp_path: Path) -> None:
    root = untrusted_project(tmp_path)
    session = StdioSession()
    try:
        session.initialize(root)
        session.send({"method": "initialized", "params": {}})
        ready = session.until(lambda m: m.get("method") == "trace-advisor/status" and m["params"]["state"] == "ready")
        assert ready["params"]["engine"] == "local"
        (warning,) = [text for text in _warnings(session.seen) if "not trusted" in text]
        for key in ("provider.name", "provider.openai.base_url", "provider.openai.api_key_env", "search_paths"):
            assert key in warning
        assert "trace-advisor trust" in warning and "trace-advisor.trust" in warning

        session.send(
            {
                "id": 2,
                "method": "workspace/executeCommand",
                "params": {"command": "trace-advisor.trust", "arguments": [root.as_uri()]},
            }
        )
        answer = session.until(lambda m: m.get("id") == 2)
        assert answer["result"] == {"trusted": str((root / ".trace-advisor.yaml").resolve())}

        def trusted_status(m: dict[str, Any]) -> bool:
            return bool(m.get("method") == "trace-advisor/status" and m["params"]["engine"] == "openai:llama3.2")

        if not any(trusted_status(m) for m in session.seen):
            session.until(trusted_status)
        assert sum("not trusted" in text for text in _warnings(session.seen)) == 1
    finally:
        session.close()


def test_a_client_with_its_own_trust_prompt_gets_the_settings_as_data(tmp_path: Path) -> None:
    """The VS Code extension declares experimental.traceAdvisor.untrustedConfigNotification: it gets one
    trace-advisor/untrustedConfig notification (after initialize, as the protocol requires for custom messages) with
    the folder, the file and each held-back setting, and no plain message; its Trust button runs trace-advisor.trust."""
    root = untrusted_project(tmp_path)
    session = StdioSession()
    try:
        capabilities = {"experimental": {"traceAdvisor": {"untrustedConfigNotification": True}}}
        session.initialize(root, capabilities)
        assert not any(m.get("method") == "trace-advisor/untrustedConfig" for m in session.seen)
        session.send({"method": "initialized", "params": {}})
        notice = session.until(lambda m: m.get("method") == "trace-advisor/untrustedConfig")
        session.until(lambda m: m.get("method") == "trace-advisor/status" and m["params"]["state"] == "ready")
        params = notice["params"]
        assert params["folderUri"] == root.as_uri()
        assert params["file"] == str((root / ".trace-advisor.yaml").resolve())
        keys = [item["key"] for item in params["settings"]]
        assert keys == ["provider.name", "provider.openai.base_url", "provider.openai.api_key_env", "search_paths"]
        assert [item["where"] for item in params["settings"]][0] == ".trace-advisor.yaml:2"
        assert all(item["value"] and item["reason"] for item in params["settings"])
        assert not [text for text in _warnings(session.seen) if "not trusted" in text]

        session.send(
            {
                "id": 2,
                "method": "workspace/executeCommand",
                "params": {"command": "trace-advisor.trust", "arguments": [params["folderUri"]]},
            }
        )
        assert session.until(lambda m: m.get("id") == 2)["result"] == {"trusted": params["file"]}
        session.until(
            lambda m: m.get("method") == "trace-advisor/status" and m["params"]["engine"] == "openai:llama3.2"
        )
        assert sum(m.get("method") == "trace-advisor/untrustedConfig" for m in session.seen) == 1
    finally:
        session.close()


def test_show_report_from_an_untrusted_project_writes_nothing_outside_it(tmp_path: Path) -> None:
    """``report.output: ../outside.html`` and ``report.template: /etc/passwd`` from an untrusted file: the report
    command writes the HTML report to the user's cache folder with the bundled template, nothing next to the project."""
    root = untrusted_project(tmp_path)
    (root / ".trace-advisor.yaml").write_text("report:\n  output: ../outside.html\n  template: /etc/passwd\n")
    cache = tmp_path / "xdg-cache"
    session = StdioSession(env={"XDG_CACHE_HOME": str(cache)})
    try:
        session.initialize(root)
        session.send({"method": "initialized", "params": {}})
        session.until(lambda m: m.get("method") == "trace-advisor/status" and m["params"]["state"] == "ready")
        (warning,) = [text for text in _warnings(session.seen) if "not trusted" in text]
        assert "report.output" in warning and "report.template" in warning
        session.send(
            {
                "id": 2,
                "method": "workspace/executeCommand",
                "params": {"command": "trace-advisor.showReport", "arguments": [root.as_uri()]},
            }
        )
        written = Path(session.until(lambda m: m.get("id") == 2, timeout=120)["result"])
        assert written.is_relative_to(cache) and "<html" in written.read_text().lower()
        assert "root:" not in written.read_text()
        assert not (tmp_path / "outside.html").exists()
    finally:
        session.close()
