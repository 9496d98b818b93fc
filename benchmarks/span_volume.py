"""Spans per operation: the call-graph estimate against what real code makes under the OpenTelemetry SDK.

For each case, the functions ``trace-advisor export`` lists are traced with ``trace_advisor.runtime`` (the same
functions ``apply --all`` would edit) in a separate interpreter with the SDK and an in-memory exporter; the case's
operation runs ``--n`` times and the spans per operation of each function are compared with the estimate from the
operation's entry point (``analyze``'s figures for that entry: the typical path, with the same were every loop over
items of unknown number to run once and were every path taken: every ``except`` handler, the larger arm of each
branch, every loop over items counted as LOOP_ITERATIONS).

- ``requests`` (psf/requests' ``src``): ``requests.get`` against a loopback HTTP server in the driver process, as a
  plain GET and as a mix (two redirects, basic auth, cookies set through a redirect, credentials in the URL, a 404);
- ``flower`` (mher/flower): Celery events fed to ``flower.events.EventsState.event`` as the events receiver does
  (one operation = one event), no broker;
- ``fixture``: tests/fixtures/loop_shapes (retry, redirect, fixed and per-item loops): its own scenario.py, one
  webhook batch (four events, a retry, a redirect) per operation;
- ``worker``: tests/fixtures/worker_loop (a worker's ``while not self._stop_requested`` loop over a SQLite queue):
  its own scenario.py, one job (four items) per operation, estimated per pass of that loop;
- ``job_paths``: tests/fixtures/job_paths (a worker shaped like rq's: failure handler, retry arm, nested loops over
  dependents, a clean-up that deletes in one arm): its own scenario.py, one job that succeeds per operation;
- ``rq`` (rq/rq): jobs run by rq's ``SimpleWorker`` on fakeredis, one job per operation (a run of one job taken away:
  the worker's start and stop are not per job), estimated per pass of ``BaseWorker.work``'s ``while True``.

The interpreter (``--python``) needs ``opentelemetry-sdk`` and each project's own dependencies (requests: urllib3,
idna, certifi, charset_normalizer; flower: celery, tornado, humanize, prometheus_client, pytz; rq: redis, click and
``fakeredis[lua]``); trace_advisor's
``runtime`` is taken from this checkout. Cases whose source is not given or not found are skipped.

    .venv/bin/python benchmarks/span_volume.py --python /tmp/bench-venv/bin/python \\
        [--requests /tmp/requests/src] [--flower /tmp/flower] [--rq /tmp/rq] [--n 20] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORE = REPO / "core"
FIXTURE = REPO / "tests" / "fixtures" / "loop_shapes" / "app"
WORKER = REPO / "tests" / "fixtures" / "worker_loop" / "app"
JOB_PATHS = REPO / "tests" / "fixtures" / "job_paths" / "app"


@dataclass(frozen=True)
class Case:
    name: str
    root: Path  # what is analysed (the search path the modules are named from)
    entry: str  # the entry point one operation calls
    operations: tuple[str, ...]  # the driver's operations (each measured on its own)


def cases(args: argparse.Namespace) -> list[Case]:
    found = [Case("fixture", FIXTURE, "hooks.deliver:deliver_all", ("deliver",))] if FIXTURE.is_dir() else []
    if WORKER.is_dir():
        found.append(Case("worker", WORKER, "jobq.worker:Worker.work", ("job",)))
    if JOB_PATHS.is_dir():
        found.append(Case("job_paths", JOB_PATHS, "pq.worker:Worker.work", ("job",)))
    if args.requests and Path(args.requests, "requests", "api.py").is_file():
        found.append(Case("requests", Path(args.requests), "requests.api:get", ("get", "mix")))
    if args.flower and Path(args.flower, "flower", "events.py").is_file():
        found.append(Case("flower", Path(args.flower), "flower.events:EventsState.event", ("task-events",)))
    if args.rq and Path(args.rq, "rq", "worker", "base.py").is_file():
        found.append(Case("rq", Path(args.rq), "rq.worker.base:BaseWorker.work", ("job",)))
    return found


def estimate(case: Case) -> tuple[dict[str, tuple[float, float, str | None, float]], dict[str, object]]:
    """Per exported function: (typical, low, dominant loop, every path) from the case's entry point; and the
    report's volume."""
    from trace_advisor.analysis import analyze
    from trace_advisor.config import load_config
    from trace_advisor.index import Index
    from trace_advisor.volume import entry_figures, estimate_costs

    config = load_config(case.root)
    index = Index.from_config(config, [case.root], use_cache=False)
    index.build()
    result = estimate_costs(analyze(index, config), index, config)
    symbols = {rec.symbol for rec in result.recommendations}
    figures = entry_figures(index, config, case.entry, symbols)
    volume = result.volume
    summary = {
        "volume": None if volume is None else [volume.per_request, volume.one_pass, volume.all_paths, volume.entry]
    }
    return figures, summary


def export(case: Case, folder: Path) -> Path:
    out = folder / f"{case.name}-traced.json"
    exe = Path(sys.executable).with_name("trace-advisor")
    subprocess.run([str(exe), "export", str(case.root), "-o", str(out), "--no-cache"], check=True, capture_output=True)
    return out


def measure(case: Case, python: str, traced: Path, operation: str, n: int) -> dict[str, float]:
    """code.function.name -> spans per operation, from the driver (the fixture: its scenario) under the SDK."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(CORE), str(case.root)]))
    if case.name == "fixture":
        out = traced.with_suffix(".spans.json")
        scenario = [python, str(FIXTURE.parent / "scenario.py"), str(case.root), str(out), "--deliveries", str(n)]
        command = [python, "-m", "trace_advisor.runtime", "--config", str(traced), "--", *scenario]
        subprocess.run(command, env=env, check=True, capture_output=True, text=True)
        return dict(json.loads(out.read_text())["spans_per_delivery"])
    if case.name in ("worker", "job_paths"):
        out = traced.with_suffix(".spans.json")
        scenario = [python, str(case.root.parent / "scenario.py"), str(case.root), str(out), "--jobs", str(n)]
        command = [python, "-m", "trace_advisor.runtime", "--config", str(traced), "--", *scenario]
        subprocess.run(command, env=env, check=True, capture_output=True, text=True)
        found = json.loads(out.read_text())
        return {name: count / found["jobs"] for name, count in found["spans"].items()}
    argv = [python, str(Path(__file__).with_name("span_volume_driver.py")), case.name, operation, str(traced), str(n)]
    done = subprocess.run(argv, env=env, check=True, capture_output=True, text=True)
    counts: dict[str, int] = json.loads(done.stdout.strip().splitlines()[-1])
    return {name: count / n for name, count in counts.items()}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default=sys.executable, help="interpreter with the SDK and the projects' deps")
    parser.add_argument("--requests", help="psf/requests' src folder")
    parser.add_argument("--flower", help="mher/flower's checkout")
    parser.add_argument("--rq", help="rq/rq's checkout")
    parser.add_argument("--n", type=int, default=20, help="operations per measurement")
    parser.add_argument("--json", help="also write the figures here")
    args = parser.parse_args(argv)
    everything: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for case in cases(args):
            figures, summary = estimate(case)
            traced = export(case, Path(tmp))
            plans = json.loads(traced.read_text())["functions"]
            names = {p["symbol"]: f"{p['module']}.{p['qualname']}" for p in plans}
            volume = summary["volume"]
            print(f"\n## {case.name}: from {case.entry}  (report volume, one pass, every path, entry: {volume})")
            rows = []
            for operation in case.operations:
                measured = measure(case, args.python, traced, operation, args.n)
                total_est = total_low = total_every = total_measured = 0.0
                print(f"\n{operation}: symbol | estimated (one pass .. typical | every path) | measured per op | ratio")
                for symbol in sorted(names):
                    typical, low, loop, every = figures.get(symbol, (0.0, 0.0, None, 0.0))
                    got = measured.get(names[symbol], 0.0)
                    if not every and not got:
                        continue
                    total_est, total_low, total_measured = total_est + typical, total_low + low, total_measured + got
                    total_every += every
                    ratio = f"{typical / got:.2f}x" if got else "-"
                    where = f"  [{loop}]" if loop else ""
                    print(f"  {symbol:70} {low:7.3g} .. {typical:<7.3g} | {every:<7.3g} {got:8.3g}  {ratio}{where}")
                    row = {"typical": typical, "low": low, "every_path": every, "measured": got}
                    rows.append({"operation": operation, "symbol": symbol, **row})
                ratio = f"{total_est / total_measured:.2f}x" if total_measured else "-"
                print(
                    f"  {'TOTAL':70} {total_low:7.3g} .. {total_est:<7.3g} | {total_every:<7.3g} {total_measured:8.3g}"
                    f"  {ratio}"
                )
                totals = {"typical": total_est, "low": total_low, "every_path": total_every, "measured": total_measured}
                rows.append({"operation": operation, "symbol": "TOTAL", **totals})
            everything[case.name] = {"entry": case.entry, **summary, "rows": rows}
    if args.json:
        Path(args.json).write_text(json.dumps(everything, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
