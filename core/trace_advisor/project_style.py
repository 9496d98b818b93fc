"""The code style a project's own tools enforce, read from their configuration files: line length, import sorting,
the quote character of strings, the McCabe complexity limit (and whether pylint lints it).

Sources, first found wins per setting: ``ruff.toml``/``.ruff.toml``/``[tool.ruff]`` in ``pyproject.toml``,
``[tool.black]``, ``[flake8]``/``[pycodestyle]`` in ``.flake8``, ``setup.cfg`` or ``tox.ini``, then isort's
``[tool.isort]``/``[isort]``. Without any, ruff's and black's defaults (88 columns; first-party = the packages found in
the project root or its ``src/`` folder). Unreadable or malformed files are skipped: style is a preference, never an
error.
"""

from __future__ import annotations

import configparser
import re
import sys
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

DEFAULT_LINE_LENGTH = 88
FormatterTool = Literal["ruff", "black"]
_MAX_BYTES = 1_000_000


@dataclass(frozen=True, slots=True)
class ProjectStyle:
    """What inserted code must respect to pass the project's ``ruff check --select I,E501`` (or flake8/isort)."""

    line_length: int = DEFAULT_LINE_LENGTH
    first_party: frozenset[str] = frozenset()  # top-level module names sorted as first-party
    third_party: frozenset[str] = frozenset()  # names forced into the third-party section
    force_sort_within_sections: bool = False  # ``from x import`` and ``import x`` sorted together by module
    lines_between_types: int = 0  # blank lines between a section's ``import x`` and ``from x import`` lines
    force_single_line: bool = False  # one name per ``from x import`` line (isort's and ruff's force-single-line)
    # flake8-commas (ruff's COM812): a bracket split over lines holds one item per line, each followed by a comma
    trailing_commas: bool = False
    # a ``from`` import too long for a line is wrapped in parentheses one name per line (ruff, isort's black profile,
    # ``multi_line_output = 3``); isort's other modes lay it out otherwise
    vertical_imports: bool = True
    # the formatter the project configures: ruff when it has a ``format`` section, else black when ``[tool.black]``
    # exists, else ruff when ruff is configured at all
    formatter: FormatterTool | None = None
    quote: str = '"'  # of inserted strings: ``'`` when ruff's formatter or flake8-quotes (ruff's Q rules) ask for it
    # a tool chose ``quote`` (a quote setting, or a formatter normalising strings); else the edited file's own strings
    # do (``edits.engine``: a project writing single quotes by hand gets them)
    quote_set: bool = False
    pylint: bool = False  # the project configures pylint (``.pylintrc``, ``pylintrc``, ``[tool.pylint.*]``...)
    # the oldest Python the project supports, when its configuration says (ruff's or black's target version,
    # ``requires-python``, Poetry's ``python`` dependency)
    min_python: tuple[int, int] | None = None
    # the McCabe complexity a function may have, when the project checks it (ruff's C901, flake8's max-complexity)
    max_complexity: int | None = None

    @property
    def parenthesized_with(self) -> bool:
        """``with (a as x, b):`` parses (3.9+): ruff's and black's layout of a long ``with`` of several items."""
        return self.min_python is not None and self.min_python >= (3, 9)

    def section(self, module: str, level: int = 0) -> int:
        """Import section, in ruff's and isort's default order: 0 future, 1 standard library, 2 third-party,
        3 first-party, 4 local (relative)."""

        if level:
            return 4
        top = module.partition(".")[0]
        if top == "__future__":
            return 0
        if top in self.third_party:
            return 2
        if top in self.first_party:
            return 3
        if top in sys.stdlib_module_names:
            return 1
        return 2


def read_project_style(root: Path | None) -> ProjectStyle:
    """The style of the project whose root folder is ``root`` (defaults when None or nothing is configured)."""
    if root is None:
        return ProjectStyle()
    document = read_toml(root / "pyproject.toml")
    pyproject = document.get("tool", {})
    ruff = read_toml(root / "ruff.toml") or read_toml(root / ".ruff.toml") or _mapping(pyproject.get("ruff"))
    ruff_isort = _mapping(_mapping(ruff.get("lint")).get("isort")) or _mapping(ruff.get("isort"))
    black = _mapping(pyproject.get("black"))
    ruff_configured = "ruff" in pyproject or (root / "ruff.toml").is_file() or (root / ".ruff.toml").is_file()
    formatter: FormatterTool | None = (
        "ruff" if "format" in ruff else "black" if "black" in pyproject else "ruff" if ruff_configured else None
    )
    ini = read_ini(root / ".flake8", root / "setup.cfg", root / "tox.ini")
    isort = _mapping(pyproject.get("isort")) or _section(ini, "isort") or _section(ini, "tool:isort")
    flake8 = _section(ini, "flake8") or _section(ini, "pycodestyle")

    length = (
        _int(ruff.get("line-length"))
        or _int(black.get("line-length"))
        or _int(flake8.get("max-line-length") or flake8.get("max_line_length"))
        or _int(isort.get("line_length") or isort.get("line-length"))
        or (79 if str(isort.get("profile", "")) == "google" else None)
        or DEFAULT_LINE_LENGTH
    )
    first = _names(ruff_isort.get("known-first-party")) | _names(isort.get("known_first_party"))
    third = _names(ruff_isort.get("known-third-party")) | _names(isort.get("known_third_party"))
    sources = [root / str(s) for s in ruff.get("src", [".", "src"]) if isinstance(s, str)]
    force = ruff_isort.get("force-sort-within-sections", isort.get("force_sort_within_sections", False))
    single_line = ruff_isort.get("force-single-line", isort.get("force_single_line", isort.get("profile") == "google"))
    ruff_quotes = _mapping(_mapping(ruff.get("lint")).get("flake8-quotes")) or _mapping(ruff.get("flake8-quotes"))
    quote_settings = (
        _mapping(ruff.get("format")).get("quote-style"),
        ruff_quotes.get("inline-quotes"),
        flake8.get("inline-quotes") or flake8.get("inline_quotes"),
    )
    chosen = next((value for value in quote_settings if value is not None), None)
    single = chosen is not None and str(chosen).strip().lower() in ("single", "'")
    return ProjectStyle(
        line_length=max(40, length),
        first_party=frozenset(first | _packages(sources)),
        third_party=frozenset(third),
        force_sort_within_sections=str(force).lower() in ("true", "1", "yes"),
        force_single_line=str(single_line).lower() in ("true", "1", "yes"),
        formatter=formatter,
        lines_between_types=min(2, _int(ruff_isort.get("lines-between-types", isort.get("lines_between_types"))) or 0),
        quote="'" if single else '"',
        quote_set=chosen is not None
        or "format" in ruff
        or (formatter == "black" and str(black.get("skip-string-normalization", "")).lower() not in ("true", "1")),
        pylint=_uses_pylint(root, pyproject, ini),
        min_python=_min_python(ruff, black, document),
        max_complexity=_max_complexity(ruff, flake8),
        trailing_commas=_ruff_checks(ruff, "COM812"),
        vertical_imports=not isort
        or str(isort.get("profile", "")).strip("'\"") == "black"
        or str(isort.get("multi_line_output", "")).strip() in ("3", "VERTICAL_HANGING_INDENT"),
    )


def _max_complexity(ruff: Mapping[str, Any], flake8: Mapping[str, str]) -> int | None:
    """ruff's ``max-complexity`` (10 by default) when its selected rules include C901 and do not ignore it, else
    flake8's ``max-complexity`` (mccabe checks nothing without it)."""
    if _ruff_checks(ruff, "C901"):
        lint = _mapping(ruff.get("lint"))
        mccabe = _mapping(lint.get("mccabe")) or _mapping(ruff.get("mccabe"))
        return _int(mccabe.get("max-complexity")) or 10
    limit = _int(flake8.get("max-complexity") or flake8.get("max_complexity"))
    return limit if limit is not None and limit > 0 else None  # -1: off


def _ruff_checks(ruff: Mapping[str, Any], code: str) -> bool:
    """Whether ruff's configuration selects rule ``code`` and does not ignore it."""
    lint = _mapping(ruff.get("lint"))
    chosen = [*_codes(lint.get("select", ruff.get("select"))), *_codes(lint.get("extend-select"))]
    chosen += _codes(ruff.get("extend-select"))
    ignored = [*_codes(lint.get("ignore")), *_codes(ruff.get("ignore"))]
    return any(_covers(s, code) for s in chosen) and not any(_covers(s, code) for s in ignored)


def _codes(value: object) -> list[str]:
    return [str(v).strip().upper() for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _covers(selector: str, code: str) -> bool:
    """Whether a rule selector (``C``, ``C90``, ``ALL``) selects ``code``."""
    return selector == "ALL" or (bool(selector) and code.startswith(selector))


_TARGET = re.compile(r"^py3(\d+)$")
_LOWER_BOUND = re.compile(r"(?:>=|~=|\^|==)\s*3\.(\d+)")


def _min_python(
    ruff: Mapping[str, Any], black: Mapping[str, Any], pyproject: Mapping[str, Any]
) -> tuple[int, int] | None:
    """The oldest Python the project supports: ruff's ``target-version``, black's ``target-version`` (the oldest
    listed), else the lower bound of ``requires-python`` or of Poetry's ``python`` dependency."""
    targets = [ruff.get("target-version"), *(black.get("target-version") or [])]
    minors = [int(m.group(1)) for t in targets if isinstance(t, str) and (m := _TARGET.match(t.strip().lower()))]
    if minors:
        return (3, min(minors))
    poetry = _mapping(_mapping(_mapping(pyproject.get("tool")).get("poetry")).get("dependencies")).get("python")
    for spec in (_mapping(pyproject.get("project")).get("requires-python"), poetry):
        found = _LOWER_BOUND.search(spec) if isinstance(spec, str) else None
        if found:
            return (3, int(found.group(1)))
    return None


def _uses_pylint(root: Path, pyproject: Mapping[str, Any], ini: list[configparser.RawConfigParser]) -> bool:
    """pylint reads its settings from here: ``pylintrc``/``.pylintrc``, ``[tool.pylint.*]`` in ``pyproject.toml``,
    ``[pylint.*]`` sections of ``setup.cfg``/``tox.ini``."""
    if (root / ".pylintrc").is_file() or (root / "pylintrc").is_file():
        return True
    if "pylint" in pyproject:
        return True
    return any(s == "pylint" or s.startswith("pylint.") for parser in ini for s in parser.sections())


def read_text(path: Path) -> str | None:
    """A project's configuration or packaging file as UTF-8; None when it is missing, unreadable, not UTF-8 or larger
    than a configuration file is (``_MAX_BYTES``)."""
    try:
        if not path.is_file() or path.stat().st_size > _MAX_BYTES:
            return None
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def read_toml(path: Path) -> dict[str, Any]:
    """A TOML file's document (:func:`read_text`), empty when it cannot be read or parsed."""
    text = read_text(path)
    try:
        return tomllib.loads(text) if text is not None else {}
    except (tomllib.TOMLDecodeError, RecursionError):
        return {}


def read_ini(*paths: Path) -> list[configparser.RawConfigParser]:
    """The INI files among ``paths`` that can be read and parsed (:func:`read_text`), each parsed."""
    parsers: list[configparser.RawConfigParser] = []
    for path in paths:
        text = read_text(path)
        if text is None:
            continue
        parser = configparser.RawConfigParser(strict=False)
        try:
            parser.read_string(text)
        except configparser.Error:
            continue
        parsers.append(parser)
    return parsers


def _section(parsers: list[configparser.RawConfigParser], name: str) -> dict[str, str]:
    for parser in parsers:
        if parser.has_section(name):
            return dict(parser.items(name))
    return {}


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _int(value: object) -> int | None:
    try:
        return int(str(value).strip()) if value is not None and not isinstance(value, bool) else None
    except ValueError:
        return None


def _names(value: object) -> set[str]:
    """A TOML list or an ini value (comma- or newline-separated) of module names -> their top-level names."""
    items = value if isinstance(value, list) else str(value or "").replace("\n", ",").split(",")
    return {str(item).strip().partition(".")[0] for item in items if str(item).strip()}


def _packages(folders: list[Path]) -> set[str]:
    """Top-level packages and modules in the source folders: what ruff's ``src`` detection calls first-party."""
    found: set[str] = set()
    for folder in folders:
        try:
            entries = list(folder.iterdir())
        except OSError:
            continue
        for entry in entries:
            if entry.suffix == ".py" and entry.stem.isidentifier():
                found.add(entry.stem)
            elif entry.is_dir() and entry.name.isidentifier() and any(entry.glob("*.py")):
                found.add(entry.name)
    return found
