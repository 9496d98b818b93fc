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
    common.add_output_arguments(
        parser, output="write here", min_confidence="export recommendations from X (default: min_confidence)"
    )
    common.add_config_arguments(parser)


def run(args: argparse.Namespace) -> int:
    return common.run_reporting_usage_errors(lambda: _run(args, sys.stderr))


def _run(args: argparse.Namespace, err: TextIO) -> int:
    from trace_advisor.analysis import analyze
    from trace_advisor.export import export

    where = common.target(args.path)
    config = common.load_cli_config(args, where.project, {"min_confidence": args.min_confidence})
    index, files = common.build_index(config, where, args)
    result = analyze(index, config, files)
    common.print_problems(result.problems, err)
    exported = export(result.recommendations, args.format, where.indexed)
    common.write_output(exported.text, args.output)
    for line in exported.skipped:
        err.write(f"trace-advisor: skipped {line}\n")
    for line in exported.notes:
        err.write(f"trace-advisor: note: {line}\n")
    written = f" to {args.output}" if args.output is not None else ""
    err.write(f"trace-advisor: exported {exported.functions} function(s){written}\n")
    return EXIT_OK
