"""The hand labels stay in step with the code they label: every function is labelled exactly once, nothing else."""

from __future__ import annotations

import ast
import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[2]
DEVSET = REPO / "tests" / "fixtures" / "devset"
EXAMPLES = REPO / "examples"


def function_qualnames(source: str) -> list[str]:
    """Qualnames of every def/async def in source order, ``<locals>`` for nested defs (as ``__qualname__``)."""
    found: list[str] = []

    def walk(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                qualname = prefix + child.name
                found.append(qualname)
                walk(child, qualname + ".<locals>.")
            elif isinstance(child, ast.ClassDef):
                walk(child, prefix + child.name + ".")
            else:
                walk(child, prefix)

    walk(ast.parse(source), "")
    return found


def test_qualnames_match_what_python_computes() -> None:
    source = (
        "def f():\n    def g(): pass\n    class C:\n        def m(self): pass\n    return g, C.m\n"
        "class K:\n    async def a(self): pass\n"
    )
    namespace: dict[str, object] = {}
    exec(compile(source, "<labels-test>", "exec"), namespace)  # our own snippet, to ask Python for __qualname__
    g, m = namespace["f"]()  # type: ignore[operator]
    real = ["f", g.__qualname__, m.__qualname__, namespace["K"].a.__qualname__]  # type: ignore[attr-defined]
    assert function_qualnames(source) == real == ["f", "f.<locals>.g", "f.<locals>.C.m", "K.a"]


def _devset_labels() -> dict[str, dict[str, list[str]]]:
    labels: dict[str, dict[str, list[str]]] = json.loads((DEVSET / "labels.json").read_text())
    return labels


def test_every_devset_file_is_labelled() -> None:
    files = {p.name for p in DEVSET.glob("*.py")}
    assert files == set(_devset_labels()), "labels.json and the .py files in the devset differ"
    assert len(files) >= 15


@pytest.mark.parametrize("name", sorted(_devset_labels()))
def test_devset_labels_cover_exactly_the_functions(name: str) -> None:
    label = _devset_labels()[name]
    assert set(label) == {"traced", "not_traced"}
    traced, not_traced = label["traced"], label["not_traced"]
    assert not set(traced) & set(not_traced), "a function is labelled both ways"
    assert len(traced) == len(set(traced)) and len(not_traced) == len(set(not_traced)), "duplicate label"
    functions = function_qualnames((DEVSET / name).read_text(encoding="utf-8"))
    assert len(functions) == len(set(functions)), "the file defines one qualname twice; labels would be ambiguous"
    assert sorted(traced + not_traced) == sorted(functions)


def test_devset_is_not_trivially_balanced() -> None:
    labels = _devset_labels().values()
    traced = sum(len(v["traced"]) for v in labels)
    total = traced + sum(len(v["not_traced"]) for v in labels)
    assert total >= 150 and 0.15 <= traced / total <= 0.5


def _module_name(path: Path) -> str:
    parts = path.relative_to(EXAMPLES).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_examples_expected_covers_every_function() -> None:
    expected = json.loads((EXAMPLES / "expected.json").read_text())
    expected.pop("_comment", None)
    actual = {}
    for path in sorted((EXAMPLES / "shop").rglob("*.py")):
        functions = function_qualnames(path.read_text(encoding="utf-8"))
        if functions:
            actual[_module_name(path)] = sorted(functions)
    assert set(expected) == set(actual)
    for module, groups in expected.items():
        assert set(groups) == {"trace", "optional", "never"}, module
        listed = groups["trace"] + groups["optional"] + groups["never"]
        assert sorted(listed) == actual[module], module


# ---- the evaluation script scores against these labels as documented --------------------------------------------


def _placement_eval() -> ModuleType:
    spec = importlib.util.spec_from_file_location("placement_eval", REPO / "benchmarks" / "placement_eval.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve annotations through sys.modules
    spec.loader.exec_module(module)
    return module


def test_eval_scores_per_function() -> None:
    pe = _placement_eval()
    label = {"traced": ["a", "b", "c"], "not_traced": ["d", "e"]}
    score = pe.score_file("f.py", label, ["a", "d", "zz"])
    assert (score.tp, score.fp, score.fn, score.tn) == (1, 2, 2, 1)
    assert score.false_positives == ["f.py:d", "f.py:zz  (unlabelled)"]
    assert score.false_negatives == ["f.py:b", "f.py:c"]
    assert score.precision == pytest.approx(1 / 3) and score.recall == pytest.approx(1 / 3)
    labels = _devset_labels()
    base, _ = pe.score_all(labels, pe.baseline_every_function(labels))
    traced = sum(len(v["traced"]) for v in labels.values())
    total = traced + sum(len(v["not_traced"]) for v in labels.values())
    assert (base.recall, base.precision, base.fn) == (1.0, traced / total, 0)


def test_eval_script_runs_the_engine(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "placement_eval.py"), "--json", "--min-confidence", "0.6"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    traced = sum(len(v["traced"]) for v in _devset_labels().values())
    engine = report["engine"]
    assert report["min_confidence"] == 0.6
    assert engine["tp"] + engine["fn"] == traced
    assert engine["tp"] + engine["fp"] > 0, "the engine recommended nothing on the devset"
    assert set(report["per_file"]) == set(_devset_labels())


def test_eval_reads_examples_expectation() -> None:
    pe = _placement_eval()
    labels, optional = pe.load_example_labels(EXAMPLES)
    assert "shop/services/orders.py" in labels and "shop/web/handlers.py" in labels
    assert "OrderService.place_order" in labels["shop/services/orders.py"]["traced"]
    assert "Worker.run" in labels["shop/worker/jobs.py"]["not_traced"]
    assert "OrderService.get_order" in optional["shop/services/orders.py"]
    assert all((EXAMPLES / name).is_file() for name in labels)
