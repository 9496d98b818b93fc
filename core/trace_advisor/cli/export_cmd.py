"""``trace-advisor export``: the recommended functions as data — for ``trace_advisor.runtime`` (spans without source
edits) or Sentry's ``functions_to_trace``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from trace_advisor.cli import common

EXIT_OK = 0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from trace_advisor.export import FORMATS

    parser.add_argument("path", type=Path, metavar="PATH", help="a Python file or a workspace folder")
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="otel-config",
        help="otel-config (trace_advisor.runtime, default) or sentry (functions_to_trace)",
    )
    parser.add_argument("--output", "-o", type=Path, metavar="FILE", help="write here (default: stdout)")
    parser.add_argument(
        "--min-confidence",
        type=common.confidence,
        metavar="X",
        help="export recommendations from X (default: min_confidence)",
    )
    common.add_config_arguments(parser)


def run(args: argparse.Namespace) -> int:
    return common.run_reporting_usage_errors(lambda: _run(args, sys.stderr))


def _run(args: argparse.Namespace, err: TextIO) -> int:
    from trace_advisor.analysis import analyze
    from trace_advisor.config import find_project_root
    from trace_advisor.export import export
    from trace_advisor.lookup import files_under
    from trace_advisor.report import write_report

    common.check_paths([args.path])
    path = args.path.resolve()
    project = find_project_root(path)
    config = common.load_cli_config(args, project, {"min_confidence": args.min_confidence})
    index = common.open_index(config, [path if path.is_dir() else project], args)
    index.build()
    files = files_under(index, [path])
    result = analyze(index, config, files)
    for problem in result.problems:
        err.write(f"{problem.file or 'trace-advisor'}: {problem.severity}: {problem.message}\n")
    exported = export(result.recommendations, args.format, path if path.is_dir() else project)
    if args.output is not None:
        write_report(exported.text, args.output)
    else:
        sys.stdout.write(exported.text)
        sys.stdout.flush()
    for line in exported.skipped:
        err.write(f"trace-advisor: skipped {line}\n")
    for line in exported.notes:
        err.write(f"trace-advisor: note: {line}\n")
    where = f" to {args.output}" if args.output is not None else ""
    err.write(f"trace-advisor: exported {exported.functions} function(s){where}\n")
    return EXIT_OK
