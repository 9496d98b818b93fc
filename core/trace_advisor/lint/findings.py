"""What the span linter reports: one finding per problem, with the mechanical fix when there is one."""

from __future__ import annotations

import ast
import re
from bisect import bisect_left
from dataclasses import dataclass, field
from functools import cached_property

from trace_advisor.attribute_safety import DEFAULT_POLICY, AttributePolicy
from trace_advisor.datatypes import Position, Range, TextEdit
from trace_advisor.edits.source import SourceText
from trace_advisor.project_style import ProjectStyle

# Every rule starts from one of these calls (``start_span``, ``start_as_current_span``, ``use_span``,
# ``get_current_span``, ``get_tracer``): code that names none of them has no findings
OTEL_CALLS = re.compile(r"start_span|current_span|use_span|get_tracer")


@dataclass(frozen=True, slots=True)
class Fix:
    """A mechanical fix: applying ``edits`` to the linted text resolves the finding."""

    title: str
    edits: tuple[TextEdit, ...]


@dataclass(frozen=True, slots=True)
class LintFinding:
    rule: str  # one of ``trace_advisor.lint.RULES``
    message: str
    range: Range
    fix: Fix | None = None


@dataclass
class LintContext:
    """One module as the rules read it: its text, its tree and the project's settings."""

    source: SourceText
    module: ast.Module
    policy: AttributePolicy = DEFAULT_POLICY
    style: ProjectStyle = field(default_factory=ProjectStyle)
    swallowed_events: bool = True  # spans.swallowed_exceptions == "event"
    _above: dict[int, ast.AST] = field(default_factory=dict, repr=False)  # a unit's (or its class's) parent

    @cached_property
    def units(self) -> tuple[ast.stmt, ...]:
        """The statements the rules read, in source order: the module's statements whose lines name one of the
        calls every rule starts from (``OTEL_CALLS``), a class's statements instead of the whole class when its
        header names none. The rest of the module cannot have findings: a keystroke there costs no walk."""
        lines = [self.source.line_at(m.start()) for m in OTEL_CALLS.finditer(self.source.text)]
        found: list[ast.stmt] = []

        def named(first: int, last: int) -> bool:
            at = bisect_left(lines, first)
            return at < len(lines) and lines[at] <= last

        def take(body: list[ast.stmt], parent: ast.AST) -> None:
            for stmt in body:
                decorators = getattr(stmt, "decorator_list", ())
                first = min([stmt.lineno, *(d.lineno for d in decorators)])
                if not named(first, stmt.end_lineno or stmt.lineno):
                    continue
                self._above[id(stmt)] = parent
                if isinstance(stmt, ast.ClassDef) and stmt.body and not named(first, stmt.body[0].lineno - 1):
                    take(stmt.body, stmt)
                else:
                    found.append(stmt)

        take(self.module.body, self.module)
        return tuple(found)

    @cached_property
    def nodes(self) -> tuple[ast.AST, ...]:
        """Every node of :attr:`units`, each unit in ``ast.walk`` order (read once: every rule iterates this)."""
        return tuple(node for unit in self.units for node in ast.walk(unit))

    @cached_property
    def parents(self) -> dict[int, ast.AST]:
        """id(node) -> its parent node, for the nodes of :attr:`units` and the classes holding them."""
        nodes = self.nodes  # its units fill ``_above``
        found = dict(self._above)
        for parent in nodes:
            for child in ast.iter_child_nodes(parent):
                found[id(child)] = parent
        return found

    def range_of(self, node: ast.AST) -> Range:
        """The node's range in characters (``ast`` columns are UTF-8 bytes)."""
        line, end_line = node.lineno, node.end_lineno or node.lineno  # type: ignore[attr-defined]
        start = self.source.char_column(line, node.col_offset)  # type: ignore[attr-defined]
        end = self.source.char_column(end_line, node.end_col_offset or 0)  # type: ignore[attr-defined]
        return Range(Position(line, start), Position(end_line, end))
