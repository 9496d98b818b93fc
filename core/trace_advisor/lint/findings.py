"""What the span linter reports: one finding per problem, with the mechanical fix when there is one."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from functools import cached_property

from trace_advisor.attribute_safety import DEFAULT_POLICY, AttributePolicy
from trace_advisor.datatypes import Position, Range, TextEdit
from trace_advisor.edits.source import SourceText
from trace_advisor.project_style import ProjectStyle


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

    @cached_property
    def parents(self) -> dict[int, ast.AST]:
        """id(node) -> its parent node."""
        found: dict[int, ast.AST] = {}
        for parent in ast.walk(self.module):
            for child in ast.iter_child_nodes(parent):
                found[id(child)] = parent
        return found

    def range_of(self, node: ast.AST) -> Range:
        """The node's range in characters (``ast`` columns are UTF-8 bytes)."""
        line, end_line = node.lineno, node.end_lineno or node.lineno  # type: ignore[attr-defined]
        start = self.source.char_column(line, node.col_offset)  # type: ignore[attr-defined]
        end = self.source.char_column(end_line, node.end_col_offset or 0)  # type: ignore[attr-defined]
        return Range(Position(line, start), Position(end_line, end))
