"""``trace-advisor mcp`` start-up as a subprocess: the missing SDK, bad roots and a broken configuration are reported
before serving (exit 2), and nothing but the ``mcp`` subcommand imports the SDK."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

WITHOUT_SDK = """
import sys
sys.modules["mcp"] = None  # as if the `mcp` extra were not installed
from trace_advisor.cli import main
sys.exit(main(["mcp", *sys.argv[1:]]))
"""


def run(*args: str, code: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    argv = ["-c", code, *args] if code else ["-m", "trace_advisor", "mcp", *args]
    env = {**os.environ, "TRACE_ADVISOR_CACHE_DIR": str(cwd or Path.cwd()) + "/.cache"}
    return subprocess.run(
        [sys.executable, *argv],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=120,
        check=False,
    )


def test_without_the_sdk_the_message_names_the_extra(tmp_path: Path) -> None:
    done = run(str(tmp_path), code=WITHOUT_SDK)
    assert done.returncode == 2
    assert "needs the MCP SDK" in done.stderr and "pip install 'trace-advisor[mcp]'" in done.stderr
    assert "Traceback" not in done.stderr


def test_bad_roots_and_configuration_are_reported_before_serving(tmp_path: Path) -> None:
    missing = run(str(tmp_path / "nowhere"))
    assert missing.returncode == 2 and "no such file or folder" in missing.stderr
    (tmp_path / "app.py").write_text("x = 1\n")
    not_folder = run(str(tmp_path / "app.py"))
    assert not_folder.returncode == 2 and "a root must be a folder" in not_folder.stderr
    (tmp_path / ".trace-advisor.yaml").write_text("min_confidence: 7\n")
    broken = run(str(tmp_path))
    assert broken.returncode == 2 and "min_confidence" in broken.stderr


def test_only_the_mcp_subcommand_imports_the_sdk() -> None:
    code = (
        "import sys\n"
        "from trace_advisor.cli import build_parser\n"
        "import trace_advisor.analysis, trace_advisor.mcp.service, trace_advisor.mcp.tools\n"
        "build_parser()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('mcp', 'mcp_types', 'anyio', 'pydantic')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
