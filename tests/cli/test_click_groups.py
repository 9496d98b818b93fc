"""A click group's commands defined in another module (``from tool.main import main``; ``@main.command()``), through
``trace-advisor calls`` and ``analyze`` as subprocesses on tests/fixtures/click_groups: ``@click.group()`` makes
``main`` a ``click.core:Group`` for its attributes (the factory table's ``decorated``), so ``main.command`` resolves
and the decorated functions are CLI commands, as they are in the group's own module. Calling ``main`` still calls the
function (the decorator stays transparent for the call graph)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.support.cli import run_cli

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "click_groups"


def run(tmp_path: Path, *args: object) -> Any:
    venv = tmp_path / "empty-env"
    venv.mkdir(exist_ok=True)
    done = run_cli(*args, FIXTURE, "--no-cache", "--format", "json", env={"VIRTUAL_ENV": str(venv)})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_a_group_imported_from_another_module_has_its_decorators(tmp_path: Path) -> None:
    functions = run(tmp_path, "calls")["functions"]
    workers = functions["tool.workers:<module>"]
    assert workers["calls"] == ["click.core:Group.command"]
    assert workers["unresolved"] == []  # was `main.command` "is not defined on `main`"
    assert "click.core:Group.group" in functions["tool.main:<module>"]["calls"]


def test_its_commands_are_cli_commands(tmp_path: Path) -> None:
    report = run(tmp_path, "analyze", "--min-confidence", "0")
    entries = {
        r["symbol"]: [e["reason"] for e in r["evidence"] if e["priority"] == "entry_points"]
        for r in report["recommendations"]
    }
    assert entries["tool.workers:sync"] == ["CLI command (main.command())"]
    assert entries["tool.workers:migrate"] == ["CLI command (db.command())"]
    assert entries["tool.main:status"] == ["CLI command (main.command())"]
