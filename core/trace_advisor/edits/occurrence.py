"""Which of several defs sharing a qualname (a property's getter and setter, ``if``/``else`` alternatives) a line
means, and where that def is once earlier span edits have moved it: for applying several functions' edits in a row."""

from __future__ import annotations

from trace_advisor.edits.engine import SpanEditor
from trace_advisor.edits.locate import def_lines


def occurrence(editor: SpanEditor, qualname: str, line: int | None) -> int | None:
    """The position, in source order, of the def of ``qualname`` in ``editor``'s text that spans ``line``
    (decorators included); None when ``line`` is None or no such def spans it (the engine then picks)."""
    if line is None:
        return None
    for index, site in enumerate(editor.sites(qualname)):
        first, last = def_lines(site.node)
        if first <= line <= last:
            return index
    return None


def occurrence_line(editor: SpanEditor, qualname: str, index: int | None) -> int | None:
    """The ``def`` line of the ``index``-th def of ``qualname`` in ``editor``'s text, for ``SpanEditor.edits(line=)``.
    Span edits never add, remove or reorder defs, so an occurrence found in the text as read stays valid after
    other functions' edits are applied. None when ``index`` is None or out of range."""
    sites = editor.sites(qualname)
    if index is None or not 0 <= index < len(sites):
        return None
    return sites[index].node.lineno
