"""A request handler whose work is database I/O its instrumentation shows (healthchecks' channel views): the Django
server span and the database client spans show the request, each query and write, and which branch ran, so a span
around the view's body would repeat the server span; the view is left to the instrumentation the report advises. A
view that swallows an error keeps its recommendation: no instrumentation shows that."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.support.cli import run_cli

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "handler_io"
DJANGO = "opentelemetry-instrumentation-django"


def test_a_view_whose_io_the_instrumentation_shows_is_left_to_it(tmp_path: Path) -> None:
    root = tmp_path / "app-root"
    shutil.copytree(FIXTURE, root)
    done = run_cli("analyze", ".", "--format", "json", "-o", "report.json", "--no-cache", cwd=root)
    assert done.returncode == 0, done.stderr
    report = json.loads((root / "report.json").read_text(encoding="utf-8"))
    recommended = {r["symbol"]: r for r in report["recommendations"]}
    assert "app.views:add" not in recommended  # wrapped by require_setting, registered by value in urls.py
    assert "handles and swallows Channel.DoesNotExist" in recommended["app.views:remove"]["rationale"]
    [hint] = [h for h in report["instrumentation"] if h["package"] == DJANGO]
    assert [c["symbol"] for c in hint["covers"]] == ["app.views:add"]
    assert "app.views:remove" in [c["symbol"] for c in hint["spanned"]]
