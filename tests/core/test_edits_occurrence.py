"""occurrence/occurrence_line: the def a recommendation's line means stays the one edited after earlier edits."""

from __future__ import annotations

from trace_advisor.edits import SpanEditor, apply_edits
from trace_advisor.edits.occurrence import occurrence, occurrence_line

TEXT = """import sqlite3


def connect(path):
    return sqlite3.connect(path)


class Settings:
    @property
    def email(self):
        return connect("a.db").execute("SELECT email FROM s").fetchone()[0]

    @email.setter
    def email(self, value):
        connect("a.db").execute("UPDATE s SET email = ?", (value,))
"""


def test_a_setter_line_keeps_meaning_the_setter_after_other_edits() -> None:
    setter_decorator = TEXT.splitlines().index("    @email.setter") + 1
    index = occurrence(SpanEditor(TEXT), "Settings.email", setter_decorator)
    assert index == 1
    text = apply_edits(TEXT, SpanEditor(TEXT).edits("connect").edits)  # import + tracer + with block: lines move
    editor = SpanEditor(text)
    line = occurrence_line(editor, "Settings.email", index)
    assert line is not None and text.splitlines()[line - 1] == "    def email(self, value):"
    result = apply_edits(text, editor.edits("Settings.email", line=line).edits)
    lines = result.splitlines()
    setter = lines.index("    def email(self, value):")
    getter = lines.index("    def email(self):")
    assert lines[setter + 1].strip() == 'with tracer.start_as_current_span("Settings.email"):'
    assert "start_as_current_span" not in lines[getter + 1]


def test_no_line_or_no_def_there_leaves_the_choice_to_the_engine() -> None:
    editor = SpanEditor(TEXT)
    assert occurrence(editor, "Settings.email", None) is None
    assert occurrence(editor, "Settings.email", 1) is None
    assert occurrence_line(editor, "Settings.email", None) is None
    assert occurrence_line(editor, "Settings.email", 2) is None
