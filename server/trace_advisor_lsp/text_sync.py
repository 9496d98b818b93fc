"""Open documents' texts kept as LSP defines them: a line ends at ``\\n``, ``\\r\\n`` or ``\\r`` only. pygls splits
a text at every Unicode line boundary (a form feed, ``\\u2028``...), so it applies an incremental change made below
a form feed (an Emacs page break) to the wrong line; and it rebuilds the whole text line by line on every keystroke.
Here a change is spliced into the text at its offset."""

from __future__ import annotations

import re
from collections.abc import Sequence

from lsprotocol import types
from pygls.workspace import TextDocument, Workspace

LINE_END = re.compile(r"\r\n|\r|\n")
LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")  # LSP lines with their line breaks


class LspTextDocument(TextDocument):
    @property
    def lines(self) -> Sequence[str]:
        return tuple(LINES.findall(self.source))

    def _apply_incremental_change(self, change: types.TextDocumentContentChangePartial) -> None:
        text, start, end = self.source, change.range.start, change.range.end
        first = _line_start(text, start.line)
        begin = self._offset(text, first, start.character)
        last = first if end.line == start.line else _line_start(text, end.line - start.line, first)
        self._source = text[:begin] + change.text + text[max(self._offset(text, last, end.character), begin) :]

    def _offset(self, text: str, line_start: int, character: int) -> int:
        """The index in ``text`` of ``character`` (in the client's units) on the line starting at ``line_start``;
        past the line's end, its end."""
        found = LINE_END.search(text, line_start)
        line = text[line_start : found.start() if found is not None else len(text)]
        if line.isascii() or self.position_codec.encoding == types.PositionEncodingKind.Utf32:
            return line_start + min(character, len(line))
        units = 0
        for column, char in enumerate(line):
            if units >= character:
                return line_start + column
            units += self.position_codec.client_num_units(char)
        return line_start + len(line)


def _line_start(text: str, lines: int, start: int = 0) -> int:
    """Where the line ``lines`` lines below the one starting at ``start`` starts (the text's end past the last)."""
    if "\r" not in text:  # the common case: str.find is several times faster than a regular expression
        for _ in range(lines):
            found = text.find("\n", start)
            if found < 0:
                return len(text)
            start = found + 1
        return start
    for _ in range(lines):
        match = LINE_END.search(text, start)
        if match is None:
            return len(text)
        start = match.end()
    return start


class LspWorkspace(Workspace):
    """pygls' workspace making :class:`LspTextDocument` documents."""

    def _create_text_document(
        self,
        doc_uri: str,
        source: str | None = None,
        version: int | None = None,
        language_id: str | None = None,
    ) -> TextDocument:
        return LspTextDocument(
            doc_uri,
            source=source,
            version=version,
            language_id=language_id,
            sync_kind=self._sync_kind,
            position_codec=self._position_codec,
        )
