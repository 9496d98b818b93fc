"""Inserted span code keeps the project's own lint clean: imports in their isort/ruff section, the project's line
length, and ``ruff check --select I,E501`` reports nothing the original code did not already have."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from trace_advisor.project_style import ProjectStyle, read_project_style

from tests.support.span_cases import CASES, apply_plan, copy_case, read_text


def ruff_findings(root: Path, files: list[Path]) -> list[tuple[str, str, str]]:
    """(file, rule, source line) for every I001/E501 finding, with the project's ruff settings when it has any."""
    config = ["--config", str(root / "pyproject.toml")] if (root / "pyproject.toml").is_file() else ["--isolated"]
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--select", "I,E501", "--output-format", "json"]
        + config
        + [str(f) for f in files],
        capture_output=True,
        text=True,
        cwd=root,
        timeout=60,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr
    found = []
    for item in json.loads(done.stdout):
        path = Path(item["filename"])
        line = read_text(path)[0].splitlines()[item["location"]["row"] - 1]
        found.append((path.relative_to(root).as_posix(), item["code"], line.strip()))
    return sorted(found)


@pytest.mark.parametrize("case", CASES)
def test_edits_add_no_import_order_or_line_length_finding(case: str, tmp_path: Path) -> None:
    root = copy_case(case, tmp_path)
    files = sorted(root.rglob("*.py"))
    before = ruff_findings(root, files)
    original = {f.relative_to(root).as_posix(): {line.strip() for line in read_text(f)[0].splitlines()} for f in files}
    results = apply_plan(root, case)
    after = ruff_findings(root, files)
    new = [finding for finding in after if finding not in before]
    # inserted code never adds one; an existing line the with block indents past the limit gets a note
    assert [f for f in new if f[2] not in original[f[0]]] == []
    notes = [note for rel in results for result in results[rel] for note in result.notes]
    if new:
        assert any("longer than the project's line length" in note for note in notes), notes


def test_the_style_case_is_clean_and_wraps_long_lines(tmp_path: Path) -> None:
    root = copy_case("style", tmp_path)
    apply_plan(root, "style")
    assert ruff_findings(root, sorted(root.rglob("*.py"))) == []
    handlers = (root / "stylepkg" / "handlers.py").read_text()
    assert "            with tracer.start_as_current_span(\n" in handlers
    assert "                    span.set_status(\n" in handlers
    wrapped = [line for line in handlers.splitlines() if " " in line.strip()]  # a lone long string cannot wrap
    assert max(len(line) for line in wrapped) <= 79


def test_project_style_is_read_from_the_projects_tools(tmp_path: Path) -> None:
    assert read_project_style(None) == ProjectStyle()
    (tmp_path / "setup.cfg").write_text("[flake8]\nmax-line-length = 100\n[isort]\nknown_first_party = app,lib\n")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    style = read_project_style(tmp_path)
    assert style.line_length == 100 and {"app", "lib"} <= style.first_party
    assert style.section("app.models") == 3 and style.section("json") == 1 and style.section("requests") == 2
    assert style.section("x", level=1) == 4 and style.section("__future__") == 0
    (tmp_path / "pyproject.toml").write_text("[tool.black]\nline-length = 110\n[tool.ruff]\nline-length = 120\n")
    assert read_project_style(tmp_path).line_length == 120  # ruff first: it is what `ruff check` enforces
    (tmp_path / "pyproject.toml").write_text("[tool.black\nbroken")
    assert read_project_style(tmp_path).line_length == 100  # a malformed file is skipped, never an error
