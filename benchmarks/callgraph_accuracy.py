"""Precision and recall of the static call graph against calls recorded at run time (``calls --record``).

The truth is what really ran: workspace -> workspace calls (caller, callee) recorded by trace-advisor's own recorder.
For each project it prints:

- recall: observed calls the static graph has (as ``calls --compare`` counts them);
- precision: static edges that were observed, among the static edges out of functions that ran. A static edge that
  did not run may be a path the recorded run did not take, so on real projects this is a lower bound; on the fixture
  corpus, whose entry functions take every path, it is exact;
- both again for direct edges alone and for class-hierarchy edges (``dispatch == "subclass"``) alone.

The fixture corpus is tests/fixtures/callgraph/<case> (each case's ``expected.json`` names its entry function),
recorded afresh on every run. Real projects are given as a folder and a recording of their tests, made with

    trace-advisor calls DIR --record-out DIR.rec.json --record -- python -m pytest -q tests

    .venv/bin/python benchmarks/callgraph_accuracy.py
    .venv/bin/python benchmarks/callgraph_accuracy.py --project /tmp/x/click /tmp/x/click.rec.json \\
        --project /tmp/x/markdown /tmp/x/markdown.rec.json
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from trace_advisor.datatypes import CallEdge, SymbolId
from trace_advisor.index import Index
from trace_advisor.record import recording
from trace_advisor.record.observed import same_target

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "callgraph"
Pair = tuple[SymbolId, SymbolId]


@dataclass(frozen=True, slots=True)
class Score:
    observed: int  # observed workspace -> workspace pairs
    found: int  # of those, in the static graph
    static: int  # static workspace -> workspace pairs out of functions that ran
    confirmed: int  # of those, observed

    @property
    def recall(self) -> float:
        return self.found / self.observed if self.observed else 1.0

    @property
    def precision(self) -> float:
        return self.confirmed / self.static if self.static else 1.0

    def __add__(self, other: Score) -> Score:
        return Score(
            self.observed + other.observed,
            self.found + other.found,
            self.static + other.static,
            self.confirmed + other.confirmed,
        )


def score(root: Path, recorded: Path, cache: Path) -> dict[str, Score]:
    """All edges, direct edges only and class-hierarchy edges only, against one recording of ``root``."""
    index = Index([root], cache_dir=cache)
    index.build()
    graph = index.graph()
    found = recording.load(recorded)
    workspace = {str(p) for p in index.files()}

    def ours(symbol: SymbolId) -> bool:
        definition = index.definition(symbol)
        return definition is not None and definition.file in workspace

    def function(symbol: SymbolId) -> bool:  # building a class without ``__init__`` runs no function
        definition = index.definition(symbol)
        return definition is not None and definition.file in workspace and definition.kind != "class"

    observed: set[Pair] = {
        (c.caller, c.callee) for c in found.calls if c.caller is not None and not c.external and ours(c.caller)
    }
    observed = {(caller, callee) for caller, callee in observed if ours(callee)}
    ran = {c.callee for c in found.calls} | {c.caller for c in found.calls if c.caller is not None}
    edges: dict[SymbolId, tuple[CallEdge, ...]] = {s: graph.callees(s) for s in graph.symbols() if ours(s)}
    out = {}
    for kind in ("all", "direct", "subclass"):
        static = {
            (caller, e.callee)
            for caller, found_edges in edges.items()
            for e in found_edges
            if function(e.callee) and kind in ("all", e.dispatch)
        }
        hit = {pair for pair in observed if any(same_target(c, pair[1]) for p, c in static if p == pair[0])}
        ran_static = {pair for pair in static if pair[0] in ran}
        confirmed = {pair for pair in ran_static if pair in observed}
        out[kind] = Score(len(observed), len(hit), len(ran_static), len(confirmed))
    return out


def record_case(case: Path, work: Path) -> Path:
    """Run a corpus case's entry function under trace-advisor's recorder."""
    entry = json.loads((case / "expected.json").read_text(encoding="utf-8"))["entry"]
    module, _, function = entry.partition(":")
    out = work / f"{case.name}.rec.json"
    program = f"import sys; sys.path.insert(0, {str(case)!r}); import {module} as m; m.{function}()"
    env = {**os.environ, "TRACE_ADVISOR_CACHE_DIR": str(work / "cache")}
    command = [sys.executable, "-m", "trace_advisor", "calls", str(case), "--record-out", str(out), "--record", "--"]
    subprocess.run([*command, sys.executable, "-c", program], check=True, env=env, capture_output=True, timeout=300)
    return out


def line(name: str, scores: dict[str, Score]) -> str:
    a, d, s = scores["all"], scores["direct"], scores["subclass"]
    return (
        f"{name:<24} {a.observed:>6} {a.recall:>7.1%} {a.precision:>9.1%} {a.static:>7}"
        f" | direct {d.recall:>6.1%} {d.precision:>6.1%} | subclass: {s.static:>3} ran,"
        f" {s.confirmed:>3} observed ({s.precision:.0%}), recall +{a.found - d.found}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--project", nargs=2, action="append", default=[], metavar=("DIR", "RECORDING"))
    args = parser.parse_args()
    print(f"{'project':<24} {'pairs':>6} {'recall':>7} {'precision':>9} {'static':>7}")
    with tempfile.TemporaryDirectory(prefix="callgraph-accuracy-") as scratch:
        work = Path(scratch)
        total: dict[str, Score] | None = None
        for case in sorted(p for p in CORPUS.iterdir() if (p / "expected.json").is_file()):
            scores = score(case, record_case(case, work), work / "cache")
            total = scores if total is None else {k: total[k] + scores[k] for k in scores}
            print(line(f"corpus/{case.name}", scores))
        if total is not None:
            print(line("corpus (all cases)", total))
        for folder, recorded in args.project:
            print(line(Path(folder).name, score(Path(folder).resolve(), Path(recorded), work / "cache")))


if __name__ == "__main__":
    main()
