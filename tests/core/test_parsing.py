"""Decoding (PEP 263), parsing failures as values, and the facts extracted from one module."""

from __future__ import annotations

from trace_advisor.facts import extract_facts
from trace_advisor.facts.records import ANNOTATION, CALL, CLS, SELF, VALUE, loc_parts
from trace_advisor.parsing import content_hash, decode_source, parse_bytes, parse_source, parse_text


def test_coding_cookie_and_bom_are_honoured() -> None:
    latin = "# -*- coding: latin-1 -*-\nname = 'caf\xe9'\n".encode("latin-1")
    assert decode_source(latin, "f.py") == "# -*- coding: latin-1 -*-\nname = 'caf\xe9'\n"
    assert decode_source(b"\xef\xbb\xbfx = 1\n", "f.py") == "x = 1\n"


def test_undecodable_bytes_name_line_and_byte() -> None:
    problem = decode_source(b"x = 1\ny = '\xff'\n", "bad.py")
    assert not isinstance(problem, str)
    assert problem.file == "bad.py"
    assert problem.line == 2 and problem.column == 5
    assert "0xff" in problem.message


def test_unknown_encoding_is_a_problem() -> None:
    problem = decode_source(b"# coding: no-such-codec\nx = 1\n", "f.py")
    assert not isinstance(problem, str)
    assert "no-such-codec" in problem.message


def test_null_byte_and_syntax_errors_have_positions() -> None:
    nul = parse_text("x = 1\ny = 2\0\n", "n.py")
    assert not hasattr(nul, "body")
    assert (nul.line, nul.column, nul.message) == (2, 5, "source contains a null byte")  # type: ignore[union-attr]
    bad = parse_source("def f(:\n    pass\n", "s.py")
    assert bad.facts is None and bad.problem is not None
    assert bad.problem.line == 1 and bad.problem.column is not None
    assert bad.problem.message.startswith("syntax error")


def test_nesting_too_deep_for_the_parser_is_a_problem_not_a_crash() -> None:
    result = parse_source("x = " + "+".join(["a"] * 100_000) + "\n", "deep.py")
    assert result.facts is None and result.problem is not None
    assert "too deep" in result.problem.message


def test_deep_but_parseable_expressions_are_walked_without_recursion() -> None:
    text = "x = " + "a." * 900 + "b()\n" + "y = " + " + ".join(["f(1)"] * 900) + "\n"
    result = parse_source(text, "deep.py")
    assert result.facts is not None
    assert len(result.facts.calls) == 901


def test_content_hash_is_of_bytes() -> None:
    assert content_hash(b"a") == content_hash(b"a") != content_hash(b"b")


def test_definitions_scopes_and_character_columns() -> None:
    text = (
        "import os\n"
        "class Shop:\n"
        "    currency = Money()\n"
        "    def __init__(self, repo: Repo, mailer: 'Mailer | None' = None):\n"
        "        self.repo = repo\n"
        "        self.cache = Cache()\n"
        "    @classmethod\n"
        "    def create(cls) -> 'Shop':\n"
        "        return cls()\n"
        "    @property\n"
        "    def name(self): return 'é'\n"
        "def outer():\n"
        "    def inner(): pass\n"
        "    return inner\n"
        "s = 'été'; go(s)\n"
    )
    parsed = parse_source(text, "shop.py")
    assert parsed.facts is not None
    scopes = parsed.facts.scope_map()
    assert list(scopes) == [
        "<module>",
        "Shop",
        "Shop.__init__",
        "Shop.create",
        "Shop.name",
        "outer",
        "outer.<locals>.inner",
    ]
    init = scopes["Shop.__init__"]
    assert init.bindings["self"][0].kind == SELF
    assert init.bindings["repo"][0].kind == ANNOTATION and init.bindings["repo"][0].chains == (("Repo",),)
    assert init.bindings["mailer"][0].chains == (("Mailer",),)
    shop = scopes["Shop"]
    assert shop.bindings["currency"][0].kind == VALUE
    assert shop.bindings["currency"][0].chains == (("Money", CALL),)
    assert {name: b[0].scope for name, b in shop.attributes.items()} == {
        "repo": "Shop.__init__",
        "cache": "Shop.__init__",
    }
    create = scopes["Shop.create"]
    assert create.method_kind == "class" and create.bindings["cls"][0].kind == CLS
    assert create.returns == (("Shop",),)
    assert loc_parts(create.loc)[:2] == (7, 4)  # the range starts at the decorator
    assert loc_parts(create.name_loc) == (8, 8, 8, 14)
    assert scopes["Shop.name"].method_kind == "property"
    assert scopes["outer.<locals>.inner"].parent == "outer"
    go = parsed.facts.calls[-1]
    assert go.text == "go" and loc_parts(go.loc) == (15, 11, 15, 16)  # character columns after the non-ASCII literal


def test_all_and_star_imports() -> None:
    tree_text = "from .a import *\n__all__ = ['x']\n__all__ += ['y']\n__all__.append('z')\n"
    parsed = parse_bytes(tree_text.encode(), "m.py")
    assert parsed.facts is not None
    assert parsed.facts.all_names == ("x", "y", "z")
    assert parsed.facts.scopes[0].star_imports == (("a", 1),)
    dynamic = parse_source("import m\n__all__ = m.names\n", "d.py").facts
    assert dynamic is not None and dynamic.all_names is None


def test_extract_facts_direct() -> None:
    import ast

    facts = extract_facts(ast.parse("with open(p) as f:\n    f.read()\n"), "with open(p) as f:\n    f.read()\n")
    binding = facts.scopes[0].bindings["f"][0]
    assert binding.chains == (("open", CALL, "__enter__", CALL),)


def test_calls_past_the_narrow_packing_stay_in_source_order() -> None:
    # a call at column 9,000 has a wide position key, larger than any narrow one: sites still follow the source
    text = f"a = '{'x' * 9000}'; first()\nsecond()\n"
    facts = extract_facts(parse_text(text, "m.py"), text)  # type: ignore[arg-type]
    assert [call.text for call in facts.calls] == ["first", "second"]
    assert loc_parts(facts.calls[0].loc)[1] > 9000
