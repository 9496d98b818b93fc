"""Markdown escaping shared by the coded formatter and the template filters, so user code never breaks a report."""

from __future__ import annotations

import re

# ``_`` between two letters or digits cannot start or end emphasis (CommonMark), so snake_case stays readable
_SPECIAL = re.compile(r"([\\`*\[\]|#]|(?<![^\W_])_|_(?![^\W_]))")
_BACKTICKS = re.compile(r"`+")


def md_text(value: object) -> str:
    """Plain text safe in Markdown prose and table cells: HTML is shown, never interpreted; markup is literal."""
    text = str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _SPECIAL.sub(r"\\\1", text)
    return " ".join(text.splitlines())  # one line: a newline would end a list item or a table row


def md_prose(value: object) -> str:
    """Like :func:`md_text`, but `backticked` parts become inline code (as our own texts and model rationales mean
    them); with an odd number of backticks everything is plain text."""
    parts = str(value).split("`")
    if len(parts) % 2 == 0:
        return md_text(value)
    return "".join(md_code(part) if index % 2 and part else md_text(part) for index, part in enumerate(parts))


def md_code(value: object) -> str:
    """Inline code span that holds any text, including backticks."""
    text = " ".join(str(value).splitlines()).replace("|", "\\|")
    ticks = "`" * (max((len(m) for m in _BACKTICKS.findall(text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def fence(value: object, language: str = "python") -> str:
    """A fenced code block longer than any backtick run inside, so the code cannot close it early."""
    text = str(value).rstrip("\n")
    ticks = "`" * max(3, max((len(m) for m in _BACKTICKS.findall(text)), default=0) + 1)
    return f"{ticks}{language}\n{text}\n{ticks}"
