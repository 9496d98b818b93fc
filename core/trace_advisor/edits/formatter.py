"""The project's own code formatter (ruff or black), run on the lines a span edit rewrote.

The span's ``with`` block indents the body one level; a line the indent pushes past the line length is laid out
again. Our own layouts (``reflow``, ``layout``) cover the common statements; the formatter the project runs in CI
lays out every other one exactly as its ``--check`` expects. It is used only where it is found (the project's
virtualenv, then ``PATH``), only when the project configures it, and only for a function it already leaves
unchanged (a project that formats by hand keeps its own layout); its output is checked to touch nothing outside the
rewritten lines. Without it, or when it fails, the edit keeps our own layout. Formatters read the text on stdin and
never import the project's code.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import threading
from collections import OrderedDict
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from pathlib import Path

from trace_advisor.datatypes import Position, Range, TextEdit
from trace_advisor.edits.locate import def_lines
from trace_advisor.edits.reflow import with_trailing_commas
from trace_advisor.edits.source import SourceText
from trace_advisor.project_style import FormatterTool

_TIMEOUT_S = 10.0


@dataclass(frozen=True, slots=True)
class RangeFormatter:
    """``ruff format --range`` or ``black --line-ranges`` of one project (its root: where its configuration is)."""

    tool: FormatterTool
    executable: str
    root: Path

    def format_lines(self, text: str, path: str | None, first: int, last: int) -> str | None:
        """``text`` with lines ``first..last`` (1-based, inclusive) formatted; None when the formatter fails."""
        return _run(self, text, path, first, last)

    def leaves_as_is(self, text: str, path: str | None, first: int, last: int) -> bool:
        """Whether the formatter leaves lines ``first..last`` of ``text`` (a function, decorators included) as they
        are. Read from one run over the whole file, kept for each function's text: ``apply --all`` asks this of
        every function it edits, each time in a text its earlier spans changed elsewhere (black takes a good part of
        a second to start)."""
        function = _function_text(SourceText(text).lines, first, last)
        key = (self, path, _settings_stamp(self.root))
        with _CLEAN_LOCK:
            known = _CLEAN.get(key)
        if known is None or function not in known[0] and function not in known[1]:
            known = _whole_file(self, text, path)
            if known is None:  # the file does not parse or the formatter fails on it: ask for these lines alone
                return self.format_lines(text, path, first, last) == text
            with _CLEAN_LOCK:  # the language server edits on several threads
                _CLEAN[key] = known
                _CLEAN.move_to_end(key)
                while len(_CLEAN) > _FILES_KEPT:
                    _CLEAN.popitem(last=False)
        if function in known[0]:
            return True
        if function in known[1]:
            return False
        return self.format_lines(text, path, first, last) == text  # a function the parse did not list


def find_formatter(root: Path | None, tool: FormatterTool | None, python: str | None = None) -> RangeFormatter | None:
    """``tool`` (the formatter ``root``'s configuration names: ``ProjectStyle.formatter``) where it is installed: the
    configured interpreter's folder, $VIRTUAL_ENV, the project's ``.venv``/``venv``, then PATH."""
    if root is None or tool is None:
        return None
    folders = [Path(python).parent] if python and Path(python).is_file() else []
    if os.environ.get("VIRTUAL_ENV"):
        folders.append(Path(os.environ["VIRTUAL_ENV"]) / "bin")
    folders += [root / ".venv" / "bin", root / "venv" / "bin"]
    for folder in folders:
        candidate = folder / tool
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return RangeFormatter(tool, str(candidate), root)
    found = shutil.which(tool)
    return RangeFormatter(tool, found, root) if found else None


_FILES_KEPT = 32
# per formatter, file and settings: the texts of the functions it leaves as they are, and of those it changes
_CLEAN: OrderedDict[tuple[RangeFormatter, str | None, tuple[int, ...]], tuple[frozenset[str], frozenset[str]]] = (
    OrderedDict()
)
_CLEAN_LOCK = threading.Lock()
_SETTINGS = ("pyproject.toml", "ruff.toml", ".ruff.toml")  # where ruff and black read their settings


def _function_text(lines: tuple[str, ...], first: int, last: int) -> str:
    """Lines ``first..last`` (1-based, inclusive): a function as the memo keys it."""
    return "\n".join(lines[first - 1 : last])


def _settings_stamp(root: Path) -> tuple[int, ...]:
    """When the formatter's settings files last changed (a changed line length makes every answer stale)."""
    stamps = []
    for name in _SETTINGS:
        try:
            stamps.append((root / name).stat().st_mtime_ns)
        except OSError:
            stamps.append(0)
    return tuple(stamps)


def _whole_file(formatter: RangeFormatter, text: str, path: str | None) -> tuple[frozenset[str], frozenset[str]] | None:
    """The texts of the functions of ``text`` the formatter leaves as they are, and of those it changes, from one run
    over the whole file (a line it changes, compared line by line); None when the text does not parse or the
    formatter fails."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return None
    lines = SourceText(text).lines
    done = formatter.format_lines(text, path, 1, len(lines)) if lines else None
    if done is None:
        return None
    changed: set[int] = set()  # 1-based lines of ``text`` the formatter rewrote
    after = SourceText(done).lines
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, lines, after, autojunk=False).get_opcodes():
        if tag == "insert":  # new lines between lines i1 and i1+1: blank ones only space statements apart
            if any(line.strip() for line in after[j1:j2]):
                changed.update((i1, i1 + 1))
        elif tag != "equal":
            changed.update(range(i1 + 1, i2 + 1))
    clean: set[str] = set()
    rewritten: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            first, last = def_lines(node)
            function = _function_text(lines, first, last)
            touched = any(first <= line <= last for line in changed)
            (rewritten if touched else clean).add(function)
    return frozenset(clean - rewritten), frozenset(rewritten)


@lru_cache(maxsize=64)
def _run(formatter: RangeFormatter, text: str, path: str | None, first: int, last: int) -> str | None:
    source = SourceText(text)
    if not 1 <= first <= last <= len(source.lines):
        return None
    name = path or "module.py"
    if formatter.tool == "ruff":
        span = f"{first}:1-{last}:{len(source.line(last)) + 1}"
        command = [formatter.executable, "format", "--quiet", f"--range={span}", "--stdin-filename", name, "-"]
    else:
        command = [formatter.executable, "--quiet", f"--line-ranges={first}-{last}", "--stdin-filename", name, "-"]
    try:
        done = subprocess.run(
            command,
            input=text.encode("utf-8"),
            capture_output=True,
            cwd=formatter.root,
            timeout=_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    try:
        return done.stdout.decode("utf-8")
    except UnicodeDecodeError:
        return None


def formatted_edit(
    formatter: RangeFormatter,
    source: SourceText,
    path: str | None,
    edit: TextEdit,
    function: tuple[int, int],
    added: tuple[int, ...],
    commas_unit: str | None = None,
) -> tuple[TextEdit, tuple[int, ...]] | None:
    """``edit`` (inside the function on lines ``function``) with the lines it rewrites laid out by the formatter, as
    one edit of whole lines, and where the ``added`` lines (counted from the edit's first line) are in it; None when
    the formatter would change the original function (the project does not format it that way), fails, changes
    anything outside those lines. ``commas_unit``: the project checks flake8-commas (the indent unit): what the
    formatter split over lines without a trailing comma gets one item per line, each with its comma."""
    text = source.text
    first, last = function
    if not formatter.leaves_as_is(text, path, first, last):
        return None
    start_line, end_line = edit.range.start.line, edit.range.end.line
    head = source.offset(Position(start_line, 0))
    tail = source.offset(Position(end_line, len(source.line(end_line))))
    prefix, suffix = text[:head], text[tail:]
    middle = text[head : source.offset(edit.range.start)] + edit.new_text + text[source.offset(edit.range.end) : tail]
    rewritten = SourceText(middle)
    last_rewritten = start_line + len(rewritten.lines) - 1
    done = formatter.format_lines(prefix + middle + suffix, path, start_line, last_rewritten)
    if done is None or not done.startswith(prefix) or not done.endswith(suffix) or len(done) < len(prefix + suffix):
        return None
    laid_out = done[len(prefix) : len(done) - len(suffix)]
    if laid_out == middle:
        return edit, added
    moved = _moved_lines(middle, laid_out, added)
    if commas_unit is not None:
        laid_out = _with_commas(laid_out, moved, commas_unit)
        moved = _moved_lines(middle, laid_out, added)
    whole_lines = Range(Position(start_line, 0), Position(end_line, len(source.line(end_line))))
    return TextEdit(whole_lines, laid_out), moved


def _with_commas(text: str, lines: tuple[int, ...], unit: str) -> str:
    """``text`` with each run of ``lines`` (0-based) given flake8-commas' trailing commas (``with_trailing_commas``)."""
    source = SourceText(text)
    out = list(source.lines)
    runs: list[list[int]] = []
    for line in sorted(lines):
        if runs and runs[-1][-1] == line - 1:
            runs[-1].append(line)
        else:
            runs.append([line])
    for run in reversed(runs):
        first, last = run[0], run[-1] + 1
        out[first:last] = with_trailing_commas(out[first:last], unit)
    return source.eol.join(out)  # (a text ending in a line break has an empty last line)


def _moved_lines(before: str, after: str, lines: tuple[int, ...]) -> tuple[int, ...]:
    """Where ``lines`` (0-based, of ``before``) are in ``after``, plus every line the formatter wrote anew (a
    statement it laid out otherwise: a changed line)."""
    old, new = [line.strip() for line in SourceText(before).lines], [line.strip() for line in SourceText(after).lines]
    wanted, found = set(lines), set[int]()
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            found.update(j1 + k for k in range(i2 - i1) if i1 + k in wanted)
        else:
            found.update(range(j1, j2))
    return tuple(sorted(found))
