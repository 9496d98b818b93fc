"""Running the CLI as its user does: a subprocess whose environment carries none of the developer's
``TRACE_ADVISOR_*`` settings (a cache folder or config set in the shell would change what the tests see)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

CLI = [sys.executable, "-m", "trace_advisor"]


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACE_ADVISOR_")}
    env.update(extra)
    return env


def run_cli(
    *args: str | Path, cwd: Path | None = None, timeout: float = 120, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``trace-advisor ARGS`` in ``cwd``, with the clean environment plus ``env``."""
    return subprocess.run(
        [*CLI, *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=clean_env(**(env or {})),
        check=False,
    )


def recommendations(
    root: Path, scratch: Path, *args: str | Path, env: Mapping[str, str] | None = None
) -> dict[str, dict[str, object]]:
    """``trace-advisor analyze ROOT --format json`` (with ``args``, no cache; the report written in ``scratch``): its
    recommendations by qualname."""
    out = scratch / "report.json"
    done = run_cli("analyze", root, "--format", "json", "-o", out, "--no-cache", *args, env=env)
    assert done.returncode == 0, done.stderr
    return {str(r["qualname"]): r for r in json.loads(out.read_text(encoding="utf-8"))["recommendations"]}


def external_io(recommendation: Mapping[str, object]) -> list[str]:
    """The details of a recommendation's external I/O evidence (what it calls, as the report names it)."""
    evidence = recommendation["evidence"]
    assert isinstance(evidence, list)
    return [e["detail"] for e in evidence if e["priority"] == "external_io"]


def reasons(found: Mapping[str, Mapping[str, object]], priority: str) -> dict[str, list[str]]:
    """Per recommended function (``found``: :func:`recommendations`), the reasons of its ``priority`` evidence."""
    by_function: dict[str, list[str]] = {}
    for name, recommendation in found.items():
        evidence = recommendation["evidence"]
        assert isinstance(evidence, list)
        by_function[name] = [e["reason"] for e in evidence if e["priority"] == priority]
    return by_function
