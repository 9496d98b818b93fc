"""Warm against cold runs of a command reading the resolved-graph cache (``calls``, ``analyze``), as subprocesses
with one cache folder: what each writes, what it says on stderr, and which modules the warm run resolved (counted by
wrapping the resolver's ``resolve_module`` in the CLI's process: the real resolution runs, only the calls are
counted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.support.cli import clean_env, run_cli

# the CLI's own entry point, counting the modules resolution resolves (the count written when the run ends)
COUNTING = """
import collections, json, sys
out, argv = sys.argv[1], sys.argv[2:]
from trace_advisor.resolve.resolver import Resolver
counts = collections.Counter()
resolve_module = Resolver.resolve_module
def counting(self, info, known=None):
    counts[info.name] += 1
    return resolve_module(self, info, known)
Resolver.resolve_module = counting
from trace_advisor.cli import main
try:
    code = main(argv)
finally:
    with open(out, "w") as handle:
        json.dump(counts, handle)
sys.exit(code)
"""


class Runs:
    """One project and one cache folder; each run is ``prefix`` + its own arguments (``analyze`` writes JSON)."""

    def __init__(
        self, project: Path, scratch: Path, prefix: tuple[str | Path, ...] = (), *, same_stderr: bool = True
    ) -> None:
        self.project = project
        self.same_stderr = same_stderr  # ``analyze``'s ends with how long it took
        self.scratch = scratch
        self.prefix = prefix
        self.cache = scratch / "cache"
        self.number = 0
        self.stderr = ""

    def warm(self, *extra: str | Path, seed: str = "0") -> tuple[str, set[str]]:
        """What a run with the cache writes, and the modules it resolved (its stderr: ``self.stderr``)."""
        self.number += 1
        out, counts = self.scratch / f"warm{self.number}.json", self.scratch / f"counts{self.number}.json"
        argv = self._argv(extra, out)
        done = subprocess.run(
            [sys.executable, "-c", COUNTING, str(counts), *argv],
            capture_output=True,
            text=True,
            timeout=120,
            env=clean_env(TRACE_ADVISOR_CACHE_DIR=str(self.cache), PYTHONHASHSEED=seed),
            check=False,
        )
        assert done.returncode == 0, done.stderr
        self.stderr = done.stderr
        return out.read_text(encoding="utf-8"), set(json.loads(counts.read_text()))

    def cold(self, *extra: str | Path) -> str:
        self.number += 1
        out = self.scratch / f"cold{self.number}.json"
        done = run_cli(*self._argv(extra, out), "--no-cache")
        assert done.returncode == 0, done.stderr
        self.stderr = done.stderr
        return out.read_text(encoding="utf-8")

    def same(self, *extra: str | Path, seed: str = "0") -> set[str]:
        """Run warm and cold: both write the same bytes (and the same problems on stderr, ``same_stderr``); the
        modules the warm run resolved."""
        written, resolved = self.warm(*extra, seed=seed)
        problems = self.stderr
        assert written == self.cold(*extra)
        assert problems == self.stderr or not self.same_stderr
        return resolved

    def _argv(self, extra: tuple[str | Path, ...], out: Path) -> list[str]:
        argv = [*map(str, self.prefix), *map(str, extra), "-o", str(out)]
        return [*argv, "--format", "json"] if argv[0] == "analyze" else argv
