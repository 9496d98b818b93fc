"""Finding what a request names: a function written as ``FILE:QUALNAME`` or ``module:qualname`` (checked against the
index, with a hint listing what is there) and the indexed files under requested paths."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from trace_advisor.datatypes import SymbolId
from trace_advisor.index import Index


class NotFoundError(ValueError):
    """What the request names does not exist; the message says what was looked for and where."""


@dataclass(frozen=True, slots=True)
class FunctionRef:
    """A function as written: ``file`` (an existing file) for ``FILE:QUALNAME``, else ``module`` for a symbol id."""

    text: str
    qualname: str
    file: Path | None = None
    module: str | None = None


def parse_function(text: str, bases: Sequence[Path]) -> FunctionRef:
    """Split ``FILE:QUALNAME`` (FILE absolute or relative to one of ``bases``, tried in order) or ``module:qualname``.
    Raises NotFoundError for a malformed reference or a file that does not exist."""
    file_text, sep, qualname = text.rpartition(":")
    if not sep or not file_text or not qualname:
        raise NotFoundError(f"must be FILE:QUALNAME or module:qualname, got {text!r}")
    for base in bases:
        candidate = base / file_text
        if candidate.is_file():
            return FunctionRef(text, qualname, file=Path(os.path.abspath(candidate)))
    looks_like_file = file_text.endswith(".py") or os.sep in file_text or "/" in file_text
    if not looks_like_file and all(part.isidentifier() for part in file_text.split(".")):
        return FunctionRef(text, qualname, module=file_text)
    raise NotFoundError(f"file not found: {file_text}")


def function_symbol(ref: FunctionRef, index: Index, where: Path) -> SymbolId:
    """The symbol id of ``ref`` (its file named as the index names modules), checked to be defined in the index.
    ``where`` is the workspace, for messages. Raises NotFoundError with a hint listing the file's functions."""
    if ref.file is not None:
        module = index.module_for_path(ref.file)
        if module is None:
            raise NotFoundError(f"file is not under {where}: {ref.file}")
    else:
        assert ref.module is not None
        module = ref.module
    symbol = f"{module}:{ref.qualname}"
    if index.definition(symbol) is not None:
        return symbol
    path = index.path_for_module(module)
    if path is None or path not in set(index.files()):
        raise NotFoundError(f"{ref.text}: no indexed module {module}")
    known = [d.symbol.partition(":")[2] for d in index.definitions(path) if d.kind in ("function", "method")]
    hint = f" (functions there: {', '.join(known[:8])}{', ...' if len(known) > 8 else ''})" if known else ""
    raise NotFoundError(f"{ref.text}: no function {ref.qualname} in {path}{hint}")


def files_under(index: Index, paths: Sequence[Path]) -> list[Path]:
    """The indexed files that are one of ``paths`` (resolved) or inside one of them, in index order."""
    return [f for f in index.files() if is_under(f.resolve(), paths)]


def is_under(file: Path, paths: Sequence[Path]) -> bool:
    return any(file == p or (p.is_dir() and file.is_relative_to(p)) for p in paths)
