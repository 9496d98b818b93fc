"""The long fuzz run: the tests/fuzz properties with many more examples, then a seeded editing session of 10,000
edits against the real server over stdio. Prints each verdict; exits 1 when anything failed.

    .venv/bin/python benchmarks/fuzz.py [--examples N] [--edits N] [--seed N]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.support.server_fuzz import fuzz_server  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, default=3000, help="hypothesis examples per property (default 3000)")
    parser.add_argument("--edits", type=int, default=10_000, help="edits in the server session (default 10000)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    env = {**os.environ, "TRACE_ADVISOR_FUZZ": "long", "TRACE_ADVISOR_FUZZ_EXAMPLES": str(args.examples)}
    properties = [str(p) for p in sorted((REPO / "tests" / "fuzz").glob("test_fuzz_*.py")) if "server" not in p.name]
    print(f"properties, {args.examples} examples each:", flush=True)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *properties], cwd=REPO, env=env
    )
    with tempfile.TemporaryDirectory() as scratch:
        report = fuzz_server(REPO / "examples", Path(scratch), edits=args.edits, seed=args.seed)
    print(f"server session (seed {args.seed}): {report.summary()}")
    print("server session clean" if report.clean else "server session NOT clean")
    for answer in report.internal[:5]:
        print("internal error:", answer)
    for message in report.server_errors[:5]:
        print("server error:", message)
    return 0 if done.returncode == 0 and report.clean else 1


if __name__ == "__main__":
    sys.exit(main())
