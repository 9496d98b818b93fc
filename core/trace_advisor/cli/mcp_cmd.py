"""``trace-advisor mcp``: serve trace-advisor's tools to coding agents over stdio (Model Context Protocol)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from trace_advisor.cli import common

EXTRA_HINT = "pip install 'trace-advisor[mcp]'"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "roots",
        nargs="*",
        type=Path,
        metavar="ROOT",
        help="workspace folders the agent may analyse and edit (default: the current folder); paths outside them "
        "are refused",
    )
    common.add_config_arguments(parser)


def run(args: argparse.Namespace) -> int:
    return common.run_reporting_usage_errors(lambda: _run(args))


def _run(args: argparse.Namespace) -> int:
    from trace_advisor.config import find_project_root

    roots = [Path(os.path.abspath(r)) for r in args.roots or [Path.cwd()]]
    common.check_paths(roots)
    not_folders = [str(r) for r in roots if not r.is_dir()]
    if not_folders:
        raise common.UsageError(f"a root must be a folder: {', '.join(not_folders)}")
    for root in roots:  # a broken configuration is reported now, not as every tool's answer
        common.load_cli_config(args, find_project_root(root))
    try:
        from trace_advisor.mcp.server import serve
    except ImportError as exc:
        if (exc.name or "").startswith("trace_advisor"):
            raise
        raise common.UsageError(
            f"`trace-advisor mcp` needs the MCP SDK, which is not installed ({exc}): {EXTRA_HINT}"
        ) from None
    from trace_advisor.mcp.workspaces import ServerOptions

    options = ServerOptions(
        roots=tuple(roots),
        config_file=args.config.resolve() if args.config else None,
        search_paths=tuple(p.resolve() for p in args.search_path),
        use_cache=not args.no_cache,
    )
    waiting = " (waiting for an MCP client on stdin; Ctrl-C stops it)" if sys.stdin.isatty() else ""
    sys.stderr.write(f"trace-advisor: MCP server on stdio for {', '.join(map(str, roots))}{waiting}\n")
    serve(options)
    return 0
