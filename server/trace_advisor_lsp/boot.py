"""Start-up: answer ``initialize`` at once, from the capabilities the server always has, while the server's modules
(pygls, lsprotocol: most of a second) load on another thread; then the server takes the connection over with the
initialize request replayed to it (so it configures itself as usual) and its own answer to it held back.

Meanwhile a second process parses the folders the request names into the facts cache (:mod:`trace_advisor.prefill`),
on a core this one leaves idle while it imports, so that the first index reads cache entries."""

from __future__ import annotations

import atexit
import json
import os
import subprocess
import sys
import threading
from typing import IO, Any, BinaryIO, cast
from urllib.parse import unquote, urlparse

from trace_advisor import __version__

from trace_advisor_lsp.capabilities import CAPABILITIES, NAME

ENCODINGS = ("utf-8", "utf-16", "utf-32")  # what pygls' position codec supports, in the client's order of preference


def read_message(stream: IO[bytes]) -> tuple[bytes, dict[str, Any] | None]:
    """One framed message: its raw bytes and, when it is a JSON object, the object (None at EOF or on bad input)."""
    raw = b""
    length = None
    while True:
        line = stream.readline()
        raw += line
        if not line:
            return raw, None
        if line in (b"\r\n", b"\n"):
            break
        name, _, value = line.decode("ascii", "replace").partition(":")
        if name.strip().lower() == "content-length":
            try:
                length = int(value.strip())
            except ValueError:
                return raw, None
    if length is None:
        return raw, None
    body = b""
    while len(body) < length:  # an unbuffered stream may return less than asked for
        part = stream.read(length - len(body))
        if not part:
            break
        body += part
    raw += body
    try:
        message = json.loads(body)
    except ValueError:
        return raw, None
    return raw, message if isinstance(message, dict) else None


def encoding_for(capabilities: Any) -> str:
    """pygls' choice: the first of the client's position encodings it supports, else UTF-16."""
    general = capabilities.get("general") if isinstance(capabilities, dict) else None
    wanted = general.get("positionEncodings") if isinstance(general, dict) else None
    for encoding in wanted if isinstance(wanted, list) else []:
        if encoding in ENCODINGS:
            return str(encoding)
    return "utf-16"


def answer(request: dict[str, Any]) -> bytes | None:
    """The framed answer to an initialize request, or None when it is not one this can answer."""
    params = request.get("params")
    if request.get("method") != "initialize" or "id" not in request or not isinstance(params, dict):
        return None
    if not isinstance(params.get("capabilities"), dict):
        return None
    client = params["capabilities"]
    capabilities = {**CAPABILITIES, "positionEncoding": encoding_for(client)}
    document = client.get("textDocument")
    sync = document.get("synchronization") if isinstance(document, dict) else None
    sync = sync if isinstance(sync, dict) else {}
    saves = {key: False for key in ("willSave", "willSaveWaitUntil") if sync.get(key)}  # asked for, not provided
    if saves:
        capabilities["textDocumentSync"] = {**capabilities["textDocumentSync"], **saves}
    result = {"capabilities": capabilities, "serverInfo": {"name": NAME, "version": __version__}}
    body = json.dumps({"jsonrpc": "2.0", "id": request["id"], "result": result}).encode()
    return b"Content-Length: %d\r\n\r\n%s" % (len(body), body)


class Replay:
    """stdin for the server: the bytes already read, then the real stream."""

    def __init__(self, head: bytes, stream: IO[bytes]) -> None:
        self._head = head
        self._stream = stream

    def readline(self) -> bytes:
        if not self._head:
            return self._stream.readline()
        line, sep, rest = self._head.partition(b"\n")
        self._head = rest
        return line + sep if sep else line + self._stream.readline()

    def read(self, n: int = -1) -> bytes:
        """At most ``n`` bytes: what is left of the head, else one read of the stream (the frame reader's contract:
        it never waits for more than some bytes)."""
        if not self._head:
            return self._stream.read(n)
        taken, self._head = (self._head, b"") if n < 0 else (self._head[:n], self._head[n:])
        return taken


class HoldBack:
    """stdout for the server: every message passes, except its own answer to the initialize already answered."""

    def __init__(self, stream: IO[bytes], request_id: object) -> None:
        self._stream = stream
        self._id = request_id

    def write(self, data: bytes) -> int:
        if self._id is not None and self._answers(data):
            self._id = None
            return len(data)
        return self._stream.write(data)

    def _answers(self, data: bytes) -> bool:
        _, _, body = data.partition(b"\r\n\r\n")
        try:
            message = json.loads(body)
        except ValueError:
            return False
        if not isinstance(message, dict) or message.get("id") != self._id or "method" in message:
            return False
        if "error" in message:  # answered already: the client can only be told in the log
            sys.stderr.write(f"trace-advisor-lsp: initialize failed after it was answered: {message['error']}\n")
        return True

    def flush(self) -> None:
        self._stream.flush()

    def close(self) -> None:
        self._stream.close()


def main(argv: list[str]) -> int:
    """Serve the protocol on stdin/stdout; ``--stdio`` (added by vscode-languageclient) is accepted and ignored."""
    import argparse

    parser = argparse.ArgumentParser(
        prog=NAME, description="The trace-advisor language server (LSP over stdin/stdout)."
    )
    parser.add_argument("--stdio", action="store_true", help="use stdin/stdout (the default and only transport)")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.parse_args(argv)
    loader = threading.Thread(target=_load, name="trace-advisor-load", daemon=True)
    loader.start()
    # stdin unbuffered: every byte read is in ``head`` (nothing hides in a buffer), a read returns what has arrived,
    # and the reading thread holds no buffer lock that would abort the interpreter at exit
    stdin, stdout = cast(BinaryIO, os.fdopen(sys.stdin.fileno(), "rb", buffering=0, closefd=False)), sys.stdout.buffer
    head, request = read_message(stdin)
    try:
        reply = answer(request) if request is not None else None
    except Exception:  # noqa: BLE001 - an odd request is the server's to answer (or reject)
        reply = None
    if reply is not None:
        stdout.write(reply)
        stdout.flush()
        start_prefill(folders(request))
    loader.join()
    from trace_advisor_lsp.app import serve

    writer = HoldBack(stdout, request["id"]) if reply is not None and request is not None else stdout
    # pygls reads with readline()/read(n) and writes with write()/flush(): what Replay and HoldBack provide
    return serve(cast(BinaryIO, Replay(head, stdin)), cast(BinaryIO, writer))


def folders(request: dict[str, Any] | None) -> list[str]:
    """The local folders an initialize request names (workspace folders, else the root), as paths."""
    params = request.get("params") if isinstance(request, dict) else None
    if not isinstance(params, dict):
        return []
    named = params.get("workspaceFolders")
    uris = [f.get("uri") for f in named if isinstance(f, dict)] if isinstance(named, list) else []
    if not uris:
        uris = [params.get("rootUri")]
    paths = [_file_path(uri) for uri in uris if isinstance(uri, str)]
    if not any(paths) and isinstance(params.get("rootPath"), str):
        paths = [params["rootPath"]]
    return [path for path in paths if path and os.path.isdir(path)]


def _file_path(uri: str) -> str | None:
    parsed = urlparse(uri)
    return unquote(parsed.path) if parsed.scheme == "file" and not parsed.netloc else None


def start_prefill(roots: list[str]) -> subprocess.Popen[bytes] | None:
    """Start filling the facts cache for ``roots`` in a second process (see the module's docstring); it is waited
    for on a thread and stopped when this process exits. Any failure to start only costs the head start."""
    if not roots:
        return None
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "trace_advisor.prefill", "--parent", str(os.getpid()), "--", *roots],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    except OSError:
        return None
    threading.Thread(target=process.wait, name="trace-advisor-prefill", daemon=True).start()
    atexit.register(_stop, process)
    return process


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.kill()


def _load() -> None:
    """Import what the server needs (the main thread meanwhile answers initialize); errors surface in ``main``."""
    try:
        import trace_advisor_lsp.app  # noqa: F401
    except BaseException:  # noqa: BLE001 - main imports it again and reports the error
        pass
