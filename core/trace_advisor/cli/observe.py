"""The observed-calls options of ``trace-advisor calls``: ``--record -- COMMAND`` runs the user's command under the
recorder, ``--compare`` measures the static graph against a recording, ``--recording`` picks the one to merge."""

from __future__ import annotations

import argparse
import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from trace_advisor.cli import common
from trace_advisor.config import find_project_root
from trace_advisor.facts.records import LAMBDA_KIND, loc_parts
from trace_advisor.index import Index
from trace_advisor.record import recording as recordings
from trace_advisor.record.observed import ObservedGraph, RecordingWatch
from trace_advisor.record.recording import Recording, RecordingError

if TYPE_CHECKING:
    from trace_advisor.record.compare import Comparison

_DEFAULT = Path("<the workspace's recording>")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("observed calls (see README: Dynamic call tracing)")
    group.add_argument(
        "--record",
        action="store_true",
        help="run the command given after -- (e.g. -- pytest -x tests/) and record the calls it really makes; "
        "exits with the command's exit code",
    )
    group.add_argument(
        "--record-out", type=Path, metavar="FILE", help="where --record writes (default: the cache folder)"
    )
    group.add_argument(
        "--compare",
        type=Path,
        nargs="?",
        const=_DEFAULT,
        metavar="RECORDING",
        help="print the static graph's recall against a recording (default: the workspace's), per module, "
        "with why each missed call was missed",
    )
    add_recording_arguments(group)


def add_recording_arguments(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    """``--recording FILE`` and ``--no-recording``: which recording ``calls`` merges and ``analyze`` uses."""
    parser.add_argument(
        "--recording",
        type=Path,
        metavar="FILE",
        help="calls observed by `calls --record` to use (default: the workspace's recording, when there is one)",
    )
    parser.add_argument("--no-recording", action="store_true", help="use the static call graph alone")


def check(args: argparse.Namespace) -> None:
    """Usage errors of these options, before any work."""
    command = getattr(args, "user_command", [])
    if args.record and not command:
        raise common.UsageError("--record runs a command: trace-advisor calls PATH --record -- pytest -x tests/")
    if command and not args.record:
        raise common.UsageError(f"a command after -- is only run with --record: {' '.join(command)}")
    if args.record and (args.compare is not None or args.entry):
        raise common.UsageError("--record runs the command only; use --compare or --entry afterwards")
    if args.record_out is not None and not args.record:
        raise common.UsageError("--record-out is only used with --record")
    if args.recording is not None and args.no_recording:
        raise common.UsageError("--recording and --no-recording exclude each other")


def workspace_root(path: Path) -> Path:
    return path if path.is_dir() else path.parent


def record(args: argparse.Namespace, path: Path, index: Index, err: TextIO) -> int:
    """Run the user's command under the recorder; write the recording; return the command's exit code."""
    from trace_advisor.record.runner import CommandError, run_recorded

    root = workspace_root(path)
    target = args.record_out or recordings.default_path(find_project_root(path))
    try:
        run = run_recorded(args.user_command, [root])
    except CommandError as exc:
        err.write(f"trace-advisor: error: {exc}\n")
        return exc.exit_code
    index.build()
    result = recordings.from_processes(
        run.parts,
        workspace_modules(index),
        lambda_of=workspace_lambdas(index),
        command=args.user_command,
        root=root,
        started=run.started,
        seconds=run.seconds,
        exit_code=run.exit_code,
    )
    try:
        recordings.save(result, target)
    except OSError as exc:
        err.write(f"trace-advisor: error: cannot write {target}: {exc.strerror or exc}\n")
        return run.exit_code or 1
    err.write(_summary(result, index, run.unreadable, target) + "\n")
    return run.exit_code


def _summary(result: Recording, index: Index, unreadable: int, target: Path) -> str:
    if not result.processes:
        return (
            f"trace-advisor: no Python process was recorded (the command must start Python without -I, -E or -S); "
            f"wrote an empty recording to {target}"
        )
    graph = index.graph()
    inside = [c for c in result.calls if c.caller is not None and not c.external]
    static = sum(1 for c in inside if any(e.callee == c.callee for e in graph.callees(c.caller or "")))
    calls = sum(c.count for c in result.calls if c.caller is not None)
    notes = []
    if result.dropped:
        notes.append(f"{result.dropped:,} edges not kept: a table was full")
    if unreadable:
        notes.append(f"{unreadable} process table(s) unreadable")
    if result.exit_code:
        notes.append(f"the command exited with {result.exit_code}")
    note = f" ({'; '.join(notes)})" if notes else ""
    return (
        f"trace-advisor: recorded {calls:,} calls on {len(inside):,} workspace edges "
        f"({len(inside) - static:,} not in the static graph) and {len(result.calls) - len(inside):,} entries and "
        f"calls out, from {result.processes} process{'es' if result.processes != 1 else ''} in "
        f"{result.seconds:.1f} s{note} -> {target}"
    )


def observed_graph(args: argparse.Namespace, index: Index, project: Path, err: TextIO) -> ObservedGraph | None:
    """Point the index at the recording to use and return it: ``--recording FILE`` (a usage error when it cannot be
    read), else the workspace's own when there is one; None with ``--no-recording``. A note on stderr says which."""
    if args.no_recording:
        return None
    path = args.recording or recordings.default_path(project)
    if args.recording is not None:
        _load(path)
    watch = index.extension(RecordingWatch)
    watch.use(path)
    found = watch.graph()
    if found is not None and not getattr(args, "quiet", False):
        command = " ".join(found.recording.command)
        err.write(f"trace-advisor: using the calls observed by `{command}` ({path}; --no-recording: off)\n")
    return found


def _load(path: Path) -> Recording:
    try:
        return recordings.load(path)
    except RecordingError as exc:
        raise common.UsageError(str(exc)) from None


def comparison(args: argparse.Namespace, path: Path, index: Index) -> tuple[Recording, Comparison]:
    from trace_advisor.record.compare import compare

    if args.compare == _DEFAULT:
        default = recordings.default_path(find_project_root(path))
        if not default.is_file():
            raise common.UsageError(f"no recording for {path} yet: run trace-advisor calls {path} --record -- COMMAND")
        found = _load(default)
    else:
        found = _load(args.compare)
    return found, compare(index.graph(), index.definition, found)


def render_comparison(found: Recording, result: Comparison, base: Path) -> str:
    """The recall table and the missed calls, for people."""
    lines = [
        f"Static call graph against the calls observed by `{' '.join(found.command)}` "
        f"({found.seconds:.1f} s, exit code {found.exit_code})",
        "",
        f"{'module':<48} {'observed':>8} {'found':>6} {'recall':>7}",
    ]
    for module in result.modules:
        lines.append(f"{module.module:<48} {module.observed:>8} {module.found:>6} {module.recall:>7.0%}")
    total, out = result.workspace, result.external
    lines.append(
        f"{'all calls between workspace functions':<48} {total.observed:>8} {total.found:>6} {total.recall:>7.1%}"
    )
    lines.append(f"{'first calls out of the workspace':<48} {out.observed:>8} {out.found:>6} {out.recall:>7.1%}")
    if result.stale:
        lines.append(f"({result.stale} observed calls name functions that no longer exist: record again)")
    inside = [m for m in result.missed if not m.external]
    if inside:
        lines += ["", "Missed calls between workspace functions (observed, not in the static graph):"]
        for missed in inside:
            where = _relative(missed.file, base) + (f":{missed.line}" if missed.line else "")
            caller = missed.caller.partition(":")[2]
            lines.append(f"  {where}  {caller} -> {missed.callee}  (observed {missed.count:,}x)")
            lines.append(f"      {missed.reason}")
    return "\n".join(lines) + "\n"


def _relative(file: str, base: Path) -> str:
    try:
        shown = os.path.relpath(file, base)
    except ValueError:
        return file
    return file if shown.startswith("..") else shown


def write_comparison_json(found: Recording, result: Comparison, out: TextIO) -> None:
    data: dict[str, object] = {
        "recording": {"command": list(found.command), "seconds": found.seconds, "exit_code": found.exit_code}
    }
    data.update(result.to_json())
    json.dump(data, out, indent=2)
    out.write("\n")


def workspace_lambdas(index: Index) -> recordings.LambdaOf:
    """The static lambda node of code the recorder names ``f.<locals>.<lambda>`` starting on a line of a workspace
    module: the one lambda of the same enclosing scopes (numbered ``<lambdaN>``) that starts on that line."""
    by_line: dict[str, dict[int, list[str]]] = {}

    def lambda_of(module: str, qualname: str, line: int) -> str | None:
        table = by_line.get(module)
        if table is None:
            table = by_line[module] = {}
            info = index.module_info(module)
            for scope in info.facts.scopes if info is not None else ():
                if scope.kind == LAMBDA_KIND:
                    table.setdefault(loc_parts(scope.loc)[0], []).append(scope.qualname)
        pattern = re.compile(re.escape(qualname).replace(re.escape("<lambda>"), r"<lambda\d+>") + r"\Z")
        found = [name for name in table.get(line, ()) if pattern.match(name)]
        return found[0] if len(found) == 1 else None

    return lambda_of


def workspace_modules(index: Index) -> recordings.ModuleOf:
    """Module names of the index's workspace files, as the static graph names them; None for any other file."""
    files = set(index.files())

    def module_of(path: Path) -> str | None:
        return index.module_for_path(path) if path in files else None

    return module_of
