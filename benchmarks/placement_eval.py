"""Scores span placement against the hand-labelled development set: per-function recall, precision and F1.

Runs the local engine through the public facade (``trace_advisor.analysis.analyze``) over
``tests/fixtures/devset`` and compares its recommendations with ``labels.json``. Also prints the trivial baseline
of recommending every function, a per-file table, and every false positive and false negative.

    .venv/bin/python benchmarks/placement_eval.py                 # default min_confidence from config
    .venv/bin/python benchmarks/placement_eval.py --min-confidence 0.6
    .venv/bin/python benchmarks/placement_eval.py --sweep         # precision/recall over thresholds 0.30..0.90
    .venv/bin/python benchmarks/placement_eval.py --instrumented  # as if the usual OTel auto-instrumentation
                                                                  # packages were installed (the labels' premise)
    .venv/bin/python benchmarks/placement_eval.py --examples      # against examples/expected.json instead
    .venv/bin/python benchmarks/placement_eval.py --json          # machine-readable figures
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DEVSET = REPO / "tests" / "fixtures" / "devset"
EXAMPLES = REPO / "examples"
INSTRUMENTED_ENV = "instrumented-env"  # inside the devset: metadata-only venv listing auto-instrumentation packages
SWEEP = tuple(round(0.30 + 0.05 * i, 2) for i in range(13))  # 0.30, 0.35, ..., 0.90

Labels = Mapping[str, Mapping[str, Sequence[str]]]  # file -> {"traced": [...], "not_traced": [...]}
Predictions = Mapping[str, frozenset[str]]  # file -> recommended qualnames


@dataclass
class Score:
    """Per-function confusion counts; precision and recall of an empty denominator are reported as 1.0 and 0/0."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    false_positives: list[str] = field(default_factory=list)
    false_negatives: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        self.tn += other.tn
        self.false_positives.extend(other.false_positives)
        self.false_negatives.extend(other.false_negatives)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def figures(self) -> dict[str, float | int]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "tn": self.tn,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


def load_labels(devset: Path) -> Labels:
    labels: dict[str, dict[str, list[str]]] = json.loads((devset / "labels.json").read_text(encoding="utf-8"))
    missing = [name for name in labels if not (devset / name).is_file()]
    if missing:
        raise SystemExit(f"placement_eval: labelled files missing from {devset}: {', '.join(missing)}")
    return labels


def load_example_labels(root: Path) -> tuple[Labels, dict[str, frozenset[str]]]:
    """``examples/expected.json`` as labels: "trace" is traced, "never" is not traced, "optional" is left out of the
    score (recommending it is neither right nor wrong). Returns the labels and the optional qualnames per file."""
    expected: dict[str, object] = json.loads((root / "expected.json").read_text(encoding="utf-8"))
    labels: dict[str, dict[str, list[str]]] = {}
    optional: dict[str, frozenset[str]] = {}
    for module, groups in expected.items():
        if module.startswith("_") or not isinstance(groups, dict):
            continue
        stem = module.replace(".", "/")
        name = f"{stem}/__init__.py" if (root / stem / "__init__.py").is_file() else f"{stem}.py"
        if not (root / name).is_file():
            raise SystemExit(f"placement_eval: {module} from expected.json has no file under {root}")
        labels[name] = {"traced": list(groups["trace"]), "not_traced": list(groups["never"])}
        optional[name] = frozenset(groups["optional"])
    return labels, optional


def score_file(name: str, label: Mapping[str, Sequence[str]], predicted: Iterable[str]) -> Score:
    """Compare one file's recommendations with its labels. A recommended qualname without a label counts as a
    false positive (marked ``unlabelled``): the engine proposed a span nobody asked for."""
    traced, not_traced = set(label["traced"]), set(label["not_traced"])
    chosen = set(predicted)
    score = Score(tp=len(chosen & traced), fn=len(traced - chosen), tn=len(not_traced - chosen))
    wrong = sorted(chosen - traced)
    score.fp = len(wrong)
    score.false_positives = [f"{name}:{q}" + ("" if q in not_traced else "  (unlabelled)") for q in wrong]
    score.false_negatives = [f"{name}:{q}" for q in sorted(traced - chosen)]
    return score


def score_all(labels: Labels, predictions: Predictions) -> tuple[Score, dict[str, Score]]:
    total = Score()
    per_file: dict[str, Score] = {}
    for name in sorted(labels):
        per_file[name] = score_file(name, labels[name], predictions.get(name, frozenset()))
        total.add(per_file[name])
    return total, per_file


def baseline_every_function(labels: Labels) -> Predictions:
    """The trivial baseline: a span on every function and method."""
    return {name: frozenset([*label["traced"], *label["not_traced"]]) for name, label in labels.items()}


class Engine:
    """The local engine over the devset through the public facade; the index is built once and reused."""

    def __init__(
        self,
        devset: Path,
        python: str | None = None,
        skip: Mapping[str, frozenset[str]] | None = None,
        scoring: str = "rules",
    ) -> None:
        from trace_advisor.config import config_from_mapping
        from trace_advisor.index import Index

        self.devset = devset.resolve()
        self.config = config_from_mapping({"scoring": scoring}, "placement_eval")
        if python is not None:
            self.config = dataclasses.replace(self.config, python=python)
        self.index = Index.from_config(self.config, [self.devset], use_cache=False)
        started = time.perf_counter()
        self.index.build()
        self.build_seconds = time.perf_counter() - started
        self.skip = skip or {}  # qualnames per file that are neither right nor wrong to recommend
        self.installed: list[str] = []
        self.problems: list[str] = []

    def predict(self, min_confidence: float | None) -> Predictions:
        from trace_advisor.analysis import analyze

        config = self.config
        if min_confidence is not None:
            config = dataclasses.replace(config, min_confidence=min_confidence)
        files = sorted(self.devset.rglob("*.py"))
        result = analyze(self.index, config, files)
        self.installed = [str(x) for x in result.extra.get("installed_instrumentation", []) or []]  # type: ignore[attr-defined]
        self.problems = [f"{p.file}: {p.message}" for p in result.problems]
        found: dict[str, set[str]] = {}
        for rec in result.recommendations:
            path = Path(rec.file).resolve()
            name = path.relative_to(self.devset).as_posix() if path.is_relative_to(self.devset) else str(path)
            if rec.qualname not in self.skip.get(name, frozenset()):
                found.setdefault(name, set()).add(rec.qualname)
        return {name: frozenset(qualnames) for name, qualnames in found.items()}


def pct(value: float) -> str:
    return f"{100 * value:5.1f}%"


def print_summary(engine_score: Score, base_score: Score, threshold: float) -> None:
    print(f"{'':34} {'recall':>8} {'precision':>10} {'F1':>7}   tp   fp   fn")
    rows = ((f"local engine (min_confidence {threshold:.2f})", engine_score), ("baseline: every function", base_score))
    for title, s in rows:
        print(f"{title:34} {pct(s.recall):>8} {pct(s.precision):>10} {s.f1:7.3f} {s.tp:4} {s.fp:4} {s.fn:4}")
    if base_score.f1:
        print(f"F1 ratio engine/baseline: {engine_score.f1 / base_score.f1:.2f}x")


def print_per_file(per_file: Mapping[str, Score], labels: Labels) -> None:
    width = max([28, *(len(name) for name in per_file)])
    columns = f"{'funcs':>5} {'gold':>4} {'tp':>3} {'fp':>3} {'fn':>3} {'recall':>7} {'prec':>7} {'F1':>6}"
    print(f"\n{'file':{width}} {columns}")
    for name, s in per_file.items():
        funcs = len(labels[name]["traced"]) + len(labels[name]["not_traced"])
        gold = len(labels[name]["traced"])
        print(
            f"{name:{width}} {funcs:5} {gold:4} {s.tp:3} {s.fp:3} {s.fn:3} "
            f"{pct(s.recall):>7} {pct(s.precision):>7} {s.f1:6.3f}"
        )


def print_errors(score: Score) -> None:
    print(f"\nfalse positives ({len(score.false_positives)}): recommended, labelled not traced")
    for item in score.false_positives:
        print(f"  + {item}")
    print(f"\nfalse negatives ({len(score.false_negatives)}): labelled traced, not recommended")
    for item in score.false_negatives:
        print(f"  - {item}")


def run_sweep(engine: Engine, labels: Labels, base: Score, as_json: bool) -> int:
    rows = []
    for threshold in SWEEP:
        score, _ = score_all(labels, engine.predict(threshold))
        rows.append({"min_confidence": threshold, **score.figures()})
    if as_json:
        print(json.dumps({"sweep": rows, "baseline": base.figures()}, indent=2))
        return 0
    print(f"{'min_conf':>8} {'recall':>8} {'precision':>10} {'F1':>7} {'recommended':>12}")
    for row in rows:
        recommended = int(row["tp"]) + int(row["fp"])
        print(
            f"{row['min_confidence']:8.2f} {pct(float(row['recall'])):>8} {pct(float(row['precision'])):>10} "
            f"{float(row['f1']):7.3f} {recommended:12}"
        )
    print(
        f"{'baseline':>8} {pct(base.recall):>8} {pct(base.precision):>10} {base.f1:7.3f} {base.tp + base.fp:12}"
        "   (every function)"
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--devset", type=Path, default=DEFAULT_DEVSET, help="folder with *.py files and labels.json")
    parser.add_argument("--min-confidence", type=float, default=None, help="override the configured threshold")
    parser.add_argument("--sweep", action="store_true", help="precision/recall table over thresholds 0.30..0.90")
    parser.add_argument("--json", action="store_true", help="print figures as JSON")
    parser.add_argument(
        "--scoring", choices=("rules", "calibrated"), default=None, help="the local engine's scorer (default: shipped)"
    )
    parser.add_argument("--examples", action="store_true", help="score examples/ against examples/expected.json")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--python", help="interpreter (or venv folder) whose installed instrumentation the engine sees")
    where.add_argument(
        "--instrumented",
        action="store_true",
        help=f"use <devset>/{INSTRUMENTED_ENV}: the usual auto-instrumentation packages count as installed",
    )
    args = parser.parse_args(argv)
    if args.scoring is None:
        from trace_advisor.config import default_config

        args.scoring = default_config().scoring
    if args.min_confidence is not None and not 0.0 <= args.min_confidence <= 1.0:
        parser.error("--min-confidence must be between 0 and 1")

    optional: dict[str, frozenset[str]] = {}
    if args.examples:
        if args.instrumented:
            parser.error("--instrumented applies to the devset; use --python with --examples")
        args.devset = EXAMPLES
        labels, optional = load_example_labels(EXAMPLES)
    else:
        labels = load_labels(args.devset)
    base, _ = score_all(labels, baseline_every_function(labels))
    python = str((args.devset / INSTRUMENTED_ENV).resolve()) if args.instrumented else args.python
    engine = Engine(args.devset, python, skip=optional, scoring=args.scoring)
    if args.sweep:
        return run_sweep(engine, labels, base, args.json)

    started = time.perf_counter()
    predictions = engine.predict(args.min_confidence)
    seconds = time.perf_counter() - started
    threshold = engine.config.min_confidence if args.min_confidence is None else args.min_confidence
    score, per_file = score_all(labels, predictions)
    if args.json:
        report = {
            "min_confidence": threshold,
            "engine": score.figures(),
            "baseline": base.figures(),
            "per_file": {name: s.figures() for name, s in per_file.items()},
            "false_positives": score.false_positives,
            "false_negatives": score.false_negatives,
            "installed_instrumentation": engine.installed,
            "problems": engine.problems,
        }
        print(json.dumps(report, indent=2))
        return 0
    functions = base.tp + base.fp
    what = "examples (optional functions left out)" if args.examples else "devset"
    print(f"{what}: {len(labels)} files, {functions} functions, {base.tp} labelled traced ({args.devset})")
    print(f"index build {engine.build_seconds:.2f}s, analysis {seconds:.2f}s")
    short = [name.removeprefix("opentelemetry-instrumentation-") for name in engine.installed]
    print(f"auto-instrumentation seen as installed: {', '.join(short) or 'none'}\n")
    print_summary(score, base, threshold)
    print_per_file(per_file, labels)
    print_errors(score)
    for problem in engine.problems:
        print(f"problem: {problem}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
