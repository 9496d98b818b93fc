"""The only place that builds lsprotocol types: core values (1-based lines, character columns) <-> LSP (0-based
lines, columns in the negotiated position encoding, UTF-16 by default)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.uris import from_fs_path, to_fs_path
from pygls.workspace.position_codec import PositionCodec
from trace_advisor.advise.instrumentation_hints import hint_text
from trace_advisor.datatypes import (
    Definition,
    InstrumentationHint,
    Position,
    Range,
    Recommendation,
    SyntaxProblem,
    TextEdit,
    Usage,
    split_symbol,
)
from trace_advisor.positions import split_at_line_breaks

if TYPE_CHECKING:  # the linter loads with the first refresh, not at start-up
    from trace_advisor.lint import LintFinding

SOURCE = "trace-advisor"
KIND = {
    "function": types.SymbolKind.Function,
    "method": types.SymbolKind.Method,
    "class": types.SymbolKind.Class,
    "module": types.SymbolKind.Module,
    "lambda": types.SymbolKind.Function,
}


def split_lines(text: str) -> list[str]:
    """Lines as LSP counts them (only \\r\\n, \\r and \\n break a line), without their line breaks."""
    return split_at_line_breaks(text)


def path_to_uri(path: str) -> str:
    uri = from_fs_path(path)
    return uri if uri is not None else "file://" + path


def uri_to_path(uri: str) -> str | None:
    return to_fs_path(uri)


class Converter:
    """Converts positions with the workspace's position codec; ``lines_of(path)`` gives a file's current lines,
    ``text_of(path)`` its text. One converter serves one request or refresh: each file's lines are asked for once,
    when first needed (after the request put the document's current text into the index), and not at all when its
    text is ASCII (columns are then code units in every encoding: splitting a large file on every keystroke would
    cost more than the rest of its diagnostics)."""

    def __init__(
        self,
        codec: PositionCodec,
        lines_of: Callable[[str], Sequence[str]],
        text_of: Callable[[str], str | None] | None = None,
    ) -> None:
        self._codec = codec
        self._read = lines_of
        self._text_of = text_of
        self._lines: dict[str, Sequence[str]] = {}
        self._ascii: dict[str, bool] = {}
        self._plain = str(codec.encoding) == str(types.PositionEncodingKind.Utf32)

    def _lines_of(self, file: str) -> Sequence[str]:
        found = self._lines.get(file)
        if found is None:
            found = self._lines[file] = self._read(file)
        return found

    def _all_ascii(self, file: str) -> bool:
        found = self._ascii.get(file)
        if found is None:
            text = self._text_of(file) if self._text_of is not None else None
            found = self._ascii[file] = text is not None and text.isascii()
        return found

    # ---- positions -------------------------------------------------------------------------------------------
    def position(self, file: str, pos: Position) -> types.Position:
        line = max(pos.line - 1, 0)
        if self._plain or pos.column == 0 or self._all_ascii(file):
            return types.Position(line=line, character=pos.column)
        lines = self._lines_of(file)
        text = lines[line] if line < len(lines) else ""
        if text.isascii():
            return types.Position(line=line, character=pos.column)
        return types.Position(line=line, character=self._codec.client_num_units(text[: pos.column]))

    def range(self, file: str, rng: Range) -> types.Range:
        return types.Range(start=self.position(file, rng.start), end=self.position(file, rng.end))

    def to_core(self, file: str, pos: types.Position) -> Position:
        """An LSP position in ``file`` as a core position (1-based line, character column)."""
        lines = self._lines_of(file)
        text = lines[pos.line] if pos.line < len(lines) else ""
        if self._plain or text.isascii():
            return Position(pos.line + 1, min(pos.character, len(text)))
        units = 0
        for column, char in enumerate(text):
            if units >= pos.character:
                return Position(pos.line + 1, column)
            units += self._codec.client_num_units(char)
        return Position(pos.line + 1, len(text))

    # ---- diagnostics -----------------------------------------------------------------------------------------
    def diagnostic(self, rec: Recommendation) -> types.Diagnostic:
        uri = path_to_uri(rec.file)
        related = [
            types.DiagnosticRelatedInformation(
                location=types.Location(uri=uri, range=self.range(rec.file, ev.range)), message=ev.reason
            )
            for ev in rec.evidence
        ]
        return types.Diagnostic(
            range=self.range(rec.file, rec.name_range),
            message=recommendation_message(rec),
            severity=types.DiagnosticSeverity.Hint,
            source=SOURCE,
            code=rec.priority,
            related_information=related or None,
            data={"symbol": rec.symbol, "qualname": rec.qualname, "source": rec.source, "line": rec.range.start.line},
        )

    def install_diagnostic(self, hint: InstrumentationHint) -> types.Diagnostic:
        """The instrumentation to install rather than a span per request handler: one Information diagnostic at the
        first handler of the file it covers (or, every one's span recommended, the first of those), the others as
        related information (``data.install`` names it)."""
        shown = hint.covers or hint.spanned
        first = shown[0]
        names = [split_symbol(f.symbol)[1] for f in hint.covers]
        what = "span" if hint.covers else "server span"
        related = [
            types.DiagnosticRelatedInformation(
                location=types.Location(uri=path_to_uri(f.file), range=self.range(f.file, f.name_range)),
                message=f"{split_symbol(f.symbol)[1]}: its {what} comes from {hint.package}",
            )
            for f in shown
        ]
        handlers = f"this file's {hint.handler}{'' if len(names) == 1 else 's'} {', '.join(names)}"
        return types.Diagnostic(
            range=self.range(first.file, first.name_range),
            message=hint_text(hint, handlers),
            severity=types.DiagnosticSeverity.Information,
            source=SOURCE,
            code="instrumentation",
            related_information=related,
            data={"install": hint.package, "covers": [f.symbol for f in hint.covers]},
        )

    def more_diagnostic(self, shown: int, hidden: Sequence[Recommendation]) -> types.Diagnostic:
        """The recommendations of a file past the ``shown`` strongest (``max_per_file``): one Information diagnostic
        at the strongest of them, each listed as related information (``data.more`` names them). They are as much
        recommended as the others; only the editor leaves them out."""
        first = hidden[0]
        related = [
            types.DiagnosticRelatedInformation(
                location=types.Location(uri=path_to_uri(rec.file), range=self.range(rec.file, rec.name_range)),
                message=f"{rec.qualname}: span recommended ({rec.priority}, confidence {rec.confidence:.0%})",
            )
            for rec in hidden
        ]
        count = f"{len(hidden)} more span{'' if len(hidden) == 1 else 's'}"
        return types.Diagnostic(
            range=self.range(first.file, first.name_range),
            message=(
                f"{count} recommended in this file beside the {shown} strongest shown (maxPerFile: {shown}); "
                "`trace-advisor analyze` lists them all"
            ),
            severity=types.DiagnosticSeverity.Information,
            source=SOURCE,
            code="more",
            related_information=related,
            data={"more": [rec.symbol for rec in hidden]},
        )

    def lint_diagnostic(self, file: str, finding: LintFinding) -> types.Diagnostic:
        """A span linter finding: a warning; ``code`` is the rule, ``data.lint`` tells it from a recommendation."""
        return types.Diagnostic(
            range=self.range(file, finding.range),
            message=finding.message,
            severity=types.DiagnosticSeverity.Warning,
            source=SOURCE,
            code=finding.rule,
            data={"lint": finding.rule, "line": finding.range.start.line},
        )

    def paused_hint(self, problem: SyntaxProblem) -> types.Diagnostic:
        line = max((problem.line or 1) - 1, 0)
        where = types.Position(line=line, character=0)
        detail = f" (line {problem.line}: {problem.message})" if problem.line else f" ({problem.message})"
        return types.Diagnostic(
            range=types.Range(start=where, end=where),
            message=f"trace-advisor: analysis paused until this file parses again{detail}",
            severity=types.DiagnosticSeverity.Hint,
            source=SOURCE,
            code="analysis-paused",
        )

    # ---- edits -----------------------------------------------------------------------------------------------
    def text_edits(self, file: str, edits: Iterable[TextEdit]) -> list[types.TextEdit]:
        return [types.TextEdit(range=self.range(file, e.range), new_text=e.new_text) for e in edits]

    def workspace_edit(self, file: str, edits: Iterable[TextEdit], version: int | None) -> types.WorkspaceEdit:
        """Edits of one file, pinned to the document version they were computed for when it is open."""
        document = types.OptionalVersionedTextDocumentIdentifier(uri=path_to_uri(file), version=version)
        change = types.TextDocumentEdit(text_document=document, edits=list(self.text_edits(file, edits)))
        return types.WorkspaceEdit(document_changes=[change])

    # ---- call hierarchy --------------------------------------------------------------------------------------
    def hierarchy_item(self, definition: Definition, root: str = "", detail: str = "") -> types.CallHierarchyItem:
        """``root`` (the workspace folder) goes into ``data`` so items outside every folder stay navigable;
        ``detail`` defaults to the symbol id."""
        module, _, qualname = definition.symbol.partition(":")
        return types.CallHierarchyItem(
            name=qualname.rsplit(".", 1)[-1] if definition.kind != "module" else module,
            kind=KIND.get(definition.kind, types.SymbolKind.Function),
            uri=path_to_uri(definition.file),
            range=self.range(definition.file, definition.range),
            selection_range=self.range(definition.file, definition.name_range),
            detail=detail or definition.symbol,
            data={"symbol": definition.symbol, "root": root},
        )


def analysis_answer(
    uri: str, engine: str, recommendations: Iterable[Recommendation], problems: Iterable[str], usage: Usage
) -> dict[str, Any]:
    """One file's answer of ``trace-advisor.analyzeFile`` (and of each file of ``analyzeWorkspace``)."""
    return {
        "uri": uri,
        "engine": engine,
        "recommendations": [rec.to_json() for rec in recommendations],
        "problems": list(problems),
        "usage": usage.to_json(),
    }


def lint_rule(diagnostic: types.Diagnostic) -> str | None:
    """The span linter rule of one of our diagnostics (None for a recommendation)."""
    data = diagnostic.data if isinstance(diagnostic.data, dict) else {}
    rule = data.get("lint")
    return rule if isinstance(rule, str) and diagnostic.source == SOURCE else None


def diagnostic_target(diagnostic: types.Diagnostic) -> tuple[str, int | None]:
    """The symbol and def line one of our diagnostics is about (its ``data``)."""
    data = diagnostic.data if isinstance(diagnostic.data, dict) else {}
    line = data.get("line")
    return str(data.get("symbol", "")), line if isinstance(line, int) else None


def recommendation_message(rec: Recommendation) -> str:
    text = f"Span recommended ({rec.priority}, confidence {rec.confidence:.0%}): {rec.rationale}"
    if rec.source != "local":
        text += f" [{rec.source}"
        if rec.usage is not None:
            text += f", {rec.usage.input_tokens + rec.usage.output_tokens} tokens, ${rec.usage.cost_usd:.4f}"
        text += "]"
    return text


def code_lens(rng: types.Range, data: Mapping[str, Any], command: types.Command | None = None) -> types.CodeLens:
    return types.CodeLens(range=rng, data=dict(data), command=command)


def hover(markdown: str) -> types.Hover:
    return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=markdown))


def command(title: str, name: str, arguments: Sequence[Any]) -> types.Command:
    return types.Command(title=title, command=name, arguments=list(arguments))


def incoming_call(item: types.CallHierarchyItem, ranges: list[types.Range]) -> types.CallHierarchyIncomingCall:
    return types.CallHierarchyIncomingCall(from_=item, from_ranges=ranges)


def outgoing_call(item: types.CallHierarchyItem, ranges: list[types.Range]) -> types.CallHierarchyOutgoingCall:
    return types.CallHierarchyOutgoingCall(to=item, from_ranges=ranges)


def code_action(
    title: str,
    kind: str,
    edit: types.WorkspaceEdit | None,
    diagnostics: Sequence[types.Diagnostic] = (),
    preferred: bool = False,
    data: Mapping[str, Any] | None = None,
) -> types.CodeAction:
    return types.CodeAction(
        title=title,
        kind=kind,
        edit=edit,
        diagnostics=list(diagnostics) or None,
        is_preferred=preferred or None,
        data=dict(data) if data is not None else None,
    )


def message(text: str, level: str = "info") -> types.ShowMessageParams:
    return types.ShowMessageParams(type=MESSAGE_TYPES.get(level, types.MessageType.Info), message=text)


def log(text: str, level: str = "info") -> types.LogMessageParams:
    return types.LogMessageParams(type=MESSAGE_TYPES.get(level, types.MessageType.Log), message=text)


MESSAGE_TYPES = {
    "error": types.MessageType.Error,
    "warning": types.MessageType.Warning,
    "info": types.MessageType.Info,
    "debug": types.MessageType.Log,
}
