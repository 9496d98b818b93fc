"""Types that docstrings give parameters and return values (Sphinx, epydoc, Google and NumPy styles), for the
functions that do not annotate them: ``:type client: hvac.adapters.Adapter``, ``:param Adapter client:``,
``:rtype: Foo``, ``@type client: Adapter``, ``client (Adapter): ...`` under ``Args:``, ``client : Adapter`` under a
NumPy ``Parameters`` heading. Each type is read as an annotation (``annotation_chains``); a dotted name also names the
module path it spells (``MODULE_PATH``), since docstrings name types by import path without importing them."""

from __future__ import annotations

import ast
import re

from trace_advisor.facts.chains import annotation_chains
from trace_advisor.facts.records import MODULE_PATH, Chain

# ``:type name: T`` / ``@type name: T`` / ``:param T name:`` / ``:rtype: T`` / ``@rtype: T``, one per line
_SPHINX = re.compile(
    r"^\s*[:@](?:(?P<kind>type|rtype|returntype)(?:\s+(?P<name>\*{0,2}\w+))?|param\s+(?P<ptype>[^:]+?)\s+(?P<pname>\w+))"
    r"\s*:(?P<rest>.*)$",
    re.MULTILINE,
)
# Google: a section heading, then ``name (T): ...`` / ``name (T, optional): ...`` lines indented under it
_GOOGLE_ARG = re.compile(r"^\s+\*{0,2}(\w+)\s*\(([^()]+)\)\s*:")
# NumPy: ``Parameters`` underlined with dashes, then ``name : T`` lines
_NUMPY_ARG = re.compile(r"^\s*\*{0,2}(\w+)\s*:\s*(\S.*)$")
# Google's ``Args:`` (or another of its headings) and NumPy's ``Parameters`` underlined, each at the start of a line
_GOOGLE_HEADING = re.compile(
    r"^([ \t]*)(?:Args|Arguments|Parameters|Params|Keyword Args|Keyword Arguments):[ \t]*$", re.MULTILINE
)
_NUMPY_HEADING = re.compile(r"^([ \t]*)Parameters[ \t]*\r?\n[ \t]*---+[ \t]*$", re.MULTILINE)
_MARKUP = re.compile(r"(?::(?:py:)?(?:class|obj|data):`~?|\b[LC]\{)([\w.]+)[`}]")  # :class:`Foo`, epydoc's L{Foo}
_RETURN = ""  # the key of the return type in what ``docstring_types`` returns


def docstring_types(doc: str) -> dict[str, tuple[Chain, ...]]:
    """Parameter name -> the chains its documented type names; the key "" is the return type. Empty when the
    docstring types nothing."""
    written: dict[str, str] = {}
    if ":param" in doc or "type" in doc and (":type" in doc or "@type" in doc or "rtype" in doc):  # cheap tests first
        for match in _SPHINX.finditer(doc):
            if match["pname"]:
                written.setdefault(match["pname"], match["ptype"])
            elif match["kind"] == "type" and match["name"]:
                written[match["name"].lstrip("*")] = match["rest"]
            elif match["kind"] in ("rtype", "returntype") and not match["name"]:
                written[_RETURN] = match["rest"]
    if "Arg" in doc or "Param" in doc:
        _sections(doc, written)
    found: dict[str, tuple[Chain, ...]] = {}
    for name, text in written.items():
        chains = type_chains(text)
        if chains:
            found[name] = chains
    return found


def _sections(doc: str, written: dict[str, str]) -> None:
    """Google ``Args:`` and NumPy ``Parameters`` sections: the types of the names they list."""
    for heading in _GOOGLE_HEADING.finditer(doc):
        indent = len(heading[1])
        for entry in doc[heading.end() :].splitlines()[1:]:
            if entry.strip() and len(entry) - len(entry.lstrip()) <= indent:
                break
            if (arg := _GOOGLE_ARG.match(entry)) is not None:
                written.setdefault(arg[1], arg[2].split(",")[0])
    for heading in _NUMPY_HEADING.finditer(doc):
        indent = len(heading[1])
        for entry in doc[heading.end() :].splitlines()[1:]:
            if not entry.strip() or len(entry) - len(entry.lstrip()) != indent:
                continue  # a blank line, or a description indented under its name
            arg = _NUMPY_ARG.match(entry)
            if arg is None:
                break  # the next heading
            written.setdefault(arg[1], arg[2].split(",")[0])


def type_chains(text: str) -> tuple[Chain, ...]:
    """The chains a documented type names (``hvac.adapters.Adapter``, ``Optional[Foo]``, ``str or None``); a dotted
    name is also the module path it spells. Nothing when the text is not a type expression (``list of int``)."""
    text = _MARKUP.sub(r"\1", text).strip().rstrip(".").replace(" or ", " | ")
    if not text or len(text) > 200:
        return ()
    try:
        parsed = ast.parse(text, mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return ()
    chains = annotation_chains(parsed)
    return chains + tuple(
        (MODULE_PATH, *chain) for chain in chains if len(chain) > 1 and all(part.isidentifier() for part in chain)
    )
