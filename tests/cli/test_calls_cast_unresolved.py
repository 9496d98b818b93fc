"""A value bound to ``typing.cast(T, v)`` whose calls stay unresolved: ``trace-advisor calls`` says why, as for any
other value (explaining them used to cut the cast's chain apart and crash the whole run)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.cli import run_cli

MODULE = """\
from typing import cast


def handle(payload):
    settings = cast(dict, payload)
    settings.unknown.reload()
    client = cast("Missing", payload)
    client.send()
"""


def test_unresolved_calls_on_a_cast_value_get_a_reason(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "pkg" / "mod.py").write_text(MODULE, encoding="utf-8")
    out = tmp_path / "calls.json"
    done = run_cli("calls", tmp_path / "pkg", "--no-cache", "-o", out)
    assert done.returncode == 0, done.stderr
    handle = json.loads(out.read_text(encoding="utf-8"))["functions"]["pkg.mod:handle"]
    assert handle["calls"] == ["typing:cast"]
    reasons = {u["text"]: u["reason"] for u in handle["unresolved"]}
    assert reasons == {"settings.unknown.reload": "external-attribute-unknown", "client.send": "unknown-value"}
