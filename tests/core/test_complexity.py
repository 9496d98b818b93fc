"""The McCabe complexity the span edit reads (to keep within a project's max-complexity) is ruff's C901 number, for
every function of the dev set, the examples and this package's own code."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

from trace_advisor.edits.complexity import complexity

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = [ROOT / "tests" / "fixtures" / "devset", ROOT / "examples", ROOT / "core" / "trace_advisor"]


def test_complexity_is_ruffs_c901_number() -> None:
    command = [sys.executable, "-m", "ruff", "check", "--isolated", "--no-cache", "--select", "C901"]
    command += ["--config", "lint.mccabe.max-complexity=0", "--output-format", "json", *map(str, FOLDERS)]
    found = json.loads(subprocess.run(command, capture_output=True, text=True, check=False).stdout)
    ruff = {}
    for finding in found:  # "`name` is too complex (N > 0)"
        name, number = finding["message"].split("`")[1], finding["message"].rsplit("(", 1)[1].split(" ")[0]
        ruff[(Path(finding["filename"]).resolve(), finding["location"]["row"], name)] = int(number)
    ours = {}
    for folder in FOLDERS:
        for path in folder.rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    ours[(path.resolve(), node.lineno, node.name)] = complexity(node)
    assert len(ruff) > 1000
    assert {key: ours.get(key) for key in ruff} == ruff
