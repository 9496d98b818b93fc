"""Facts of an edited module from a re-parse of only the top-level functions and classes the edit touched.

An edit inside a function body is the common case while typing; re-parsing a 3,000-line module for it costs tens of
milliseconds. When the changed lines fall within top-level ``def``/``class`` statements only, and the new text of
that region parses on its own into the same names, the region's facts replace the old ones and everything after it
moves by the change in line count; added, removed or renamed definitions update the module's bindings when
nothing else binds their names. Anything else (module-level statements, ``global``, ``\\r`` line ends) returns
None and the caller parses the whole text.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from dataclasses import replace

from trace_advisor.facts.extract import extract_facts
from trace_advisor.facts.model import CLASS, DEF, Binding, CallSite, Loc, ModuleFacts, Scope
from trace_advisor.model import MODULE_QUALNAME

_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
# where a ``global`` statement can start (a docstring line starting with the word only costs a full parse)
_GLOBAL = re.compile(r"(?:^|[;:])[ \t\f]*global\b", re.MULTILINE)


def splice(old_text: str, old: ModuleFacts, new_text: str) -> ModuleFacts | None:
    """The facts of ``new_text`` computed from ``old`` (the facts of ``old_text``), or None when not applicable."""
    if "\r" in old_text or "\r" in new_text:
        return None
    before, after = old_text.split("\n"), new_text.split("\n")
    shortest = min(len(before), len(after))
    prefix = 0
    while prefix < shortest and before[prefix] == after[prefix]:
        prefix += 1
    if prefix == len(before) == len(after):
        return old
    suffix = 0
    while suffix < shortest - prefix and before[-1 - suffix] == after[-1 - suffix]:
        suffix += 1
    first, last = prefix + 1, len(before) - suffix  # changed old lines (1-based; last < first: pure insertion)
    touched = [(start, end) for start, end in old.top_level if start <= max(first, last) and end >= min(first, last)]
    # without touched statements the change is in a gap of comments and blank lines (or an insertion between
    # statements): the old lines hold no code, so the new ones must parse on their own
    low = min(first, touched[0][0]) if touched else first
    high = max(last, touched[-1][1]) if touched else last
    delta = len(after) - len(before)
    tops = {scope.loc[0]: scope for scope in old.scopes if scope.parent == MODULE_QUALNAME}
    names = []
    for start, _ in touched:
        scope = tops.get(start)
        if scope is None:  # a module-level statement that is not a definition: its bindings cannot be spliced
            return None
        names.append(scope.qualname)
    new_segment = "\n".join(after[low - 1 : high + delta])
    if _GLOBAL.search(new_segment) or _GLOBAL.search("\n".join(before[low - 1 : high])):
        return None
    text = "\n" * (low - 1) + new_segment  # blank lines keep the line numbers of the whole file
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    if not all(isinstance(node, _DEFS) for node in tree.body):
        return None
    new_names = [node.name for node in tree.body]  # type: ignore[attr-defined]
    try:
        part = extract_facts(tree, text)
    except (RecursionError, MemoryError):
        return None
    module_part = part.scopes[0]
    if module_part.star_imports or part.all_names is not None or set(module_part.bindings) != set(new_names):
        return None
    if any(len(b) != 1 or b[0].kind not in (DEF, CLASS) for b in module_part.bindings.values()):
        return None
    bindings = old.scopes[0].bindings
    if new_names != names:  # definitions added, removed or renamed: only names bound by nothing else may change
        if len(set(names)) != len(names) or len(set(new_names)) != len(new_names):
            return None
        removed, added = set(names) - set(new_names), set(new_names) - set(names)
        if any(len(bindings.get(name, ())) != 1 for name in removed) or any(name in bindings for name in added):
            return None
        bindings = {name: found for name, found in bindings.items() if name not in removed}
        bindings.update((name, module_part.bindings[name]) for name in new_names if name in added)
    return _merge(old, part, low, high, delta, after, bindings)


def _merge(
    old: ModuleFacts,
    part: ModuleFacts,
    low: int,
    high: int,
    delta: int,
    lines: list[str],
    bindings: Mapping[str, tuple[Binding, ...]],
) -> ModuleFacts:
    module = replace(
        old.scopes[0], loc=(1, 0, len(lines), len(lines[-1])), name_loc=(1, 0, 1, len(lines[0])), bindings=bindings
    )
    scopes: list[Scope] = [module]
    calls: list[CallSite] = []
    inserted = False
    for scope in old.scopes[1:]:
        line = scope.loc[0]
        if line < low:
            scopes.append(scope)
            continue
        if not inserted:
            scopes.extend(part.scopes[1:])
            inserted = True
        if line > high:
            scopes.append(replace(scope, loc=_shift(scope.loc, delta), name_loc=_shift(scope.name_loc, delta)))
    if not inserted:
        scopes.extend(part.scopes[1:])
    inserted = False
    for call in old.calls:
        line = call.loc[0]
        if line < low:
            calls.append(call)
            continue
        if not inserted:
            calls.extend(part.calls)
            inserted = True
        if line > high:
            calls.append(replace(call, loc=_shift(call.loc, delta), name_loc=_shift(call.name_loc, delta)))
    if not inserted:
        calls.extend(part.calls)
    top_level = (
        *(t for t in old.top_level if t[1] < low),
        *part.top_level,
        *((start + delta, end + delta) for start, end in old.top_level if start > high),
    )
    return ModuleFacts(tuple(scopes), tuple(calls), old.all_names, len(lines), top_level)


def _shift(loc: Loc, delta: int) -> Loc:
    return (loc[0] + delta, loc[1], loc[2] + delta, loc[3])
