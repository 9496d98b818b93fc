"""The span linter in the editor: its findings as diagnostics, its mechanical fixes as quick-fixes (computed on the
document's text as it is when the action is asked for, so a fix always matches the text it edits)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types
from trace_advisor.index import Index

from trace_advisor_lsp import convert
from trace_advisor_lsp.convert import Converter
from trace_advisor_lsp.projects import Project

if TYPE_CHECKING:
    from trace_advisor.lint import LintFinding


def findings(project: Project, text: str, index: Index | None = None, path: str = "") -> tuple[LintFinding, ...]:
    """The linter's findings on a document's text with the folder's settings (none when it does not parse); on the
    tree ``index`` keeps for that text of ``path`` when it has one (the refresh that just analysed it parsed it)."""
    from trace_advisor.lint import LintOptions, lint_text  # the rules load with the first refresh, not at start-up

    tree = index.kept_tree(Path(path), text) if index is not None else None
    return lint_text(text, LintOptions.of(project.span_style(path=path or None)), tree=tree).findings


def diagnostics(conv: Converter, path: str, found: Sequence[LintFinding]) -> list[types.Diagnostic]:
    return [conv.lint_diagnostic(path, finding) for finding in found]


def quick_fixes(
    conv: Converter,
    project: Project,
    path: str,
    text: str,
    version: int | None,
    asked: Sequence[types.Diagnostic],
) -> list[types.CodeAction]:
    """A quick-fix per linter diagnostic in ``asked`` whose finding (same rule, same start) has a mechanical fix."""
    wanted = [(d, rule) for d in asked if (rule := convert.lint_rule(d)) is not None]
    if not wanted:
        return []
    current = findings(project, text)
    actions: list[types.CodeAction] = []
    for diagnostic, rule in wanted:
        line = diagnostic.data.get("line") if isinstance(diagnostic.data, dict) else None
        finding = next((f for f in current if f.rule == rule and f.range.start.line == line and f.fix), None)
        if finding is not None and finding.fix is not None:
            edit = conv.workspace_edit(path, finding.fix.edits, version)
            actions.append(convert.code_action(finding.fix.title, "quickfix", edit, [diagnostic], True))
    return actions
