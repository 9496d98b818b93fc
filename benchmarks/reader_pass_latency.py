"""A request answered while an interface edit's readers are resolved again, over stdio with the shipped settings.

Workspace: the copy of the standard library's ``email/`` and ``json/`` that ``lsp_speed.py`` makes, with
``email/_header_value_parser.py`` and ``email/errors.py`` open. Once the folder is indexed and its whole graph
resolved (one callers question), ``class HeaderParseError(`` in errors.py is renamed, then renamed back, ``--edits``
times: an interface edit every module of the workspace is resolved again after (a class went or came: its importers,
transitively). ``--after`` ms after each edit (the edit's refresh is re-resolving them by then), the client asks for
prepareCallHierarchy + outgoingCalls of a function of the 3,000-line parser, and the time until answered is recorded
(p50/p95/max), also as a ratio to ``ast.parse`` of that file in this process. Before the re-resolution was a pass of its
own, the refresh's first callers question resolved every module under one lock hold, and the request waited for all
of it; the pass releases the lock between modules and gives way to requests.

    .venv/bin/python benchmarks/reader_pass_latency.py [--edits N] [--after MS]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time

from lsp_speed import (
    Client,
    attach,
    def_positions,
    first_function,
    ms,
    outgoing_of,
    pct,
    server_environment,
    stdlib_workspace,
    timeit_parse,
    wait_version,
)
from lsprotocol import types

OLD, NEW = "class HeaderParseError(", "class HeaderParseErr("


async def run(edits: int, after_ms: float) -> None:
    root, file = stdlib_workspace()
    errors = root / "email" / "errors.py"
    texts = {path: path.read_text() for path in (file, errors)}
    baseline = min(timeit_parse(texts[file]) for _ in range(5))
    client = Client()
    attach(client)
    env = {**server_environment(), "TRACE_ADVISOR_CACHE_DIR": tempfile.mkdtemp(prefix="reader-pass-cache-")}
    await client.start_io(sys.executable, "-m", "trace_advisor_lsp", env=env)
    await client.initialize_async(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(window=types.WindowClientCapabilities(work_done_progress=True)),
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name=root.name)],
        )
    )
    client.initialized(types.InitializedParams())
    for path, text in texts.items():
        item = types.TextDocumentItem(uri=path.as_uri(), language_id="python", version=1, text=text)
        client.text_document_did_open(types.DidOpenTextDocumentParams(item))
    await asyncio.wait_for(client.ready.wait(), 900)
    await wait_version(client, file.as_uri(), 1, 120)
    positions = def_positions(texts[file])
    probe = positions[len(positions) // 2]
    _, callee_at = first_function(texts[file])
    doc = types.TextDocumentIdentifier(file.as_uri())
    items = await client.text_document_prepare_call_hierarchy_async(types.CallHierarchyPrepareParams(doc, callee_at))
    assert items, "no call hierarchy item"
    await client.call_hierarchy_incoming_calls_async(types.CallHierarchyIncomingCallsParams(item=items[0]))
    took = []
    for version in range(2, edits + 2):
        text = texts[errors] if version % 2 else texts[errors].replace(OLD, NEW, 1)
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                types.VersionedTextDocumentIdentifier(uri=errors.as_uri(), version=version),
                [types.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )
        await asyncio.sleep(after_ms / 1000)
        sent = time.perf_counter()
        assert await outgoing_of(client, file.as_uri(), probe) is not None
        took.append(time.perf_counter() - sent)
        await asyncio.sleep(1.0)  # the edit's refresh and its readers' are done before the next edit
    await client.shutdown_async(None)
    client.exit(None)
    p95 = pct(took, 0.95)
    print(f"baseline: ast.parse of {file.name} {ms(baseline)}")
    print(
        f"prepare + outgoingCalls {after_ms:.0f} ms after an edit of errors.py: p50 {ms(pct(took, 0.5))} p95 {ms(p95)} "
        f"max {ms(max(took))}  (p95 = {p95 / baseline:.1f}x ast.parse; n={len(took)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--after", type=float, default=80, help="ms between an edit and the request (default 80)")
    args = parser.parse_args()
    asyncio.run(run(args.edits, args.after))


if __name__ == "__main__":
    main()
