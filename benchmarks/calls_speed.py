"""Whole-workspace ``trace-advisor calls`` as a user runs it, cold and warm, against plain ``ast.parse``.

The figure the call-graph issue sets: ``trace-advisor calls PATH -o FILE`` (a new process: start-up, index, resolve
every call site, write the JSON graph) on the standard library, with an empty facts cache (cold) and again with the
cache that run filled (warm), each as a ratio to ``ast.parse`` of the same files (read + parse, in this process)
timed right before it, so that a shared machine's load moves both. Several rounds; the minimum and the median of each
ratio are printed (the minimum is the code's cost, the median what a busy machine gives), wall time and CPU time (the
child's user + system time: what it costs on one idle core).

    .venv/bin/python benchmarks/calls_speed.py [--root DIR] [--rounds 3] [--workers 1,2] [--against OTHER/core]

``--workers 1,2`` runs each round once per number of parsing processes (``calls --workers N``; default: the CLI's
own choice); ``--against DIR`` also runs the ``trace_advisor`` found in DIR (another checkout's ``core``: main, to
compare a change; with its own choice of processes), alternating with this one within each round (in reverse order
every other round), so that both see the same load.

Targets (the issue): cold <= 2.5x, warm <= 0.8x, peak RSS <= 450 MB (each run's, from ``wait4``: its largest process).
Also printed: whether each warm run wrote the cold run's graph byte for byte (it must), and the cache's size on disk
(facts and resolved graphs).
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import os
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

from trace_advisor.workspace import Workspace

HERE = Path(__file__).resolve().parents[1] / "core"


def parse_all(files: list[Path]) -> tuple[float, float]:
    """Wall and CPU seconds of reading and parsing every file."""
    wall, cpu = time.perf_counter(), time.process_time()
    for path in files:
        try:
            ast.parse(path.read_bytes())
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            pass
    return time.perf_counter() - wall, time.process_time() - cpu


def run_calls(
    root: Path, cache: Path, output: Path, core: Path = HERE, workers: int | None = None
) -> tuple[float, float, float]:
    """Wall and CPU seconds (the child's, its worker processes' included) of one ``trace-advisor calls`` run (the
    ``trace_advisor`` package in ``core``), and its peak RSS in MB (of the largest of its processes: the run's own)."""
    env = {k: v for k, v in os.environ.items() if k != "TRACE_ADVISOR_WORKERS"}
    env.update(TRACE_ADVISOR_CACHE_DIR=str(cache), PYTHONPATH=str(core))
    command = [sys.executable, "-m", "trace_advisor", "calls", str(root), "-o", str(output)]
    command += [] if workers is None else ["--workers", str(workers)]
    wall = time.perf_counter()
    child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - wall
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise subprocess.CalledProcessError(child.returncode, child.args)
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path(sysconfig.get_paths()["stdlib"]))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", help="comma-separated numbers of parsing processes, each run in every round")
    parser.add_argument("--against", type=Path, metavar="DIR", help="another checkout's core folder, run in turn")
    args = parser.parse_args()
    counts: list[int | None] = [int(n) for n in args.workers.split(",")] if args.workers else [None]
    cores = [("this", HERE)] + ([("other", args.against.resolve())] if args.against else [])
    # the other checkout runs with its own choice of processes (main has no --workers)
    variants = [(f"this{'' if n is None else f' w={n}'}", HERE, n) for n in counts] + [
        (n, c, None) for n, c in cores[1:]
    ]
    files = list(Workspace([args.root], site=[]).discover())
    lines = sum(p.read_bytes().count(b"\n") for p in files)
    print(f"workspace: {args.root}  files: {len(files)}  lines: {lines:,}  rounds: {args.rounds}")
    for name, core in cores:
        print(f"{name}: {core}")
    ratios: dict[tuple[str, str], list[tuple[float, float]]] = {}
    peaks: dict[tuple[str, str], list[float]] = {}
    outputs: dict[str, set[bytes]] = {"cold": set(), "warm": set()}
    with tempfile.TemporaryDirectory() as scratch:
        for round_ in range(args.rounds):
            # alternate: even rounds run the variants in order, odd ones in reverse (each sees the other's load)
            for number, (label, core, workers) in enumerate(variants if round_ % 2 == 0 else variants[::-1]):
                cache = Path(scratch) / f"cache{round_}-{number}"
                for phase in ("cold", "warm"):
                    output = Path(scratch) / f"calls.{phase}.json"
                    base_wall, base_cpu = parse_all(files)
                    wall, cpu, peak = run_calls(args.root, cache, output, core, workers)
                    ratios.setdefault((label, phase), []).append((wall / base_wall, cpu / base_cpu))
                    peaks.setdefault((label, phase), []).append(peak)
                    outputs[phase].add(hashlib.sha256(output.read_bytes()).digest())
                    print(
                        f"round {round_ + 1} {label:<12} {phase}: {wall:6.2f} s wall ({wall / base_wall:4.2f}x)"
                        f"  {cpu:6.2f} s cpu ({cpu / base_cpu:4.2f}x)   ast.parse {base_wall:5.2f} s"
                        f"   peak RSS {peak:4.0f} MB",
                        flush=True,
                    )
                sizes = {part: _size(folder) for part in ("facts", "graphs") for folder in cache.glob(f"*/{part}")}
    # every run (cold or warm, any variant, any number of processes) wrote the same graph, byte for byte
    same = len(outputs["cold"] | outputs["warm"]) == 1
    print(f"every run wrote the same graph: {'yes' if same else 'NO'}")
    print("cache on disk: " + ", ".join(f"{part} {size / 1e6:.1f} MB" for part, size in sizes.items()))
    for label, _, _ in variants:
        for phase, target in (("cold", 2.5), ("warm", 0.8)):
            walls = [w for w, _ in ratios[(label, phase)]]
            cpus = [c for _, c in ratios[(label, phase)]]
            print(
                f"{label:<12} {phase:<5} / ast.parse: wall min {min(walls):4.2f}x"
                f" median {statistics.median(walls):4.2f}x;"
                f"  cpu min {min(cpus):4.2f}x median {statistics.median(cpus):4.2f}x   (target <= {target}x)"
                f"   peak RSS max {max(peaks[(label, phase)]):4.0f} MB (target <= 450)"
            )


def _size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


if __name__ == "__main__":
    main()
