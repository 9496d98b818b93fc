"""The `trace-advisor-lsp` entry point: arguments, and stdout carrying nothing but protocol messages."""

from __future__ import annotations

import json
import subprocess
import sys

from trace_advisor import __version__

COMMAND = [sys.executable, "-m", "trace_advisor_lsp"]


def frame(message: dict[str, object]) -> bytes:
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n%s" % (len(body), body)


def test_version_and_bad_arguments() -> None:
    done = subprocess.run([*COMMAND, "--version"], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout.strip()) == (0, f"trace-advisor-lsp {__version__}")
    done = subprocess.run([*COMMAND, "--tcp"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "unrecognized arguments: --tcp" in done.stderr and done.stdout == ""


def test_stdout_is_only_protocol(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "app.py").write_text("import urllib.request\n\ndef f():\n    return urllib.request.urlopen('x')\n")
    messages = [
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {"capabilities": {}, "rootUri": tmp_path.as_uri()},
        },
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
        {"jsonrpc": "2.0", "id": 2, "method": "shutdown"},
        {"jsonrpc": "2.0", "method": "exit"},
    ]
    done = subprocess.run(
        [*COMMAND, "--stdio"], input=b"".join(frame(m) for m in messages), capture_output=True, timeout=60
    )
    assert done.returncode == 0
    rest, bodies = done.stdout, []
    while rest:
        header, _, rest = rest.partition(b"\r\n\r\n")
        assert header.startswith(b"Content-Length: "), header[:80]
        fields = dict(line.split(b": ", 1) for line in header.split(b"\r\n"))
        length = int(fields[b"Content-Length"])
        bodies.append(json.loads(rest[:length]))
        rest = rest[length:]
    replies = {b["id"]: b for b in bodies if "id" in b and "method" not in b}
    assert replies[1]["result"]["serverInfo"]["name"] == "trace-advisor-lsp"
    assert replies[2]["result"] is None
