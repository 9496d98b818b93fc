"""Whole-workspace ``trace-advisor calls`` as a user runs it, cold and warm, against plain ``ast.parse``.

The figure the call-graph issue sets: ``trace-advisor calls PATH -o FILE`` (a new process: start-up, index, resolve
every call site, write the JSON graph) on the standard library, with an empty facts cache (cold) and again with the
cache that run filled (warm), each as a ratio to ``ast.parse`` of the same files (read + parse, in this process)
timed right before it, so that a shared machine's load moves both. Several rounds; the minimum and the median of each
ratio are printed (the minimum is the code's cost, the median what a busy machine gives), wall time and CPU time (the
child's user + system time: what it costs on one idle core).

    .venv/bin/python benchmarks/calls_speed.py [--root DIR] [--rounds 3]

Targets (the issue): cold <= 2.5x, warm <= 0.8x, peak RSS <= 450 MB (each run's, from ``wait4``: its largest process).
Also printed: whether each warm run wrote the cold run's graph byte for byte (it must), and the cache's size on disk
(facts and resolved graphs).
"""

from __future__ import annotations

import argparse
import ast
import os
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

from trace_advisor.workspace import Workspace

CLI = Path(sys.executable).with_name("trace-advisor")


def parse_all(files: list[Path]) -> tuple[float, float]:
    """Wall and CPU seconds of reading and parsing every file."""
    wall, cpu = time.perf_counter(), time.process_time()
    for path in files:
        try:
            ast.parse(path.read_bytes())
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            pass
    return time.perf_counter() - wall, time.process_time() - cpu


def run_calls(root: Path, cache: Path, output: Path) -> tuple[float, float, float]:
    """Wall and CPU seconds (the child's, its worker processes' included) of one ``trace-advisor calls`` run, and its
    peak RSS in MB (of the largest of its processes: the run's own)."""
    env = {**os.environ, "TRACE_ADVISOR_CACHE_DIR": str(cache)}
    wall = time.perf_counter()
    child = subprocess.Popen([str(CLI), "calls", str(root), "-o", str(output)], env=env, stdout=subprocess.DEVNULL)
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
    args = parser.parse_args()
    files = list(Workspace([args.root], site=[]).discover())
    lines = sum(p.read_bytes().count(b"\n") for p in files)
    print(f"workspace: {args.root}  files: {len(files)}  lines: {lines:,}  rounds: {args.rounds}")
    ratios: dict[str, list[tuple[float, float]]] = {"cold": [], "warm": []}
    seconds: dict[str, list[float]] = {"cold": [], "warm": [], "ast.parse": []}
    peaks: dict[str, list[float]] = {"cold": [], "warm": []}
    differ = 0
    with tempfile.TemporaryDirectory() as scratch:
        output = Path(scratch) / "calls.json"
        for round_ in range(args.rounds):
            cache = Path(scratch) / f"cache{round_}"
            for phase in ("cold", "warm"):
                base_wall, base_cpu = parse_all(files)
                wall, cpu, peak = run_calls(args.root, cache, output.with_suffix(f".{phase}.json"))
                peaks[phase].append(peak)
                seconds["ast.parse"].append(base_wall)
                seconds[phase].append(wall)
                ratios[phase].append((wall / base_wall, cpu / base_cpu))
                print(
                    f"round {round_ + 1} {phase}: {wall:6.2f} s wall ({wall / base_wall:4.2f}x)"
                    f"  {cpu:6.2f} s cpu ({cpu / base_cpu:4.2f}x)   ast.parse {base_wall:5.2f} s"
                    f"   peak RSS {peak:4.0f} MB"
                )
            # the warm run (facts and resolved graph from the cache) writes what the cold run wrote, byte for byte
            differ += output.with_suffix(".cold.json").read_bytes() != output.with_suffix(".warm.json").read_bytes()
            sizes = {part: _size(folder) for part in ("facts", "graphs") for folder in cache.glob(f"*/{part}")}
        edges = output.with_suffix(".cold.json").stat().st_size
    print(f"graph written: {edges / 1e6:.1f} MB of JSON; warm graph identical to cold: {'no' if differ else 'yes'}")
    print("cache on disk: " + ", ".join(f"{part} {size / 1e6:.1f} MB" for part, size in sizes.items()))
    print(
        "peak RSS: "
        + ", ".join(f"{phase} max {max(found):.0f} MB" for phase, found in peaks.items())
        + "   (target <= 450 MB)"
    )
    for phase, target in (("cold", 2.5), ("warm", 0.8)):
        walls = [w for w, _ in ratios[phase]]
        cpus = [c for _, c in ratios[phase]]
        print(
            f"{phase:<5} / ast.parse: wall min {min(walls):4.2f}x median {statistics.median(walls):4.2f}x;"
            f"  cpu min {min(cpus):4.2f}x median {statistics.median(cpus):4.2f}x   (target <= {target}x)"
        )


def _size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


if __name__ == "__main__":
    main()
