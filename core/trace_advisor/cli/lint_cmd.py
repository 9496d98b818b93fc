"""``trace-advisor lint``: problems in existing OpenTelemetry span code, with ``--fix`` for the mechanical ones."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TextIO

from trace_advisor.cli import common

EXIT_OK, EXIT_FINDINGS = 0, 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from trace_advisor.lint import RULES

    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="Python files or folders")
    parser.add_argument("--fix", action="store_true", help="apply the mechanical fixes (files rewritten atomically)")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="text (default) or json")
    parser.add_argument(
        "--select",
        action="append",
        default=[],
        metavar="RULE",
        choices=[rule.id for rule in RULES],
        help="only this rule (repeatable): " + ", ".join(rule.id for rule in RULES),
    )
    common.add_config_arguments(parser)


def run(args: argparse.Namespace) -> int:
    return common.run_reporting_usage_errors(lambda: _run(args, sys.stdout, sys.stderr))


def _run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from trace_advisor.config import find_project_root
    from trace_advisor.edits.style import span_style
    from trace_advisor.lint import RULES, LintOptions
    from trace_advisor.lint.files import lint_files, lint_targets

    common.check_paths(args.paths)
    project = find_project_root(args.paths[0])
    config = common.load_cli_config(args, project)
    rules = tuple(r for r in RULES if not args.select or r.id in args.select)
    options = LintOptions.of(span_style(config, project))
    run = lint_files(lint_targets(args.paths, config.ignore), options, rules, fix=args.fix)
    for file, problem in run.problems:
        err.write(f"{_display(file)}: {problem}\n")
    report = [finding.to_json(_display) for finding in run.findings]
    if args.format == "json":
        out.write(json.dumps(run.to_json(_display), indent=2) + "\n")
    else:
        for item in report:
            hint = f" [fix: {item['fix']}]" if item["fix"] else ""
            out.write(f"{item['file']}:{item['line']}:{item['column']}: {item['rule']}: {item['message']}{hint}\n")
    fixable = sum(1 for item in report if item["fix"])
    summary = f"trace-advisor: {len(report)} finding(s)"
    summary += f", {fixable} fixable with --fix" if fixable and not args.fix else ""
    summary += f"; fixed {run.fixed}" if args.fix else ""
    err.write(summary + "\n")
    return EXIT_FINDINGS if report or run.problems else EXIT_OK


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
