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
SETTINGS = """\
import json


def read(path):
    try:
        with open(path) as handle:
            return json.load(handle)
    except FileNotFoundError:
        pass  # no file: defaults
    return {}
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
    # ``pass  # why``: the why stays
    settings = tmp_path / "shop" / "settings.py"
    settings.write_text(SETTINGS, encoding="utf-8")
    done = run_cli("apply", "shop/settings.py", "--symbol", "read", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    kept = "as exc:\n            span.record_exception(exc)\n            # no file: defaults\n        return {}"
    assert kept in settings.read_text(encoding="utf-8")
    # the ``pass`` on the function's last line goes too (paperless-ngx's ``ShareLinkBundle.remove_file``)
    cleanup = tmp_path / "shop" / "cleanup.py"
    cleanup.write_text(COMMAND.replace('    click.echo("done")\n', ""), "utf-8")
    done = run_cli("apply", "shop/cleanup.py", "--symbol", "load", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    cleaned = cleanup.read_text(encoding="utf-8")
    assert cleaned.endswith("except FileNotFoundError as exc:\n            span.record_exception(exc)\n"), cleaned
    after = subprocess.run([RUFF, "check", "."], cwd=tmp_path, capture_output=True, text=True)
    assert after.returncode == 0, after.stdout + text


NOTES = """\
def verify(macaroon, issued):
    checked = []
    # This means:
    #  1. The system generated caveats do not need to be embedded, because they
    #     are in the database and dynamically added at verify time, every time.
    #  2. We can add new caveats to any existing macaroon by adding the caveat
    #     to the stored caveats in the database.
    #
    # NOTE: We choose to mutate the macaroon that was given to us by appending
    #       the stored caveats to the end of it, which is safe.
    # Example:
    #     verify(m, issued_caveats_from_the_database_for_this_macaroon)
    for caveat in issued:
        checked.append(caveat)
    return checked
"""
REFILLED = """\
        # This means:
        #  1. The system generated caveats do not need to be embedded, because
        #     they are in the database and dynamically added at verify time,
        #     every time.
        #  2. We can add new caveats to any existing macaroon by adding the
        #     caveat to the stored caveats in the database.
        #
        # NOTE: We choose to mutate the macaroon that was given to us by
        #       appending the stored caveats to the end of it, which is safe.
        # Example:
        #     verify(m, issued_caveats_from_the_database_for_this_macaroon)
"""


def test_comments_the_indent_pushes_out_are_rewrapped_as_prose(tmp_path: Path) -> None:
    """Each paragraph of a comment block the span's indent pushes past the line length is refilled (list items
    keep their hanging indent, a ``NOTE:`` its aligned continuation; a code sample is left alone), rather than each
    long line losing its last word to a line of its own."""
    (tmp_path / "pyproject.toml").write_text('[tool.ruff]\nline-length = 80\n[tool.ruff.lint]\nselect = ["E501"]\n')
    module = tmp_path / "notes.py"
    module.write_text(NOTES, encoding="utf-8")
    done = run_cli("apply", "notes.py", "--symbol", "verify", "--plain", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    text = module.read_text(encoding="utf-8")
    assert REFILLED in text
    after = subprocess.run([RUFF, "check", "."], cwd=tmp_path, capture_output=True, text=True)
    assert after.returncode == 0, after.stdout + text


# the editor's test of the same project (tests/server/test_lsp_nested_style.py) opens this file
PROFILES = (
    Path(__file__).parents[1] / "fixtures" / "lsp" / "nested_style" / "backend" / "app" / "profiles.py"
).read_text(encoding="utf-8")


def test_a_nested_project_is_written_in_its_own_style(tmp_path: Path) -> None:
    """The FastAPI full-stack template keeps its service in ``backend/`` with its own ruff configuration (target
    py314): ``apply --all`` at the repository's top wrote the span and its 4xx helper as ``with a as span, b:``, which
    ``ruff format`` for that target lays out in parentheses (4 files to reformat); each file is now written in the
    style of the project holding it, as ruff reads its configuration."""
    (tmp_path / "pyproject.toml").write_text("[tool.uv.workspace]\nmembers = ['backend']\n", encoding="utf-8")
    backend = tmp_path / "backend"
    (backend / "app").mkdir(parents=True)
    (backend / "pyproject.toml").write_text('[project]\nname = "app"\n\n[tool.ruff]\ntarget-version = "py311"\n')
    (backend / "app" / "__init__.py").write_text("", encoding="utf-8")
    module = backend / "app" / "profiles.py"
    module.write_text(PROFILES, encoding="utf-8")
    assert subprocess.run([RUFF, "format", "--check", "."], cwd=backend, capture_output=True).returncode == 0
    done = run_cli("apply", ".", "--all", "--min-confidence", "0.01", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    text = module.read_text(encoding="utf-8")
    assert "    with (\n        tracer.start_as_current_span(" in text, text
    for check in (["format", "--check", "."], ["check", "."]):
        after = subprocess.run([RUFF, *check], cwd=backend, capture_output=True, text=True)
        assert after.returncode == 0, after.stdout + text


FETCH = """\
import requests


def fetch_all(base_url, names):
    results = []
    for name in names:
        response = requests.get(base_url + "/items/v1/" + name, timeout=10.00,
                                headers={"Accept": "json", "X-A": "1"})
        results.append(response.json())
    return results
"""


def test_lines_lined_up_after_a_bracket_follow_it_when_its_line_is_broken(tmp_path: Path) -> None:
    """A call whose arguments continue lined up after its bracket, pushed past the line length by the span's
    indent, is broken after the bracket: the line lined up with the first argument follows it to the hanging indent
    (pycodestyle's E131/E128, as patroni's flake8 reports them; its line length is in tox.ini, with no
    pyproject.toml and no git checkout)."""
    (tmp_path / "tox.ini").write_text("[flake8]\nmax-line-length = 79\n", encoding="utf-8")
    (tmp_path / "svc").mkdir()
    module = tmp_path / "svc" / "fetch.py"
    module.write_text(FETCH, encoding="utf-8")
    lint = [sys.executable, "-m", "pycodestyle", "--max-line-length=79", "svc/fetch.py"]
    before = subprocess.run(lint, cwd=tmp_path, capture_output=True, text=True)
    assert before.returncode == 0, before.stdout
    done = run_cli("apply", "svc/fetch.py", "--symbol", "fetch_all", "--plain", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    text = module.read_text(encoding="utf-8")
    assert (
        "            response = requests.get(\n"
        '                base_url + "/items/v1/" + name, timeout=10.00,\n'
        '                headers={"Accept": "json", "X-A": "1"})\n'
    ) in text, text
    after = subprocess.run(lint, cwd=tmp_path, capture_output=True, text=True)
    assert after.returncode == 0, after.stdout + text
