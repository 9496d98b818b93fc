"""``trace-advisor-lsp`` as a subprocess spoken to in raw bytes: for tests of the transport itself (bad frames, bad
params, the shutdown/exit sequence) and for fuzzing the server, where a protocol library would refuse to send what
the test needs. Requests the server sends are answered like an editor that has no settings would answer them."""

from __future__ import annotations

import itertools
import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

EDITOR_ANSWERS: dict[str, Any] = {
    "window/workDoneProgress/create": None,
    "client/registerCapability": None,
    "workspace/codeLens/refresh": None,
    "workspace/applyEdit": {"applied": False},
}


def frame(message: dict[str, Any] | bytes) -> bytes:
    body = message if isinstance(message, bytes) else json.dumps(message).encode("utf-8")
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


class RawServer:
    """The server process, its messages (kept in order) and its stderr (in a file, never a full pipe)."""

    def __init__(self, cwd: Path | None = None, env: dict[str, str] | None = None) -> None:
        self._stderr = tempfile.TemporaryFile()
        environ = {**os.environ, **(env or {})}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "trace_advisor_lsp", "--stdio"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            cwd=cwd,
            env=environ,
        )
        self.received: list[dict[str, Any]] = []
        self._inbox: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._responses: dict[object, dict[str, Any]] = {}
        self._arrived = threading.Condition(self._lock)
        threading.Thread(target=self._read, daemon=True).start()

    # ---- sending -------------------------------------------------------------------------------------------------
    def send_bytes(self, data: bytes) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(data)
        self.process.stdin.flush()

    def send(self, message: dict[str, Any] | bytes) -> None:
        self.send_bytes(frame(message))

    def notify(self, method: str, params: Any = None) -> None:
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method: str, params: Any = None) -> int:
        """Send a request; its id (wait for the answer with :meth:`response`)."""
        msg_id = next(self._ids)
        self.send({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params})
        return msg_id

    def call(self, method: str, params: Any = None, timeout: float = 60) -> dict[str, Any]:
        return self.response(self.request(method, params), timeout)

    # ---- receiving -----------------------------------------------------------------------------------------------
    def response(self, msg_id: object, timeout: float = 60) -> dict[str, Any]:
        """The response to request ``msg_id`` (raises TimeoutError when none comes)."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while msg_id not in self._responses:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"no response to request {msg_id!r} in {timeout}s; stderr:\n{self.stderr()}")
                self._arrived.wait(left)
            return self._responses[msg_id]

    def notifications(self, method: str) -> list[Any]:
        with self._lock:
            return [m.get("params") for m in self.received if m.get("method") == method and "id" not in m]

    def wait_for(self, method: str, predicate: Any = lambda params: True, timeout: float = 60) -> Any:
        deadline = time.monotonic() + timeout
        with self._arrived:
            while True:
                for message in self.received:
                    if message.get("method") == method and "id" not in message and predicate(message.get("params")):
                        return message.get("params")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"no {method} notification in {timeout}s; stderr:\n{self.stderr()}")
                self._arrived.wait(left)

    def stderr(self) -> str:
        self._stderr.seek(0)
        return self._stderr.read().decode("utf-8", "replace")

    # ---- the session ---------------------------------------------------------------------------------------------
    def initialize(self, root: Path, settings: dict[str, Any] | None = None) -> dict[str, Any]:
        """initialize + initialized for one workspace folder; waits until the folder is indexed."""
        uri = root.resolve().as_uri()
        answer = self.call(
            "initialize",
            {
                "processId": os.getpid(),
                "rootUri": uri,
                "capabilities": {"window": {"workDoneProgress": True}},
                "workspaceFolders": [{"uri": uri, "name": root.name}],
                "initializationOptions": settings or {},
            },
        )
        self.notify("initialized", {})
        self.wait_for("trace-advisor/status", lambda p: p.get("state") == "ready")
        return answer

    def finish(self, timeout: float = 30) -> int:
        """shutdown + exit; the process's exit code."""
        self.call("shutdown", None, timeout)
        self.notify("exit")
        return self.wait(timeout)

    def wait(self, timeout: float = 30) -> int:
        try:
            return self.process.wait(timeout)
        finally:
            self.close()

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                try:
                    stream.close()
                except OSError:
                    pass

    def __enter__(self) -> RawServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
        self._stderr.close()

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            length = None
            while True:
                line = stream.readline()
                if not line:
                    self._arrive(None)
                    return
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
                elif line == b"\r\n" and length is not None:
                    break
            self._arrive(json.loads(stream.read(length)))

    def _arrive(self, message: dict[str, Any] | None) -> None:
        if message is None:
            with self._arrived:
                self._arrived.notify_all()
            return
        if "method" in message and "id" in message:  # a request from the server: answer it as an editor would
            method = message["method"]
            if method == "workspace/configuration":
                result: Any = [None for _ in message["params"]["items"]]
            else:
                result = EDITOR_ANSWERS.get(method)
            try:
                self.send({"jsonrpc": "2.0", "id": message["id"], "result": result})
            except (BrokenPipeError, ValueError, OSError):
                pass
        with self._arrived:
            self.received.append(message)
            if "id" in message and "method" not in message:
                self._responses[message["id"]] = message
            self._arrived.notify_all()
