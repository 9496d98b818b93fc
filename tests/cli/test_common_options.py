"""``--config``, ``--search-path`` and ``--no-cache`` mean the same in every subcommand (calls, analyze, apply)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.trust import trust_project

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "cli" / "search_paths"
CLI = [sys.executable, "-m", "trace_advisor"]
# each subcommand with the arguments it needs besides the shared options
COMMANDS = {
    "calls": ["calls", "{project}"],
    "analyze": ["analyze", "{project}", "--format", "json", "-q"],
    "apply": ["apply", "{project}", "--symbol", "client:sync", "--diff"],
}


def run(*args: str | Path, cwd: Path = FIXTURE) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=120, check=False)


def command(name: str) -> list[str]:
    return [arg.format(project=FIXTURE / "project") for arg in COMMANDS[name]]


@pytest.mark.parametrize("name", COMMANDS)
@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--config", "missing.yaml"], "trace-advisor: error: config file not found: missing.yaml\n"),
        (["--search-path", "no-such-dir"], "trace-advisor: error: search path is not a folder: no-such-dir\n"),
    ],
)
def test_bad_shared_options_fail_the_same_way(name: str, options: list[str], message: str) -> None:
    done = run(*command(name), *options, "--no-cache")
    assert (done.returncode, done.stderr, done.stdout) == (2, message, "")


@pytest.mark.parametrize("name", COMMANDS)
def test_a_missing_path_fails_the_same_way(name: str) -> None:
    args = [arg if arg != str(FIXTURE / "project") else "nowhere" for arg in command(name)]
    done = run(*args)
    assert (done.returncode, done.stderr) == (2, "trace-advisor: error: no such file or folder: nowhere\n")


def test_search_path_adds_to_the_configured_ones(tmp_path: Path) -> None:
    trust_project(FIXTURE / "project")  # its search path ../site_a leaves the project: the user trusted it
    tree = run("calls", "project", "--entry", "client:sync", "--format", "json", "--search-path", "site_b")
    assert tree.returncode == 0, tree.stderr
    files = {child["symbol"]: child["file"] for child in json.loads(tree.stdout)["children"]}
    assert files == {
        "vendor_http:get": str(FIXTURE / "site_a" / "vendor_http.py"),  # from .trace-advisor.yaml
        "billing:charge": str(FIXTURE / "site_b" / "billing.py"),  # from --search-path
    }
    alone = run("calls", "project", "--entry", "client:sync", "--format", "json")
    assert {child["symbol"]: child["file"] for child in json.loads(alone.stdout)["children"]}["billing:charge"] is None


@pytest.mark.parametrize("name", COMMANDS)
def test_no_cache_leaves_the_facts_cache_alone(name: str, tmp_path: Path) -> None:
    env = {**os.environ, "TRACE_ADVISOR_CACHE_DIR": str(tmp_path / "cache")}

    def cached_files(*options: str) -> list[Path]:
        done = subprocess.run(
            [*CLI, *command(name), *options],
            capture_output=True,
            text=True,
            cwd=FIXTURE,
            env=env,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]

    assert cached_files("--no-cache") == []
    assert cached_files() != []  # the same run without --no-cache does write it
