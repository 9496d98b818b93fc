"""downlevel: the newer forms become 3.11 syntax with every name and call where it was; nothing else is touched."""

from __future__ import annotations

import ast
import json
import subprocess
from pathlib import Path

import pytest
from trace_advisor.downlevel import (
    EXCEPT_TUPLE,
    FSTRING_BACKSLASH,
    FSTRING_LINES,
    FSTRING_QUOTES,
    TEMPLATE_STRING,
    TYPE_ALIAS,
    TYPE_PARAMETERS,
    downlevel,
)
from trace_advisor.facts.records import loc_parts
from trace_advisor.parsing import parse_source

from tests.support.pythons import newer_python

NEWER = {
    "except": ("try:\n    f()\nexcept A, B:\n    g()\nexcept A, B: h(1)\n", [(3, EXCEPT_TUPLE), (5, EXCEPT_TUPLE)]),
    "except star": ("try:\n    f()\nexcept* A, mod.B:\n    g()\n", [(3, EXCEPT_TUPLE)]),
    "type alias": ("type X = int | None\nclass C:\n    type Y[T] = list[T]\n", [(1, TYPE_ALIAS), (3, TYPE_ALIAS)]),
    "generic def": ("def first[T: (int, str)](items: list[T]) -> T:\n    return pick(items)\n", [(1, TYPE_PARAMETERS)]),
    "generic class": (
        "class Box[T](Base[T]):\n    async def get[U = int](self) -> U: return load()\n",
        [(1, TYPE_PARAMETERS), (2, TYPE_PARAMETERS)],
    ),
    "parameters over lines": ("def f[\n    T,\n    U: int,\n](x: T) -> U:\n    return g(x)\n", [(1, TYPE_PARAMETERS)]),
    "f-string quotes": ('s = f"{d["k"]} {e[\'j\']!r:>{w["n"]}} {f"{z(q)}"}"\n', [(1, FSTRING_QUOTES)]),
    # polar's backoffice: a one-quote f-string whose replacement field spans lines ("unterminated string literal")
    "f-string over lines": (
        'show(\n    f"-{\n        money(\n            amount,\n        )\n    } {d["k"]}"\n)\n'
        "x = f'{\n  y\n  }'.strip()\n",
        [(2, FSTRING_LINES), (6, FSTRING_QUOTES), (8, FSTRING_LINES)],
    ),
    # Mailu's fetchmail: escapes in strings inside replacement fields ("f-string expression part cannot include a
    # backslash"), the reused quote changed too
    "f-string backslashes": (
        'out = f\'&{enc(b.rstrip(b"\\n=").replace(b"/", b","))}-\'\nx = f"{"\\n".join(y)} {g(\'\\\'\')}"\n',
        [(1, FSTRING_BACKSLASH), (2, FSTRING_BACKSLASH)],
    ),
    "template string": ('s = t"hi {name(x)}"\nr = Rt"\\d{y}"\n', [(1, TEMPLATE_STRING), (2, TEMPLATE_STRING)]),
}


@pytest.mark.parametrize("name", sorted(NEWER))
def test_newer_forms_parse_with_every_name_in_place(name: str) -> None:
    text, handled = NEWER[name]
    with pytest.raises(SyntaxError):
        ast.parse(text)
    rewritten = downlevel(text)
    assert rewritten is not None and list(rewritten.handled) == handled
    tree = ast.parse(rewritten.text)
    old, new = text.splitlines(), rewritten.text.splitlines()
    assert len(old) == len(new)
    names = [n for n in ast.walk(tree) if isinstance(n, ast.Name | ast.Attribute | ast.Call)]
    assert names
    for node in names:  # what the facts keep (names, calls, their ranges) reads the same in the original text
        if node.lineno == node.end_lineno:
            span = slice(node.col_offset, node.end_col_offset)
            escapes = "\\" in old[node.lineno - 1][span]  # an escape in a string in a field: its two characters change
            assert old[node.lineno - 1][span] == new[node.lineno - 1][span] or isinstance(node, ast.Call) or escapes


def test_text_that_only_looks_newer_is_left_alone() -> None:
    text = "s = 'except A, B:'  # type X = 1\ntype = 3\nprint(type(x), f'{d[\"k\"]}')\ndef f(x): return x[0]\n"
    ast.parse(text)
    assert downlevel(text) is None


def test_what_cannot_be_rewritten_is_still_reported_as_newer_syntax() -> None:
    parsed = parse_source("except_ = 1\ntry:\n    pass\nexcept A, B as e:\n    pass\n", "m.py")
    assert parsed.facts is None and parsed.problem is not None and parsed.problem.line == 4
    parsed = parse_source('x = f"{f"{z("q")}"}"\n', "m.py")  # three levels of one quote: no 3.11 spelling
    assert parsed.facts is None and parsed.problem is not None and parsed.problem.newer_syntax is not None


def test_a_file_whose_first_error_is_an_f_string_over_lines_is_read() -> None:
    """polar's backoffice: the first line 3.11 rejects opens a replacement field of a one-quote f-string
    (``text(f"-{`` ... ``}")``): it was reported as "syntax error: unterminated string literal" and the module lost."""
    text, _ = NEWER["f-string over lines"]
    parsed = parse_source(text, "m.py")
    assert parsed.facts is not None and parsed.problem is None
    assert parsed.facts.rewritten == ((2, FSTRING_LINES), (6, FSTRING_QUOTES), (8, FSTRING_LINES))
    assert {"show", "money"} <= {c.text for c in parsed.facts.calls}
    typo = parse_source('x = f"{total\ny = 1\n', "m.py")  # a field left open by a typo: reported as it is
    assert typo.facts is None and typo.problem is not None and typo.problem.line == 1


def test_the_facts_of_rewritten_text_keep_the_original_positions() -> None:
    text = "def run[T](x: T) -> T:\n    try:\n        return work(x)\n    except A, B: log(x)\n"
    parsed = parse_source(text, "m.py")
    assert parsed.facts is not None and parsed.facts.rewritten == ((1, TYPE_PARAMETERS), (4, EXCEPT_TUPLE))
    calls = [(c.text, loc_parts(c.loc)) for c in parsed.facts.calls]
    assert calls == [("work", (3, 15, 3, 22)), ("log", (4, 17, 4, 23))]
    assert loc_parts(parsed.facts.scopes[1].name_loc) == (1, 4, 1, 7)


# Prints every name, call and definition of the file given as (kind, line, column, end line, end column) by the
# newer parser, less what is inside type parameters (blanked by the rewrite).
NODES = """
import ast, json, sys
tree = ast.parse(open(sys.argv[1], encoding="utf-8").read())
inside = {id(x) for n in ast.walk(tree) for p in getattr(n, "type_params", ()) for x in ast.walk(p)}
kinds = (ast.Name, ast.Attribute, ast.Call, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
print(json.dumps(sorted(
    (type(n).__name__, n.lineno, n.col_offset, n.end_lineno, n.end_col_offset)
    for n in ast.walk(tree) if isinstance(n, kinds) and id(n) not in inside
)))
"""


def test_the_rewritten_tree_places_names_and_calls_where_python_3_12_does(tmp_path: Path) -> None:
    """The oracle is the newer Python's own parser: every name, attribute, call and definition of the PEP 695 and
    PEP 701 cases is where Python 3.12+ puts it."""
    python = newer_python("import sys; assert sys.version_info >= (3, 13)")  # ``[U = int]`` defaults are 3.13
    cases = ("type alias", "generic def", "generic class", "parameters over lines", "f-string quotes")
    for name in (*cases, "f-string over lines"):
        text, _ = NEWER[name]
        source = tmp_path / "case.py"
        source.write_text(text, encoding="utf-8")
        command = [python, "-c", NODES, str(source)]
        done = subprocess.run(command, capture_output=True, text=True, check=True, timeout=60)
        rewritten = downlevel(text)
        assert rewritten is not None
        kinds = (ast.Name, ast.Attribute, ast.Call, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
        ours = sorted(
            (type(n).__name__, n.lineno, n.col_offset, n.end_lineno, n.end_col_offset)
            for n in ast.walk(ast.parse(rewritten.text))
            if isinstance(n, kinds)
        )
        assert [list(node) for node in ours] == json.loads(done.stdout), name


def test_a_backslash_in_a_replacement_field_is_read_where_files_are_parsed() -> None:
    """The first error 3.11 reports for it ("f-string expression part cannot include a backslash") names it as newer
    syntax, so the rewrite runs where files are read: Mailu's fetchmail line 43 went unread."""
    parsed = parse_source("def banner(lines):\n    return f\"{'\\n'.join(lines)}\"\n", "m.py")
    assert parsed.problem is None and parsed.facts is not None
    assert parsed.facts.rewritten == ((2, FSTRING_BACKSLASH),)
