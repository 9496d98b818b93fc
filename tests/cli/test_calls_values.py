"""`trace-advisor calls` on the call-graph fixtures (tests/fixtures/callgraph/<case>): each checked caller's callees
are exactly the expected ones, and the runtime is the oracle: running the case's entry function under a
``sys.setprofile`` recorder makes exactly those calls between the case's own functions (less the edges the fixture
lists as static-only, plus the ones it lists as runtime-only, each with its reason in the case's README). A lambda
runs as code named ``<lambda>``: it is the static graph's lambda node of the same enclosing scope starting on the
same line (``f.<locals>.<lambda2>``)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

CASES = sorted(p for p in (Path(__file__).resolve().parents[1] / "fixtures" / "callgraph").iterdir() if p.is_dir())

# Runs the entry function and prints every call between functions of the case's modules as [caller, callee] ids.
RECORDER = """
import importlib, json, sys
sys.path.insert(0, sys.argv[1])
module_name, _, function = sys.argv[2].partition(":")
edges = set()
# comprehensions run as functions of their own: they are folded into the function around them (calls inside are
# that function's; calling one is no edge). A lambda is named with the line it starts on (``f.<locals>.<lambda>@12``)
FOLDED = ("<listcomp>", "<dictcomp>", "<setcomp>", "<genexpr>")

def ident(frame):
    qualname = frame.f_code.co_qualname
    for folded in FOLDED:
        qualname = qualname.replace(f".{folded}.", ".")
    while qualname.rpartition(".")[2] in FOLDED:
        qualname = qualname.rpartition(".")[0].removesuffix(".<locals>")
    line = f"@{frame.f_code.co_firstlineno}" if qualname.endswith("<lambda>") else ""
    return f"{frame.f_globals.get('__name__')}:{qualname or '<module>'}{line}"

def record(frame, event, arg):
    back = frame.f_back
    if event != "call" or back is None or frame.f_code.co_name in FOLDED:
        return
    if frame.f_code.co_filename.startswith(sys.argv[1]) and back.f_code.co_filename.startswith(sys.argv[1]):
        edges.add((ident(back), ident(frame)))

entry = getattr(importlib.import_module(module_name), function)
sys.setprofile(record)
entry()
sys.setprofile(None)
print(json.dumps(sorted(edges)))
"""


def static_calls(case: Path, tmp_path: Path) -> dict[str, dict[str, list[str]]]:
    env = {**os.environ, "TRACE_ADVISOR_CACHE_DIR": str(tmp_path / "cache")}
    done = subprocess.run(
        [sys.executable, "-m", "trace_advisor", "calls", str(case), "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)["functions"]


def lambda_node(recorded: str, functions: dict[str, dict[str, object]]) -> str:
    """The static lambda node of a recorded ``module:f.<locals>.<lambda>@line``: same module and enclosing scopes,
    starting on that line (exactly one, or the recorded name stays and the comparison fails)."""
    if "@" not in recorded:
        return recorded
    name, _, line = recorded.rpartition("@")
    pattern = re.compile(re.escape(name).replace(re.escape("<lambda>"), r"<lambda\d+>") + "$")
    found = [s for s, f in functions.items() if pattern.match(s) and f["line"] == int(line)]
    return found[0] if len(found) == 1 else recorded


def runtime_calls(case: Path, entry: str, functions: dict[str, dict[str, object]]) -> dict[str, set[str]]:
    done = subprocess.run(
        [sys.executable, "-c", RECORDER, f"{case}{os.sep}", entry],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    found: dict[str, set[str]] = {}
    for caller, callee in json.loads(done.stdout):
        found.setdefault(lambda_node(caller, functions), set()).add(lambda_node(callee, functions))
    return found


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_calls_match_the_expected_and_the_runtime(case: Path, tmp_path: Path) -> None:
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    functions = static_calls(case, tmp_path)
    static = {caller: found["calls"] for caller, found in functions.items()}
    assert {caller: sorted(static.get(caller, [])) for caller in expected["calls"]} == expected["calls"]
    subclass = expected.get("subclass_calls", {})  # the callees reached only through class-hierarchy edges
    assert {caller: sorted(functions[caller]["subclass_calls"]) for caller in subclass} == subclass
    via = expected.get("via", {})  # the callees reached through a library function that calls them, and which
    assert {caller: functions[caller]["via"] for caller in via} == via
    constructs = expected.get("constructs", {})  # the classes built without an ``__init__`` with source
    assert {caller: functions[caller]["constructs"] for caller in constructs} == constructs
    unresolved = expected.get("unresolved", {})  # the calls each caller cannot follow, as written
    assert {caller: [u["text"] for u in functions[caller]["unresolved"]] for caller in unresolved} == unresolved
    reasons = expected.get("reasons", {})  # why, for the callers whose reasons the case is about
    assert {caller: [u["reason"] for u in functions[caller]["unresolved"]] for caller in reasons} == reasons
    runtime = runtime_calls(case, expected["entry"], functions)
    modules = {symbol.partition(":")[0] for symbol in functions}
    for caller, callees in expected["calls"].items():
        local = {c for c in callees if c.partition(":")[0] in modules}  # the recorder sees only the case's code
        oracle = (local - set(expected["static_only"].get(caller, []))) | set(expected["runtime_only"].get(caller, []))
        assert runtime.get(caller, set()) == oracle, caller


def test_every_case_has_a_readme() -> None:
    assert CASES
    for case in CASES:
        assert (case / "README.md").read_text(encoding="utf-8").strip(), case
