"""The recorder's overhead on a project's own test suite, and the static graph's recall against what it recorded.

Runs COMMAND (``{python}`` stands for each ``--python`` interpreter) in the project folder, ``--runs`` times without
the recorder and ``--runs`` times under it (``sys.monitoring`` on Python >= 3.12, ``sys.setprofile`` on 3.11),
and prints the median CPU seconds (user + system) of the command's own processes and their ratio: the overhead a
user pays, on a machine where wall time depends on what else runs. Then it names the last recording with the
static graph's symbol ids and prints the static graph's recall against it (``trace-advisor calls --compare``).

    .venv/bin/python benchmarks/record_overhead.py PROJECT --python PY [--python PY2] -- {python} -m pytest -q

The project's code runs (it is the user's own test suite): use a scratch copy, never this repository's fixtures.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

from trace_advisor.cli.observe import workspace_modules
from trace_advisor.index import Index
from trace_advisor.record import recording
from trace_advisor.record.compare import compare
from trace_advisor.record.runner import RecordedRun, run_recorded


def cpu_seconds(run: Callable[[], object]) -> tuple[float, object]:
    """CPU seconds (user + system) of the child processes ``run`` waited for."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = run()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), result


def plain(command: Sequence[str], cwd: Path) -> int:
    return subprocess.run(
        list(command), cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
    ).returncode


def recorded(command: Sequence[str], cwd: Path) -> RecordedRun:
    devnull = os.open(os.devnull, os.O_WRONLY)
    saved = os.dup(1), os.dup(2), os.getcwd()
    try:  # the recorder's child writes to our stdout/stderr: silence them for the measurement
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        os.chdir(cwd)
        return run_recorded(command, [cwd])
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        os.chdir(saved[2])
        os.close(devnull)


def python_version(python: str) -> tuple[int, int, int]:
    out = subprocess.run([python, "-c", "import sys; print(*sys.version_info[:3])"], capture_output=True, text=True)
    major, minor, micro = (int(x) for x in out.stdout.split())
    return major, minor, micro


def main() -> None:
    argv = sys.argv[1:]
    command_template: list[str] = []
    if "--" in argv:
        split = argv.index("--")
        argv, command_template = argv[:split], argv[split + 1 :]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("--python", action="append", required=True, help="interpreter for {python} (repeatable)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    if not command_template:
        parser.error("give the command after --, with {python} for the interpreter")
    project = args.project.resolve()
    last: RecordedRun | None = None
    shown = " ".join(command_template)
    print(f"project {project.name}: `{shown}`, median of {args.runs} runs, CPU seconds of the command")
    for python in args.python:
        version = python_version(python)
        command = [python if part == "{python}" else part for part in command_template]
        base = [cpu_seconds(lambda command=command: plain(command, project))[0] for _ in range(args.runs)]
        with_recorder: list[float] = []
        for _ in range(args.runs):
            seconds, run = cpu_seconds(lambda command=command: recorded(command, project))
            assert isinstance(run, RecordedRun)
            with_recorder.append(seconds)
            last = run
        assert last is not None
        backend = last.parts[0]["backend"] if last.parts else "none"
        b, r = statistics.median(base), statistics.median(with_recorder)
        print(
            f"  Python {'.'.join(map(str, version))}: without recorder {b:6.2f} s, with it ({backend}) {r:6.2f} s"
            f"  -> overhead {r / b:4.2f}x   (exit code {last.exit_code}, {len(last.parts)} process(es))"
        )
    assert last is not None
    with tempfile.TemporaryDirectory() as cache:
        index = Index([project], cache_dir=Path(cache))
        index.build()
        found = recording.from_processes(
            last.parts,
            workspace_modules(index),
            command=command_template,
            root=project,
            started=last.started,
            seconds=last.seconds,
            exit_code=last.exit_code,
        )
        result = compare(index.graph(), index.definition, found)
    inside, out = result.workspace, result.external
    print(
        f"  recorded {sum(c.count for c in found.calls):,} calls on {len(found.calls):,} edges; "
        f"static recall: {inside.recall:.1%} of {inside.observed:,} observed caller->callee pairs between workspace "
        f"functions ({inside.found:,} found), {out.recall:.1%} of {out.observed:,} first calls out of the workspace"
    )
    kinds = Counter(_kind(m.reason) for m in result.missed if not m.external)
    print("  why static analysis missed workspace calls: " + ", ".join(f"{k} {n}" for k, n in kinds.most_common()))
    worst = sorted(result.modules, key=lambda m: (m.recall, -m.observed))[:5]
    print("  lowest recall: " + ", ".join(f"{m.module} {m.found}/{m.observed}" for m in worst))


def _kind(reason: str) -> str:
    if reason.startswith("handed to"):
        return "hand-over"
    if reason.startswith("called back through"):
        return "callback through a library"
    if "unresolved" in reason:
        return "unresolved call"
    if "resolves to" in reason:
        return "resolved to another function"
    return "implicit call"


if __name__ == "__main__":
    main()
