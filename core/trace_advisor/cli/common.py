"""What every ``trace-advisor`` subcommand shares: the configuration options, loading the configuration, building the
index, and reporting usage errors, so ``--config``, ``--search-path`` and ``--no-cache`` mean the same everywhere."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import TYPE_CHECKING

from trace_advisor.cli import EXIT_USAGE
from trace_advisor.newer_syntax import running_python
from trace_advisor.workspace import DEMO_GLOBS, TEST_GLOBS, is_demo_path, is_test_path

if TYPE_CHECKING:
    from typing import TextIO

    from trace_advisor.config_model import Config
    from trace_advisor.datatypes import Problem
    from trace_advisor.index import Index


class UsageError(Exception):
    """Bad arguments, configuration or template: reported before any work, exit code 2."""


def confidence(text: str) -> float:
    """argparse type: a number from 0 to 1."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1: {text}")
    return value


def add_output_arguments(parser: argparse.ArgumentParser, *, output: str, min_confidence: str) -> None:
    """``--output``/``-o FILE`` (default: stdout) and ``--min-confidence X``, with each command's help text."""
    parser.add_argument("--output", "-o", type=Path, metavar="FILE", help=f"{output} (default: stdout)")
    parser.add_argument("--min-confidence", type=confidence, metavar="X", help=min_confidence)


def add_config_arguments(parser: argparse.ArgumentParser) -> None:
    """``--config``, ``--search-path`` (repeatable) and ``--no-cache``."""
    parser.add_argument("--config", type=Path, metavar="FILE", help="configuration file (default: the project's)")
    parser.add_argument(
        "--search-path",
        action="append",
        default=[],
        type=Path,
        metavar="DIR",
        help="extra import path, searched after the configured ones (repeatable)",
    )
    parser.add_argument(
        "--no-cache", action="store_true", help="do not read or write the caches (facts, resolved call graphs)"
    )
    parser.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="GLOB",
        help="skip files and folders matching GLOB, in addition to the configured `ignore` (repeatable)",
    )


def skipped_code(paths: Sequence[Path], project: Path) -> tuple[str, ...]:
    """The ``ignore`` globs of the code an analysis leaves out: tests and demonstration code (examples, docs,
    benchmarks), each unless a PATH given on the command line is such code: then the user asked for it."""

    def named(kind: Callable[[PurePath], bool]) -> bool:
        return any(
            kind(PurePath(p.name)) or (p.is_relative_to(project) and kind(p.relative_to(project))) for p in paths
        )

    return (*(() if named(is_test_path) else TEST_GLOBS), *(() if named(is_demo_path) else DEMO_GLOBS))


def check_paths(paths: Sequence[Path]) -> None:
    """Raise UsageError naming every path that does not exist or cannot be looked at."""
    missing: list[str] = []
    for path in paths:
        try:
            path.stat()
        except FileNotFoundError:
            missing.append(str(path))
        except OSError as exc:
            raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    if missing:
        raise UsageError(f"no such file or folder: {', '.join(missing)}")


@dataclass(frozen=True, slots=True)
class Target:
    """A PATH argument, resolved, and the project that holds it."""

    path: Path
    project: Path

    @property
    def indexed(self) -> Path:
        """What to index: a folder itself, a file with its whole project (for its callers and callees)."""
        return self.path if self.path.is_dir() else self.project


def target(path: Path) -> Target:
    """The Target of a PATH argument; UsageError when it does not exist."""
    from trace_advisor.config import find_project_root

    check_paths([path])
    resolved = path.resolve()
    return Target(resolved, find_project_root(resolved))


def build_index(config: Config, where: Target, args: argparse.Namespace) -> tuple[Index, list[Path]]:
    """The built index of ``where.indexed`` and its files under ``where.path``."""
    from trace_advisor.lookup import files_under

    index = open_index(config, [where.indexed], args, keep_trees=True)
    index.build()
    return index, files_under(index, [where.path])


def write_output(text: str, output: Path | None) -> None:
    """``text`` to ``output`` (atomically) or to stdout; an unwritable file is a UsageError."""
    from trace_advisor.report import write_report

    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        write_report(text, output)
    except OSError as exc:
        raise UsageError(f"cannot write {output}: {exc.strerror or exc}") from None


SHOWN_REWRITTEN = 3  # files read after rewriting newer syntax named one by one; the others are counted


def print_problems(problems: Iterable[Problem], err: TextIO) -> None:
    """``file:line: severity: message`` for each problem, as compilers print them; of the files read after rewriting
    newer syntax (nothing lost: a project written for Python 3.12+ has one per file using it, polar 70) the first
    ``SHOWN_REWRITTEN``, then how many more."""
    rewritten = 0
    for problem in problems:
        if problem.kind == "rewritten":
            rewritten += 1
            if rewritten > SHOWN_REWRITTEN:
                continue
        where = f"{problem.file}:{problem.line}" if problem.file and problem.line else problem.file or "trace-advisor"
        err.write(f"{where}: {problem.severity}: {problem.message}\n")
    if rewritten > SHOWN_REWRITTEN:
        more = rewritten - SHOWN_REWRITTEN
        err.write(
            f"trace-advisor: info: {more} more file{'s' if more > 1 else ''} read with {running_python()} after "
            "rewriting newer syntax (nothing is lost)\n"
        )


def load_cli_config(
    args: argparse.Namespace,
    project: Path,
    overrides: Mapping[str, object] | None = None,
    *,
    skipped: Sequence[str] = (),
) -> Config:
    """The configuration of ``project`` with ``--config``, then ``overrides`` (dotted keys; None values ignored),
    then ``--search-path`` folders added after the configured search paths, ``--exclude`` globs after the configured
    ``ignore`` and the ``skipped`` globs (:func:`skipped_code`). Raises UsageError."""
    from trace_advisor.request_config import RequestConfigError, load_request_config

    try:
        config = load_request_config(
            project,
            config_file=args.config,
            overrides=overrides,
            search_paths=args.search_path,
            ignore=[*args.exclude, *skipped],
            origin="command line",
        )
    except RequestConfigError as exc:
        raise UsageError(str(exc)) from None
    if config.ignored and config.untrusted_file:
        from trace_advisor.config.trust import untrusted_warning

        sys.stderr.write(f"trace-advisor: warning: {untrusted_warning(config.untrusted_file, config.ignored)}\n")
    return config


def open_index(config: Config, roots: Sequence[Path], args: argparse.Namespace, *, keep_trees: bool = False) -> Index:
    """An index of ``roots`` with the configuration's search paths and limits, honouring ``--no-cache``;
    ``keep_trees`` for a command that analyses the files it indexes (one parse per module: see :class:`Index`)."""
    from trace_advisor.index import Index

    workers = getattr(args, "workers", None)  # calls --workers (the other commands keep syntax trees: no pool)
    return Index.from_config(config, roots, use_cache=not args.no_cache, keep_trees=keep_trees, workers=workers)


def workspace_problems(index: Index, reported: Sequence[Problem]) -> list[Problem]:
    """What discovery could not read (folders, symlink loops, missing search paths): the analysis reports only the
    problems of the files it analysed, but a run over folders must say what it skipped."""
    files = {str(f) for f in index.files()}
    listed = {p.file for p in reported}
    return [p for p in index.problems if p.file is not None and p.file not in files and p.file not in listed]


def changed_files(ref: str, roots: Sequence[Path]) -> set[Path]:
    """Python files changed since ``ref`` (committed, staged, unstaged, untracked) in the roots' git repositories."""
    from trace_advisor.git_changes import GitError, changed_python_files

    try:
        return changed_python_files(ref, roots)
    except GitError as exc:
        raise UsageError(f"--changed-since: {exc}") from None


def run_reporting_usage_errors(body: Callable[[], int]) -> int:
    """Run a subcommand's body; a UsageError becomes ``trace-advisor: error: ...`` on stderr and exit code 2."""
    try:
        return body()
    except UsageError as exc:
        sys.stderr.write(f"trace-advisor: error: {exc}\n")
        return EXIT_USAGE
