"""A project written for Python 3.12-3.14 keeps its call graph on 3.11 (tests/fixtures/newer_syntax): `calls` resolves
the calls in files using `except A, B:`, `type X = ...`, type parameters, PEP 701 f-strings and template strings, and
says per file, on stderr, what it rewrote where; and a project whose own interpreter is CPython 3.13 (a venv with a
library written the same way) keeps its calls into the library, and its recorded run names no hidden PEP 695 scope."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from trace_advisor.index import Index
from trace_advisor.newer_syntax import running_python

from tests.support.cli import run_cli
from tests.support.pythons import python313

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


LIBRARY = """\
type Amount = int | float


class Ledger[T: Amount]:
    def __init__(self) -> None:
        self.entries: list[T] = []

    def add[U = T](self, value: U) -> U:
        self.entries.append(value)
        return value

    def total(self) -> T:
        return sum(self.entries)
"""
SERVICE = """\
from ledgerlib import Amount, Ledger

type Batch[T] = list[T]


def post[T: Amount](ledger: Ledger[T], batch: Batch[T]) -> T:
    for value in batch:
        ledger.add(value)
    return summarize(ledger)


def summarize[T](ledger: Ledger[T]) -> T:
    return ledger.total()


def main() -> None:
    ledger: Ledger[int] = Ledger()
    print(post(ledger, [1, 2, 3]), Batch.__value__)


if __name__ == "__main__":
    main()
"""


def test_a_project_whose_interpreter_is_3_13(tmp_path: Path) -> None:
    """The project's interpreter is CPython 3.13 (a venv inside the project, named by the ``python`` setting) and both
    the project and a library installed in that venv use PEP 695 generics and ``type`` statements: the analyzer (on
    3.11) resolves calls into the library, and a run of the project under 3.13 with ``--record`` finds nothing the
    static graph missed."""
    project = tmp_path / "project"
    (project / "app").mkdir(parents=True)
    subprocess.run([python313(), "-m", "venv", "--without-pip", project / ".venv"], check=True, timeout=120)
    [site] = (project / ".venv" / "lib").glob("python3.13/site-packages")
    (site / "ledgerlib").mkdir()
    (site / "ledgerlib" / "__init__.py").write_text(LIBRARY, encoding="utf-8")
    (project / "app" / "__init__.py").write_text("", encoding="utf-8")
    (project / "app" / "service.py").write_text(SERVICE, encoding="utf-8")
    (project / ".trace-advisor.yaml").write_text("python: .venv\n", encoding="utf-8")  # bin/python links out
    env = {"TRACE_ADVISOR_CACHE_DIR": str(tmp_path / "cache")}

    done = run_cli("calls", ".", "--format", "json", cwd=project, env=env)
    assert done.returncode == 0, done.stderr
    functions = json.loads(done.stdout)["functions"]
    assert sorted(functions["app.service:post"]["calls"]) == ["app.service:summarize", "ledgerlib:Ledger.add"]
    assert functions["app.service:summarize"]["calls"] == ["ledgerlib:Ledger.total"]
    assert "ledgerlib:Ledger.__init__" in functions["app.service:main"]["calls"]
    assert "app/service.py:3: info: " in done.stderr  # says what it rewrote

    python = project / ".venv" / "bin" / "python"
    recorded = run_cli("calls", ".", "--record", "--", python, "-m", "app.service", cwd=project, env=env)
    assert recorded.returncode == 0, recorded.stderr
    assert recorded.stdout == "6 list[T]\n"  # the alias's value is evaluated lazily, when read
    compared = run_cli("calls", ".", "--compare", "--format", "json", cwd=project, env=env)
    assert compared.returncode == 0, compared.stderr
    report = json.loads(compared.stdout)
    assert report["observed"] == report["found"] == 3 and report["missed"] == []  # main -> post -> summarize
    # the hidden scopes of type parameters, alias values and bounds are not functions: nothing named after them
    assert report["stale"] == 0 and report["external"]["recall"] == 1.0


def test_many_rewritten_files_are_counted_after_the_first(tmp_path: Path) -> None:
    """polar has 70 files using Python 3.12+ syntax: 70 lines of notes came before the summary on every run. The first
    three files are named, the rest counted (nothing is lost: their calls resolve)."""
    for number in range(7):
        (tmp_path / f"aliases{number}.py").write_text(
            f"type Pair{number} = tuple[int, int]\n\n\ndef make{number}() -> Pair{number}:\n    return (1, 2)\n",
            encoding="utf-8",
        )
    done = run_cli("calls", tmp_path, "--format", "json", "--no-cache")
    assert done.returncode == 0, done.stderr
    notes = [line for line in done.stderr.splitlines() if line]
    assert len(notes) == 4, notes
    assert all("after rewriting newer syntax: a type alias statement" in note for note in notes[:3])
    assert notes[3].startswith(f"trace-advisor: info: 4 more files read with {running_python()} after rewriting")
    assert len(json.loads(done.stdout)["functions"]) >= 7
