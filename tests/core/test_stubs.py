"""Generated stubs for callees without source: one line per symbol, kept in place, written again when removed."""

from __future__ import annotations

import json
import subprocess
import sys
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


WRITER = """
import json, sys
from pathlib import Path
from trace_advisor.stubs import Stubs
stubs = Stubs(Path(sys.argv[1]))
found = {}
for n in range(int(sys.argv[3])):
    symbol = f"compiled:{sys.argv[2]}_{n}"
    d = stubs.definition(symbol, False)
    found[symbol] = [d.file, d.range.start.line]
print(json.dumps(found))
"""


def test_servers_sharing_the_folder_never_lose_a_line(tmp_path: Path) -> None:
    """Four processes add 60 symbols each to one module's stub at once: every line handed out names its symbol."""
    folder = tmp_path / "stubs"
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(folder), f"w{i}", "60"], stdout=subprocess.PIPE, text=True)
        for i in range(4)
    ]
    handed: dict[str, list[object]] = {}
    for writer in writers:
        out, _ = writer.communicate(timeout=120)
        assert writer.returncode == 0
        handed.update(json.loads(out))
    lines = (folder / "compiled.pyi").read_text().splitlines()
    assert len(handed) == 240
    for symbol, (_, line) in handed.items():
        assert lines[int(line) - 1].endswith(f"# {symbol}"), symbol  # type: ignore[call-overload]
    assert len(lines) == 241  # the header and one line each


def test_a_line_handed_out_is_checked_again_when_its_stub_changed(tmp_path: Path) -> None:
    stubs = Stubs(tmp_path / "stubs")
    first = stubs.definition("builtins:print", False)
    assert first is not None
    stub = Path(first.file)
    stub.write_text(stub.read_text().replace("# builtins:print", "# builtins:input"))  # rewritten elsewhere
    again = stubs.definition("builtins:print", False)
    assert again is not None and again.range.start.line != first.range.start.line
    assert stub.read_text().splitlines()[again.range.start.line - 1].endswith("# builtins:print")
