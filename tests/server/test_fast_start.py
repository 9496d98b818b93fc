"""Start-up: `initialize` is answered at once from the capabilities written in `capabilities.py` while the server's
modules load; that answer is the one pygls would give, and the server's own answer is not sent a second time."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from pygls.protocol import default_converter
from pytest_lsp import client_capabilities
from trace_advisor import __version__, parsing, prefill, sourcefiles
from trace_advisor.index import Index
from trace_advisor_lsp import boot
from trace_advisor_lsp.app import initialize_result
from trace_advisor_lsp.framing import Frame, FrameReader

from tests.support.raw_lsp import RawServer

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


def _project(root: Path) -> Path:
    """Three modules, one that does not parse, and one ignored by the folder's configuration."""
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "api.py").write_text("import requests\n\ndef fetch(url):\n    return requests.get(url)\n")
    (root / "pkg" / "broken.py").write_text("def half(:\n")
    (root / "vendor").mkdir()
    (root / "vendor" / "big.py").write_text("def vendored():\n    return 1\n")
    (root / ".trace-advisor.yaml").write_text("ignore: ['vendor/**']\n")
    return root


def _entries(cache: Path) -> int:
    return sum(1 for p in cache.rglob("*") if p.is_file() and p.parent.name != "tmp")


def test_initialize_starts_filling_the_facts_cache_before_the_client_is_initialized(tmp_path: Path) -> None:
    """The server indexes only after `initialized`; an answered `initialize` alone has a second process parse the
    folder into the facts cache (the ignored folder and the broken file are not entries), and that process ends
    with the server."""
    root, cache = _project(tmp_path / "ws"), tmp_path / "cache"
    with RawServer(env={"TRACE_ADVISOR_CACHE_DIR": str(cache)}) as server:
        uri = root.as_uri()
        answer = server.call("initialize", {"capabilities": {}, "rootUri": uri, "workspaceFolders": [{"uri": uri}]})
        assert "capabilities" in answer["result"]
        deadline = time.monotonic() + 60
        while _entries(cache) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)  # anything else it would write (it must not)
        assert _entries(cache) == 2, sorted(str(p) for p in cache.rglob("*"))  # pkg/__init__.py and pkg/api.py
        assert server.finish() == 0
    assert not _running_prefills(root)


def test_the_index_after_a_prefill_parses_only_what_has_no_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, cache = _project(tmp_path / "ws"), tmp_path / "cache"
    env = {**os.environ, "TRACE_ADVISOR_CACHE_DIR": str(cache)}
    subprocess.run([sys.executable, "-m", "trace_advisor.prefill", str(root)], env=env, check=True, timeout=120)
    parsed: list[str] = []

    def parse_bytes(data: bytes, file: str) -> parsing.Parsed:
        parsed.append(Path(file).name)
        return parsing.parse_bytes(data, file)

    monkeypatch.setattr(sourcefiles, "parse_bytes", parse_bytes)
    index = Index([root], ignore=["vendor/**"], cache_dir=cache)
    index.build()
    assert parsed == ["broken.py"]  # a file that does not parse has no entry to read
    assert "pkg.api:fetch" in {d.symbol for d in index.definitions()}


def test_the_prefill_stops_when_its_server_is_gone(tmp_path: Path) -> None:
    root = _project(tmp_path / "ws")
    assert prefill.prefill([root], parent=os.getppid() + 1 if os.getppid() > 1 else 2) == 0
    assert prefill.prefill([root], time_limit_s=0) == 0
    assert prefill.prefill([root]) == 3  # pkg/__init__.py, pkg/api.py, pkg/broken.py (read, not parsed)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"workspaceFolders": [{"uri": "ROOT", "name": "a"}], "rootUri": "file:///elsewhere"}, ["ROOT"]),
        ({"workspaceFolders": None, "rootUri": "ROOT"}, ["ROOT"]),
        ({"rootPath": "PATH"}, ["PATH"]),
        ({"workspaceFolders": [{"uri": "untitled:x"}], "rootUri": "https://example.com/x"}, []),
        ({"rootUri": "file:///no/such/folder"}, []),
    ],
)
def test_the_folders_an_initialize_request_names(tmp_path: Path, params: dict[str, Any], expected: list[str]) -> None:
    folder = tmp_path / "my folder"
    folder.mkdir()
    swap = {"ROOT": folder.as_uri(), "PATH": str(folder)}
    params = {
        k: [{**f, "uri": swap.get(f["uri"], f["uri"])} for f in v] if isinstance(v, list) else swap.get(v, v)
        for k, v in params.items()
    }
    request = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": params}
    assert boot.folders(request) == [str(folder) for _ in expected]


def _running_prefills(root: Path) -> list[str]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            command = stat.read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        if "trace_advisor.prefill" in command and str(root) in command:
            found.append(command)
    return found
