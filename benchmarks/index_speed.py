"""Indexing speed on a large real corpus: the running Python's standard library plus one large installed package.

Prints files, lines, and for each phase its wall and CPU time and the ratio to plain ``ast.parse`` of the same
files measured in the same process (the baseline also reads the bytes, like the index does):

- cold: ``Index.build()`` with an empty facts cache (read, hash, parse, extract facts, write the cache)
- warm: ``Index.build()`` again in a new index with the cache filled
- graph: resolving every call site of the workspace (``graph().callers(...)`` forces all of it)
- update: ``update_file(path, text)`` followed by ``graph().callees(...)`` for many files, p50/p95, for an edit
  inside a top-level definition (re-parses only that definition) and one that changes the module's interface (a
  new module-level function: a full re-parse, and its importers are re-resolved lazily)
- peak memory: the process's peak resident set size

Targets: cold <= 2.5x parse, warm <= 0.3x parse, update p95 <= 30 ms.

    .venv/bin/python benchmarks/index_speed.py                 # stdlib + pip (with its vendored libraries)
    .venv/bin/python benchmarks/index_speed.py --package botocore --samples 500
    .venv/bin/python benchmarks/index_speed.py --workers 1    # the cold index parsed in this process only
"""

from __future__ import annotations

import argparse
import ast
import gc
import importlib.util
import random
import resource
import sysconfig
import tempfile
import time
from pathlib import Path

from trace_advisor.index import Index
from trace_advisor.workspace import Workspace


def _cpu() -> float:
    """CPU seconds of this process and of its children that ended (a cold index's worker processes: facts_pool)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


class Clock:
    """Wall and CPU time of one phase (the CPU time of the worker processes it ran included)."""

    def __init__(self) -> None:
        self.wall = self.cpu = 0.0

    def __enter__(self) -> Clock:
        self._wall, self._cpu = time.perf_counter(), _cpu()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall += time.perf_counter() - self._wall
        self.cpu += _cpu() - self._cpu


def package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"package {name!r} is not installed in this environment")
    return Path(next(iter(spec.submodule_search_locations)))


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package", default="pip", help="the large installed package added to the stdlib")
    parser.add_argument("--samples", type=int, default=300, help="files edited for the update figures")
    parser.add_argument(
        "--workers", type=int, help="processes parsing the cold index (calls --workers; default: facts_pool decides)"
    )
    args = parser.parse_args()
    roots = [Path(sysconfig.get_paths()["stdlib"]), package_dir(args.package)]
    files = Workspace(roots, site=[]).discover()
    lines = 0
    baseline = Clock()
    for path in files:
        with baseline:
            data = path.read_bytes()
            try:
                ast.parse(data)
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                pass
        lines += data.count(b"\n")
    print(f"corpus: {', '.join(map(str, roots))}")
    print(f"files: {len(files)}  lines: {lines:,}")
    row("ast.parse (baseline)", baseline, baseline)

    with tempfile.TemporaryDirectory() as cache:
        cold = Clock()
        with cold:
            Index(roots, cache_dir=Path(cache), workers=args.workers).build()
        gc.unfreeze()  # the cold index is garbage now; measure the warm one on its own
        gc.collect()
        warm = Clock()
        with warm:
            index = Index(roots, cache_dir=Path(cache))
            index.build()
        graph = Clock()
        with graph:
            index.graph().callers("json:dumps")
        edges = sum(len(calls.edges) for m in index.files() if (calls := index.module_calls(_module(index, m))))
        row("cold index", cold, baseline, "target <= 2.5x")
        row("warm index (cache)", warm, baseline, "target <= 0.3x")
        row("graph (all call sites)", graph, baseline, f"{edges:,} calling symbols")
        print(f"problems reported: {len(index.problems)}")

        random.seed(7)
        sample = random.sample(list(index.files()), min(args.samples, len(index.files())))
        for label, edit in (("body edit", _body_edit), ("interface edit", _interface_edit)):
            times: list[float] = []
            cpu: list[float] = []
            for path in sample:
                text = index.source(path)
                module = _module(index, path)
                if text is None:
                    continue
                start, start_cpu = time.perf_counter(), time.process_time()
                facts = index.facts(path)
                index.update_file(path, edit(text, facts.top_level if facts else ()))
                index.graph().callees(f"{module}:<module>")
                times.append((time.perf_counter() - start) * 1000)
                cpu.append((time.process_time() - start_cpu) * 1000)
                index.update_file(path, None)  # back to the file on disk
            print(
                f"single-file update ({label}, {len(times)} files): wall p50 {percentile(times, 0.5):.1f} ms"
                f"  p95 {percentile(times, 0.95):.1f} ms  max {max(times):.1f} ms;"
                f"  cpu p50 {percentile(cpu, 0.5):.1f} ms  p95 {percentile(cpu, 0.95):.1f} ms  (target p95 <= 30 ms)"
            )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (max RSS of this process): {peak:.0f} MB")


def _body_edit(text: str, top_level: tuple[tuple[int, int], ...]) -> str:
    """What typing does most: change a line inside a top-level definition (here: a comment at its last line)."""
    lines = text.split("\n")
    spans = [
        (start, end) for start, end in top_level if lines[start - 1].lstrip().startswith(("def", "async", "class"))
    ]
    if not spans:
        return text + "\n# edited\n"
    _, end = spans[len(spans) // 2]
    lines[end - 1] += "  # edited"
    return "\n".join(lines)


def _interface_edit(text: str, top_level: tuple[tuple[int, int], ...]) -> str:
    """A new module-level function: the module's interface changes, so its importers are re-resolved."""
    return text + "\ndef added_by_benchmark():\n    pass\n"


def _module(index: Index, path: Path) -> str:
    module = index.module_for_path(path)
    assert module is not None
    return module


def row(label: str, clock: Clock, baseline: Clock, note: str = "") -> None:
    print(
        f"{label:<24} wall {clock.wall:7.2f} s ({clock.wall / baseline.wall:5.2f}x)"
        f"   cpu {clock.cpu:7.2f} s ({clock.cpu / baseline.cpu:5.2f}x)   {note}"
    )


if __name__ == "__main__":
    main()
