"""Cost of ``trace_advisor.runtime`` on the billing fixture's hot path, as ratios to the untraced code in one process.

Imports tests/fixtures/runtime/app three times — plainly; through the import hook with the functions ``trace-advisor
export`` lists for it; and a copy edited by ``trace-advisor apply --all`` (the same spans written into the source) —
and times, in interleaved rounds (the fastest round counts: the machine's other load only ever adds time):

- ``io``: ``Ledger.balance`` on a SQLite file (a query: the I/O-sized work spans are meant for; goal <= 1.05x without
  an SDK),
- ``io+write``: ``Ledger.record`` (an insert and a commit),
- ``tiny``: ``Ledger.balance`` with the query answered from an in-memory database (close to the worst case),

first with only the OpenTelemetry API (no SDK: the wrapper checks the provider and calls through), then with the SDK
configured (``TracerProvider`` + ``SimpleSpanProcessor`` + an exporter that drops spans: the in-process cost of
recording, paid by the call that made the span; a batch processor's thread would bill it to whichever round runs
next), where the runtime is also compared with the edited source. Also times importing the traced module
(compiled from source by the hook) against a plain import.

    .venv/bin/python benchmarks/runtime_overhead.py [--rounds 150] [--calls 200]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

REPO = Path(__file__).resolve().parents[1]
APP = REPO / "tests" / "fixtures" / "runtime" / "app"
TRACED = ("Ledger.record", "Ledger.balance", "Ledger.entries", "Ledger.open")  # for the import timing


def load(root: Path, plans: tuple[Any, ...] = ()) -> ModuleType:
    """The fixture's ledger module imported from ``root`` (through the import hook when ``plans`` are given)."""
    from trace_advisor import runtime

    for name in [m for m in sys.modules if m.partition(".")[0] == "billing"]:
        del sys.modules[name]
    sys.path.insert(0, str(root))
    finder = runtime.install(plans) if plans else None
    try:
        import billing.ledger

        return billing.ledger
    finally:
        sys.path.remove(str(root))
        if finder is not None:
            sys.meta_path.remove(finder)


def prepare(folder: Path) -> tuple[Path, tuple[Any, ...]]:
    """A copy of the app edited by ``apply --all``, and the plans ``export`` writes for the untouched app."""
    from trace_advisor.runtime.plan import load as load_plans

    edited = folder / "edited"
    shutil.copytree(APP, edited)
    cli = [sys.executable, "-m", "trace_advisor"]
    subprocess.run([*cli, "apply", str(edited), "--all", "--no-cache"], check=True, capture_output=True, timeout=300)
    traced = folder / "traced.json"
    subprocess.run(
        [*cli, "export", str(APP), "-o", str(traced), "--no-cache"], check=True, capture_output=True, timeout=300
    )
    plans = tuple(p for p in load_plans(traced) if p.module == "billing.ledger")
    return edited, plans


def per_call(function: Callable[[], Any], calls: int) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        function()
    return (time.perf_counter() - start) / calls


def compare(label: str, base: Callable[[], Any], other: Callable[[], Any], rounds: int, calls: int, names: str) -> None:
    """Fastest seconds per call of each over ``rounds``, measured alternately so drift hits both alike."""
    a: list[float] = []
    b: list[float] = []
    for _ in range(rounds):
        a.append(per_call(base, calls))
        b.append(per_call(other, calls))
    pa, pb = min(a), min(b)
    first, second = names.split("/")
    print(
        f"  {label:<9} {first} {pa * 1e6:8.2f} us   {second} {pb * 1e6:8.2f} us   ratio {pb / pa:5.3f}x"
        f"   ({(pb - pa) * 1e9:+7.0f} ns/call)"
    )


def calls_for(label: str, calls: int) -> int:
    """A commit waits for the disk: fewer calls per round."""
    return max(calls // 50 if label == "io+write" else calls, 1)


def workloads(module: ModuleType, folder: str) -> dict[str, Callable[[], Any]]:
    disk = module.Ledger.open(f"{folder}/ledger-{id(module)}.db")
    for n in range(200):
        disk.record(f"acct-{n % 20}", 100 + n)
    memory = module.Ledger.open(":memory:")
    memory.record("acct-1", 5)
    writes = module.Ledger.open(f"{folder}/writes-{id(module)}.db")  # apart: the queried table stays the same size
    return {
        "io": lambda: disk.balance("acct-3"),
        "io+write": lambda: writes.record("acct-3", 1),
        "tiny": lambda: memory.balance("acct-1"),
    }


def import_time(traced: bool, repeat: int = 7) -> float:
    """Seconds to import billing.ledger in a fresh interpreter (median), with or without the hook (the OpenTelemetry
    API and the runtime already imported in both: an instrumented application imports them anyway)."""
    code = (
        "import sys, time; sys.path.insert(0, sys.argv[1]);"
        "import opentelemetry.trace, trace_advisor.runtime.wrap;"  # both runs pay for these alike
        "from trace_advisor import runtime; from trace_advisor.runtime.plan import FunctionPlan;"
        f"plans = tuple(FunctionPlan('billing.ledger', q, q) for q in {TRACED!r}) if sys.argv[2] == '1' else ();"
        "runtime.install(plans) if plans else None;"
        "t = time.perf_counter(); import billing.ledger; print(time.perf_counter() - t)"
    )
    times = []
    for _ in range(repeat):
        done = subprocess.run(
            [sys.executable, "-c", code, str(APP), "1" if traced else "0"],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        times.append(float(done.stdout.strip()))
    return statistics.median(times)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=150)
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        edited_root, plans = prepare(folder)
        plain, traced, edited = load(APP), load(APP, plans), load(edited_root)
        assert hasattr(traced.Ledger.balance, "__wrapped__") and not hasattr(plain.Ledger.balance, "__wrapped__")
        work = {
            name: workloads(module, tmp) for name, module in (("plain", plain), ("runtime", traced), ("edited", edited))
        }
        print(
            f"Python {sys.version.split()[0]}; fastest of {args.rounds} rounds x {args.calls} calls; traced: "
            f"{', '.join(p.qualname for p in plans)}"
        )
        print("without an SDK (opentelemetry-api only):")
        for label in work["plain"]:
            calls = calls_for(label, args.calls)
            compare(label, work["plain"][label], work["runtime"][label], args.rounds, calls, "plain/runtime")

        from opentelemetry import trace
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter, SpanExportResult

        class Drop(SpanExporter):
            def export(self, spans: Sequence[Any]) -> SpanExportResult:
                return SpanExportResult.SUCCESS

        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(Drop()))
        trace.set_tracer_provider(provider)
        print("with the SDK (TracerProvider + SimpleSpanProcessor, spans dropped by the exporter):")
        for label in work["plain"]:
            calls = calls_for(label, args.calls // 4)
            compare(label, work["plain"][label], work["runtime"][label], args.rounds, calls, "plain/runtime")
            compare(label, work["edited"][label], work["runtime"][label], args.rounds, calls, "edited/runtime")
        provider.shutdown()
    plain_import, traced_import = import_time(False), import_time(True)
    print(
        f"import billing.ledger: plain {plain_import * 1e3:.2f} ms, through the hook {traced_import * 1e3:.2f} ms "
        f"(ratio {traced_import / plain_import:.2f}x: the hook compiles the module from source)"
    )


if __name__ == "__main__":
    main()
