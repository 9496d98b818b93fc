"""``SpanEditor.offers`` (whether the language server lists a span action it makes only when picked) agrees with the
edit ``spans.function_edits`` then makes, for every def of every Python fixture file: an action is listed exactly when
picking it adds a span (already traced functions, stubs, overloads, abstract methods and StopIteration-raising
generators get none)."""

from __future__ import annotations

from pathlib import Path

from trace_advisor.edits import SpanEditor
from trace_advisor.edits.locate import FunctionSite, iter_definitions
from trace_advisor.edits.style import SpanOrigin, SpanStyle
from trace_advisor_lsp import spans

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def test_offers_is_exactly_when_the_edit_adds_a_span() -> None:
    style, origin = SpanStyle(), SpanOrigin(None, None)
    checked, refused, disagreements = 0, 0, []
    for file in sorted(FIXTURES.rglob("*.py")):
        try:
            text = file.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        editor = SpanEditor(text, style=style, origin=origin)
        if editor.module is None:
            continue
        defs = [d for d in iter_definitions(editor.module) if isinstance(d, FunctionSite)]
        for site in defs:
            line = site.node.lineno
            edits, _ = spans.function_edits(text, site.qualname, None, line, style, origin)
            offered = editor.offers(site.qualname, line=line)
            checked += 1
            refused += not offered
            if offered != bool(edits):
                disagreements.append(f"{file.relative_to(FIXTURES)}:{line} {site.qualname}")
    assert checked > 1000 and refused > 100, (checked, refused)  # 1844 defs, 251 refused (2026-12-06)
    assert not disagreements, disagreements
