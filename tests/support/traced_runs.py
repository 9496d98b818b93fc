"""A fixture app analysed, then run under ``trace_advisor.runtime`` with the functions ``export`` lists traced: what
the span-volume tests compare (the estimate against the spans counted under the OpenTelemetry SDK)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

REPO = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((REPO / "config" / "recommendations.schema.json").read_text(encoding="utf-8"))


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=300, check=False)


def copy_app(tmp_path_factory: pytest.TempPathFactory, fixture: Path) -> Path:
    """``fixture``'s ``app`` folder, copied to a fresh folder."""
    root = tmp_path_factory.mktemp(fixture.name) / "app"
    shutil.copytree(fixture / "app", root)
    return root


def json_report(app: Path) -> dict[str, object]:
    """``analyze app --format json`` (no cache), checked against the report's JSON Schema."""
    done = run(sys.executable, "-m", "trace_advisor", "analyze", app, "--format", "json", "--no-cache")
    assert done.returncode == 0, done.stderr
    found: dict[str, object] = json.loads(done.stdout)
    jsonschema.validate(found, SCHEMA)
    return found


def traced_counts(app: Path, scenario: Path, counts: str, *arguments: str) -> dict[str, float]:
    """Run ``scenario app OUT *arguments`` with ``app``'s exported functions traced; the figure the scenario writes
    under ``counts`` in OUT for each traced function (0 when it made no span), keyed by symbol."""
    traced, out = app.parent / "traced.json", app.parent / "spans.json"
    assert run(sys.executable, "-m", "trace_advisor", "export", app, "-o", traced, "--no-cache").returncode == 0
    command = [sys.executable, scenario, app, out, *arguments]
    done = run(sys.executable, "-m", "trace_advisor.runtime", "--config", traced, "--", *command)
    assert done.returncode == 0, done.stderr
    figures: dict[str, float] = json.loads(out.read_text())[counts]
    plans = json.loads(traced.read_text())["functions"]
    return {p["symbol"]: figures.get(f"{p['module']}.{p['qualname']}", 0) for p in plans}
