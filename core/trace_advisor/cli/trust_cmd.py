"""``trace-advisor trust``: record that the user read a project's configuration file and accepts its settings."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from trace_advisor.cli import common


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "path",
        nargs="?",
        type=Path,
        default=Path("."),
        metavar="PATH",
        help="the configuration file, or a project folder (default: the current folder's project)",
    )
    parser.add_argument("--revoke", action="store_true", help="forget the trust given to this file")


def run(args: argparse.Namespace) -> int:
    return common.run_reporting_usage_errors(lambda: _run(args, sys.stdout))


def _run(args: argparse.Namespace, out: TextIO) -> int:
    from trace_advisor.config import ConfigError, find_project_root
    from trace_advisor.config.loader import confinement_root, project_file_layer
    from trace_advisor.config.trust import TrustStore, restrict_untrusted, settings_digest

    common.check_paths([args.path])
    path = args.path.resolve()
    root = find_project_root(path)
    try:
        found = project_file_layer(root, path if path.is_file() else None)
    except ConfigError as exc:
        raise common.UsageError(str(exc)) from None
    if found is None:
        raise common.UsageError(f"no .trace-advisor.yaml or [tool.trace-advisor] table in {root}: nothing to trust")
    layer, file = found
    store = TrustStore()
    if args.revoke:
        forgotten = store.revoke(file)
        out.write(f"{'no longer trusted' if forgotten else 'was not trusted'}: {file.resolve()}\n")
        return 0
    _, gated = restrict_untrusted(layer, confinement_root(file, root))
    store.trust(file, settings_digest(layer.data))
    out.write(f"trusted: {file.resolve()} (until its settings change)\n")
    if gated:
        out.write("these settings now apply:\n")
        out.writelines(f"  {item.where} {item.key} = {item.value}\n" for item in gated)
    return 0
