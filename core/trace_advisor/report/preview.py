"""The span a report shows for a recommendation: the span engine's own edit (what the quick-fix and
``trace-advisor apply`` write), read as the function will look once edited."""

from __future__ import annotations

import difflib
import io
import textwrap
import tokenize
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from trace_advisor.edits import EditResult, SourceText, SpanEditor, apply_edits
from trace_advisor.edits.style import DEFAULT_STYLE, SpanStyle, span_origin
from trace_advisor.model import Recommendation, TextEdit

FOLD_AT = 3  # unchanged stretches this long or longer are folded into one comment line
CONTEXT = 1  # unchanged lines kept around each added line


@dataclass(frozen=True, slots=True)
class SpanPreview:
    """One recommendation's span edit, or why there is none."""

    function: str  # the function (decorators included) exactly as the edit writes it; "" without an edit
    shown: str  # ``function`` dedented, with long unchanged stretches folded into ``# … N unchanged lines``
    setup: tuple[str, ...]  # module lines the edit adds once per file (the import, the tracer)
    form: str | None  # "decorator" | "with"; None without an edit
    message: str | None  # why there is no edit (already traced, abstract, module-level code, unreadable file...)
    notes: tuple[str, ...]  # what was asked for but not done (from the engine)


NOT_PREVIEWED = SpanPreview("", "", (), None, "not previewed in this report format", ())


def read_source(path: str) -> str:
    """A Python file's text, decoded as its encoding cookie says; raises OSError, SyntaxError or UnicodeDecodeError."""
    data = Path(path).read_bytes()
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    return data.decode(encoding)


class Previewer:
    """Span previews for many recommendations: each file is read and parsed once."""

    def __init__(self, source: Callable[[str], str | None] | None = None, style: SpanStyle = DEFAULT_STYLE) -> None:
        """``source(file)``: the text analysed (an editor's unsaved buffer), None to read the file from disk."""
        self._source = source
        self._style = style
        self._editors: dict[str, SpanEditor | str] = {}  # file -> its editor, or why it cannot be read

    def preview(self, rec: Recommendation) -> SpanPreview:
        editor = self._editor(rec.file, rec.symbol.partition(":")[0])
        if isinstance(editor, str):
            return SpanPreview("", "", (), None, editor, ())
        result = editor.edits(rec.qualname, rec.capture, line=rec.range.start.line, name=rec.span_name)
        return span_preview(editor.source, result)

    def _editor(self, file: str, module: str) -> SpanEditor | str:
        found = self._editors.get(file)
        if found is None:
            try:
                text = self._source(file) if self._source is not None else None
                text = text if text is not None else read_source(file)
                found = SpanEditor(text, style=self._style, origin=span_origin(Path(file), module))
            except (OSError, SyntaxError, UnicodeDecodeError, LookupError) as exc:
                found = f"cannot read {file}: {getattr(exc, 'strerror', None) or exc}"
            self._editors[file] = found
        return found


def span_preview(source: SourceText, result: EditResult) -> SpanPreview:
    """The preview of ``result`` (edits of ``source`` from :class:`~trace_advisor.edits.SpanEditor`)."""
    if not result.edits or result.function_lines is None:
        message = result.message or "the span engine made no edit"
        return SpanPreview("", "", (), None, message, result.notes)
    first, last = result.function_lines
    before = result.edits[: result.setup_edits]  # the import/tracer insertion
    new_first = first + sum(_line_delta(e) for e in before)
    new_last = last + sum(_line_delta(e) for e in result.edits)
    edited = SourceText(apply_edits(source.text, result.edits))
    old_lines = list(source.lines[first - 1 : last])
    new_lines = list(edited.lines[new_first - 1 : new_last])
    setup = tuple(line for e in before for line in SourceText(e.new_text).lines if line.strip())
    return SpanPreview(
        function="\n".join(new_lines) + "\n",
        shown=fold(old_lines, new_lines),
        setup=setup,
        form=result.form,
        message=None,
        notes=result.notes,
    )


def fold(old: Sequence[str], new: Sequence[str]) -> str:
    """``new`` (a function after a span edit) with the lines the edit added, their neighbours and the signature
    kept, and every other stretch of ``FOLD_AT`` or more lines folded; dedented. Lines compare without their
    indentation, so a body moved into a ``with`` block counts as unchanged."""
    matcher = difflib.SequenceMatcher(a=[s.strip() for s in old], b=[s.strip() for s in new], autojunk=False)
    added = {j for tag, _, _, j1, j2 in matcher.get_opcodes() if tag != "equal" for j in range(j1, j2)}
    keep = {j + d for j in added for d in range(-CONTEXT, CONTEXT + 1)}
    keep.update(opener for j in added if (opener := _block_opener(new, j)) is not None)
    header = next((i for i, line in enumerate(new) if line.lstrip().startswith(("def ", "async def "))), 0)
    keep.update(range(header + 1))
    out: list[str] = []
    index = 0
    while index < len(new):
        if index in keep:
            out.append(new[index])
            index += 1
            continue
        end = index
        while end < len(new) and end not in keep:
            end += 1
        run = new[index:end]
        if len(run) >= FOLD_AT:
            indent = run[0][: _indent(run[0])]
            out.append(f"{indent}# … {len(run)} unchanged lines")
        else:
            out.extend(run)
        index = end
    return textwrap.dedent("\n".join(out) + "\n")


def _block_opener(lines: Sequence[str], index: int) -> int | None:
    """The line opening the block ``lines[index]`` sits in (``except ...:``, ``with ...:``), by indentation."""
    indent = _indent(lines[index])
    for back in range(index - 1, -1, -1):
        text = lines[back].strip()
        if text and not text.startswith("#") and _indent(lines[back]) < indent:
            return back
    return None


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _line_delta(edit: TextEdit) -> int:
    """How many lines ``edit`` adds (negative: removes)."""
    return len(SourceText(edit.new_text).lines) - 1 - (edit.range.end.line - edit.range.start.line)
