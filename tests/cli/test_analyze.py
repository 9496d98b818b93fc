"""``trace-advisor analyze`` as a subprocess: formats, output files, exit codes 0/1/2, --fail-on, --changed-since,
--priorities, progress bar absent when piped, unparseable files skipped, bad config/template rejected up front."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.cli import CLI as BASE_CLI
from tests.support.cli import clean_env, run_cli
from tests.support.trust import trust_project

WORKSPACE = Path(__file__).resolve().parent.parent / "fixtures" / "detect" / "workspace"
CLI = [*BASE_CLI, "analyze"]


# The SARIF tests are about locations: the rules scorer recommends their one-call wrapper at --min-confidence 0.1,
# the calibrated one (the default) does not (a short function around one client call: 0.03).
PIN_RULES = "scoring: rules\n"


def run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return run_cli("analyze", *args, cwd=cwd)


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    shutil.copytree(WORKSPACE, root)
    return root


def report(path: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    return data


def symbols(data: dict[str, object]) -> set[str]:
    recs = data["recommendations"]
    assert isinstance(recs, list)
    return {r["symbol"] for r in recs}


def test_markdown_to_stdout_with_summary_and_no_progress_when_piped(project: Path) -> None:
    done = run(project, "--format", "md", "--no-cache")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("# trace-advisor report")
    assert "settle" in done.stdout
    assert "\r" not in done.stderr and "[####" not in done.stderr  # stderr is a pipe: no progress bar
    assert "4 files analysed (1 skipped)" in done.stderr
    assert "broken.py:1: error: skipped, cannot parse" in done.stderr or "broken.py" in done.stderr


def test_json_report_written_atomically(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "reports" / "advice.json"
    done = run(project, "--format", "json", "--output", out, "--no-cache")
    assert done.returncode == 0, done.stderr
    data = report(out)
    assert "acme.billing:settle" in symbols(data)
    assert "acme.billing:charge_later" not in symbols(data)
    assert any("broken.py" in str(p["file"]) for p in data["problems"])  # type: ignore[attr-defined,index]
    assert [p.name for p in out.parent.iterdir()] == ["advice.json"]  # no temporary file left behind
    assert done.stdout == ""
    assert f"report written to {out}" in done.stderr


@pytest.mark.parametrize(
    ("fmt", "marker"), [("sarif", '"version": "2.1.0"'), ("html", "<html"), ("markdown", "# trace-advisor report")]
)
def test_other_formats(project: Path, fmt: str, marker: str) -> None:
    done = run(project, "--format", fmt, "--no-cache", "-q")
    assert done.returncode == 0, done.stderr
    assert marker in done.stdout
    assert done.stderr.count("\n") == 1  # -q: only the problem line for broken.py


def test_fail_on_threshold(project: Path) -> None:
    assert run(project, "--fail-on", "0.5", "--no-cache", "-q").returncode == 1
    assert run(project, "--fail-on", "1.0", "--no-cache", "-q").returncode == 0


def test_min_confidence_and_priorities(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    assert run(project, "--format", "json", "-o", out, "--min-confidence", "0.999", "--no-cache").returncode == 0
    assert symbols(report(out)) == set()
    assert run(project, "--format", "json", "-o", out, "--priorities", "exceptions", "--no-cache").returncode == 0
    recs = report(out)["recommendations"]
    assert recs and {r["priority"] for r in recs} == {"exceptions"}  # type: ignore[union-attr,index]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["does-not-exist"], "no such file or folder"),
        (["{project}", "--priorities", "speed"], "unknown priorities: speed"),
        (["{project}", "--model", "gpt"], "--model needs --provider"),
        (["{project}", "--config", "{project}/missing.yaml"], "config file not found"),
        (["{project}", "--format", "md", "--template", "{project}/bad.md.j2"], "bad.md.j2"),
        (["{project}", "--config", "{project}/bad.yaml"], "min_confidence"),
        (["{project}", "--changed-since", "HEAD"], "not inside a git repository"),
    ],
)
def test_usage_and_config_errors_exit_2(project: Path, args: list[str], message: str) -> None:
    (project / "bad.md.j2").write_text("{% for x in %}\n", encoding="utf-8")
    (project / "bad.yaml").write_text("min_confidence: 7\n", encoding="utf-8")
    done = run(*[a.format(project=project) for a in args], "--no-cache", cwd=project)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr
    assert done.stdout == ""  # nothing written before the error


def git(cwd: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@x",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@x",
    }
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env=env)


def test_changed_since_analyses_only_changed_files(project: Path, tmp_path: Path) -> None:
    (project / "acme" / "broken.py").unlink()
    git(project, "init", "-q")
    git(project, "add", ".")
    git(project, "commit", "-q", "-m", "start")
    billing = project / "acme" / "billing.py"
    billing.write_text(billing.read_text(encoding="utf-8") + "\n# touched\n", encoding="utf-8")
    out = tmp_path / "changed.json"
    done = run(project, "--format", "json", "-o", out, "--changed-since", "HEAD", "--no-cache")
    assert done.returncode == 0, done.stderr
    assert {s.split(":")[0] for s in symbols(report(out))} == {"acme.billing"}
    bad = run(project, "--changed-since", "no-such-ref", "--no-cache")
    assert bad.returncode == 2 and "unknown git ref 'no-such-ref'" in bad.stderr


def test_single_file_argument(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "one.json"
    done = run(project / "acme" / "gateway.py", "--format", "json", "-o", out, "--no-cache")
    assert done.returncode == 0, done.stderr
    # both operations of the payment gateway's client: a refund is one POST, as much a money movement as a charge
    assert symbols(report(out)) == {"acme.gateway:charge", "acme.gateway:refund"}


def test_progress_bar_on_a_terminal(project: Path) -> None:
    import pty

    master, slave = pty.openpty()
    env = clean_env()
    proc = subprocess.Popen([*CLI, str(project), "--no-cache"], stdout=subprocess.PIPE, stderr=slave, env=env)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    proc.communicate(timeout=120)
    os.close(master)
    terminal = b"".join(chunks).decode("utf-8", "replace")
    assert proc.returncode == 0
    assert "analysing  [" in terminal and "5/5 files" in terminal
    assert "resolving  [" in terminal  # the call graph, resolved before any file is analysed
    assert "\r\x1b[K" in terminal  # the bar is cleared before the summary


def test_unreachable_provider_keeps_local_results(project: Path, tmp_path: Path) -> None:
    config = project / "provider.yaml"
    config.write_text(
        "provider:\n  cache: false\n  openai:\n    base_url: http://127.0.0.1:9/v1\n"
        "    max_attempts: 1\n    timeout_seconds: 2\n",
        encoding="utf-8",
    )
    out = tmp_path / "p.json"
    done = run(
        project,
        "--provider",
        "openai",
        "--model",
        "tiny",
        "--config",
        config,
        "--format",
        "json",
        "-o",
        out,
        "--no-cache",
    )
    assert done.returncode == 0, done.stderr
    data = report(out)
    assert data["engine"] == "openai:tiny"
    assert "acme.billing:settle" in symbols(data)
    assert {r["source"] for r in data["recommendations"]} == {"local"}  # type: ignore[union-attr,index]
    assert "cannot reach" in done.stderr


def test_output_and_template_paths_are_relative_to_the_working_directory(project: Path) -> None:
    (project / "pyproject.toml").write_text("[project]\nname = 'acme'\n")  # the project root is above the cwd
    sub = project / "acme"
    (sub / "short.md.j2").write_text("{% for rec in recommendations %}{{ rec.symbol }}\n{% endfor %}")
    done = run(".", "--format", "md", "--output", "build/report.md", "--template", "short.md.j2", "--no-cache", cwd=sub)
    assert done.returncode == 0, done.stderr
    written = sub / "build" / "report.md"
    assert written.is_file() and not (project / "build").exists()
    assert "acme.billing:settle" in written.read_text(encoding="utf-8").splitlines()
    assert f"report written to {written}" in done.stderr or "report written to build/report.md" in done.stderr


def test_an_output_that_is_a_folder_is_a_usage_error_before_any_work(project: Path, tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    done = run(project, "-o", folder, "--no-cache")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip() == (
        f"trace-advisor: error: --output {folder} is a folder: name a file (e.g. {folder / 'report.md'})"
    )
    (project / ".trace-advisor.yaml").write_text(f"report:\n  output: {folder}\n")
    trust_project(project)  # an output outside the project is honoured once the file is trusted
    done = run(project, "--no-cache")
    assert done.returncode == 2 and f"error: report.output {folder} is a folder" in done.stderr
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    done = run(project, "-o", blocker / "report.md", "--no-cache")
    assert done.returncode == 2 and f"{blocker} is a file, not a folder" in done.stderr
    assert list(folder.iterdir()) == []


def test_sarif_uris_are_percent_encoded(tmp_path: Path) -> None:
    from urllib.parse import unquote, urljoin, urlparse

    root = tmp_path / "odd names"
    names = ["100%.py", "q#x.py", "my pkg/a b.py", "café.py", "a:b.py"]
    for name in names:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(
            "import requests\n\n\ndef fetch(order_id):\n    try:\n"
            '        return requests.get(f"http://x/{order_id}", timeout=5).json()\n'
            "    except ValueError:\n        return None\n"
        )
    (root / ".trace-advisor.yaml").write_text(PIN_RULES)
    done = run(root, "--format", "sarif", "--min-confidence", "0.1", "--no-cache", "-o", tmp_path / "out.sarif")
    assert done.returncode == 0, done.stderr
    sarif = json.loads((tmp_path / "out.sarif").read_text("utf-8"))
    base = sarif["runs"][0]["originalUriBaseIds"]["SRCROOT"]["uri"]
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]]
    assert sorted(uris) == ["100%25.py", "a%3Ab.py", "caf%C3%A9.py", "my%20pkg/a%20b.py", "q%23x.py"]
    for uri in uris:
        assert all(c.isascii() and (c.isalnum() or c in "%/-._~") for c in uri)  # RFC 3986 unreserved + pct-encoded
        resolved = urlparse(urljoin(base, uri))
        assert resolved.scheme == "file" and not resolved.fragment and Path(unquote(resolved.path)).is_file()


def test_sarif_paths_are_relative_to_the_repository_root_wherever_it_runs(tmp_path: Path) -> None:
    """GitHub code scanning resolves SARIF URIs against the checkout: a service in a monorepo, analysed from its own
    folder, still reports ``services/api/...``; Markdown stays relative to where the command ran."""
    repo = tmp_path / "monorepo"
    service = repo / "services" / "api"
    (service / "app").mkdir(parents=True)
    (service / "pyproject.toml").write_text('[project]\nname = "api"\n')
    (service / "app" / "client.py").write_text(
        "import requests\n\n\ndef fetch(order_id):\n    try:\n"
        '        return requests.get(f"http://x/{order_id}", timeout=5).json()\n'
        "    except ValueError:\n        return None\n"
    )
    (service / ".trace-advisor.yaml").write_text(PIN_RULES)
    subprocess.run(["git", "init", "-q", str(repo)], check=True, timeout=60)
    done = run(".", "--format", "sarif", "--no-cache", "--min-confidence", "0.1", cwd=service)
    assert done.returncode == 0, done.stderr
    sarif = json.loads(done.stdout)["runs"][0]
    assert sarif["originalUriBaseIds"]["SRCROOT"]["uri"] == repo.resolve().as_uri() + "/"
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["results"]}
    assert uris == {"services/api/app/client.py"}
    markdown = run(".", "--format", "md", "--no-cache", "--min-confidence", "0.1", cwd=service)
    assert "app/client.py" in markdown.stdout and "services/api" not in markdown.stdout
