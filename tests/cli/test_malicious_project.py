"""A cloned repository cannot turn ``trace-advisor`` against its user: the CLI, as a subprocess, on a project whose
configuration, git metadata and templates an attacker wrote."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "security" / "project"


def cli(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("TRACE_ADVISOR_")}
    return subprocess.run(
        [sys.executable, "-m", "trace_advisor", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={**base, **(env or {})},
        check=False,
    )


def git(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@x",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@x",
    }
    return subprocess.run(["git", *args], cwd=cwd, check=False, capture_output=True, text=True, env=env, timeout=60)


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    root = tmp_path / "victim" / "project"
    shutil.copytree(FIXTURE, root)
    return root


def test_changed_since_runs_no_command_the_repository_configures(project: Path, tmp_path: Path) -> None:
    """``core.fsmonitor``, a clean filter, a textconv driver, an external diff and a pager set in ``.git/config``
    are commands git would run on a plain ``git status``/``git diff``; ``--changed-since`` runs none of them."""
    ran = tmp_path / "ran"
    ran.mkdir()
    git(project, "init", "-q")
    git(project, "add", ".")
    assert git(project, "commit", "-q", "-m", "start").returncode == 0
    hook = tmp_path / "evil.sh"
    hook.write_text(f'#!/bin/sh\ntouch "{ran}/$1"\ncat\n', encoding="utf-8")
    hook.chmod(0o755)
    (project / ".gitattributes").write_text("*.py filter=evil diff=evil\n", encoding="utf-8")
    for key, value in (
        ("core.fsmonitor", f"{hook} fsmonitor"),
        ("filter.evil.clean", f"{hook} clean"),
        ("filter.evil.process", f"{hook} process"),
        ("diff.evil.textconv", f"{hook} textconv"),
        ("diff.external", f"{hook} external"),
        ("core.pager", f"{hook} pager"),
    ):
        git(project, "config", key, value)
    orders = project / "app" / "orders.py"
    orders.write_text(orders.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    (project / "app" / "new.py").write_text("def fresh():\n    return 1\n", encoding="utf-8")
    (project / ".gitignore").write_text("ignored.py\n", encoding="utf-8")
    (project / "app" / "ignored.py").write_text("def hidden():\n    return 1\n", encoding="utf-8")

    out = tmp_path / "changed.json"
    done = cli("analyze", project, "--changed-since", "HEAD", "--format", "json", "-o", out, "--no-cache", cwd=project)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in ran.iterdir()) == []
    files = {r["file"] for r in json.loads(out.read_text(encoding="utf-8"))["recommendations"]}
    assert files == {"app/orders.py"}

    # the fixture is live: plain git would have run the repository's commands
    git(project, "status")
    assert "fsmonitor" in {p.name for p in ran.iterdir()}


def test_changed_since_with_line_endings_converted_on_checkout(project: Path, tmp_path: Path) -> None:
    """A file whose only difference from the commit is CRLF line endings (autocrlf) is not reported as changed."""
    git(project, "init", "-q")
    git(project, "add", ".")
    git(project, "commit", "-q", "-m", "start")
    orders = project / "app" / "orders.py"
    orders.write_bytes(orders.read_bytes().replace(b"\n", b"\r\n"))
    out = tmp_path / "changed.json"
    done = cli("analyze", project, "--changed-since", "HEAD", "--format", "json", "-o", out, "--no-cache", cwd=project)
    assert done.returncode == 0, done.stderr
    assert "0 files analysed" in done.stderr


def test_alias_bomb_in_the_project_config_is_a_quick_usage_error(project: Path) -> None:
    from tests.core.test_config_limits import ALIAS_BOMB

    (project / ".trace-advisor.yaml").write_text(ALIAS_BOMB, encoding="utf-8")
    done = cli("analyze", ".", "--no-cache", cwd=project)
    assert done.returncode == 2, done.stderr
    assert "refused: expands to more than 10000 values (YAML aliases)" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("{{ 'a' * 10**10 }}", "a value would be longer than"),
        ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", "loop iterations"),
        ("{{ 1 / 0 }}", "ZeroDivisionError: division by zero"),
    ],
    ids=["memory", "loop", "runtime-error"],
)
def test_template_limits_and_errors_exit_2_naming_file_and_line(project: Path, body: str, expected: str) -> None:
    (project / "tpl").mkdir()
    (project / "tpl" / "report.md.j2").write_text("# report\n\n" + body + "\n", encoding="utf-8")
    (project / ".trace-advisor.yaml").write_text("report:\n  template: tpl/report.md.j2\n", encoding="utf-8")
    done = cli("analyze", ".", "--format", "md", "--no-cache", cwd=project)
    assert done.returncode == 2, done.stderr
    assert f"report template {project / 'tpl' / 'report.md.j2'}:3: " in done.stderr
    assert expected in done.stderr and "Traceback" not in done.stderr
