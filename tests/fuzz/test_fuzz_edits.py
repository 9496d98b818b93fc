"""The span engine on generated Python modules (any mix of statements, blocks, handlers, decorators, docstrings,
comments, indentation and line endings): it never raises; an edit applies, the result parses, the function is
the original inside its span, applying again changes nothing, and the lines it reports as added are the new ones."""

from __future__ import annotations

import ast

from hypothesis import assume, given
from hypothesis import strategies as st
from trace_advisor.datatypes import Attribute, Capture
from trace_advisor.edits import SpanEditor, apply_edits
from trace_advisor.edits.source import SourceText

SIMPLE = [
    "x = 1",
    "return x",
    "pass",
    "call(x)",
    "raise ValueError(x)",
    "x += len(items)",
    "print(x); y = 2",
    "items.append((x,\n{i}    y))",
    "value = '''text\n  more\n'''",
    "# a comment",
    "",
    "del x",
    "assert x, 'msg'",
    "global counter",
    "await client.get(url)",
    "yield x",
    "return",
    "x = [i for i in items if i]",
    "continue",
    "break",
]


@st.composite
def blocks(draw: st.DrawFn, depth: int, indent: str, unit: str) -> list[str]:
    lines: list[str] = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(
            st.sampled_from(["simple"] * 4 + (["if", "for", "try", "with", "def", "while"] if depth < 3 else []))
        )
        inner = indent + unit
        if kind == "simple":
            lines.extend(indent + part for part in draw(st.sampled_from(SIMPLE)).replace("{i}", indent).split("\n"))
        elif kind == "if":
            lines.append(f"{indent}if x:")
            lines.extend(draw(blocks(depth + 1, inner, unit)))
            if draw(st.booleans()):
                lines.append(f"{indent}else:")
                lines.extend(draw(blocks(depth + 1, inner, unit)))
        elif kind == "for":
            lines.append(f"{indent}for item in items:")
            lines.extend(draw(blocks(depth + 1, inner, unit)))
        elif kind == "while":
            lines.append(f"{indent}while x:")
            lines.extend(draw(blocks(depth + 1, inner, unit)))
        elif kind == "with":
            lines.append(f"{indent}with open(path) as handle:")
            lines.extend(draw(blocks(depth + 1, inner, unit)))
        elif kind == "def":
            lines.extend(draw(functions(indent, unit, depth + 1)))
        else:
            lines.append(f"{indent}try:")
            lines.extend(draw(blocks(depth + 1, inner, unit)))
            for clause in draw(
                st.lists(
                    st.sampled_from(
                        [
                            "except ValueError:",
                            "except (KeyError, OSError) as err:",
                            "except:",
                            "except Exception as exc:",
                        ]
                    ),
                    min_size=1,
                    max_size=2,
                )
            ):
                lines.append(indent + clause)
                lines.extend(draw(blocks(depth + 1, inner, unit)))
                if draw(st.booleans()):
                    lines.append(inner + draw(st.sampled_from(["raise", "raise exc", "return None", "log(x)"])))
            if draw(st.booleans()):
                lines.append(f"{indent}finally:")
                lines.extend(draw(blocks(depth + 1, inner, unit)))
    return lines


@st.composite
def functions(draw: st.DrawFn, indent: str, unit: str, depth: int = 0) -> list[str]:
    lines = [
        indent + d
        for d in draw(
            st.lists(
                st.sampled_from(["@staticmethod", "@cache", "@app.route('/x')", "@property"]), max_size=2, unique=True
            )
        )
    ]
    name = draw(st.sampled_from(["handle", "place", "run", "fetch"]))
    prefix = draw(st.sampled_from(["def", "async def"]))
    params = draw(
        st.sampled_from(["(self, x, items, path, url)", "(x, items=(), *, path=None, url='')", "(*args, **kw)"])
    )
    lines.append(
        f"{indent}{prefix} {name}{params}:" + draw(st.sampled_from(["", "  # note", " -> int"])).replace(" -> int", "")
    )
    if draw(st.booleans()):
        lines.append(f'{indent}{unit}"""Docstring."""')
    if draw(st.integers(0, 5)) == 0:
        lines[-1] += "; x = 1"  # statements on the docstring's / header's line
    lines.extend(draw(blocks(depth, indent + unit, unit)))
    return lines


@st.composite
def modules(draw: st.DrawFn) -> str:
    unit = draw(st.sampled_from(["    ", "  ", "\t"]))
    eol = draw(st.sampled_from(["\n", "\r\n"]))
    lines = draw(
        st.sampled_from(
            [
                [],
                ["import os"],
                ["from __future__ import annotations", "", "import json"],
                ['"""Module."""', "from opentelemetry import trace", "tracer = trace.get_tracer(__name__)"],
            ]
        )
    )
    for _ in range(draw(st.integers(1, 2))):
        if draw(st.booleans()):
            lines.append("class Service:")
            lines.extend(draw(functions(unit, unit)))
        else:
            lines.extend(draw(functions("", unit)))
        lines.append("")
    return eol.join(lines) + eol


CAPTURES = st.none() | st.builds(
    Capture,
    parameters=st.lists(st.sampled_from(["x", "items", "path", "self", "missing"]), max_size=3).map(tuple),
    return_value=st.booleans(),
    exceptions=st.booleans(),
    attributes=st.lists(
        st.builds(
            Attribute, st.sampled_from(["app.x", "db.system.name"]), st.sampled_from(["x", "len(items)", "'sqlite'"])
        ),
        max_size=2,
    ).map(tuple),
)


@given(modules(), CAPTURES)
def test_span_edits_are_safe_on_any_module(text: str, capture: Capture | None) -> None:
    try:
        tree = ast.parse(text)
    except SyntaxError:
        assume(False)
        return
    editor = SpanEditor(text, tree)
    qualnames = sorted({site.qualname for site in editor._definitions if hasattr(site, "node")})
    for qualname in qualnames:
        for site in editor.sites(qualname):
            line = site.node.lineno
            result = editor.edits(qualname, capture, line=line)
            if not result.edits:
                assert result.message
                continue
            edited = apply_edits(text, result.edits)
            ast.parse(edited)  # always parses
            assert result.function_lines is not None
            again = SpanEditor(edited).edits(qualname, capture, line=_moved(result, line))
            assert again.already_traced and not again.edits  # idempotent
            new_lines = SourceText(edited).lines
            first, last = result.function_lines
            new_first = first + _setup_lines(result)
            new_last = new_first + (last - first) + len(new_lines) - len(SourceText(text).lines) - _setup_lines(result)
            function = new_lines[new_first - 1 : new_last]
            added = set(result.added_lines)
            assert all(0 <= index < len(function) for index in added)
            assert len(added) >= len(function) - (last - first + 1)  # every inserted line is reported
            # generators get a span that is not made current (it would stay current wherever they yield)
            assert any(
                ".start_as_current_span(" in function[index] or ".start_span(" in function[index] for index in added
            )


def _setup_lines(result: object) -> int:
    from trace_advisor.edits import EditResult

    assert isinstance(result, EditResult) and result.function_lines is not None
    return sum(  # the import/tracer insertion comes first, then the function's edit
        len(SourceText(e.new_text).lines) - 1 - (e.range.end.line - e.range.start.line)
        for e in result.edits[: result.setup_edits]
    )


def _moved(result: object, line: int) -> int:
    """The def's line after the edits (setup lines inserted above it move it down)."""
    from trace_advisor.edits import EditResult

    assert isinstance(result, EditResult)
    return line + _setup_lines(result) + (1 if result.form == "decorator" else 0)
