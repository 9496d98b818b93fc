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


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser; with ``only``, the options of that subcommand alone are added (the others are
    named, with their help, as ``--help`` lists them), so that a run imports no other subcommand's modules."""
    parser = argparse.ArgumentParser(prog="trace-advisor", description=__doc__)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, help_text in SUBCOMMANDS.items():
        subparser = sub.add_parser(name, help=help_text, description=help_text)
        if only is None or name == only:
            importlib.import_module(f"{__name__}.{name}_cmd").add_arguments(subparser)
    return parser


def _subcommand(argv: Sequence[str]) -> str:
    """The subcommand ``argv`` names (its first argument that is not an option), "" when none: ``--help``,
    ``--version``, a typo (argparse reports it)."""
    first = next((arg for arg in argv if not arg.startswith("-")), "")
    return first if first in SUBCOMMANDS else ""


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(_subcommand(argv))
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
