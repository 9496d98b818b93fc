"""The server's transport over real stdio, in raw bytes: broken frames are skipped or recovered and the server keeps
answering, every request gets a response (an error where its params are invalid), a request after shutdown is
refused, and ``exit`` ends the process with the code the specification gives (0 after shutdown, 1 without)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.raw_lsp import RawServer, frame

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PARSE_ERROR, INVALID_REQUEST, INVALID_PARAMS = -32700, -32600, -32602


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("transport") / "examples"
    shutil.copytree(EXAMPLES, root, ignore=shutil.ignore_patterns("__pycache__"))
    return root


@pytest.fixture()
def server(workspace: Path, tmp_path: Path) -> Iterator[RawServer]:
    with RawServer(env={"TRACE_ADVISOR_CACHE_DIR": str(tmp_path / "cache")}) as started:
        started.initialize(workspace)
        yield started


def orders_uri(workspace: Path) -> str:
    return (workspace / "shop" / "services" / "orders.py").as_uri()


def lenses(server: RawServer, uri: str) -> dict[str, object]:
    return server.call("textDocument/codeLens", {"textDocument": {"uri": uri}})


def request_bytes(msg_id: int, method: str, params: object) -> bytes:
    return json.dumps({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params}).encode()


def test_a_huge_content_length_is_refused_and_the_server_keeps_answering(server: RawServer, workspace: Path) -> None:
    body = request_bytes(900, "textDocument/codeLens", {"textDocument": {"uri": orders_uri(workspace)}})
    server.send_bytes(b"Content-Length: 999999999999\r\n\r\n" + body)
    refused = server.response(900)
    assert refused["error"]["code"] == INVALID_REQUEST and "over the limit" in refused["error"]["message"]
    assert "result" in lenses(server, orders_uri(workspace))
    assert server.process.poll() is None


@pytest.mark.parametrize(
    "header",
    [
        pytest.param(b"Content-Length: 12\r\n\r\n", id="short"),
        pytest.param(b"Content-Length: abc\r\n\r\n", id="not-a-number"),
        pytest.param(b"Content-Length: -4\r\n\r\n", id="negative"),
        pytest.param(b"Content-Type: application/vscode-jsonrpc\r\n\r\n", id="missing"),
    ],
)
def test_a_bad_content_length_is_recovered_from(server: RawServer, workspace: Path, header: bytes) -> None:
    body = request_bytes(901, "textDocument/codeLens", {"textDocument": {"uri": orders_uri(workspace)}})
    follower = request_bytes(902, "textDocument/codeLens", {"textDocument": {"uri": orders_uri(workspace)}})
    server.send_bytes(header + body + frame(follower))
    first = server.response(901)  # the message itself is recovered (read up to the next header)
    assert "result" in first and first["result"] and first["result"] == server.response(902)["result"]


def test_a_long_content_length_is_cut_at_the_next_header(server: RawServer, workspace: Path) -> None:
    body = request_bytes(903, "textDocument/codeLens", {"textDocument": {"uri": orders_uri(workspace)}})
    follower = frame(request_bytes(904, "textDocument/codeLens", {"textDocument": {"uri": orders_uri(workspace)}}))
    server.send_bytes(b"Content-Length: %d\r\n\r\n" % (len(body) + 30) + body + follower)
    assert "result" in server.response(903) and "result" in server.response(904)


def test_garbage_and_bodies_that_are_not_json_get_parse_errors(server: RawServer, workspace: Path) -> None:
    server.send_bytes(b"\x00\xff some noise between messages \r\n")
    server.send(b'{"jsonrpc": "2.0", "id": 905, "method": "textDocument/codeLens", "params": {')  # cut off
    server.send(b"[1, 2")
    server.send(b"[" * 100_000)
    assert server.response(905)["error"]["code"] == PARSE_ERROR  # the id is found in the broken body
    assert server.response(None)["error"]["code"] == PARSE_ERROR  # no id to be found: null, as JSON-RPC says
    server.send({"jsonrpc": "1.0", "id": 906, "method": "shutdown"})
    assert server.response(906)["error"]["code"] == INVALID_REQUEST
    assert "result" in lenses(server, orders_uri(workspace))


@pytest.mark.parametrize(
    ("method", "params"),
    [
        (
            "textDocument/prepareCallHierarchy",
            {"textDocument": {"uri": "{uri}"}, "position": {"line": -1, "character": -1}},
        ),
        (
            "textDocument/prepareCallHierarchy",
            {"textDocument": {"uri": "{uri}"}, "position": {"line": 2**31, "character": 0}},
        ),
        (
            "textDocument/codeAction",
            {"textDocument": {"uri": "{uri}"}, "range": {"start": {"line": "x"}}, "context": {}},
        ),
        ("textDocument/codeLens", {"textDocument": 5}),
        ("textDocument/codeLens", []),
        ("callHierarchy/outgoingCalls", {"item": {"name": 1}}),
        ("workspace/executeCommand", {"command": 7}),
    ],
)
def test_invalid_params_get_an_invalid_params_error(
    server: RawServer, workspace: Path, method: str, params: dict[str, object]
) -> None:
    text = json.dumps(params).replace("{uri}", orders_uri(workspace))
    answer = server.call(method, json.loads(text))
    assert answer["error"]["code"] == INVALID_PARAMS, answer
    assert answer["error"]["message"]
    assert "result" in lenses(server, orders_uri(workspace))


def test_positions_outside_the_document_are_answered(server: RawServer, workspace: Path) -> None:
    uri = orders_uri(workspace)
    for line, character in [(10**6, 0), (0, 10**6), (2**31 - 1, 2**31 - 1)]:
        answer = server.call(
            "textDocument/prepareCallHierarchy",
            {"textDocument": {"uri": uri}, "position": {"line": line, "character": character}},
        )
        assert "result" in answer, answer
    answer = server.call(
        "textDocument/codeAction",
        {
            "textDocument": {"uri": uri},
            "range": {"start": {"line": 10**6, "character": 0}, "end": {"line": 0, "character": 0}},
            "context": {"diagnostics": []},
        },
    )
    assert "result" in answer, answer


def test_a_request_after_shutdown_is_refused_and_exit_ends_with_0(server: RawServer, workspace: Path) -> None:
    assert server.call("shutdown") == {"jsonrpc": "2.0", "id": server.received[-1]["id"], "result": None}
    refused = server.call("textDocument/codeLens", {"textDocument": {"uri": orders_uri(workspace)}})
    assert refused["error"]["code"] == INVALID_REQUEST and "shut down" in refused["error"]["message"]
    server.notify("exit")
    assert server.wait() == 0


def test_exit_without_shutdown_ends_with_1(server: RawServer) -> None:
    server.notify("exit")
    assert server.wait() == 1


def test_the_end_of_input_ends_the_server(server: RawServer) -> None:
    assert server.process.stdin is not None
    server.process.stdin.close()
    assert server.wait() == 0


def test_requests_answered_with_an_error_log_one_line_not_a_traceback(server: RawServer, workspace: Path) -> None:
    # a command given the wrong arguments is answered InvalidParams; the server's stderr (the editor's output
    # channel) says so in one line instead of a traceback at ERROR for a request it handled as designed
    answer = server.call("workspace/executeCommand", {"command": "trace-advisor.analyzeFile", "arguments": [7]})
    assert answer["error"]["code"] == INVALID_PARAMS
    answer = server.call("textDocument/codeLens", {"textDocument": 5})
    assert answer["error"]["code"] == INVALID_PARAMS
    assert "result" in lenses(server, orders_uri(workspace))
    log = server.stderr()
    assert "Traceback" not in log, log
    assert "expected the document uri as the first argument" in log
