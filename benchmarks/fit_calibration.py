"""Fits the calibrated scorer (``scoring: calibrated``) and writes ``core/trace_advisor/resources/calibration.json``.

Training data: the repositories of ``benchmarks/corpus/manifest.json`` whose maintainers placed spans by hand (the
``dev`` split; the ``heldout`` one only with ``--with-heldout``: it is kept for ``placement_corpus.py --split
heldout`` to score a model that never saw it) and the hand-labelled dev set, one row per labelled function that the
rules scorer has evidence for, with the features of :mod:`trace_advisor.advise.calibration`. Each repository is read
with every span taken out (as ``placement_corpus.py --keep 0`` reads it): the features read the neighbours of a
function (its callers and callees in other files), and a neighbour's span is a label. Each repository is scored
leave-one-repository-out (by a model fitted on all the others, never on itself), every repository weighted equally;
the figures are printed for all of them and for each group (``dev``: the corpus repositories; ``devset``). The
shipped model is then fitted on all of them. The default model is shallow gradient-boosted
trees (depth 2, log-loss with Newton leaves, quantile cut points) exported as nested splits; ``--model logistic`` fits
an L2-regularised logistic regression instead. Both are deterministic: the same rows give the same model. The
threshold is the highest cut whose micro + macro F1 of the leave-one-repository-out predictions is within ``TIE`` of
the best; those predictions also give the reliability curve written beside the model.

    .venv/bin/python benchmarks/fit_calibration.py --mirrors /work/.mirror                # refit and write
    .venv/bin/python benchmarks/fit_calibration.py --mirrors DIR --rows /tmp/rows.json    # keep the rows for refits
    .venv/bin/python benchmarks/fit_calibration.py --rows /tmp/rows.json --dry-run        # figures only
    .venv/bin/python benchmarks/fit_calibration.py --rows /tmp/rows.json --dry-run --without file_cands --without g_ \
        --devset-weight 5                     # leave features out (by prefix); the dev set weighs as 5 repositories
    .venv/bin/python benchmarks/fit_calibration.py --rows /tmp/rows.json --dry-run --model logistic \
        --fit-on getsentry/snuba --fit-on devset  # a model fitted on some repositories, scored on every one

``--whole`` also reads every file of each repository without a span (``placement_corpus.py --whole``: its functions
not traced); the figures are then printed for both views, the labelled files' and every file's, and ``--train-on
whole`` fits on every file's rows (the features that compare a function with the rest of its file learn what a lone
candidate means in a file nobody traced, which the labelled files, each with a traced function, never show).

With ``--fit-on``, a repository outside the list is scored by the model fitted on the list, one inside it by the
model fitted on the rest of the list: the figures compare with those of a fit on every repository.
"""

from __future__ import annotations

import argparse
import bisect
import dataclasses
import json
import math
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from placement_corpus import (  # the script's folder
    MANIFEST,
    Repo,
    RepoEngine,
    export,
    load_manifest,
    overload_stub,
    partly_instrumented,
    reliability,
    span_carriers,
    untraced_files,
)
from placement_eval import DEFAULT_DEVSET, REPO, Score, load_labels
from trace_advisor.advise.calibration import Tree

OUTPUT = REPO / "core" / "trace_advisor" / "resources" / "calibration.json"
L2 = 5.0  # the logistic model (``--model logistic``)
ITERATIONS = 300
STEP = 0.5
DEPTH = 2  # the boosted trees (``--model boosted``, the default)
ROUNDS = 150
RATE = 0.1
MIN_LEAF = 20
LAMBDA = 1.0
BINS = 32
DEVSET_WEIGHT = 1.0  # how many repositories the dev set weighs as (``--devset-weight``)
TIE = 0.005  # micro + macro F1 within this of the best count as equal when the cut is chosen
STRIPPED = ".stripped"  # marks a copy of a repository with every span taken out
THRESHOLDS = tuple(round(0.10 + 0.05 * i, 2) for i in range(11))  # 0.10 .. 0.60


@dataclass(frozen=True)
class Row:
    repo: str
    label: bool
    candidate: bool  # the rules scorer has evidence (only these get a probability)
    features: Mapping[str, float]
    split: str = "dev"  # the manifest's split ("dev", "heldout"), or "devset"
    name: str = ""  # file:qualname, for reading the mistakes
    whole: bool = False  # from a file without a span, which the manifest does not label (``--whole``)


def rows_of(
    repo: str,
    split: str,
    root: Path,
    scope: Sequence[str],
    files: Mapping[str, Mapping[str, Sequence[str]]],
    whole: Repo | None = None,
) -> list[Row]:
    """The rows of the labelled ``files``; with ``whole`` (the repository's entry), also those of every other file of
    its scope without a span, all not traced (``placement_corpus.untraced_files``), marked ``whole``."""
    from trace_advisor.advise.calibration import Scored, features

    engine = RepoEngine(root, scope, scoring="rules")
    labelled = set(files)
    if whole is not None:
        files = {**untraced_files(dataclasses.replace(whole, files=dict(files)), engine, {}).files}
    rows: list[Row] = []
    for name in sorted(files):
        # the verdicts before the project's own spans are read: in the corpus those spans are the labels
        scored = [Scored(r.ctx, r.signals, verdict) for r, verdict in engine.analyzer.scored(root / name)]
        found: dict[str, tuple[Scored, Mapping[str, float]]] = {}
        around = engine.analyzer.around()
        for item, values in zip(scored, features(scored, engine.analyzer.scorer, around), strict=True):
            if not overload_stub(item.ctx.node):  # the label is the implementation's
                found.setdefault(item.ctx.qualname, (item, values))
        traced = set(files[name]["traced"])
        for qualname in [*files[name]["traced"], *files[name]["not_traced"]]:
            if qualname in found:
                item, values = found[qualname]
                candidate = item.verdict.priority is not None
                rows.append(
                    Row(repo, qualname in traced, candidate, values, split, f"{name}:{qualname}", name not in labelled)
                )
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


def weighted(rows: Sequence[Row], devset: float = DEVSET_WEIGHT) -> list[float]:
    """Each row's weight (mean 1): every repository's rows weigh as much in total as any other's, the dev set's
    ``devset`` times as much (it is labelled by this project's own rules, which ``examples/`` follows too)."""
    per_repo: dict[str, int] = {}
    for r in rows:
        per_repo[r.repo] = per_repo.get(r.repo, 0) + 1
    share = {repo: devset if repo == "devset" else 1.0 for repo in per_repo}
    total = sum(share.values())
    return [len(rows) * share[r.repo] / (total * per_repo[r.repo]) for r in rows]


def fit(rows: Sequence[Row], devset: float = DEVSET_WEIGHT) -> Model:
    """Logistic regression with L2, every repository's rows weighing as much in total as any other's."""
    rows = [r for r in rows if r.candidate]
    names_seen = sorted({k for r in rows for k in r.features})
    columns_seen = [[r.features.get(n, 0.0) for r in rows] for n in names_seen]
    kept = [j for j, c in enumerate(columns_seen) if max(c) > min(c)]  # a constant says nothing
    names = tuple(names_seen[j] for j in kept)
    columns = [columns_seen[j] for j in kept]
    means = [sum(c) / len(c) for c in columns]
    scales = [math.sqrt(sum((x - m) ** 2 for x in c) / len(c)) for c, m in zip(columns, means, strict=True)]
    # z = (x - mean) / scale, read through each column's non-zero entries (most findings are absent from most rows):
    # w.z = sum((w / scale) x) - sum(w mean / scale), and sum(e z) = (sum(e x) - mean sum(e)) / scale
    nonzero = [[(i, x) for i, x in enumerate(c) if x] for c in columns]
    sample = weighted(rows, devset)
    y = [1.0 if r.label else 0.0 for r in rows]
    weights = [0.0] * len(names)
    bias = 0.0
    count = len(rows)
    for _ in range(ITERATIONS):
        shift = bias - sum(w * m / s for w, m, s in zip(weights, means, scales, strict=True))
        totals = [shift] * count
        for j, w in enumerate(weights):
            if w:
                factor = w / scales[j]
                for i, x in nonzero[j]:
                    totals[i] += factor * x
        errors = [
            (1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, t)))) - yi) * si
            for t, yi, si in zip(totals, y, sample, strict=True)
        ]
        error_sum = sum(errors)
        for j in range(len(names)):
            gradient = (sum(errors[i] * x for i, x in nonzero[j]) - means[j] * error_sum) / scales[j]
            weights[j] -= STEP * (gradient + L2 * weights[j]) / count
        bias -= STEP * sum(errors) / count
    return Model(names, tuple(means), tuple(scales), tuple(weights), bias)


@dataclass(frozen=True)
class Boosted:
    """Gradient-boosted trees over the features (log-loss, Newton leaves): ``bias`` plus every tree's leaf value."""

    bias: float
    trees: tuple[Tree, ...]

    def probability(self, features: Mapping[str, float]) -> float:
        total = self.bias + sum(tree.score(features) for tree in self.trees)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, total))))


def boost(rows: Sequence[Row], devset: float = DEVSET_WEIGHT) -> Boosted:
    """Shallow boosted trees (``DEPTH`` levels, ``ROUNDS`` rounds, shrinkage ``RATE``), every repository's rows
    weighing as much in total as any other's. Splits are read at no more than ``BINS`` cut points per feature (the
    column's quantiles), a leaf keeps at least ``MIN_LEAF`` rows; ties go to the first feature by name and the lowest
    cut, so the same data gives the same trees."""
    rows = [r for r in rows if r.candidate]
    names = sorted({k for r in rows for k in r.features})
    columns = [[r.features.get(n, 0.0) for r in rows] for n in names]
    cuts: list[list[float]] = []
    for column in columns:
        ordered = sorted(column)
        values = set(ordered) if len(set(ordered)) <= BINS else {ordered[k * len(ordered) // BINS] for k in range(BINS)}
        cuts.append(sorted(c for c in values if c < ordered[-1]))
    bins = [[bisect.bisect_left(c, x) for x in column] for c, column in zip(cuts, columns, strict=True)]
    # most rows of a feature sit in one bin (a finding most functions lack): a node's histogram reads the others
    # and gives that bin what is left of the node's totals
    common = [max(range(len(c) + 1), key=column.count) for c, column in zip(cuts, bins, strict=True)]
    rare = [[i for i, b in enumerate(column) if b != k] for column, k in zip(bins, common, strict=True)]
    sample = weighted(rows, devset)
    y = [1.0 if r.label else 0.0 for r in rows]
    positive = sum(s * t for s, t in zip(sample, y, strict=True))
    bias = math.log(positive / (sum(sample) - positive))
    totals = [bias] * len(rows)
    trees: list[Tree] = []

    def grow(index: list[int], g: list[float], h: list[float], depth: int) -> Tree:
        g_all, h_all = sum(g[i] for i in index), sum(h[i] for i in index)
        leaf = Tree(value=-RATE * g_all / (h_all + LAMBDA))
        if depth == DEPTH or len(index) < 2 * MIN_LEAF:
            return leaf
        best = (0.0, -1, -1)
        parent = g_all * g_all / (h_all + LAMBDA)
        member = set(index)
        for j, column in enumerate(bins):
            size = len(cuts[j]) + 1
            hg, hh, hc = [0.0] * size, [0.0] * size, [0] * size
            for i in rare[j]:
                if i in member:
                    b = column[i]
                    hg[b] += g[i]
                    hh[b] += h[i]
                    hc[b] += 1
            k = common[j]
            hg[k] += g_all - sum(hg)
            hh[k] += h_all - sum(hh)
            hc[k] += len(index) - sum(hc)
            gl = hl = 0.0
            cl = 0
            for b in range(size - 1):
                gl, hl, cl = gl + hg[b], hl + hh[b], cl + hc[b]
                if cl < MIN_LEAF or len(index) - cl < MIN_LEAF:
                    continue
                gr, hr = g_all - gl, h_all - hl
                gain = gl * gl / (hl + LAMBDA) + gr * gr / (hr + LAMBDA) - parent
                if gain > best[0] + 1e-12:
                    best = (gain, j, b)
        _, j, b = best
        if j < 0:
            return leaf
        low = [i for i in index if bins[j][i] <= b]
        high = [i for i in index if bins[j][i] > b]
        return Tree(names[j], cuts[j][b], grow(low, g, h, depth + 1), grow(high, g, h, depth + 1))

    everything = list(range(len(rows)))
    for _ in range(ROUNDS):
        p = [1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, t)))) for t in totals]
        g = [s * (pi - yi) for s, pi, yi in zip(sample, p, y, strict=True)]
        h = [s * pi * (1.0 - pi) for s, pi in zip(sample, p, strict=True)]
        tree = grow(everything, g, h, 0)
        trees.append(tree)
        totals = [t + tree.score(r.features) for t, r in zip(totals, rows, strict=True)]
    return Boosted(bias, tuple(trees))


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


GROUPS = ("all", "dev", "heldout", "devset")


def grouped(rows: Sequence[Row], predicted: Sequence[float], threshold: float) -> dict[str, dict[str, object]]:
    """:func:`figures` over every repository and over each split (``devset``: the hand-labelled dev set alone)."""
    out = {}
    for group in GROUPS:
        chosen = [(r, p) for r, p in zip(rows, predicted, strict=True) if group in ("all", r.split)]
        if not chosen:  # the held-out split, left out of the fit
            continue
        out[group] = figures([r for r, _ in chosen], [p for _, p in chosen], threshold)
    return out


def load_rows(args: argparse.Namespace) -> list[Row]:
    """Every labelled function of the corpus (both splits) and of the dev set, with its features; ``--rows`` keeps
    them in a file so that refits read it instead of analysing the corpus again."""
    if args.rows is not None and args.rows.is_file():
        return [Row(**item) for item in json.loads(args.rows.read_text())]
    rows: list[Row] = []
    for entry in load_manifest(args.manifest):
        root = export(entry.repo, entry.commit, entry.scope, args.mirrors, args.scratch)
        stripped = root.with_name(f"{root.name}-keep0-seed1")  # as ``placement_corpus.py --keep 0`` makes it
        if not (stripped / STRIPPED).is_file():
            stripped, _ = partly_instrumented(entry, root, RepoEngine(root, entry.scope), 0.0, 1)
            (stripped / STRIPPED).write_text(entry.commit)
        carriers = span_carriers(root, entry)  # no label: what is left of them once stripped is an empty body
        files = {
            name: {
                "traced": [q for q in lab["traced"] if q not in carriers.get(name, ())],
                "not_traced": lab["not_traced"],
            }
            for name, lab in entry.files.items()
        }
        rows.extend(rows_of(entry.repo, entry.split, stripped, entry.scope, files, entry if args.whole else None))
    rows.extend(rows_of("devset", "devset", DEFAULT_DEVSET, ["."], load_labels(DEFAULT_DEVSET)))
    if args.rows is not None:
        args.rows.write_text(json.dumps([dataclasses.asdict(r) for r in rows]))
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mirrors", type=Path, help="folder of bare clones: <owner>+<name>/repo")
    parser.add_argument("--manifest", type=Path, default=MANIFEST)
    parser.add_argument("--scratch", type=Path, default=Path(tempfile.gettempdir()) / "trace-advisor-corpus")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--model", choices=("boosted", "logistic"), default="boosted")
    parser.add_argument("--rows", type=Path, help="read the labelled rows from this file, or write them to it")
    parser.add_argument("--dry-run", action="store_true", help="print the figures, write nothing")
    parser.add_argument(
        "--devset-weight", type=float, default=DEVSET_WEIGHT, help="how many repositories the dev set weighs as"
    )
    parser.add_argument(
        "--without", action="append", default=[], metavar="PREFIX", help="leave out the features named so (repeatable)"
    )
    parser.add_argument(
        "--fit-on",
        action="append",
        default=[],
        metavar="REPO",
        help="fit on these repositories only (repeatable; 'devset' for the dev set); every other is still scored, "
        "by the model fitted without it",
    )
    parser.add_argument(
        "--whole",
        action="store_true",
        help="with --mirrors: also read every file without a span (its functions not traced), as a user's run does",
    )
    parser.add_argument(
        "--train-on",
        choices=("span-files", "whole"),
        default="span-files",
        help="fit on the labelled files' rows only (default), or on every file's (rows read with --whole)",
    )
    parser.add_argument(
        "--with-heldout",
        action="store_true",
        help="fit on the held-out split too (by default it is only ever scored: placement_corpus.py --split heldout)",
    )
    args = parser.parse_args(argv)
    if args.mirrors is None and (args.rows is None or not args.rows.is_file()):
        parser.error("--mirrors is needed unless --rows names a file written before")
    rows = [
        dataclasses.replace(r, features={k: v for k, v in r.features.items() if not k.startswith(tuple(args.without))})
        for r in load_rows(args)
        if args.with_heldout or r.split != "heldout"
    ]
    train = partial(boost if args.model == "boosted" else fit, devset=args.devset_weight)
    repos = list(dict.fromkeys(r.repo for r in rows))
    fitted = set(args.fit_on) or set(repos)

    def in_view(row: Row, view: str) -> bool:  # every file's rows, or the labelled files' alone
        return view == "whole" or not row.whole

    trained = [r for r in rows if r.repo in fitted and in_view(r, args.train_on)]
    scored: dict[int, float] = {}
    for left_out in repos:  # leave one repository out: never scored by a model that saw it
        model = train([r for r in trained if r.repo != left_out])
        scored.update((id(r), model.probability(r.features)) for r in rows if r.repo == left_out)
    if any(r.whole for r in rows):  # the view the fit is not read on, beside it
        other = "span-files" if args.train_on == "whole" else "whole"
        shown = [r for r in rows if in_view(r, other)]
        for t in THRESHOLDS:
            f = figures(shown, [scored[id(r)] for r in shown], t)
            print(
                f"[{other}] leave-one-repository-out at {t:.2f}: "
                f"micro F1 {f['micro_f1']:.3f} macro F1 {f['macro_f1']:.3f}"
            )
    rows = [r for r in rows if in_view(r, args.train_on)]
    predicted = [scored[id(r)] for r in rows]
    by_threshold = {t: figures(rows, predicted, t) for t in THRESHOLDS}
    best = max(by_threshold[t]["micro_f1"] + by_threshold[t]["macro_f1"] for t in THRESHOLDS)  # type: ignore[operator]
    # the highest cut within TIE of the best: as good on the corpus, fewer spans to read
    threshold = max(t for t in THRESHOLDS if by_threshold[t]["micro_f1"] + by_threshold[t]["macro_f1"] >= best - TIE)  # type: ignore[operator]
    curve = reliability((p, r.label) for r, p in zip(rows, predicted, strict=True) if r.candidate)
    groups = grouped(rows, predicted, threshold)
    for t in THRESHOLDS:
        f = by_threshold[t]
        mark = "  <- chosen" if t == threshold else ""
        print(f"leave-one-repository-out at {t:.2f}: micro F1 {f['micro_f1']:.3f} macro F1 {f['macro_f1']:.3f}{mark}")
    for group, f in groups.items():
        print(f"  {group:8} micro F1 {f['micro_f1']:.3f} macro F1 {f['macro_f1']:.3f}")
    print("per repository:", json.dumps(by_threshold[threshold]["repos"]))
    print("reliability (leave-one-repository-out): predicted probability, functions, mean prediction, traced")
    for start, count, mean, traced in curve:
        print(f"  {start:.1f}-{start + 0.1:.1f} {count:6} {mean:6.3f} {traced:6.3f}")
    final = train(trained)
    data: dict[str, object] = {
        "about": "The calibrated scorer (scoring: calibrated), written by benchmarks/fit_calibration.py; do not edit "
        "by hand.",
        "model": args.model,
        "fitted_on": [repo for repo in repos if repo in fitted],
        "without": args.without,
        "devset_weight": args.devset_weight,
        "rows": sum(r.candidate for r in rows),
        "threshold": threshold,
        "leave_one_repository_out": {
            **by_threshold[threshold],
            "groups": {g: {k: v for k, v in f.items() if k != "repos"} for g, f in groups.items()},
        },
        "reliability": [
            {"from": b, "functions": n, "predicted": round(m, 4), "traced": round(t, 4)} for b, n, m, t in curve
        ],
        "bias": round(final.bias, 6),
    }
    if isinstance(final, Model):
        data["features"] = [
            {"name": n, "mean": round(m, 6), "scale": round(s, 6), "weight": round(w, 6)}
            for n, m, s, w in zip(final.names, final.means, final.scales, final.weights, strict=True)
        ]
    else:
        data["trees"] = [tree.to_json() for tree in final.trees]
    if not args.dry_run:
        args.output.write_text(json.dumps(data, indent=1) + "\n")
        print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
