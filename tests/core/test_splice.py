"""Re-parsing only what an edit touched gives exactly the facts and the tree of a full parse (checked on the stdlib)."""

from __future__ import annotations

import ast
import random
import sysconfig
from pathlib import Path

import pytest
from trace_advisor.facts.records import ModuleFacts, loc_parts
from trace_advisor.facts.splice import Spliced, splice
from trace_advisor.parsing import parse_source

STDLIB = Path(sysconfig.get_paths()["stdlib"])
REPO = Path(__file__).resolve().parents[2]
FILES = [
    "json/encoder.py",
    "email/message.py",
    "http/client.py",
    "logging/__init__.py",
    "argparse.py",
    "ast.py",
    "asyncio/base_events.py",
    "pathlib.py",
    "subprocess.py",
    "configparser.py",
    "tarfile.py",
    "typing.py",
]


def _facts(spliced: Spliced | None) -> ModuleFacts | None:
    return spliced.facts if spliced is not None else None


def edits(text: str, rng: random.Random) -> list[str]:
    """Edits inside function bodies: a comment, a new statement, a deleted line, a non-ASCII string, a rename."""
    facts = parse_source(text, "x.py").facts
    assert facts is not None
    lines = text.split("\n")
    spans = [(loc_parts(s.loc)[0], loc_parts(s.loc)[2]) for s in facts.scopes if s.kind == "function"]
    bodies = [(first, last) for first, last in spans if last - first >= 3]
    out = []
    for first, last in rng.sample(bodies, min(6, len(bodies))):
        line = rng.randrange(first + 1, last)  # inside the body (0-based: the line after)
        indent = len(lines[line]) - len(lines[line].lstrip())
        if not lines[line].strip() or lines[line].rstrip().endswith(("\\", ",", "(", "[", "{")):
            continue
        pad = " " * indent
        variants = [
            lines[:line] + [f"{pad}probe = helper_call('é')  # added"] + lines[line + 1 :],  # same line count
            lines[:line] + [f"{pad}probe = helper_call('é')  # added"] + lines[line:],
            lines[:line] + [f"{pad}self.extra = Thing()"] + lines[line:],
            lines[:line] + [pad + "def local_fn():", pad + "    return other()"] + lines[line:],
            lines[:last] + [""] * 3 + lines[last:],
        ]
        out.extend("\n".join(v) for v in variants)
    out.append(text.replace("\n", "\n\n", 1))  # a blank line at the top moves everything
    out.append(text + "\n\ndef added_fn(x: 'Thing') -> None:\n    x.run()\n")  # a new definition at the end
    return out


@pytest.mark.parametrize("name", FILES)
def test_spliced_facts_equal_full_parse(name: str) -> None:
    text = (STDLIB / name).read_text(encoding="utf-8")
    old = parse_source(text, name).facts
    assert old is not None
    rng = random.Random(name)
    spliced_count = 0
    for edited in edits(text, rng):
        full = parse_source(edited, name).facts
        result = splice(text, old, edited)
        if full is None:
            assert result is None
            continue
        if result is not None:
            spliced_count += 1
            assert result.facts == full and result.tree is None  # no old tree given: none built
    assert spliced_count > 0


@pytest.mark.parametrize("name", FILES[:6])
def test_spliced_trees_equal_full_parse(name: str) -> None:
    """Given the old tree, the same one parse gives the new tree: equal to a full parse, old nodes never changed."""
    text = (STDLIB / name).read_text(encoding="utf-8")
    old_tree = ast.parse(text)
    old = parse_source(text, name).facts
    assert old is not None
    before = ast.dump(old_tree, include_attributes=True)
    spliced_count = 0
    for edited in edits(text, random.Random(name)):
        result = splice(text, old, edited, old_tree)
        if result is None:
            continue
        spliced_count += 1
        assert result.facts == parse_source(edited, name).facts
        assert result.tree is not None
        assert ast.dump(result.tree, include_attributes=True) == ast.dump(ast.parse(edited), include_attributes=True)
    assert spliced_count > 0
    assert ast.dump(old_tree, include_attributes=True) == before


def test_class_bodies_are_spliced_method_by_method() -> None:
    text = (REPO / "examples" / "shop" / "services" / "orders.py").read_text()
    text += "a = 1; b = 2\n\n\n@decorated\nclass Late:\n    pass\n"
    text += (
        "class Outer:\n    class Inner:\n        def f(self):\n            return 1\n\n        # note\n        x = 2\n"
    )
    text += "class Tabbed:\n\tdef f(self):\n\t\treturn 1\n\n\tdef g(self): return 2; y = 3\n"
    old_tree = ast.parse(text)
    old = parse_source(text, "orders.py").facts
    assert old is not None
    lines = text.split("\n")
    spliced = 0
    for number, line in enumerate(lines):
        variants = (
            line + " ",
            line.replace("self", "me"),
            "    x = 1",
            "        y = 1",
            "\tz = 1",
            "x = (",
            "# a",
            "@dec",
        )
        for new_line in variants:
            edited = "\n".join([*lines[:number], new_line, *lines[number + 1 :]])
            full = parse_source(edited, "orders.py")
            result = splice(text, old, edited, old_tree)
            if full.facts is None:
                assert result is None
                continue
            if result is not None:
                spliced += 1
                assert result.facts == full.facts, (number, new_line)
                assert result.tree is not None and full.tree is not None
                assert ast.dump(result.tree, include_attributes=True) == ast.dump(full.tree, include_attributes=True)
    assert spliced > len(lines) * 2  # most one-line edits are spliced


def test_not_applicable_cases() -> None:
    text = "import os\n\nX = 1\n\n\ndef f():\n    return 1\n\n\ndef g():\n    return 2\n"
    old = parse_source(text, "m.py").facts
    assert old is not None
    assert (unchanged := splice(text, old, text)) is not None and unchanged.facts is old
    assert splice(text, old, text.replace("X = 1", "X = 2")) is None  # module-level statement
    for edited in (
        text.replace("def g", "def h"),  # renamed
        text + "\ndef added():\n    pass\n",  # added at the end
        text.replace("\n\ndef g", "\n\nclass New:\n    pass\n\n\ndef g"),  # added between definitions
        text.replace("def g():\n    return 2\n", ""),  # removed
        text.replace("X = 1\n\n\n", "X = 1\n\n# a comment\n\n"),  # a comment in a gap
    ):
        assert _facts(splice(text, old, edited)) == parse_source(edited, "m.py").facts, edited
    assert splice(text, old, text.replace("def g", "def X")) is None  # X is also bound by an assignment
    assert splice(text, old, text.replace("X = 1\n", "X = 1\n# touching a statement\n")) is None
    assert splice(text, old, text + "\n    indented = 1\n") is None  # would join the last function's body
    assert splice(text, old, text.replace("\n\ndef g", "\n@decorator\n\ndef g")) is None
    assert splice(text, old, text.replace("return 1", "global X\n    X = 3")) is None
    assert splice(text, old, text.replace("return 1", "Y = 2; global X")) is None
    assert splice(text, old, text.replace("return 1", "if X: global X")) is None
    # the word in a docstring or a longer name is not a ``global`` statement: the edit is still spliced
    edited = text.replace("return 1", '"""Uses the global X."""\n    return global_x')
    assert _facts(splice(text, old, edited)) == parse_source(edited, "m.py").facts
    assert splice(text, old, text.replace("return 1", "return (")) is None  # does not parse: full parse reports it
    assert splice(text, old, text.replace("\n", "\r\n")) is None
    edited = text.replace("return 1", "return os.getcwd()")
    assert _facts(splice(text, old, edited)) == parse_source(edited, "m.py").facts


def test_an_edit_inside_one_method_extracts_that_method_alone() -> None:
    """An edit inside a method's body that keeps the line count: the method is extracted alone (a class of one
    method), and the facts are a full parse's, also when a property's getter and setter share the method's name or the
    edit is on the class's last line."""
    text = (
        "class Console:\n"
        "    def __init__(self):\n"
        "        self.width = 80\n"
        "\n"
        "    @property\n"
        "    def size(self):\n"
        "        columns = self.width\n"
        "        return columns\n"
        "\n"
        "    @size.setter\n"
        "    def size(self, value):\n"
        "        self.width = value\n"
        "\n"
        "    def render(self, text):\n"
        "        out = text.strip()\n"
        "        return out.upper()"
    )
    old = parse_source(text, "console.py").facts
    assert old is not None
    for before, after in [
        ("columns = self.width", "colums = self.width"),  # in the getter
        ("out = text.strip()", "out = text.strip().lower()"),
        ("return out.upper()", "return out.upper().title()"),  # the class's and the file's last line
        ("out = text.strip()", "self.out = text"),  # what it stores on self: the class's attributes
    ]:
        edited = text.replace(before, after)
        result = splice(text, old, edited, ast.parse(text))
        assert result is not None
        assert result.facts == parse_source(edited, "console.py").facts, after


def test_lambdas_keep_the_numbers_a_full_parse_gives() -> None:
    """Lambdas are numbered per enclosing scope in source order: one in a function's body is the function's own
    (spliced), one in a top-level def's defaults is the module's, after the module's earlier ones (full parse)."""
    text = (
        "key = lambda x: x\n\n\n"
        "def f(k=lambda: 1):\n    g = lambda: 2\n    return g()\n\n\n"
        "def h(k=lambda: 3):\n    return 4\n\n\n"
        "def j():\n    m = lambda: 5\n    return m()\n"
    )
    old = parse_source(text, "m.py").facts
    assert old is not None
    assert [s.qualname for s in old.scopes if s.kind == "lambda"] == [
        "<lambda1>",
        "<lambda2>",
        "f.<locals>.<lambda1>",
        "<lambda3>",
        "j.<locals>.<lambda1>",
    ]
    inside = text.replace("m = lambda: 5", "m = lambda: lambda: 5")  # in the body of a function without others
    assert _facts(splice(text, old, inside)) == parse_source(inside, "m.py").facts
    for edited in (
        text.replace("def f(k=lambda: 1)", "def f(k=1)"),  # the module's second lambda goes: h's is the second now
        text.replace("return 4", "return 5"),  # a def holding a module-level lambda
    ):
        assert splice(text, old, edited) is None
