"""Condensed listings sent to models: decorators and signature, findings on their lines, control-flow skeleton,
docstrings and comments dropped, elided runs marked, numbers that name the function's real lines."""

from __future__ import annotations

import ast
from pathlib import Path

from trace_advisor.advise.condense import MAX_CONTEXT_WIDTH, condense

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "providers" / "condense"
NOTE = {34: "external_io: calls urllib.request.urlopen (external HTTP)"}


def sync_method() -> str:
    """Syncer.sync's source as a Candidate holds it: decorators included, still indented like in the file."""
    text = (FIXTURE / "sync.py").read_text("utf-8")
    cls = next(n for n in ast.parse(text).body if isinstance(n, ast.ClassDef))
    method = cls.body[0]
    assert isinstance(method, ast.FunctionDef)
    start = method.decorator_list[0].lineno
    return "\n".join(text.splitlines()[start - 1 : method.end_lineno])


def test_listing_matches_the_expected_file() -> None:
    listing = condense(sync_method(), NOTE)
    assert listing.text == (FIXTURE / "expected.txt").read_text("utf-8").rstrip("\n")
    assert listing.total == len(sync_method().splitlines())
    assert listing.shown == sum(1 for line in listing.text.splitlines() if line.split("|", 1)[0].isdigit())


def test_numbers_name_real_lines_and_markers_count_the_gap() -> None:
    code = sync_method()
    real = [line.strip() for line in code.splitlines()]
    previous = 0
    pending = 0
    for row in condense(code, NOTE).text.splitlines():
        number, sep, text = row.partition("|")
        if not sep:  # a marker: "# … N lines …"
            pending = int(row.split("…")[1].split()[0])
            continue
        line = int(number)
        assert text.split("  #>")[0].strip().rstrip("…") in real[line - 1]
        if pending:
            assert line == previous + pending + 1
        pending, previous = 0, line


def test_docstrings_and_comments_never_reach_the_model() -> None:
    text = condense(sync_method(), NOTE).text
    assert "Copy every record" not in text and "already present" not in text
    assert "the remote store is slow" not in text and "one pass only" not in text


def test_short_functions_are_shown_whole_without_comments() -> None:
    code = "def f(a):\n    # why\n    x = a + 1  # note\n    return x\n"
    assert condense(code, {}).text == "1|def f(a):\n3|    x = a + 1\n4|    return x"


def test_findings_and_signature_survive_the_line_budget() -> None:
    body = "\n".join(f"    if x == {i}:\n        y = call_{i}(x)" for i in range(60))
    code = f"def big(x):\n{body}\n    return y\n"
    listing = condense(code, {120: "external_io: calls call_59"}, max_shown=10)
    numbers = [int(r.split("|")[0]) for r in listing.text.splitlines() if "|" in r]
    assert len(numbers) == 10 and numbers[0] == 1 and 120 in numbers
    assert listing.total == 122


def test_long_context_lines_are_cut_but_findings_are_not() -> None:
    long_call = "x = f(" + ", ".join(f"argument_{i}" for i in range(20)) + ")"
    code = "def g(x):\n" + "".join(f"    if x:\n        {long_call}\n" for _ in range(4)) + "    return x\n"
    text = condense(code, {3: "external_io: calls f"}).text
    rows = {int(r.split("|")[0]): r.split("|", 1)[1] for r in text.splitlines() if "|" in r}
    assert rows[3].startswith("        " + long_call)  # the finding's line is whole
    assert all(len(row) <= MAX_CONTEXT_WIDTH for n, row in rows.items() if n != 3)


def test_code_that_does_not_parse_is_listed_as_is() -> None:
    listing = condense("def broken(:\n    pass\n", {})
    assert listing.text == "1|def broken(:\n2|    pass" and listing.total == 2
