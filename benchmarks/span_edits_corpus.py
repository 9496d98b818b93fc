"""Run the span edit engine over every function of the running Python's standard library and print the figures.

For each function, two edits are checked (a plain span, and a capture of every parameter with swallowed exceptions
recorded): minimal edits, the result parses, the text outside the edits is unchanged, the AST is unchanged apart
from the span, comments are kept, and a second application changes nothing (see tests/core/test_edits_stdlib.py,
whose checks this reuses). Default: the top-level statement holding each function and the header insertion are
checked on their own (cost proportional to the function); ``--whole-module`` re-parses whole modules instead.

    .venv/bin/python benchmarks/span_edits_corpus.py [--one-in N] [--jobs 2] [--whole-module]
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _checks():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("edits_corpus_checks", ROOT / "tests/core/test_edits_stdlib.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _run(args: tuple[str, int, bool]) -> tuple[int, int, list[str], float, float]:
    """(tried, ok, failures, engine seconds, total seconds) for one file."""
    path, one_in, whole = args
    checks = _checks()
    from trace_advisor.edits import SpanEditor

    started = time.perf_counter()
    tally = checks.check_module(Path(path), one_in, whole_module=whole)
    total = time.perf_counter() - started
    # engine-only time: the same edits without any checking
    text = checks.read_source(Path(path))
    engine = 0.0
    if text is not None and tally.tried:
        module = ast.parse(text)
        t0 = time.perf_counter()
        editor = SpanEditor(text, module)
        for site in checks.iter_definitions(module):
            if isinstance(site, checks.FunctionSite):
                editor.edits(site.qualname, None, line=site.node.lineno)
        engine = time.perf_counter() - t0
    return tally.tried, tally.edited, tally.failures, engine, total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--one-in", type=int, default=1, help="check one function in N (deterministic sample)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--whole-module", action="store_true", help="re-parse whole modules (much slower)")
    args = parser.parse_args()
    files = [str(p) for p in _checks().corpus_files()]
    started = time.perf_counter()
    tried = ok = 0
    engine = 0.0
    failures: list[str] = []
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        for t, k, f, e, _ in pool.map(_run, [(p, args.one_in, args.whole_module) for p in files], chunksize=8):
            tried, ok, engine = tried + t, ok + k, engine + e
            failures.extend(f)
    wall = time.perf_counter() - started
    print(f"python {sys.version.split()[0]}  files {len(files)}  sample 1/{args.one_in}")
    print(f"edits tried {tried}  right (or rightly refused) {ok}  failed {len(failures)}")
    print(f"wall {wall:.1f}s on {args.jobs} processes;  engine alone (plain form, every function) {engine:.1f}s CPU")
    for failure in failures[:50]:
        print("  FAIL", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
