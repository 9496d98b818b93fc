"""Start-up: `initialize` is answered at once from the capabilities written in `capabilities.py` while the server's
modules load; that answer is the one pygls would give, and the server's own answer is not sent a second time."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from typing import Any

import pytest
from pygls.protocol import default_converter
from pytest_lsp import client_capabilities
from trace_advisor import __version__
from trace_advisor_lsp import boot
from trace_advisor_lsp.app import initialize_result
from trace_advisor_lsp.framing import Frame, FrameReader

COMMAND = [sys.executable, "-m", "trace_advisor_lsp", "--stdio"]


def frame(message: dict[str, Any]) -> bytes:
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n%s" % (len(body), body)


def messages(output: bytes) -> list[dict[str, Any]]:
    found, rest = [], output
    while rest:
        header, _, rest = rest.partition(b"\r\n\r\n")
        fields = dict(line.split(b": ", 1) for line in header.split(b"\r\n"))
        length = int(fields[b"Content-Length"])
        found.append(json.loads(rest[:length]))
        rest = rest[length:]
    return found


@pytest.mark.parametrize("client", ["visual_studio_code", "neovim", "utf-8 first", "none"])
def test_the_early_answer_is_pygls_answer(client: str) -> None:
    if client == "utf-8 first":
        capabilities: dict[str, Any] = {"general": {"positionEncodings": ["utf-8", "utf-16"]}}
    elif client == "none":
        capabilities = {}
    else:
        capabilities = default_converter().unstructure(client_capabilities(client))
    request = {"jsonrpc": "2.0", "id": 7, "method": "initialize", "params": {"capabilities": capabilities}}
    early = boot.answer(request)
    assert early is not None
    (answer,) = messages(early)
    expected = initialize_result(capabilities)
    written = {k: v for k, v in expected["capabilities"].items() if k != "positionEncoding"}
    assert answer["id"] == 7 and answer["result"] == expected, (
        f"capabilities.py is out of date; CAPABILITIES = {json.dumps(written, indent=4, sort_keys=True)}"
    )


def test_not_an_initialize_request_is_left_to_the_server() -> None:
    assert boot.answer({"jsonrpc": "2.0", "id": 1, "method": "shutdown"}) is None
    assert boot.answer({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {}}) is None


def test_initialize_is_answered_once_and_first(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "app.py").write_text("def f():\n    return len('x')\n")
    params = {"capabilities": {}, "rootUri": tmp_path.as_uri()}
    sent = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": params},
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
        {"jsonrpc": "2.0", "id": 2, "method": "shutdown"},
        {"jsonrpc": "2.0", "method": "exit"},
    ]
    done = subprocess.run(COMMAND, input=b"".join(frame(m) for m in sent), capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr.decode()
    received = messages(done.stdout)
    replies = [m for m in received if "id" in m and "method" not in m]
    assert [r["id"] for r in replies] == [1, 2] and received[0] is replies[0]
    assert replies[0]["result"]["serverInfo"] == {"name": "trace-advisor-lsp", "version": __version__}
    assert replies[0]["result"]["capabilities"]["positionEncoding"] == "utf-16"


def test_the_replayed_stream_reads_like_the_original() -> None:
    bodies = [json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize"}), json.dumps({"method": "exit"})]
    stream = b"".join(frame(json.loads(body)) for body in bodies)
    for cut in (0, 10, len(stream) // 2, len(stream)):  # whatever the start-up read, the server reads the same
        replay = boot.Replay(stream[:cut], io.BytesIO(stream[cut:]))
        reader = FrameReader(replay.read)  # as the transport reads it: at most n bytes a call
        got = []
        while (item := reader.next()) is not None:
            assert isinstance(item, Frame), item
            got.append(item.body.decode())
        assert got == bodies


def test_start_up_imports_only_what_the_first_answers_need() -> None:
    """What the server process imports before it serves (the loader thread of ``boot``): the index, the resolver and
    the protocol, not the detectors, the linter, the span engine, the reports (jinja2) or a model provider (boto3):
    those load when first used (the first refresh, edit or report), so a call hierarchy answer comes sooner."""
    script = "import sys, trace_advisor_lsp.app; print('\\n'.join(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
    loaded = set(done.stdout.split())
    assert {"trace_advisor.index", "trace_advisor.resolve", "trace_advisor.navigation"} <= loaded
    heavy = (
        "trace_advisor.analysis",
        "trace_advisor.detect",
        "trace_advisor.lint",
        "trace_advisor.edits.engine",
        "trace_advisor.report",
        "trace_advisor.advise.providers",
        "jinja2",
        "boto3",
        "botocore",
    )
    assert sorted(m for m in loaded if m.startswith(heavy)) == []
