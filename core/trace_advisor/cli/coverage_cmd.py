"""``trace-advisor coverage``: how many functions that deserve a span have one, against a committed baseline."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from trace_advisor.cli import common

EXIT_OK, EXIT_REGRESSION = 0, 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from trace_advisor.coverage import BASELINE_NAME, FORMATS

    parser.add_argument("path", type=Path, metavar="PATH", help="a Python file or a workspace folder")
    parser.add_argument(
        "--baseline",
        type=Path,
        metavar="FILE",
        help=f"baseline file (default: {BASELINE_NAME} in the project root, used when it exists)",
    )
    parser.add_argument("--update-baseline", action="store_true", help="write the baseline from this run")
    parser.add_argument(
        "--fail-on-regression",
        action="store_true",
        help="exit 1 when a span the baseline counted was removed, or a new function that deserves a span has "
        "none in a changed file",
    )
    parser.add_argument(
        "--changed-since",
        metavar="GIT_REF",
        help="changed files are those changed since this git ref (default: content differs from the baseline's)",
    )
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    common.add_output_arguments(
        parser,
        output="write the output here",
        min_confidence="functions deserve a span from X (default: min_confidence)",
    )
    common.add_config_arguments(parser)


def run(args: argparse.Namespace) -> int:
    return common.run_reporting_usage_errors(lambda: _run(args, sys.stderr))


def _run(args: argparse.Namespace, err: TextIO) -> int:
    from trace_advisor.coverage import BaselineError, baseline_path, load, render, run_coverage, to_text
    from trace_advisor.report import write_report

    where = common.target(args.path)
    baseline_file = baseline_path(where.project, args.baseline)
    if args.fail_on_regression and not baseline_file.is_file():
        raise common.UsageError(
            f"--fail-on-regression needs a baseline: {baseline_file} does not exist (write it with --update-baseline)"
        )
    baseline = None
    if baseline_file.is_file():
        try:
            baseline = load(baseline_file)
        except BaselineError as exc:
            if args.fail_on_regression or not args.update_baseline:
                raise common.UsageError(str(exc)) from None
            err.write(f"trace-advisor: warning: {exc}; it is replaced\n")
    config = common.load_cli_config(args, where.project, {"min_confidence": args.min_confidence})
    root = baseline_file.parent  # paths in the baseline are relative to its folder
    index, files = common.build_index(config, where, args)
    changed = None
    if baseline is not None and args.changed_since:
        changed = frozenset(
            p.relative_to(root).as_posix() if p.is_relative_to(root) else p.as_posix()
            for p in common.changed_files(args.changed_since, [where.path])
        )
    checked = run_coverage(index, config, files, baseline_file, baseline, changed)
    coverage, comparison = checked.coverage, checked.comparison
    common.print_problems(coverage.problems, err)
    for warning in checked.warnings:
        err.write(f"trace-advisor: warning: {warning}\n")

    common.write_output(render(coverage, args.format, comparison, root), args.output)
    if args.update_baseline:
        write_report(to_text(coverage), baseline_file)
        err.write(f"trace-advisor: baseline written to {baseline_file}\n")
    if comparison is not None and comparison.regressions:
        err.write(
            f"trace-advisor: {len(comparison.lost)} span(s) removed, {len(comparison.new_in_changed)} new untraced "
            "function(s) in changed files (add the spans, or accept them with --update-baseline)\n"
        )
        if args.fail_on_regression:
            return EXIT_REGRESSION
    elif comparison is not None and coverage.overall().ratio > comparison.baseline.ratio and not args.update_baseline:
        err.write("trace-advisor: coverage went up: run with --update-baseline to lock it in\n")
    return EXIT_OK
