"""The ``trace-advisor`` command: dispatches to one module per subcommand (calls, analyze, apply, coverage, lint,
export, mcp)."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from trace_advisor import __version__

# subcommand name -> module defining ``add_arguments(parser)`` and ``run(args) -> int``
SUBCOMMANDS = {
    "calls": "Show the workspace call graph or a call tree from an entry point.",
    "analyze": "Recommend where spans belong and write a report.",
    "apply": "Insert spans into the source (or print the diff).",
    "coverage": "Report which functions that deserve a span have one; fail CI only on regressions.",
    "lint": "Check existing span code: spans never ended, unrecorded errors, unbounded names, unsafe attributes.",
    "export": "Write the recommended functions as data for trace_advisor.runtime or Sentry.",
    "mcp": "Serve the tools to coding agents over stdio (Model Context Protocol).",
    "trust": "Trust a project's configuration file after reading it (its provider, paths and interpreter apply).",
}

EXIT_OK = 0
EXIT_FINDINGS = 1  # --fail-on threshold reached
EXIT_USAGE = 2  # bad arguments, config or template
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, as a shell reports a command killed by a closed pipe


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser; with ``command`` (a subcommand's name), only that subcommand's module is imported
    for its arguments (the others are listed, by name and help, for ``--help`` and errors)."""
    parser = argparse.ArgumentParser(prog="trace-advisor", description=__doc__)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, help_text in SUBCOMMANDS.items():
        found = sub.add_parser(name, help=help_text, description=help_text)
        if command is None or command == name:
            importlib.import_module(f"{__name__}.{name}_cmd").add_arguments(found)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # the first word not an option is the subcommand (the top level's options take no value)
    named = next((word for word in argv if not word.startswith("-")), None)
    parser = build_parser(named if named in SUBCOMMANDS else None)
    command: list[str] = []
    if argv[:1] == ["calls"] and "--" in argv:  # ``calls PATH --record -- COMMAND...``: the command is not ours
        split = argv.index("--")
        argv, command = argv[:split], argv[split + 1 :]
    args = parser.parse_args(argv)
    args.user_command = command
    module = importlib.import_module(f"{__name__}.{args.command}_cmd")
    try:
        code: int = module.run(args)
        sys.stdout.flush()
    except KeyboardInterrupt:
        print("trace-advisor: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (`trace-advisor calls . | head`): stop quietly, like other command-line tools
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    return code


if __name__ == "__main__":
    sys.exit(main())
