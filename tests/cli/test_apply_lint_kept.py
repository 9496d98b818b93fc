"""``trace-advisor apply`` keeps a strict project's ``ruff check`` clean: the OpenTelemetry import goes where isort's
``lines-between-types`` wants it (a blank line between a section's ``import x`` and ``from x import`` lines), and
the statements added to an ``except`` block whose body is a lone ``pass`` replace it (ruff's PIE790: unnecessary
``pass``). Checked with the test environment's ruff on the applied files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support.cli import run_cli

RUFF = str(Path(sys.executable).parent / "ruff")
PYPROJECT = """\
[tool.ruff.lint]
select = ["I", "PIE", "E", "F"]

[tool.ruff.lint.isort]
lines-between-types = 1
"""
COMMAND = """\
import json

import click

from shop.store import Store


@click.command()
@click.argument("path")
def load(path):
    try:
        with open(path) as handle:
            Store().save(json.load(handle))
    except FileNotFoundError:
        pass
    click.echo("done")
"""


def test_applied_spans_keep_the_projects_lint(tmp_path: Path) -> None:
    (tmp_path / "shop").mkdir()
    (tmp_path / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    (tmp_path / "shop" / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "shop" / "store.py").write_text("class Store:\n    def save(self, data):\n        pass\n", "utf-8")
    module = tmp_path / "shop" / "cli.py"
    module.write_text(COMMAND, encoding="utf-8")
    before = subprocess.run([RUFF, "check", "."], cwd=tmp_path, capture_output=True, text=True)
    assert before.returncode == 0, before.stdout
    done = run_cli("apply", "shop/cli.py", "--symbol", "load", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    text = module.read_text(encoding="utf-8")
    assert "import click\n\nfrom opentelemetry import trace\n\nfrom shop.store import Store\n" in text
    assert "except FileNotFoundError as exc:\n            span.record_exception(exc)\n        click.echo" in text
    after = subprocess.run([RUFF, "check", "."], cwd=tmp_path, capture_output=True, text=True)
    assert after.returncode == 0, after.stdout + text
