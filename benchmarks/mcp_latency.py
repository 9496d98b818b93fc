"""What an agent waits for: the latency of ``trace-advisor mcp`` tool calls over stdio, with shipped defaults.

Copies a project (default: examples/) to a temporary folder, starts ``trace-advisor mcp`` on it with the MCP SDK's
client, and times: the start (process, SDK import, handshake), the first ``recommend(["."])`` (it waits for the
background index), a second one (the index kept between calls), one after an edit to one file, ``callers`` and
``callees`` of the first recommendation, and its ``preview_span``. It does so twice: with an empty facts cache
(cold) and again with the cache the first run filled (warm). Each figure is also given as a ratio to plain
``ast.parse`` of the same files, measured in this process.

    .venv/bin/python benchmarks/mcp_latency.py                 # examples/
    .venv/bin/python benchmarks/mcp_latency.py /path/to/project
"""

from __future__ import annotations

import argparse
import ast
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import anyio
from mcp import Client
from mcp.client.stdio import StdioServerParameters

REPO = Path(__file__).resolve().parent.parent
SKIP = shutil.ignore_patterns("__pycache__", ".git", ".venv", "venv", "node_modules")


def parse_seconds(root: Path) -> tuple[int, int, float]:
    """Files, lines and the seconds plain ``ast.parse`` takes over the project's Python files."""
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in sorted(root.rglob("*.py"))]
    start = time.perf_counter()
    for text in texts:
        try:
            ast.parse(text)
        except SyntaxError:
            pass
    return len(texts), sum(len(t.splitlines()) for t in texts), time.perf_counter() - start


async def one_run(root: Path, cache: Path) -> list[tuple[str, float]]:
    env = {**os.environ, "TRACE_ADVISOR_CACHE_DIR": str(cache)}
    params = StdioServerParameters(command=sys.executable, args=["-m", "trace_advisor", "mcp", str(root)], env=env)
    timings: list[tuple[str, float]] = []

    async def timed(label: str, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        start = time.perf_counter()
        result = await client.call_tool(name, arguments)
        timings.append((label, time.perf_counter() - start))
        if result.is_error or result.structured_content is None:
            raise SystemExit(f"{name} failed: {result.content}")
        return result.structured_content

    start = time.perf_counter()
    async with Client(params, read_timeout_seconds=1800) as client:
        await client.list_tools()
        timings.append(("start (process, SDK, handshake)", time.perf_counter() - start))
        report = await timed("recommend, first call", "recommend", {"paths": ["."]})
        await timed("recommend, again", "recommend", {"paths": ["."]})
        if not report["recommendations"]:
            return timings
        top = report["recommendations"][0]
        edited = root / top["file"]
        edited.write_text(edited.read_text(encoding="utf-8") + "\n\ndef _added_by_the_benchmark():\n    return 1\n")
        await timed("recommend after editing one file", "recommend", {"paths": ["."]})
        await timed("callers, first call (whole graph)", "callers", {"symbol": top["symbol"]})
        await timed("callers, again", "callers", {"symbol": top["symbol"]})
        await timed("callees", "callees", {"symbol": top["symbol"]})
        await timed("preview_span", "preview_span", {"symbol": top["symbol"]})
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", nargs="?", type=Path, default=REPO / "examples")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "cache"
        results = {}
        for run in ("cold", "warm"):
            root = Path(tmp) / run / args.project.resolve().name
            shutil.copytree(args.project, root, ignore=SKIP, symlinks=True)
            results[run] = anyio.run(one_run, root, cache)
        files, lines, parsed = parse_seconds(root)
    print(f"{args.project}: {files} files, {lines} lines; ast.parse of all of them: {parsed * 1000:.0f} ms")
    print(f"{'':40} {'cold cache':>20} {'warm cache':>20}")
    for (label, cold), (_, warm) in zip(results["cold"], results["warm"], strict=True):
        print(f"{label:40} {cold * 1000:8.0f} ms {cold / parsed:7.1f}x {warm * 1000:8.0f} ms {warm / parsed:7.1f}x")


if __name__ == "__main__":
    main()
