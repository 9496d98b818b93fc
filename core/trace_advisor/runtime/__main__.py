"""``python -m trace_advisor.runtime --config traced.json -- COMMAND...``: run COMMAND with the functions of the
traced-functions file wrapped in spans in every Python process it starts."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from trace_advisor.runtime import ENV_CONFIG
from trace_advisor.runtime.plan import PlanError, load

BOOTSTRAP = Path(__file__).resolve().parent / "bootstrap"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m trace_advisor.runtime", description=__doc__)
    parser.add_argument("--config", required=True, type=Path, metavar="FILE", help="traced-functions file")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- then the command to run, e.g. python app.py")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command to run after --, e.g. -- python app.py")
    try:
        plans = load(args.config)
    except PlanError as exc:
        sys.stderr.write(f"trace_advisor.runtime: error: {exc}\n")
        return 2
    env = dict(os.environ)
    env[ENV_CONFIG] = str(args.config.resolve())
    env["PYTHONPATH"] = os.pathsep.join([str(BOOTSTRAP), *filter(None, [env.get("PYTHONPATH")])])
    sys.stderr.write(f"trace_advisor.runtime: tracing {len(plans)} function(s) from {args.config}\n")
    sys.stderr.flush()
    program = shutil.which(command[0], path=env.get("PATH")) or command[0]
    if os.name == "posix":
        try:
            os.execve(program, command, env)  # the command becomes this process: signals and exit code are its own
        except OSError as exc:
            sys.stderr.write(f"trace_advisor.runtime: error: cannot run {command[0]}: {exc.strerror or exc}\n")
            return 127
    try:
        return subprocess.call(command, env=env)
    except OSError as exc:
        sys.stderr.write(f"trace_advisor.runtime: error: cannot run {command[0]}: {exc.strerror or exc}\n")
        return 127


if __name__ == "__main__":
    sys.exit(main())
