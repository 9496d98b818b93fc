"""Run the span edit engine over every function of the running Python's standard library and print the figures.

For each function, two edits are checked (a plain span, and a capture of every parameter with swallowed exceptions
recorded): minimal edits, the result parses, the text outside the edits is unchanged, the AST is unchanged apart
from the span, comments are kept, and a second application changes nothing (see tests/core/test_edits_stdlib.py,
whose checks this reuses). Default: the top-level statement holding each function and the header insertion are
checked on their own (cost proportional to the function); ``--whole-module`` re-parses whole modules instead.

Then behaviour (tests/support/stdlib_behaviour.py): pure-Python modules with their own unit tests get a span with
attributes and exception reporting on every function, and their tests run in-process under the OpenTelemetry SDK
against the original and the edited module; test outcomes, the frames of every call into the module and every
signature must be the same (``--behaviour quick|all|none``).

    .venv/bin/python benchmarks/span_edits_corpus.py [--one-in N] [--jobs 2] [--whole-module] [--behaviour all]
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _checks():  # type: ignore[no-untyped-def]
    if str(ROOT) not in sys.path:  # the checks import tests.support
        sys.path.insert(0, str(ROOT))
    spec = importlib.util.spec_from_file_location("edits_corpus_checks", ROOT / "tests/core/test_edits_stdlib.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _run(args: tuple[str, int, bool]) -> tuple[tuple[int, int, int, dict[str, int], list[str]], float, float, int]:
    """((tried, made, functions, refused, failures), engine seconds, ast.parse seconds x edits, edits)."""
    path, one_in, whole = args
    checks = _checks()
    from trace_advisor.edits import SpanEditor

    tally = checks.check_module(Path(path), one_in, whole_module=whole)
    # engine alone (plain form for every function of the file), against the baseline of parsing the file
    text = checks.read_source(Path(path))
    engine = parse = 0.0
    edits = 0
    if text is not None and tally.tried:
        t0 = time.perf_counter()
        module = ast.parse(text)
        t1 = time.perf_counter()
        editor = SpanEditor(text, module)
        for site in checks.iter_definitions(module):
            if isinstance(site, checks.FunctionSite):
                editor.edits(site.qualname, None, line=site.node.lineno)
                edits += 1
        engine, parse = time.perf_counter() - t1, (t1 - t0) * edits
    counts = (tally.tried, tally.edited, tally.functions, dict(tally.refused), tally.failures)
    return counts, engine, parse, edits


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--one-in", type=int, default=1, help="check one function in N (deterministic sample)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--whole-module", action="store_true", help="re-parse whole modules (much slower)")
    parser.add_argument("--behaviour", choices=("quick", "all", "none"), default="all")
    parser.add_argument("--show", type=int, default=0, help="list at most N failures (default: all of them)")
    args = parser.parse_args()
    checks = _checks()
    files = [str(p) for p in checks.corpus_files()]
    started = time.perf_counter()
    total = checks.Tally()
    engine = parse = 0.0
    edits = 0
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        for counts, e, p, n in pool.map(_run, [(f, args.one_in, args.whole_module) for f in files], chunksize=8):
            total.tried += counts[0]
            total.edited += counts[1]
            total.functions += counts[2]
            total.refused.update(counts[3])
            total.failures.extend(counts[4])
            engine, parse, edits = engine + e, parse + p, edits + n
    wall = time.perf_counter() - started
    failures = total.failures
    print(f"python {sys.version.split()[0]}  files {len(files)}  functions {total.functions}  sample 1/{args.one_in}")
    print(f"edits tried {total.tried} (plain + capture per function): made and verified {total.edited}, ", end="")
    print(f"rightly refused {sum(total.refused.values())} {dict(total.refused)}, FAILED {len(failures)}")
    per_edit = engine / max(edits, 1) * 1000
    print(f"engine alone (plain form, every function of the files checked): {edits} edits in {engine:.1f}s CPU,")
    print(
        f"  {per_edit:.2f} ms per edit = {engine / max(parse, 1e-9):.2f}x the time of one ast.parse of the edit's file"
    )
    print(f"wall time with all checks: {wall:.1f}s on {args.jobs} processes")
    reasons = Counter(failure.partition("]: ")[2] or failure for failure in failures)
    for reason, count in reasons.most_common():
        print(f"  {count:6d} x {reason}")
    for failure in failures[: args.show or None]:
        print("  FAIL", failure)
    differences = _behaviour(args.behaviour)
    return 1 if failures or differences else 0


def _behaviour(which: str) -> int:
    """Run the behaviour check (in this process, with the OpenTelemetry SDK recording); prints it, returns the
    number of differences."""
    if which == "none":
        return 0
    from opentelemetry import trace
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    _checks()  # puts the repository on sys.path
    from tests.support.stdlib_behaviour import MODULES, QUICK, check_behaviour

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    total = {"functions": 0, "edited": 0, "tests": 0, "calls": 0, "spans": 0}
    refused: dict[str, int] = {}
    differences: list[str] = []
    observed = 0
    started = time.perf_counter()
    for module in QUICK if which == "quick" else MODULES:
        report = check_behaviour(module)
        for key in ("functions", "edited", "tests", "calls"):
            total[key] += getattr(report, key)
        total["spans"] += len(exporter.get_finished_spans())
        exporter.clear()
        for reason, count in report.refused.items():
            refused[reason] = refused.get(reason, 0) + count
        differences.extend(report.differences)
        observed += len(report.observed)
    modules = len(QUICK if which == "quick" else MODULES)
    print(f"behaviour: {modules} stdlib modules instrumented whole (span + attributes + exception reporting)")
    print(
        f"  functions {total['functions']}: spans made and verified {total['edited']}, refused {refused}; "
        f"{total['tests']} of their own unit tests run before and after, {total['spans']} spans recorded"
    )
    print(
        f"  behaviour differences {len(differences)} (test outcomes, {total['calls']} distinct call frames into the"
        f" modules, signatures); exception messages read by the SDK: {observed}; {time.perf_counter() - started:.0f}s"
    )
    for difference in differences[:50]:
        print("  DIFF", difference)
    return len(differences)


if __name__ == "__main__":
    sys.exit(main())
