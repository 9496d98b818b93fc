"""What a newcomer meets on the command line, as a subprocess on a real project folder: several reports from one
analysis, a short summary naming the strongest recommendations and the lost files, ``--exclude``, test files
skipped and not evidence, development scripts ranked last, and a quiet exit when the reader of a pipe goes away."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.cli import CLI, clean_env, run_cli

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "cli" / "newcomer"


def run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, cwd=cwd)


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    root = tmp_path / "newcomer"
    shutil.copytree(FIXTURE, root)
    return root


def recommended(report: Path) -> dict[str, float]:
    data = json.loads(report.read_text(encoding="utf-8"))
    return {r["symbol"]: r["confidence"] for r in data["recommendations"]}


def test_several_reports_from_one_analysis(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = run(
        "analyze", project, "--no-cache", "-o", out / "r.md", "-o", out / "r.html", "-o", out / "r.sarif",
        "-o", out / "r.json",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (out / "r.md").read_text(encoding="utf-8").startswith("# trace-advisor report")
    assert "<html" in (out / "r.html").read_text(encoding="utf-8")
    assert json.loads((out / "r.sarif").read_text(encoding="utf-8"))["version"] == "2.1.0"
    assert "app.pages:fetch_profile" in recommended(out / "r.json")
    assert done.stdout == ""
    assert done.stderr.count("files analysed") == 1  # one analysis, one summary
    assert f"reports written to {out / 'r.md'}, {out / 'r.html'}, {out / 'r.sarif'}, {out / 'r.json'}" in done.stderr


def test_format_pairs_with_output_in_order_else_extension(project: Path, tmp_path: Path) -> None:
    done = run("analyze", project, "-q", "--format", "json", "-o", tmp_path / "a.txt", "-o", tmp_path / "b.sarif")
    assert done.returncode == 0, done.stderr
    assert "recommendations" in json.loads((tmp_path / "a.txt").read_text(encoding="utf-8"))
    assert "runs" in json.loads((tmp_path / "b.sarif").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-o", "a.txt", "-o", "b.json"], "cannot tell the report format of a.txt"),
        (["-o", "a.json", "-o", "a.json"], "the same --output file is given twice"),
        (["--format", "md", "--format", "json", "-o", "a.md"], "2 --format values for 1 --output files"),
        (["--format", "md", "--format", "json"], "several --format values need one --output (-o) each"),
        (["-o", "."], "is a folder: name a file"),
    ],
)
def test_output_mistakes_are_usage_errors(project: Path, tmp_path: Path, args: list[str], message: str) -> None:
    done = run("analyze", project, *args, cwd=tmp_path)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["newcomer"]  # nothing written


def test_summary_names_the_strongest_product_code_first_and_the_lost_files(project: Path, tmp_path: Path) -> None:
    done = run("analyze", project, "--no-cache", "-o", tmp_path / "r.json", cwd=project)
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    summary = next(i for i, line in enumerate(lines) if line.startswith("trace-advisor: "))
    assert "3 files analysed (1 skipped) in " in lines[summary]
    strongest = [line.split()[2] for line in lines if line.lstrip()[:2] in {"1.", "2.", "3.", "4."}]
    # scripts/seed.py is the most confident (0.99) but a development script: it comes after the product code
    assert strongest[0] == "fetch_profile" and strongest[-1] == "seed", done.stderr
    assert "    1. 0.7" in done.stderr and "app/pages.py:" in done.stderr
    assert "Calls urllib.request.urlopen (external HTTP)" in done.stderr
    assert "not analysed: 1 file (1 uses syntax newer than Python 3.11)" in done.stderr
    assert "app/aliases.py:6: error: syntax error: f-string: expecting '}'" in done.stderr
    assert "uses quotes reused inside an f-string (PEP 701, Python 3.12)" in done.stderr
    assert "report written to " in lines[-1]


@pytest.mark.parametrize("folder", ["bin", "tools"])
def test_maintainers_tooling_reads_after_the_product(project: Path, tmp_path: Path, folder: str) -> None:
    (project / "scripts").rename(project / folder)  # a release or seed script under bin/ is tooling, not the service
    md = tmp_path / "r.md"
    done = run("analyze", project, "--no-cache", "-o", md, cwd=project)
    assert done.returncode == 0, done.stderr
    strongest = [line.split()[2] for line in done.stderr.splitlines() if line.lstrip()[:2] in {"1.", "2.", "3."}]
    assert strongest[0] == "fetch_profile" and strongest[-1] == "seed", done.stderr
    start = md.read_text(encoding="utf-8").split("Start with:")[1].split("\n\n")[1]
    assert start.index("fetch_profile") < start.index(f"{folder}/seed.py")


def test_html_report_ranks_product_code_before_scripts(project: Path, tmp_path: Path) -> None:
    done = run("analyze", project, "-q", "-o", tmp_path / "r.html", cwd=project)
    assert done.returncode == 0, done.stderr
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    data = json.loads(html.split('id="report-data">', 1)[1].split("</script>", 1)[0])
    ranked = [symbol for symbol, _ in data["ranked"]]
    assert ranked[0] == "app.pages:fetch_profile" and ranked[-1] == "scripts.seed:seed"
    assert data["recommendations"]["scripts.seed:seed"][0]["auxiliary"] is True


def test_test_files_are_skipped_and_their_calls_are_not_evidence(project: Path, tmp_path: Path) -> None:
    with_tests = tmp_path / "with.json"
    done = run("analyze", project, "--no-cache", "--min-confidence", "0", "-o", with_tests)
    assert done.returncode == 0, done.stderr
    assert "3 files analysed" in done.stderr  # app/__init__.py, app/pages.py, scripts/seed.py (+1 unparsable)
    shutil.rmtree(project / "tests")
    without = tmp_path / "without.json"
    assert run("analyze", project, "--no-cache", "--min-confidence", "0", "-o", without).returncode == 0
    # build_digest is called 12 times from tests only: that must not make it look like a public API
    assert recommended(with_tests) == recommended(without)


def test_naming_test_code_as_path_analyses_it(project: Path) -> None:
    done = run("analyze", project / "tests", "--no-cache", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert "3 files analysed" in done.stderr  # tests/__init__.py, tests/conftest.py, tests/test_pages.py
    assert json.loads(done.stdout)["recommendations"] == []  # test code is never recommended


@pytest.mark.parametrize("command", ["calls", "analyze"])
def test_exclude_globs_skip_files(project: Path, command: str) -> None:
    args = ["--format", "json"]
    done = run(command, project, *args, "--no-cache", "--exclude", "scripts", "--exclude", "aliases.py")
    assert done.returncode == 0, done.stderr
    assert "seed" not in done.stdout and "aliases" not in done.stdout + done.stderr
    assert "pages" in done.stdout


def test_exclude_in_apply(project: Path) -> None:
    done = run("apply", project, "--all", "--diff", "--no-cache", "--exclude", "scripts/*")
    assert done.returncode in (0, 1), done.stderr
    assert "app/pages.py" in done.stdout and "scripts/seed.py" not in done.stdout


@pytest.fixture()
def big_project(tmp_path: Path) -> Path:
    """Enough modules that every command writes far more than a pipe buffer holds."""
    root = tmp_path / "big"
    (root / "svc").mkdir(parents=True)
    (root / "svc" / "__init__.py").write_text("", encoding="utf-8")
    module = (FIXTURE / "app" / "pages.py").read_text(encoding="utf-8")
    for number in range(60):
        (root / "svc" / f"pages_{number}.py").write_text(module, encoding="utf-8")
    return root


@pytest.mark.parametrize("args", [["calls"], ["apply", "--all", "--diff"], ["analyze", "--format", "md"]])
def test_closed_pipe_ends_quietly(big_project: Path, args: list[str]) -> None:
    env = clean_env(TRACE_ADVISOR_SCORING="rules")  # the rules recommend pages.py's fetch_profile: `apply` has output
    argv = [*CLI, args[0], str(big_project), *args[1:], "--no-cache"]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.read(10)  # like `| head -c 10`: read a little, then go away
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    code = proc.wait(timeout=120)
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr, stderr
    assert code in (0, 141)  # 141 = 128 + SIGPIPE, as shells report it; 0 when the last write went through
