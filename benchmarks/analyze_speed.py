"""Throughput of ``analyze`` over the standard library, and its cost relative to plain indexing.

Indexes the running interpreter's standard library (``Lib/``, without tests, site-packages and idlelib) with the
facts cache off, then runs the analysis facade over every indexed file. Prints files/s and lines/s of each phase
and each phase's time as a ratio to plain ``ast.parse`` of the same files (the baseline), measured in the same
process.

    .venv/bin/python benchmarks/analyze_speed.py            # whole stdlib
    .venv/bin/python benchmarks/analyze_speed.py --limit 300  # first 300 files (quick look)
"""

from __future__ import annotations

import argparse
import ast
import shutil
import sysconfig
import tempfile
import time
from pathlib import Path

from trace_advisor.analysis import analyze
from trace_advisor.config import default_config
from trace_advisor.index import Index

SKIP = ("test", "tests", "idlelib", "site-packages", "lib2to3", "__pycache__", "turtledemo", "ensurepip")


def stdlib_copy(limit: int | None, target: Path) -> list[Path]:
    """Copy the stdlib's .py files (minus tests) into ``target`` so the index sees one workspace root."""
    source = Path(sysconfig.get_paths()["stdlib"])
    files = sorted(p for p in source.rglob("*.py") if not set(p.relative_to(source).parts) & set(SKIP))
    if limit:
        files = files[:limit]
    for path in files:
        dest = target / path.relative_to(source)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, dest)
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="only the first N files")
    args = parser.parse_args()
    config = default_config()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "stdlib"
        files = stdlib_copy(args.limit, root)
        texts = [p.read_text(encoding="utf-8", errors="replace") for p in files]
        lines = sum(len(text.splitlines()) for text in texts)

        start = time.perf_counter()
        for text in texts:
            try:
                ast.parse(text)
            except SyntaxError:  # a few stdlib files are test data: the index reports them as problems
                pass
        parsed = time.perf_counter() - start

        start = time.perf_counter()
        index = Index.from_config(config, [root], use_cache=False)
        index.build()
        index.graph().entry_points()  # the call graph the analysis uses, resolved here so indexing pays for it
        indexed = time.perf_counter() - start

        start = time.perf_counter()
        result = analyze(index, config)
        analysed = time.perf_counter() - start

    count = len(files)
    print(f"standard library: {count} files, {lines} lines")
    print(
        f"indexing (parse + facts + call graph): {indexed:7.2f}s  {count / indexed:8.1f} files/s  "
        f"{lines / indexed:10.0f} lines/s"
    )
    print(
        f"analyze (detectors + local scorer):   {analysed:7.2f}s  {count / analysed:8.1f} files/s  "
        f"{lines / analysed:10.0f} lines/s"
    )
    print(f"baseline ast.parse of the same files: {parsed:7.2f}s")
    print(f"indexing / ast.parse: {indexed / parsed:.2f}x   analyze / ast.parse: {analysed / parsed:.2f}x")
    print(f"analyze / indexing time ratio: {analysed / indexed:.2f}x")
    print(
        f"recommendations: {len(result.recommendations)}, problems: {len(result.problems)}, "
        f"files analysed: {result.files_analysed}"
    )


if __name__ == "__main__":
    main()
