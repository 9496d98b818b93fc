"""One index per workspace between calls, kept in step with the disk: a call after an edit, a new file or a deleted
file answers for the files as they are now (like the CLI run afresh)."""

from __future__ import annotations

import shutil
from pathlib import Path

from trace_advisor.advise.calibration import shipped

from tests.support.mcp_session import mcp_session

REPO = Path(__file__).resolve().parents[2]

NEW_FUNCTION = """

def fetch_status(url: str) -> int:
    import urllib.request

    for _ in range(3):
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.status
        except OSError:
            continue
    return 0
"""


def test_calls_after_edits_answer_for_the_files_on_disk(tmp_path: Path) -> None:
    root = tmp_path / "examples"
    shutil.copytree(REPO / "examples", root, ignore=shutil.ignore_patterns("__pycache__"))
    cli_py = root / "shop" / "cli.py"
    with mcp_session(root, cache=tmp_path / "cache") as session:
        before = session.answer("recommend", {"paths": ["shop/cli.py"]})
        assert "shop.cli:fetch_status" not in {r["symbol"] for r in before["recommendations"]}
        assert "shop.cli:fetch_status" not in session.answer("callees", {"symbol": "shop.cli:main"})["calls"]

        text = cli_py.read_text()
        text = text.replace(
            "    settings = Settings.from_env()\n",
            "    fetch_status('http://localhost')\n    settings = Settings.from_env()\n",
        )
        cli_py.write_text(text + NEW_FUNCTION)
        after = session.answer("recommend", {"paths": ["shop/cli.py"]})
        assert "shop.cli:fetch_status" in {r["symbol"] for r in after["recommendations"]}
        assert "shop.cli:fetch_status" in session.answer("callees", {"symbol": "shop.cli:main"})["calls"]
        assert session.answer("callers", {"symbol": "shop/cli.py:fetch_status"})["callers"] == ["shop.cli:main"]

        (root / "shop" / "probe.py").write_text(
            "from shop.cli import fetch_status\n\n\ndef probe():\n    return fetch_status('x')\n"
        )
        callers = session.answer("callers", {"symbol": "shop.cli:fetch_status"})["callers"]
        assert sorted(callers) == ["shop.cli:main", "shop.probe:probe"]

        (root / "shop" / "probe.py").unlink()
        assert session.answer("callers", {"symbol": "shop.cli:fetch_status"})["callers"] == ["shop.cli:main"]
        assert "no indexed module shop.probe" in session.error("callees", {"symbol": "shop.probe:probe"})


def test_a_broken_project_configuration_is_a_clear_error_until_it_is_fixed(tmp_path: Path) -> None:
    root = tmp_path / "examples"
    shutil.copytree(REPO / "examples", root, ignore=shutil.ignore_patterns("__pycache__"))
    with mcp_session(root, cache=tmp_path / "cache") as session:
        assert session.answer("recommend", {"paths": ["."]})["summary"]["min_confidence"] == shipped().threshold
        config = root / ".trace-advisor.yaml"
        config.write_text("min_confidence: 7\n")
        message = session.error("recommend", {"paths": ["."]})
        assert "min_confidence" in message and ".trace-advisor.yaml" in message
        config.write_text("min_confidence: 0.9\n")  # read again on the next call, no restart
        answer = session.answer("recommend", {"paths": ["."]})
        assert answer["summary"]["min_confidence"] == 0.9
        assert all(r["confidence"] >= 0.9 for r in answer["recommendations"])

        def web_files() -> set[str]:
            answer = session.answer("recommend", {"paths": ["."]})
            return {r["file"] for r in answer["recommendations"] if r["file"].startswith("shop/web/")}

        config.write_text("min_confidence: 0.5\n")
        assert web_files()
        config.write_text("min_confidence: 0.5\nignore: ['shop/web/**']\n")  # indexing settings: a new index
        assert web_files() == set()
        assert "no indexed module shop.web.app" in session.error("callees", {"symbol": "shop.web.app:App.dispatch"})
