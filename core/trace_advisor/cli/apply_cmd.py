"""``trace-advisor apply``: insert spans for given symbols or for every recommendation, or print the diff."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from trace_advisor.cli import common
from trace_advisor.config import find_project_root
from trace_advisor.edits import ProjectStyles
from trace_advisor.span_files import (
    SymbolError,
    Target,
    edit_files,
    recommended_targets,
    symbol_targets,
    write_edit,
)

if TYPE_CHECKING:
    from trace_advisor.config_model import Config
    from trace_advisor.datatypes import Problem
    from trace_advisor.edits import SpanStyle
    from trace_advisor.index import Index

EXIT_OK, EXIT_INCOMPLETE = 0, 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", type=Path, metavar="PATH", help="a Python file or a workspace folder")
    parser.add_argument(
        "--symbol",
        action="append",
        default=[],
        metavar="MODULE:QUALNAME",
        help="function to instrument, e.g. shop.orders:OrderService.place (repeatable; QUALNAME alone when PATH "
        "is a file); a recommended function gets the span the report shows, with its captured attributes",
    )
    parser.add_argument("--all", action="store_true", help="instrument every recommendation of `analyze` under PATH")
    parser.add_argument(
        "--min-confidence", type=common.confidence, metavar="X", help="with --all: only recommendations at or above X"
    )
    parser.add_argument(
        "--plain", action="store_true", help="spans without captured attributes (with --symbol or --all)"
    )
    parser.add_argument(
        "--form",
        choices=("with", "decorator"),
        help="with: a with block inside the function (default, changes no traceback or signature); decorator: "
        "@tracer.start_as_current_span above functions that record no attributes (overrides spans.form)",
    )
    parser.add_argument("--diff", action="store_true", help="print a unified diff and change nothing")
    common.add_config_arguments(parser)


def run(args: argparse.Namespace) -> int:
    return common.run_reporting_usage_errors(lambda: _run(args, sys.stdout, sys.stderr))


def _diff_base(path: Path) -> Path:
    """What ``--diff`` paths are relative to: the current folder when PATH is inside it (as ruff and black print
    them, so ``git apply`` from the repository's top works whether PATH is the project, a package or one file),
    else PATH (its folder for a file)."""
    here = Path.cwd().resolve()
    if path.is_relative_to(here):
        return here
    return path if path.is_dir() else path.parent


def _run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    common.check_paths([args.path])
    if bool(args.symbol) == bool(args.all):
        raise common.UsageError("give --symbol MODULE:QUALNAME (repeatable) or --all")
    if args.min_confidence is not None and not args.all:
        raise common.UsageError("--min-confidence only applies to --all")
    path = args.path.resolve()
    if path.is_file() and path.suffix != ".py":
        raise common.UsageError(f"not a Python file: {args.path}")
    config, index = _open(path, args)
    targets, failures = _targets(path, args, config, index, err)
    if args.plain:
        targets = [replace(t, capture=None) for t in targets]
    base = _diff_base(path)
    tally = Tally(skipped=len(failures))
    styles = ProjectStyles(config, formatter=True)  # each file written as its own project's tools format it
    for edit in edit_files(targets, styles, index):
        for alias in edit.aliases:
            err.write(f"{_display(alias)}: the same file as {_display(edit.path)} (a link); its spans are added once\n")
        if edit.source is None:
            failures.append(f"{edit.path}: {edit.problem}; nothing changed")
            tally.files_failed += 1
            tally.skipped += len(edit.targets)
            continue
        added = 0
        for outcome in edit.outcomes:
            qualname, line, result = outcome.target.qualname, outcome.line, outcome.result
            where = f"{_display(edit.path)}:{line}" if line else _display(edit.path)
            if result.edits:
                added += 1
                err.write(f'{where}: {qualname}: span "{result.span_name}" added ({result.form} form)\n')
            elif result.already_traced:
                tally.already += 1
                err.write(f"{where}: {qualname}: already has a span\n")
            else:
                tally.skipped += 1
                failures.append(f"{where}: {qualname}: {result.message}")
            for note in result.notes:
                err.write(f"{where}: {qualname}: note: {note}\n")
        if not edit.changed:
            continue
        if args.diff:
            _write_diff(out, edit.source.diff(edit.text, base), edit.source.encoding)
            tally.record(added)
            continue
        problem = write_edit(edit)
        if problem:
            failures.append(f"{_display(edit.path)}: {problem}; its {added} span(s) were not added")
            tally.files_failed += 1
            tally.skipped += added
        else:
            tally.record(added)
    out.flush()
    for failure in failures:
        err.write(f"{failure}\n")
    err.write(f"trace-advisor: {tally.summary(args.diff)}\n")
    notes = dict.fromkeys(missing for style in styles.read() if (missing := missing_formatter(style)))
    for missing in notes if tally.spans else ():
        err.write(f"trace-advisor: note: {missing}\n")
    return EXIT_INCOMPLETE if failures else EXIT_OK


def missing_formatter(style: SpanStyle) -> str | None:
    """What to tell a user whose project configures ruff or black when it is not installed where ``apply`` looks:
    the lines a span's indent pushed past the line length were laid out by trace-advisor (pycodestyle's rules),
    which the formatter's ``--check`` may lay out otherwise."""
    tool = style.project.formatter
    if tool is None or style.formatter is not None:
        return None
    command = "ruff format" if tool == "ruff" else "black"
    return (
        f"the project configures {tool}, which was not found (the configured interpreter's folder, $VIRTUAL_ENV, "
        f".venv, venv, PATH): lines the spans pushed past the line length were laid out by trace-advisor; run "
        f"`{command}` on the changed files if the project checks its formatting, or install {tool} and apply again"
    )


@dataclass
class Tally:
    """What ``apply`` did, counted in spans and files, for its one-line summary."""

    spans: int = 0  # spans written (or shown by --diff)
    files: int = 0  # files written (or shown)
    already: int = 0  # functions that already had a span
    skipped: int = 0  # functions that got no span (not found, not traceable, or their file was not written)
    files_failed: int = 0  # files not written (unreadable, not encodable, read-only, changed meanwhile)

    def record(self, spans: int) -> None:
        self.spans += spans
        self.files += 1

    def summary(self, diff: bool) -> str:
        verb = "would add" if diff else "added"
        parts = [f"{verb} {self.spans} span(s) in {self.files} file(s)"]
        if self.already:
            parts.append(f"{self.already} function(s) already had one")
        if self.skipped:
            parts.append(f"{self.skipped} function(s) got no span")
        if self.files_failed:
            parts.append(f"{self.files_failed} file(s) not written")
        return "; ".join(parts)


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _write_diff(out: TextIO, diff: str, encoding: str) -> None:
    """Write a file's diff in the file's own encoding, so ``git apply``/``patch`` match its context lines."""
    buffer = getattr(out, "buffer", None)
    if buffer is None:
        out.write(diff)
        return
    out.flush()
    buffer.write(diff.encode(encoding.removesuffix("-sig"), errors="surrogateescape"))
    buffer.flush()


# ---- which functions ------------------------------------------------------------------------------------------


def _open(path: Path, args: argparse.Namespace) -> tuple[Config, Index]:
    """The configuration and a built index for ``path`` (a file is indexed with its whole project)."""
    project = find_project_root(path)
    overrides = {"min_confidence": args.min_confidence, "spans.form": args.form}
    # the same analysis as `analyze`: tests, examples and docs are neither advice nor evidence, unless PATH names them
    config = common.load_cli_config(args, project, overrides, skipped=common.skipped_code([path], project))
    index = common.open_index(config, [path if path.is_dir() else project], args, keep_trees=True)
    index.build()
    return config, index


def _targets(
    path: Path, args: argparse.Namespace, config: Config, index: Index, err: TextIO
) -> tuple[list[Target], list[str]]:
    """The functions ``--symbol`` names (usage errors for malformed names) or every recommendation (``--all``); the
    names that match nothing become failures, the analysis' problems go to ``err``."""
    problems: tuple[Problem, ...]
    if args.symbol:
        try:
            targets, failures, problems = symbol_targets(
                index, config, path, args.symbol, plain=args.plain, display=_display
            )
        except SymbolError as exc:
            raise common.UsageError(f"--symbol {exc}") from None
    else:
        targets, problems = recommended_targets(index, config, path)
        failures = []
    common.print_problems((*common.workspace_problems(index, problems), *problems), err)
    if args.all and not targets:
        err.write(f"trace-advisor: no recommendations at or above confidence {config.min_confidence}\n")
    return targets, failures
