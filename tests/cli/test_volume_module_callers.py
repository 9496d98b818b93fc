"""A function only module bodies call is an entry point of its own for the span-volume figures: arq's console
command ``cli`` is called by ``arq/__main__.py`` (``if __name__ == "__main__": cli()``), so it was "no known entry
point reaches it", and the Redis pool it opens had its figure from an unrelated function."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.cli import run_cli

CLI = """import sqlite3
import sys


def open_store(path: str) -> sqlite3.Connection:
    store = sqlite3.connect(path)
    store.execute("create table if not exists jobs (id integer primary key, name text)")
    return store


def run(argv: list[str]) -> int:
    store = open_store(argv[0] if argv else "jobs.db")
    for name in argv[1:]:
        store.execute("insert into jobs (name) values (?)", (name,))
    store.commit()
    return 0


def report(path: str) -> int:
    store = open_store(path)
    return store.execute("select count(*) from jobs").fetchone()[0]
"""
MAIN = """import sys

from jobq.cli import run

if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
"""


def test_a_function_only_a_module_body_calls_is_an_entry_point(tmp_path: Path) -> None:
    (tmp_path / "jobq").mkdir()
    (tmp_path / "jobq" / "__init__.py").write_text("")
    (tmp_path / "jobq" / "cli.py").write_text(CLI)
    (tmp_path / "jobq" / "__main__.py").write_text(MAIN)
    out = tmp_path / "report.json"
    done = run_cli("analyze", tmp_path, "--no-cache", "-q", "--format", "json", "-o", out, "--min-confidence", "0.01")
    assert done.returncode == 0, done.stderr
    costs = {r["symbol"]: r["cost"] for r in json.loads(out.read_text(encoding="utf-8"))["recommendations"]}
    assert costs["jobq.cli:run"]["entry"] == "jobq.cli:run", costs["jobq.cli:run"]
    assert costs["jobq.cli:open_store"]["entry"] in ("jobq.cli:run", "jobq.cli:report"), costs["jobq.cli:open_store"]
