"""Generated stubs for callees without source: one line per symbol, kept in place, written again when removed."""

from __future__ import annotations

from pathlib import Path

from trace_advisor.stubs import Stubs


def test_lines_keep_their_place_and_a_removed_stub_is_written_again(tmp_path: Path) -> None:
    stubs = Stubs(tmp_path / "stubs")
    first = stubs.definition("builtins:print", False)
    second = stubs.definition("builtins:len", False)
    assert first is not None and second is not None and first.file == second.file
    assert stubs.definition("builtins:print", False) == first  # asked again: the same line, the file unchanged
    lines = Path(first.file).read_text().splitlines()
    assert lines[first.range.start.line - 1] == "def print(*args, **kwargs): ...  # builtins:print"
    assert lines[second.range.start.line - 1] == "def len(*args, **kwargs): ...  # builtins:len"
    Path(first.file).unlink()  # the cache folder was emptied
    again = stubs.definition("builtins:print", False)
    assert again is not None and Path(again.file).is_file()
    assert Path(again.file).read_text().splitlines()[again.range.start.line - 1].endswith("# builtins:print")
    assert stubs.definition("not a symbol", False) is None
