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

from tests.support.cli import run_cli

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "security" / "project"


def cli(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, cwd=cwd, env=env)


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


# ---- configuration attacks: nothing reaches outside the project until the file is trusted ----------------------

CANARY = "canary-" + "7f3a9c" * 4  # an environment variable's value that must never leave the machine


@pytest.fixture()
def home(tmp_path: Path) -> Path:
    folder = tmp_path / "home"
    (folder / ".ssh").mkdir(parents=True)
    (folder / ".bashrc").write_text("# the user's shell\n", encoding="utf-8")
    (folder / ".ssh" / "id_rsa").write_text("-----BEGIN OPENSSH PRIVATE KEY-----\nUSERKEY\n", encoding="utf-8")
    return folder


def user_env(home: Path, **extra: str) -> dict[str, str]:
    """The user's environment, with the rules scorer: these tests are about trust, and a model provider is asked
    only about functions the local scorer is unsure of (with the rules, the fixture's ``stock_level`` at 0.47; the
    calibrated scorer puts it at 0.04, not worth a model's look)."""
    return {
        "HOME": str(home),
        "CANARY_TOKEN": CANARY,
        "AWS_SECRET_ACCESS_KEY": CANARY,
        "TRACE_ADVISOR_SCORING": "rules",
        **extra,
    }


def write_config(project: Path, text: str) -> None:
    (project / ".trace-advisor.yaml").write_text(text, encoding="utf-8")


def test_report_output_cannot_write_outside_the_project(project: Path, home: Path, tmp_path: Path) -> None:
    (project / "tpl").mkdir()
    (project / "tpl" / "x.j2").write_text("echo pwned\n", encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (project / "out").symlink_to(elsewhere)
    (project / ".git").mkdir()
    for output in ("~/.bashrc", str(home / ".bashrc"), "../../home/.bashrc", "out/report.md", ".git/config", "run.sh"):
        write_config(project, f"report:\n  format: md\n  template: tpl/x.j2\n  output: {output}\n")
        done = cli("analyze", ".", "--no-cache", cwd=project, env=user_env(home))
        assert done.returncode == 0, done.stderr
        assert "report.output" in done.stderr and "trace-advisor trust" in done.stderr, done.stderr
        assert done.stdout.strip() == "echo pwned"  # the template inside the project still applies, to stdout
    assert (home / ".bashrc").read_text(encoding="utf-8") == "# the user's shell\n"
    assert list(elsewhere.iterdir()) == [] and not (project / ".git" / "config").exists()
    assert not (project / "run.sh").exists()


@pytest.mark.parametrize("template", ["/proc/self/environ", "~/.ssh/id_rsa", "../../home/.ssh/id_rsa", "key.j2"])
def test_report_template_cannot_read_outside_the_project(project: Path, home: Path, template: str) -> None:
    (project / "key.j2").symlink_to(home / ".ssh" / "id_rsa")
    write_config(project, f"report:\n  format: md\n  template: {template}\n  output: copied.md\n")
    done = cli("analyze", ".", "--no-cache", cwd=project, env=user_env(home))
    assert done.returncode == 0, done.stderr
    assert "report.template" in done.stderr
    copied = (project / "copied.md").read_text(encoding="utf-8")
    assert CANARY not in copied + done.stdout + done.stderr and "USERKEY" not in copied + done.stdout
    assert copied.startswith("# trace-advisor report")  # the coded report, not the file


def _provider_config(url: str, *, model: str = "llama3.2") -> str:
    return (
        "provider:\n  name: openai\n  openai:\n"
        f"    base_url: {url}/v1\n    model: {model}\n    api_key_env: AWS_SECRET_ACCESS_KEY\n"
    )


def test_provider_from_an_untrusted_file_is_not_used_until_trusted(project: Path, home: Path) -> None:
    from tests.support.openai_server import fake_openai

    env = user_env(home)
    with fake_openai() as server:
        write_config(project, _provider_config(server.url))
        done = cli("analyze", ".", "--format", "json", "--no-cache", cwd=project, env=env)
        assert done.returncode == 0, done.stderr
        assert server.requests == []
        for key in ("provider.name", "provider.openai.base_url", "provider.openai.api_key_env"):
            assert key in done.stderr
        assert '"engine": "local"' in done.stdout.replace(" ", "").replace('"engine":"local"', '"engine": "local"')

        trusted = cli("trust", ".", cwd=project, env=env)
        assert trusted.returncode == 0, trusted.stderr
        assert "provider.openai.base_url" in trusted.stdout
        done = cli("analyze", ".", "--format", "json", "--no-cache", cwd=project, env=env)
        assert done.returncode == 0 and "not trusted" not in done.stderr, done.stderr
        assert server.requests, "the trusted provider is used"
        sent = len(server.requests)

        write_config(project, _provider_config(server.url, model="gpt-4o"))  # changed: untrusted again
        done = cli("analyze", ".", "--format", "json", "--no-cache", cwd=project, env=env)
        assert done.returncode == 0 and "provider.openai.model" in done.stderr, done.stderr
        assert len(server.requests) == sent

        assert cli("trust", ".", "--revoke", cwd=project, env=env).returncode == 0


def test_bedrock_endpoint_from_an_untrusted_file_is_not_used(project: Path, home: Path) -> None:
    from tests.support.bedrock_server import fake_bedrock

    with fake_bedrock() as server:
        write_config(project, f"provider:\n  name: bedrock\n  bedrock:\n    endpoint_url: {server.url}\n")
        env = user_env(home, AWS_ACCESS_KEY_ID="AKIDEXAMPLETESTKEY00", AWS_DEFAULT_REGION="us-east-1")
        done = cli("analyze", ".", "--no-cache", cwd=project, env=env)
    assert done.returncode == 0, done.stderr
    assert server.requests == [] and "provider.bedrock.endpoint_url" in done.stderr


def test_api_key_env_outside_the_documented_pattern_is_ignored(project: Path, home: Path) -> None:
    """The user chose the provider and endpoint (trusted); the project may name the key variable only if it looks
    like a model API key."""
    from tests.support.openai_server import fake_openai

    with fake_openai() as server:
        env = user_env(
            home,
            TRACE_ADVISOR_PROVIDER__OPENAI__BASE_URL=f"{server.url}/v1",
            TRACE_ADVISOR_PROVIDER__CACHE="false",
            TEAM_LLM_API_KEY="sk-team-key-123",
        )
        write_config(project, "provider:\n  openai:\n    api_key_env: AWS_SECRET_ACCESS_KEY\n")
        done = cli("analyze", ".", "--provider", "openai", "--no-cache", cwd=project, env=env)
        assert done.returncode == 0 and "provider.openai.api_key_env" in done.stderr, done.stderr
        write_config(project, "provider:\n  openai:\n    api_key_env: TEAM_LLM_API_KEY\n")
        done = cli("analyze", ".", "--provider", "openai", "--no-cache", cwd=project, env=env)
        assert done.returncode == 0 and "not trusted" not in done.stderr, done.stderr
    headers = [r.headers.get("authorization", "") for r in server.requests]
    assert headers and all(CANARY not in h for h in headers)
    assert headers[-1] == "Bearer sk-team-key-123"


def test_python_and_search_paths_outside_the_project_are_ignored(project: Path, home: Path) -> None:
    (home / "evil").mkdir()
    (home / "evil" / "payments.py").write_text("def charge():\n    return 1\n", encoding="utf-8")
    (project / "lib").mkdir()
    write_config(project, f"python: /usr/bin/python3\nsearch_paths: [lib, {home / 'evil'}, ~/evil, ../..]\n")
    done = cli("calls", ".", "--format", "json", "--no-cache", cwd=project, env=user_env(home))
    assert done.returncode == 0, done.stderr
    for shown in ("python = '/usr/bin/python3'", f"search_paths = '{home / 'evil'}'", "'~/evil'", "'../..'"):
        assert shown in done.stderr
    assert "search_paths = 'lib'" not in done.stderr  # inside the project: honoured without trust
    assert str(home) not in done.stdout


def test_the_projects_own_virtualenv_interpreter_needs_no_trust(project: Path, home: Path) -> None:
    # a venv's bin/python links to the base interpreter outside the project: only its site-packages are read
    venv = project / ".venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").symlink_to(sys.executable)
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\n", encoding="utf-8")
    site = venv / "lib" / "python3.11" / "site-packages" / "payments"
    site.mkdir(parents=True)
    (site / "__init__.py").write_text("def charge():\n    return 1\n", encoding="utf-8")
    (project / "checkout.py").write_text("from payments import charge\n\n\ndef pay():\n    return charge()\n")
    write_config(project, "python: .venv/bin/python\n")
    done = cli("calls", ".", "--format", "json", "--no-cache", cwd=project, env=user_env(home))
    assert done.returncode == 0 and "not trusted" not in done.stderr, done.stderr
    assert "payments:charge" in done.stdout
    (home / "venv").mkdir()
    (project / "linked").symlink_to(home / "venv")  # a folder that leads out of the project still needs trust
    write_config(project, "python: linked/bin/python\n")
    done = cli("calls", ".", "--format", "json", "--no-cache", cwd=project, env=user_env(home))
    assert "python = 'linked/bin/python'" in done.stderr


def test_settings_from_the_users_own_config_and_flags_are_trusted(project: Path, home: Path, tmp_path: Path) -> None:
    from tests.support.openai_server import fake_openai

    config_home = tmp_path / "xdg"
    (config_home / "trace-advisor").mkdir(parents=True)
    with fake_openai() as server:
        (config_home / "trace-advisor" / "config.yaml").write_text(_provider_config(server.url), encoding="utf-8")
        env = user_env(home, XDG_CONFIG_HOME=str(config_home))
        done = cli("analyze", ".", "--no-cache", "-o", tmp_path / "r.md", cwd=project, env=env)
        assert done.returncode == 0 and "not trusted" not in done.stderr, done.stderr
        assert server.requests


def test_ignored_settings_are_listed_in_the_files_order(project: Path, home: Path) -> None:
    """The warning reads top to bottom like the file, whatever order the checks run in."""
    write_config(
        project,
        "report:\n  template: /etc/passwd\n"  # line 2
        "search_paths: [../..]\n"  # line 3
        "python: /usr/bin/python3\n"  # line 4
        "provider:\n  name: openai\n  openai:\n    base_url: http://127.0.0.1:9/v1\n",  # lines 6 and 8
    )
    done = cli("calls", ".", "--format", "json", "--no-cache", cwd=project, env=user_env(home))
    assert done.returncode == 0, done.stderr
    listed = [line.split()[0] for line in done.stderr.splitlines() if line.startswith("  .trace-advisor.yaml:")]
    assert listed == [f".trace-advisor.yaml:{n}" for n in (2, 3, 4, 6, 8)], done.stderr
