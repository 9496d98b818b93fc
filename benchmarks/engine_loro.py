"""Leave-one-repository-out for the whole engine, not the model alone.

``fit_calibration.py`` scores each repository with a model fitted on the others, but reads the model's probability
alone: the rules applied after it (a client class's operations held at the cut, database wrappers and forwards covered
by the spans around them, a request handler capped under the cut) never show in its figures (mcp-agent: 0.59 there,
0.67 through the engine; the dev set 0.70 and 0.68). Here each dev repository (and the dev set) is scored by the
engine as a user runs it, with the calibration fitted on the rows of every other one (the boosted recipe of
``fit_calibration.py``, at the shipped model's threshold) installed in a scratch copy of ``core/``: the repository at
``--keep 0`` (every span taken out, seed 1), the dev set with ``placement_eval.py``. Figures: micro and macro F1 over
the repositories and the dev set, each weighted equally, and per repository.

    .venv/bin/python benchmarks/engine_loro.py --rows /tmp/rows.json --mirrors /work/.mirror --scratch /tmp/eloro
    .venv/bin/python benchmarks/engine_loro.py --rows /tmp/rows.json --mirrors DIR --without g_ --repo getsentry/snuba

``--rows`` is a file ``fit_calibration.py --rows`` wrote for the same code.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from fit_calibration import boost, load_rows  # the script's folder
from placement_eval import REPO

PYTHON = sys.executable


def _f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def _counts(left_out: str, env: dict[str, str], folder: Path, args: argparse.Namespace) -> tuple[int, int, int]:
    """(tp, fp, fn) of one repository, or of the dev set, scored by the engine whose core is in ``env``."""
    if left_out == "devset":
        done = subprocess.run(
            [PYTHON, str(REPO / "benchmarks" / "placement_eval.py")],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        line = next(line for line in done.stdout.splitlines() if line.startswith("local engine"))
        tp, fp, fn = (int(x) for x in line.split()[-3:])
        return tp, fp, fn
    manifest = json.loads(args.manifest.read_text("utf-8"))
    manifest["repos"] = [r for r in manifest["repos"] if r["repo"] == left_out]
    (folder / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    command = [PYTHON, str(REPO / "benchmarks" / "placement_corpus.py"), "--mirrors", str(args.mirrors)]
    command += ["--scratch", str(args.scratch / "corpus"), "--manifest", str(folder / "manifest.json")]
    done = subprocess.run(
        [*command, "--keep", "0", "--seed", "1", "--json"], env=env, capture_output=True, text=True, check=True
    )
    found = json.loads(done.stdout)["seeds"][0]["repos"][left_out]
    return int(found["tp"]), int(found["fp"]), int(found["fn"])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=Path, required=True, help="the rows fit_calibration.py --rows wrote")
    parser.add_argument("--mirrors", type=Path, required=True, help="folder of bare clones: <owner>+<name>/repo")
    parser.add_argument("--scratch", type=Path, required=True, help="where the folds' cores and exports go")
    parser.add_argument("--manifest", type=Path, default=REPO / "benchmarks" / "corpus" / "manifest.json")
    parser.add_argument("--without", action="append", default=[], metavar="PREFIX", help="leave out these features")
    parser.add_argument("--repo", action="append", default=[], help="score only these (repeatable; 'devset' too)")
    args = parser.parse_args(argv)
    shipped = json.loads((REPO / "core" / "trace_advisor" / "resources" / "calibration.json").read_text("utf-8"))
    loaded = load_rows(argparse.Namespace(rows=args.rows, mirrors=None, manifest=args.manifest, scratch=args.scratch))
    rows = [
        dataclasses.replace(r, features={k: v for k, v in r.features.items() if not k.startswith(tuple(args.without))})
        for r in loaded
        if r.split != "heldout"
    ]
    counts: dict[str, tuple[int, int, int]] = {}
    for left_out in dict.fromkeys(r.repo for r in rows):
        if args.repo and left_out not in args.repo:
            continue
        model = boost([r for r in rows if r.repo != left_out], devset=float(shipped.get("devset_weight", 1.0)))
        folder = args.scratch / left_out.replace("/", "+")
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(REPO / "core", folder / "core", ignore=shutil.ignore_patterns("__pycache__"))
        fold = dict(shipped, bias=round(model.bias, 6), trees=[tree.to_json() for tree in model.trees])
        (folder / "core" / "trace_advisor" / "resources" / "calibration.json").write_text(json.dumps(fold), "utf-8")
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(folder / "core"), str(REPO / "server")]))
        counts[left_out] = _counts(left_out, env, folder, args)
        shutil.rmtree(folder / "core")
        tp, fp, fn = counts[left_out]
        print(f"{left_out:40} tp {tp:4} fp {fp:4} fn {fn:4} F1 {_f1(tp, fp, fn):.3f}", flush=True)
    tp, fp, fn = (sum(c[i] for c in counts.values()) for i in range(3))
    macro = sum(_f1(*c) for c in counts.values()) / max(len(counts), 1)
    print(f"engine leave-one-repository-out over {len(counts)}: micro F1 {_f1(tp, fp, fn):.3f} macro F1 {macro:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
