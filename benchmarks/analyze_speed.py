"""Throughput of ``analyze`` over the standard library, and its cost relative to plain indexing; or, with
``--project``, a cold and a warm ``analyze`` of one project as the CLI runs it.

Indexes the running interpreter's standard library (``Lib/``, without tests, site-packages and idlelib) with the
facts cache off, then runs the analysis facade over every indexed file. Prints files/s and lines/s of each phase
and each phase's time as a ratio to plain ``ast.parse`` of the same files (the baseline), measured in the same
process.

With ``--project PATH``: ``trace-advisor analyze PATH --format json`` (the CLI's entry point, run in this process),
first with an empty facts cache (cold), then again on the cache the cold run filled (warm), each as CPU and wall
time and as a ratio to plain ``ast.parse`` of the files it analysed, in the same process; and how many times each
file was parsed (one parse per module: the ``compile`` audit events of the project's files; a file in syntax newer
than the running Python's is compiled twice in its one parse: the attempt that fails, then its rewrite).

    .venv/bin/python benchmarks/analyze_speed.py            # whole stdlib
    .venv/bin/python benchmarks/analyze_speed.py --limit 300  # first 300 files (quick look)
    .venv/bin/python benchmarks/analyze_speed.py --project /path/to/project
    .venv/bin/python benchmarks/analyze_speed.py --project /path/to/project --subprocess --runs 2

With ``--subprocess``: each run is ``python -m trace_advisor analyze PATH --format json`` in its own process (what a
user pays, imports included), cold on an empty ``$TRACE_ADVISOR_CACHE_DIR`` then warm on the cache it filled, its CPU
(user + system, from the child's rusage) as a ratio to plain ``ast.parse`` of the workspace's files measured in this
process around the runs (the lower of two timings); ``--runs N`` repeats the cold/warm pair.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import io
import json
import os
import resource
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from trace_advisor import cli
from trace_advisor.analysis import analyze
from trace_advisor.config import default_config
from trace_advisor.downlevel import downlevel
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


class Parses:
    """How many times each file under ``root`` was compiled or parsed (``compile`` audit events; ``ast.parse``
    compiles), while counting."""

    def __init__(self, root: Path) -> None:
        self.root = str(root)
        self.counts: Counter[str] = Counter()
        self.counting = False
        sys.addaudithook(self._hook)

    def _hook(self, event: str, args: tuple[object, ...]) -> None:
        if self.counting and event == "compile" and isinstance(args[1], str) and args[1].startswith(self.root):
            self.counts[args[1]] += 1

    def during(self, run: Callable[[], object]) -> tuple[float, float, Counter[str]]:
        """CPU and wall seconds of ``run()`` and the parses it made per file."""
        self.counts = Counter()
        self.counting = True
        cpu, wall = time.process_time(), time.perf_counter()
        try:
            run()
        finally:
            self.counting = False
        return time.process_time() - cpu, time.perf_counter() - wall, self.counts


def project(path: Path) -> None:
    """Cold and warm ``trace-advisor analyze PATH`` (the CLI, in this process), against ``ast.parse`` of the files it
    analysed."""
    path = path.resolve()
    parses = Parses(path)
    with tempfile.TemporaryDirectory() as scratch:
        os.environ["TRACE_ADVISOR_CACHE_DIR"] = str(Path(scratch) / "cache")
        report = Path(scratch) / "report.json"
        argv = ["analyze", str(path), "--format", "json", "--quiet", "--output", str(report)]
        with contextlib.redirect_stderr(io.StringIO()):  # the files' problems, as the CLI prints them
            cold = parses.during(lambda: cli.main(argv))
            warm = parses.during(lambda: cli.main(argv))
        recommendations = len(json.loads(report.read_text())["recommendations"])
    files = sorted(Path(name) for name in cold[2])  # the files the analysis read: those it parsed
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in files]
    lines = sum(len(text.splitlines()) for text in texts)
    texts = [_readable(text) for text in texts]
    cpu, wall = time.process_time(), time.perf_counter()
    for text in texts:
        ast.parse(text)
    parsed = (time.process_time() - cpu, time.perf_counter() - wall)
    print(f"{path}: {len(files)} files analysed, {lines} lines, {recommendations} recommendations")
    print(f"baseline ast.parse of the same files: {parsed[0]:6.2f}s CPU {parsed[1]:6.2f}s wall")
    for name, (spent, took, counts) in (("cold", cold), ("warm", warm)):
        twice = sum(1 for n in counts.values() if n > 1)
        print(
            f"analyze {name}: {spent:6.2f}s CPU {took:6.2f}s wall   {spent / parsed[0]:5.1f}x ast.parse (CPU)"
            f"   {sum(counts.values())} compiles of {len(counts)} files, {twice} files more than once"
        )


def project_subprocess(path: Path, runs: int) -> None:
    """Cold and warm ``trace-advisor analyze PATH`` each in a fresh process, against ``ast.parse`` of the workspace's
    files timed in this process before and after the runs."""
    path = path.resolve()
    index = Index.from_config(default_config(), [path], use_cache=False)
    index.register()
    texts = [_readable(p.read_text(encoding="utf-8", errors="replace")) for p in index.files()]
    lines = sum(len(text.splitlines()) for text in texts)
    baseline = [_parse_cpu(texts)]
    timings: list[tuple[str, float, float]] = []
    with tempfile.TemporaryDirectory() as scratch:
        for run in range(runs):
            env = dict(os.environ, TRACE_ADVISOR_CACHE_DIR=str(Path(scratch) / f"cache{run}"))
            report = Path(scratch) / "report.json"
            argv = [sys.executable, "-m", "trace_advisor", "analyze", str(path), "--format", "json", "--quiet"]
            for name in ("cold", "warm"):
                timings.append((name, *_child_cpu(argv + ["--output", str(report)], env)))
        recommendations = len(json.loads(report.read_text())["recommendations"])
    baseline.append(_parse_cpu(texts))
    parsed = min(baseline)
    print(f"{path}: {len(texts)} files, {lines} lines, {recommendations} recommendations")
    print(f"baseline ast.parse of the same files: {parsed:6.2f}s CPU (timings {baseline[0]:.2f}, {baseline[1]:.2f})")
    for name, spent, took in timings:
        print(f"analyze {name} (own process): {spent:6.2f}s CPU {took:6.2f}s wall   {spent / parsed:5.1f}x ast.parse")


def _parse_cpu(texts: list[str]) -> float:
    cpu = time.process_time()
    for text in texts:
        ast.parse(text)
    return time.process_time() - cpu


def _child_cpu(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """CPU (user + system) and wall seconds of running ``argv`` to completion."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.perf_counter()
    subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    took = time.perf_counter() - wall
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, took


def _readable(text: str) -> str:
    """``text``, or for syntax newer than this Python's its rewrite the analysis parses (so that the baseline parses
    the whole of every file, not up to its first newer line)."""
    try:
        ast.parse(text)
    except SyntaxError:
        rewritten = downlevel(text)
        if rewritten is not None:
            return rewritten.text
        raise
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="only the first N files")
    parser.add_argument("--project", type=Path, default=None, help="cold and warm analyze of this project instead")
    parser.add_argument("--subprocess", action="store_true", help="with --project: each run in its own process")
    parser.add_argument("--runs", type=int, default=1, help="with --subprocess: cold/warm pairs to run")
    args = parser.parse_args()
    if args.project is not None and args.subprocess:
        project_subprocess(args.project, args.runs)
        return
    if args.project is not None:
        project(args.project)
        return
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
