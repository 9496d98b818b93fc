"""Fits the calibrated scorer (``scoring: calibrated``) and writes ``core/trace_advisor/resources/calibration.json``.

Training data: the dev split of ``benchmarks/corpus/manifest.json`` (repositories whose maintainers placed spans by
hand) and the hand-labelled dev set, one row per labelled function that the rules scorer has evidence for, with the
features of :mod:`trace_advisor.advise.calibration`. Held-out repositories are never read. The model is an
L2-regularised logistic regression (full-batch gradient descent on standardised features, each repository weighted
equally), so the same data gives the same coefficients. The threshold is the one that maximises micro + macro F1 of
the leave-one-repository-out predictions; those predictions also give the reliability curve written beside the
coefficients.

    .venv/bin/python benchmarks/fit_calibration.py --mirrors /work/.mirror            # refit and write
    .venv/bin/python benchmarks/fit_calibration.py --mirrors DIR --dry-run            # figures only
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from placement_corpus import MANIFEST, RepoEngine, export, load_manifest, reliability  # the script's folder
from placement_eval import DEFAULT_DEVSET, REPO, Score, load_labels

OUTPUT = REPO / "core" / "trace_advisor" / "resources" / "calibration.json"
L2 = 5.0
ITERATIONS = 300
STEP = 0.5
THRESHOLDS = tuple(round(0.10 + 0.05 * i, 2) for i in range(11))  # 0.10 .. 0.60


@dataclass(frozen=True)
class Row:
    repo: str
    label: bool
    candidate: bool  # the rules scorer has evidence (only these get a probability)
    features: Mapping[str, float]


def rows_of(repo: str, root: Path, scope: Sequence[str], files: Mapping[str, Mapping[str, Sequence[str]]]) -> list[Row]:
    from trace_advisor.advise.calibration import Scored, features

    engine = RepoEngine(root, scope, scoring="rules")
    rows: list[Row] = []
    for name in sorted(files):
        results, _ = engine.analyzer.function_results(root / name)
        scored = [Scored(r.ctx, r.signals, r.verdict) for r in results]
        found: dict[str, tuple[Scored, Mapping[str, float]]] = {}
        for item, values in zip(scored, features(scored, engine.analyzer.scorer), strict=True):
            found.setdefault(item.ctx.qualname, (item, values))
        traced = set(files[name]["traced"])
        for qualname in [*files[name]["traced"], *files[name]["not_traced"]]:
            if qualname in found:
                item, values = found[qualname]
                rows.append(Row(repo, qualname in traced, item.verdict.priority is not None, values))
    return rows


@dataclass(frozen=True)
class Model:
    names: tuple[str, ...]
    means: tuple[float, ...]
    scales: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float

    def probability(self, features: Mapping[str, float]) -> float:
        total = self.bias + sum(
            w * (features.get(n, 0.0) - m) / s
            for n, m, s, w in zip(self.names, self.means, self.scales, self.weights, strict=True)
        )
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, total))))


def fit(rows: Sequence[Row]) -> Model:
    """Logistic regression with L2, every repository's rows weighing as much in total as any other's."""
    rows = [r for r in rows if r.candidate]
    names_seen = sorted({k for r in rows for k in r.features})
    columns_seen = [[r.features.get(n, 0.0) for r in rows] for n in names_seen]
    kept = [j for j, c in enumerate(columns_seen) if max(c) > min(c)]  # a constant says nothing
    names = tuple(names_seen[j] for j in kept)
    columns = [columns_seen[j] for j in kept]
    means = [sum(c) / len(c) for c in columns]
    scales = [math.sqrt(sum((x - m) ** 2 for x in c) / len(c)) for c, m in zip(columns, means, strict=True)]
    z = [[(x - m) / s for x in c] for c, m, s in zip(columns, means, scales, strict=True)]
    per_repo: dict[str, int] = {}
    for r in rows:
        per_repo[r.repo] = per_repo.get(r.repo, 0) + 1
    sample = [len(rows) / (len(per_repo) * per_repo[r.repo]) for r in rows]
    y = [1.0 if r.label else 0.0 for r in rows]
    weights = [0.0] * len(names)
    bias = 0.0
    count = len(rows)
    for _ in range(ITERATIONS):
        totals = [bias] * count
        for j, w in enumerate(weights):
            if w:
                column = z[j]
                for i in range(count):
                    totals[i] += w * column[i]
        errors = [
            (1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, t)))) - yi) * si
            for t, yi, si in zip(totals, y, sample, strict=True)
        ]
        for j in range(len(names)):
            gradient = sum(e * x for e, x in zip(errors, z[j], strict=True))
            weights[j] -= STEP * (gradient + L2 * weights[j]) / count
        bias -= STEP * sum(errors) / count
    return Model(names, tuple(means), tuple(scales), tuple(weights), bias)


def figures(rows: Sequence[Row], predicted: Sequence[float], threshold: float) -> dict[str, object]:
    """Micro and macro F1 (and per repository) of recommending the candidates predicted at ``threshold``."""
    scores: dict[str, Score] = {}
    for row, p in zip(rows, predicted, strict=True):
        score = scores.setdefault(row.repo, Score())
        hit = row.candidate and p >= threshold
        score.tp += hit and row.label
        score.fp += hit and not row.label
        score.fn += row.label and not hit
    micro = Score()
    for score in scores.values():
        micro.add(score)
    macro = sum(s.f1 for s in scores.values()) / len(scores)
    repos = {k: round(s.f1, 4) for k, s in scores.items()}
    return {"micro_f1": round(micro.f1, 4), "macro_f1": round(macro, 4), "repos": repos}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mirrors", type=Path, required=True, help="folder of bare clones: <owner>+<name>/repo")
    parser.add_argument("--manifest", type=Path, default=MANIFEST)
    parser.add_argument("--scratch", type=Path, default=Path(tempfile.gettempdir()) / "trace-advisor-corpus")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--dry-run", action="store_true", help="print the figures, write nothing")
    args = parser.parse_args(argv)
    rows: list[Row] = []
    dev = [r for r in load_manifest(args.manifest) if r.split == "dev"]  # never the held-out split
    for entry in dev:
        root = export(entry.repo, entry.commit, entry.scope, args.mirrors, args.scratch)
        rows.extend(rows_of(entry.repo, root, entry.scope, entry.files))
    rows.extend(rows_of("devset", DEFAULT_DEVSET, ["."], load_labels(DEFAULT_DEVSET)))
    repos = list(dict.fromkeys(r.repo for r in rows))
    predicted = [0.0] * len(rows)
    for left_out in repos:  # leave one repository out: never scored by a model that saw it
        model = fit([r for r in rows if r.repo != left_out])
        for i, row in enumerate(rows):
            if row.repo == left_out:
                predicted[i] = model.probability(row.features)
    by_threshold = {t: figures(rows, predicted, t) for t in THRESHOLDS}
    threshold = max(THRESHOLDS, key=lambda t: (by_threshold[t]["micro_f1"] + by_threshold[t]["macro_f1"], -t))  # type: ignore[operator]
    curve = reliability((p, r.label) for r, p in zip(rows, predicted, strict=True) if r.candidate)
    final = fit(rows)
    for t in THRESHOLDS:
        f = by_threshold[t]
        mark = "  <- chosen" if t == threshold else ""
        print(f"leave-one-repository-out at {t:.2f}: micro F1 {f['micro_f1']:.3f} macro F1 {f['macro_f1']:.3f}{mark}")
    print("per repository:", json.dumps(by_threshold[threshold]["repos"]))
    print("reliability (leave-one-repository-out): predicted probability, functions, mean prediction, traced")
    for start, count, mean, traced in curve:
        print(f"  {start:.1f}-{start + 0.1:.1f} {count:6} {mean:6.3f} {traced:6.3f}")
    data = {
        "about": "Coefficients of the calibrated scorer (scoring: calibrated), written by "
        "benchmarks/fit_calibration.py; do not edit by hand.",
        "fitted_on": repos,
        "rows": sum(r.candidate for r in rows),
        "threshold": threshold,
        "leave_one_repository_out": by_threshold[threshold],
        "reliability": [
            {"from": b, "functions": n, "predicted": round(m, 4), "traced": round(t, 4)} for b, n, m, t in curve
        ],
        "bias": round(final.bias, 6),
        "features": [
            {"name": n, "mean": round(m, 6), "scale": round(s, 6), "weight": round(w, 6)}
            for n, m, s, w in zip(final.names, final.means, final.scales, final.weights, strict=True)
        ],
    }
    if not args.dry_run:
        args.output.write_text(json.dumps(data, indent=1) + "\n")
        print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
