"""Fill the facts cache for workspace folders from a second process, ahead of the index that will read them.

The language server starts this (``python -m trace_advisor.prefill ROOT...``) as soon as ``initialize`` names the
folders, while its own process spends most of a second importing pygls and lsprotocol: on a machine with a free core
the folders are parsed meanwhile, and the server's first index reads cache entries instead of parsing on the way to
its first answer. Nothing depends on it: the cache is keyed by content hash, so an entry written here is exactly
what the server would have written, a file not reached yet is parsed by the server as usual, and a prefill that
fails or is killed loses nothing.

It reads only the folders' own files (the ignore globs and size limit of each folder's configuration, else the
defaults): no search paths, no interpreter is run, nothing is imported from the workspace.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from trace_advisor.config import ConfigError, load_config
from trace_advisor.config_model import Config
from trace_advisor.facts_cache import FactsCache
from trace_advisor.sourcefiles import FactsReader
from trace_advisor.workspace import Workspace

TIME_LIMIT_S = 60.0  # past this the server's own background indexing has long taken over


def prefill(roots: Sequence[Path], time_limit_s: float = TIME_LIMIT_S, parent: int | None = None) -> int:
    """Parse the folders' files missing from the facts cache into it; how many files were read (hit or parsed).
    Stops at the time limit, or as soon as ``parent`` (the server) is gone."""
    deadline = time.monotonic() + time_limit_s
    cache, read = FactsCache(), 0
    for root in roots:
        ignore, max_bytes = _limits(root)
        reader = FactsReader(cache, max_bytes)
        for path in Workspace([root], ignore=ignore, site=()).discover():
            if time.monotonic() > deadline or (parent is not None and os.getppid() != parent):
                return read
            reader.read(path)
            read += 1
    return read


def _limits(root: Path) -> tuple[tuple[str, ...], int]:
    """The folder's ignore globs and file size limit; none and the default when its configuration does not load (the
    server reports that itself)."""
    try:
        config = load_config(root)
    except (ConfigError, OSError):
        return (), Config.__dataclass_fields__["max_file_bytes"].default  # type: ignore[return-value]
    return config.ignore, config.max_file_bytes


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m trace_advisor.prefill", description=__doc__.split("\n\n")[0])
    parser.add_argument("roots", nargs="+", type=Path, help="workspace folders")
    parser.add_argument("--time-limit", type=float, default=TIME_LIMIT_S, help="seconds (default: %(default)s)")
    parser.add_argument("--parent", type=int, help="stop when the process with this id is no longer the parent")
    args = parser.parse_args(argv)
    prefill([root for root in args.roots if root.is_dir()], args.time_limit, args.parent)
    return 0


if __name__ == "__main__":
    sys.exit(main())
