"""The span a report shows for a recommendation: the span engine's own edit (what the quick-fix and
``trace-advisor apply`` write), read as the function will look once edited."""

from __future__ import annotations

import io
import textwrap
import tokenize
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from trace_advisor.client_errors import Graph as ClientErrorGraph
from trace_advisor.datatypes import Recommendation, TextEdit
from trace_advisor.edits import EditResult, SourceText, SpanEditor, apply_edits
from trace_advisor.edits.style import DEFAULT_STYLE, SpanStyle, span_origin

FOLD_AT = 3  # unchanged stretches this long or longer are folded into one comment line
CONTEXT = 1  # unchanged lines kept around each added line
MAX_SHOWN = 80  # lines of a preview at most (a function with hundreds of handlers is cut, with a note)


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

    def __init__(
        self,
        source: Callable[[str], str | None] | None = None,
        style: SpanStyle = DEFAULT_STYLE,
        graph: ClientErrorGraph | None = None,
    ) -> None:
        """``source(file)``: the text analysed (an editor's unsaved buffer), None to read the file from disk;
        ``graph``: the workspace's call graph, so previews guard 4xx errors raised below as ``apply`` does."""
        self._source = source
        self._style = style
        self._graph = graph
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
                found = SpanEditor(text, style=self._style, origin=span_origin(Path(file), module, self._graph))
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
    new_lines = list(edited.lines[new_first - 1 : new_last])
    setup = tuple(line for e in before for line in SourceText(e.new_text).lines if line.strip())
    return SpanPreview(
        function="\n".join(new_lines) + "\n",
        shown=fold(new_lines, result.added_lines),
        setup=setup,
        form=result.form,
        message=None,
        notes=result.notes,
    )


def fold(lines: Sequence[str], added: Collection[int]) -> str:
    """``lines`` (a function after a span edit) with the ``added`` lines (indexes), their neighbours, the blocks
    they sit in and the signature kept, every other stretch of ``FOLD_AT`` or more lines folded, at most
    ``MAX_SHOWN`` lines shown; dedented. Linear in the function's length."""
    openers = _block_openers(lines)
    keep = {j + d for j in added for d in range(-CONTEXT, CONTEXT + 1)}
    keep.update(opener for j in added if 0 <= j < len(lines) and (opener := openers[j]) is not None)
    header = next((i for i, line in enumerate(lines) if line.lstrip().startswith(("def ", "async def "))), 0)
    keep.update(range(header + 1))
    out: list[str] = []
    index = 0
    while index < len(lines) and len(out) < MAX_SHOWN:
        if index in keep:
            out.append(lines[index])
            index += 1
            continue
        end = index
        while end < len(lines) and end not in keep:
            end += 1
        run = lines[index:end]
        if len(run) >= FOLD_AT:
            out.append(f"{_indent_text(run[0])}# … {len(run)} unchanged lines")
        else:
            out.extend(run)
        index = end
    if index < len(lines):
        out.append(f"{_indent_text(lines[index])}# … {len(lines) - index} more lines (preview cut at {MAX_SHOWN})")
    return textwrap.dedent("\n".join(out) + "\n")


def _block_openers(lines: Sequence[str]) -> list[int | None]:
    """For each line, the line opening the block it sits in (``except ...:``, ``with ...:``), by indentation: the
    nearest earlier code line indented less. One pass with a stack of (indent, line) of open code lines."""
    openers: list[int | None] = []
    stack: list[tuple[int, int]] = []
    for index, line in enumerate(lines):
        indent = _indent(line)
        text = line.strip()
        if not text or text.startswith("#"):  # not code: looks up its block without closing any
            openers.append(next((at for level, at in reversed(stack) if level < indent), None))
            continue
        while stack and stack[-1][0] >= indent:
            stack.pop()
        openers.append(stack[-1][1] if stack else None)
        stack.append((indent, index))
    return openers


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _indent_text(line: str) -> str:
    return line[: _indent(line)]


def _line_delta(edit: TextEdit) -> int:
    """How many lines ``edit`` adds (negative: removes)."""
    return len(SourceText(edit.new_text).lines) - 1 - (edit.range.end.line - edit.range.start.line)
