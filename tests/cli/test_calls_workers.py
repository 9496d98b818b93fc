"""``trace-advisor calls --workers N``: the graph is the same JSON, byte for byte, whichever number of processes parsed
the files and whatever the hash seed of each (the workers are new interpreters with their own seeds)."""

from __future__ import annotations

from pathlib import Path

from tests.support.cli import run_cli

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def graph(tmp_path: Path, seed: str, *args: str, env: dict[str, str] | None = None) -> str:
    done = run_cli(
        "calls", FIXTURES / "callgraph", "--format", "json", *args,
        env={"TRACE_ADVISOR_CACHE_DIR": str(tmp_path / f"cache-{seed}-{'-'.join(args)}"), "PYTHONHASHSEED": seed,
             "PYTHONIOENCODING": "utf-8", **(env or {})},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_graph_is_the_same_whatever_the_workers_and_the_hash_seed(tmp_path: Path) -> None:
    serial = graph(tmp_path, "0", "--workers", "1")
    assert '"functions"' in serial
    assert graph(tmp_path, "1", "--workers", "2") == serial
    assert graph(tmp_path, "2", "--workers", "3") == serial
    assert graph(tmp_path, "3", env={"TRACE_ADVISOR_WORKERS": "2"}) == serial


def test_workers_must_be_one_or_more(tmp_path: Path) -> None:
    done = run_cli("calls", FIXTURES / "callgraph", "--workers", "0")
    assert done.returncode == 2
    assert "--workers: must be 1 or more" in done.stderr
