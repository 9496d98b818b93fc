"""Examples, docs and benchmarks are left out of an analysis unless a PATH names them, like tests: on dramatiq, 27 of
52 recommendations were in ``examples/``, ``benchmarks/`` and ``docs/`` (an example's ``main``, a Sphinx helper), and
their calls made library functions look called by entry points."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.cli import run_cli

PRODUCT = """import requests


def fetch_rates(base: str) -> dict:
    response = requests.get(f"https://rates.example.com/{base}", timeout=5)
    response.raise_for_status()
    return response.json()
"""
EXAMPLE = """import argparse

import requests

from shop.rates import fetch_rates


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    args = parser.parse_args()
    print(fetch_rates(args.base))
    print(requests.get("https://status.example.com", timeout=5).status_code)


if __name__ == "__main__":
    main()
"""


def write_project(root: Path) -> None:
    (root / "shop").mkdir()
    (root / "shop" / "__init__.py").write_text("")
    (root / "shop" / "rates.py").write_text(PRODUCT)
    # redis-py's command examples: doctests/; patroni's CI scripts: .github/workflows/install_deps.py
    for folder in ("examples", "docs/source", "benchmarks", "doctests", ".github/workflows"):
        (root / folder).mkdir(parents=True)
        (root / folder / "run_rates.py").write_text(EXAMPLE)


def recommended(root: Path, *paths: Path) -> set[str]:
    out = root / "report.json"
    done = run_cli("analyze", *paths, "--no-cache", "-q", "--format", "json", "-o", out, "--min-confidence", "0.01")
    assert done.returncode == 0, done.stderr
    return {r["symbol"] for r in json.loads(out.read_text(encoding="utf-8"))["recommendations"]}


def test_examples_docs_and_benchmarks_are_left_out_of_a_projects_analysis(tmp_path: Path) -> None:
    write_project(tmp_path)
    assert recommended(tmp_path, tmp_path) == {"shop.rates:fetch_rates"}


def test_a_path_naming_examples_analyses_them(tmp_path: Path) -> None:
    write_project(tmp_path)
    assert recommended(tmp_path, tmp_path / "examples") == {"run_rates:main"}
    assert "examples.run_rates:main" in recommended(tmp_path, tmp_path, tmp_path / "examples")


def test_load_tests_and_django_tests_modules_are_test_code(tmp_path: Path) -> None:
    """polar's ``load_tests/`` (locust scenarios) headed a "per job" figure, and a Django app's ``tests.py`` is its
    test module: both are test code, skipped like ``tests/``."""
    write_project(tmp_path)
    (tmp_path / "load_tests").mkdir()
    (tmp_path / "load_tests" / "checkout.py").write_text(EXAMPLE)
    (tmp_path / "shop" / "tests.py").write_text(EXAMPLE)
    assert recommended(tmp_path, tmp_path) == {"shop.rates:fetch_rates"}


def test_behave_steps_and_hooks_and_t_folders_are_test_code(tmp_path: Path) -> None:
    """patroni's acceptance tests (behave): ``features/steps/*.py`` and ``features/environment.py`` (its
    ``before_all``/``after_feature`` hooks) led 12 recommendations with database queries and subprocesses of the
    test harness; a product package named ``features`` stays."""
    write_project(tmp_path)
    # and celery's ``t/integration/tasks.py``
    tests = ("features/steps/replication.py", "features/environment.py", "shop/features/steps/run.py", "t/unit/x.py")
    for relative in tests:
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(EXAMPLE)
    (tmp_path / "shop" / "features").mkdir(exist_ok=True)
    (tmp_path / "shop" / "features" / "__init__.py").write_text("")
    (tmp_path / "shop" / "features" / "flags.py").write_text(PRODUCT.replace("fetch_rates", "fetch_flags"))
    assert recommended(tmp_path, tmp_path) == {"shop.rates:fetch_rates", "shop.features.flags:fetch_flags"}
