"""``trace-advisor mcp`` over stdio, driven by the MCP SDK's client on a copy of examples/: every tool's answer equals
the CLI's JSON for the same request, the report resources equal the CLI's reports, bad requests get clear errors."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.support.mcp_session import McpSession, mcp_session, run_cli

REPO = Path(__file__).resolve().parents[2]
TOOLS = {"recommend", "preview_span", "apply_span", "coverage", "lint_spans", "call_tree", "callers", "callees"}


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("mcp") / "examples"
    shutil.copytree(REPO / "examples", root, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def cli(*args: str | Path, cwd: Path, cache: Path) -> str:
    done = run_cli(*args, cwd=cwd, cache=cache)
    assert done.returncode == 0, done.stderr
    return done.stdout


def cli_json(*args: str | Path, cwd: Path, cache: Path) -> Any:
    return json.loads(cli(*args, cwd=cwd, cache=cache))


def test_lists_every_tool_with_schemas_and_hints(session: McpSession) -> None:
    tools = {tool.name: tool for tool in session.tools().tools}
    assert set(tools) == TOOLS
    for tool in tools.values():
        assert tool.description and tool.input_schema["type"] == "object"
        assert tool.output_schema is not None and tool.output_schema["type"] == "object"
        assert tool.annotations is not None
        assert tool.annotations.read_only_hint is (tool.name != "apply_span")
    assert tools["recommend"].input_schema["required"] == ["paths"]
    assert tools["recommend"].output_schema["title"] == "trace-advisor report"  # the report's own schema
    assert tools["call_tree"].input_schema["required"] == ["entry"]


def test_recommend_equals_the_cli_json_report(session: McpSession, workspace: Path, cache: Path) -> None:
    answer = session.answer("recommend", {"paths": ["."]})
    expected = cli_json("analyze", ".", "--format", "json", "-q", cwd=workspace, cache=cache)
    assert answer == expected
    assert len(answer["recommendations"]) >= 10


def test_recommend_reports_progress_when_asked(session: McpSession, workspace: Path) -> None:
    seen = session.progress_of("recommend", {"paths": ["shop"]})
    files = len(list((workspace / "shop").rglob("*.py")))
    assert seen and seen[-1] == (files, files, f"analysed {files} of {files} files")
    assert [p for p, _, _ in seen] == sorted(p for p, _, _ in seen)


def test_recommend_with_confidence_and_priorities_equals_the_cli(
    session: McpSession, workspace: Path, cache: Path
) -> None:
    arguments = {"paths": [str(workspace)], "min_confidence": 0.7, "priorities": ["external_io", "exceptions"]}
    answer = session.answer("recommend", arguments)
    flags = ["--min-confidence", "0.7", "--priorities", "external_io,exceptions"]
    expected = cli_json("analyze", ".", "--format", "json", "-q", *flags, cwd=workspace, cache=cache)
    assert answer == expected
    assert {r["priority"] for r in answer["recommendations"]} <= {"external_io", "exceptions"}
    assert all(r["confidence"] >= 0.7 for r in answer["recommendations"])


def test_recommend_for_a_folder_is_the_workspace_report_restricted_to_it(
    session: McpSession, workspace: Path, cache: Path
) -> None:
    """A folder is analysed with the whole workspace's call graph, so its advice is the workspace's advice."""
    answer = session.answer("recommend", {"paths": ["shop/services", "shop/cli.py"]})
    whole = cli_json("analyze", ".", "--format", "json", "-q", cwd=workspace, cache=cache)
    wanted = [
        r for r in whole["recommendations"] if r["file"].startswith("shop/services/") or r["file"] == "shop/cli.py"
    ]
    assert answer["recommendations"] == wanted and wanted
    assert answer["files_analysed"] == len(list((workspace / "shop" / "services").glob("*.py"))) + 1


def test_coverage_equals_the_cli_json_with_and_without_a_baseline(
    session: McpSession, workspace: Path, cache: Path
) -> None:
    def without_warnings(answer: dict[str, Any]) -> dict[str, Any]:
        assert answer.pop("warnings") == []
        return answer

    expected = cli_json("coverage", ".", "--format", "json", cwd=workspace, cache=cache)
    assert without_warnings(session.answer("coverage", {"paths": ["."]})) == expected
    assert "baseline" not in expected and expected["functions"]

    baseline = workspace / ".trace-advisor-baseline.json"
    cli("coverage", ".", "--update-baseline", "--min-confidence", "0.6", cwd=workspace, cache=cache)
    try:
        expected = cli_json("coverage", ".", "--format", "json", cwd=workspace, cache=cache)
        answer = session.answer("coverage", {"paths": ["."]})
        assert answer.pop("warnings") == [
            "the baseline was written at min_confidence 0.6, this run uses 0.25: functions near the threshold "
            "compare as new or gone"
        ]
        assert answer == expected and expected["baseline"]["min_confidence"] == 0.6
        # a folder is measured with the whole workspace's call graph: the workspace's functions under it
        whole = cli_json("coverage", ".", "--format", "json", "--min-confidence", "0.6", cwd=workspace, cache=cache)
        answer = without_warnings(session.answer("coverage", {"paths": ["shop/services"], "min_confidence": 0.6}))
        wanted = [f for f in whole["functions"] if f["file"].startswith("shop/services/")]
        assert answer["functions"] == wanted and wanted
        assert answer["packages"] == {"shop.services": whole["packages"]["shop.services"]}
    finally:
        baseline.unlink()


def test_lint_spans_equals_the_cli_json_and_sees_edits(session: McpSession, workspace: Path, cache: Path) -> None:
    # one file per linter rule (tests/fixtures/lint), put in the agent's workspace for this test
    linted = workspace / "linted"
    rules = sorted(p for p in (REPO / "tests" / "fixtures" / "lint").iterdir() if p.is_dir())
    for rule in rules:
        shutil.copytree(rule, linted / rule.name.replace("-", "_"), ignore=shutil.ignore_patterns("fixed", "*.json"))

    def cli_lint(*args: str) -> Any:
        done = run_cli("lint", *args, "--format", "json", cwd=workspace, cache=cache)
        assert done.returncode == 1, done.stderr  # findings
        return json.loads(done.stdout)

    try:
        expected = cli_lint("linted")
        answer = session.answer("lint_spans", {"paths": ["linted"]})
        assert answer.pop("warnings") == []
        assert answer == expected
        assert {f["rule"] for f in expected["findings"]} == {rule.name for rule in rules}  # every rule is seen
        assert all(f["file"].startswith("linted/") for f in expected["findings"])

        only = session.answer("lint_spans", {"paths": ["linted"], "rules": ["span-not-ended", "tracer-per-call"]})
        assert only.pop("warnings") == []
        assert only == cli_lint("linted", "--select", "span-not-ended", "--select", "tracer-per-call")
        assert {f["rule"] for f in only["findings"]} == {"span-not-ended", "tracer-per-call"}

        # the agent's next call sees the file as edited on disk: the fixed version has no findings left
        jobs = linted / "span_not_ended" / "jobs.py"
        assert any(f["file"] == "linted/span_not_ended/jobs.py" for f in answer["findings"])
        jobs.write_text((REPO / "tests" / "fixtures" / "lint" / "span-not-ended" / "fixed" / "jobs.py").read_text())
        (linted / "broken.py").write_text("from opentelemetry import trace\ndef f(:\n")
        after = session.answer("lint_spans", {"paths": ["linted"]})
        assert not any(f["file"] == "linted/span_not_ended/jobs.py" for f in after["findings"])
        (warning,) = after["warnings"]
        assert warning.startswith("linted/broken.py: the file does not parse")
        refused = session.error("lint_spans", {"paths": ["linted"], "rules": ["spans-everywhere"]})
        assert "spans-everywhere" in refused and "is not one of" in refused, refused
        assert "outside the workspace roots" in session.error("lint_spans", {"paths": [".."]})
    finally:
        shutil.rmtree(linted)


def test_call_tree_equals_the_cli_tree(session: McpSession, workspace: Path, cache: Path) -> None:
    expected = cli_json(
        "calls", ".", "--entry", "shop/cli.py:main", "--depth", "3", "--format", "json", cwd=workspace, cache=cache
    )
    assert session.answer("call_tree", {"entry": "shop/cli.py:main", "depth": 3}) == expected
    assert session.answer("call_tree", {"entry": "shop.cli:main", "depth": 3}) == expected
    assert session.answer("call_tree", {"entry": str(workspace / "shop" / "cli.py") + ":main", "depth": 3}) == expected
    assert expected["children"]


def test_callees_and_callers_are_the_cli_graph_edges(session: McpSession, workspace: Path, cache: Path) -> None:
    functions = cli_json("calls", ".", "--format", "json", cwd=workspace, cache=cache)["functions"]
    callers: dict[str, set[str]] = {}
    for symbol, info in functions.items():
        answer = session.answer("callees", {"symbol": symbol})
        assert answer["calls"] == info["calls"], symbol
        expected = [(u["text"], u["line"], u["reason"]) for u in info["unresolved"]]
        assert [(u["text"], u["line"], u["reason"]) for u in answer["unresolved"]] == expected, symbol
        assert (answer["file"], answer["line"]) == (info["file"], info["line"])
        assert list(dict.fromkeys(e["symbol"] for e in answer["edges"])) == info["calls"]
        for callee in info["calls"]:
            callers.setdefault(callee, set()).add(symbol)
    for symbol in functions:
        answer = session.answer("callers", {"symbol": symbol})
        assert set(answer["callers"]) == callers.get(symbol, set()), symbol
    # code without source, named by import path: who in the workspace calls it
    assert set(session.answer("callers", {"symbol": "sqlite3:connect"})["callers"]) == callers["sqlite3:connect"]


def test_resources_are_the_cli_reports(session: McpSession, workspace: Path, cache: Path) -> None:
    listed = {str(r.uri): r for r in session.resources().resources}
    assert set(listed) == {f"trace-advisor://examples/report.{fmt}" for fmt in ("json", "md", "sarif", "html")}
    assert listed["trace-advisor://examples/report.sarif"].mime_type == "application/sarif+json"
    for fmt in ("json", "md", "sarif", "html"):
        contents = session.read(f"trace-advisor://examples/report.{fmt}").contents
        expected = cli("analyze", ".", "--format", fmt, "-q", cwd=workspace, cache=cache)
        assert contents[0].text.rstrip("\n") == expected.rstrip("\n"), fmt  # type: ignore[union-attr]


def test_paths_outside_the_roots_are_refused(session: McpSession, workspace: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.py"
    outside.write_text("def main():\n    return 1\n")
    for path in (str(tmp_path), "..", "../examples/../..", str(outside)):
        message = session.error("recommend", {"paths": [path]})
        assert "outside the workspace roots" in message and str(workspace) in message, message
    assert "outside the workspace roots" in session.error("call_tree", {"entry": f"{outside}:main"})
    assert "outside the workspace roots" in session.error("callees", {"symbol": f"{outside}:main"})
    assert "no such file or folder: nowhere" in session.error("recommend", {"paths": ["nowhere"]})


def test_bad_arguments_get_clear_errors(session: McpSession) -> None:
    assert "'paths' is a required property" in session.error("recommend", {})
    assert "min_confidence: 2 is greater than the maximum of 1" in session.error(
        "recommend", {"paths": ["."], "min_confidence": 2}
    )
    assert "unknown priorities: speed" in session.error("recommend", {"paths": ["."], "priorities": ["speed"]})
    assert "unknown tool 'delete_everything'" in session.error("delete_everything", {})
    assert "no function nothing in" in session.error("callees", {"symbol": "shop/cli.py:nothing"})
    assert "functions there: build_parser" in session.error("callees", {"symbol": "shop.cli:nothing"})
    assert "must be FILE:QUALNAME or module:qualname" in session.error("call_tree", {"entry": "main"})


def test_a_symlink_out_of_the_root_is_refused(tmp_path: Path) -> None:
    root, outside = tmp_path / "root", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (root / "app.py").write_text("import json\n\n\ndef main():\n    return json.dumps({})\n")
    (outside / "secret.py").write_text("def leak():\n    return open('/etc/hostname').read()\n")
    os.symlink(outside, root / "linked")
    with mcp_session(root, cache=tmp_path / "cache") as session:
        assert "outside the workspace roots" in session.error("recommend", {"paths": ["linked"]})
        assert "outside the workspace roots" in session.error("recommend", {"paths": ["linked/secret.py"]})
        assert session.answer("callees", {"symbol": "app.py:main"})["calls"] == ["json:dumps"]


def test_recommend_advises_the_framework_instrumentation_as_the_cli_does(tmp_path: Path) -> None:
    # a Flask app without its instrumentation (tests/fixtures/server_spans): the same one hint as `analyze`
    root, cache = tmp_path / "server_spans", tmp_path / "cache"
    shutil.copytree(REPO / "tests" / "fixtures" / "server_spans", root)
    with mcp_session(root, cache=cache) as session:
        answer = session.answer("recommend", {"paths": ["."]})
    assert answer == cli_json("analyze", ".", "--format", "json", "-q", cwd=root, cache=cache)
    [hint] = answer["instrumentation"]
    assert hint["package"] == "opentelemetry-instrumentation-flask"
    assert [c["symbol"] for c in hint["covers"]] == [f"shop.routes:{n}" for n in ("index", "about", "health", "stock")]
