"""A project written for Python 3.12-3.14 keeps its call graph on 3.11 (tests/fixtures/newer_syntax): `calls` resolves
the calls in files using `except A, B:`, `type X = ...`, type parameters, PEP 701 f-strings and template strings, and
says per file, on stderr, what it rewrote where."""

from __future__ import annotations

import json
from pathlib import Path

from trace_advisor.index import Index

from tests.support.cli import run_cli

CASE = Path(__file__).resolve().parents[1] / "fixtures" / "newer_syntax"


def test_calls_resolve_in_files_with_newer_syntax() -> None:
    expected = json.loads((CASE / "expected.json").read_text(encoding="utf-8"))
    done = run_cli("calls", CASE, "--format", "json", "--no-cache")
    assert done.returncode == 0, done.stderr
    functions = json.loads(done.stdout)["functions"]
    assert {
        caller: sorted(c for c in functions[caller]["calls"] if not c.startswith("builtins:"))
        for caller in expected["calls"]
    } == expected["calls"]
    assert all(not functions[caller]["unresolved"] for caller in expected["calls"])
    notes = [line for line in done.stderr.splitlines() if line]
    assert len(notes) == len(expected["rewritten"])  # one line per file, nothing reported as lost
    for relative, handled in expected["rewritten"].items():
        [note] = [n for n in notes if str(CASE / relative) in n]
        assert note.startswith(f"{CASE / relative}:{handled[0][0]}: info: ")  # file:line: severity: message
        assert all(what in note and str(line) in note for line, what in handled)


def test_the_facts_say_what_was_rewritten(tmp_path: Path) -> None:
    expected = json.loads((CASE / "expected.json").read_text(encoding="utf-8"))
    index = Index([CASE], cache_dir=tmp_path / "cache")
    for _ in range(2):  # cold, then from the facts cache
        index.build()
        for relative, handled in expected["rewritten"].items():
            facts = index.facts(CASE / relative)
            assert facts is not None and [list(item) for item in facts.rewritten] == handled
        problems = {p.file: p for p in index.problems}
        assert {Path(f).relative_to(CASE).as_posix() for f in problems} == set(expected["rewritten"])
        assert {(p.severity, p.kind) for p in problems.values()} == {("info", "rewritten")}
