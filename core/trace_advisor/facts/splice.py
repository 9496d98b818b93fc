"""The one splicer: an edited module's facts (and syntax tree) from one parse of only what the edit touched.

An edit inside a function body is the common case while typing; re-parsing a 3,000-line module for it costs tens of
milliseconds. When the changed lines fall within top-level ``def``/``class`` statements only, and the new text of
that region parses on its own into the same names, the region's facts replace the old ones and everything after it
moves by the change in line count; added, removed or renamed definitions update the module's bindings when
nothing else binds their names. Anything else (module-level statements, ``global``, ``\\r`` line ends) returns
None and the caller parses the whole text.

Given the old tree too, the new tree is built from the same parse: untouched statements are shared with the old
tree (never changed: kept results still point into it). An edit that keeps the line count inside one class's body
parses only the methods it touched, and, inside one method's body, extracts the facts of that method alone; one that
moves lines parses from the first touched statement to the end of the file, since the statements after it need new
positions.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from trace_advisor.datatypes import MODULE_QUALNAME
from trace_advisor.facts.extract import WRITE_METHODS, extract_facts, kept_reads
from trace_advisor.facts.records import (
    CLASS,
    DEF,
    LAMBDA_KIND,
    Binding,
    CallSite,
    Loc,
    ModuleFacts,
    Scope,
    loc_of,
    loc_parts,
)

_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
# where a ``global`` statement can start (a docstring line starting with the word only costs a full parse)
_GLOBAL = re.compile(r"(?:^|[;:])[ \t\f]*global\b", re.MULTILINE)
_PARSE_ERRORS = (SyntaxError, ValueError, RecursionError, MemoryError)


@dataclass(frozen=True, slots=True)
class Spliced:
    """The facts of the new text, and its tree when the old tree was given."""

    facts: ModuleFacts
    tree: ast.Module | None


def splice(old_text: str, old: ModuleFacts, new_text: str, old_tree: ast.Module | None = None) -> Spliced | None:
    """The facts (and tree) of ``new_text`` from ``old`` and ``old_tree`` (those of ``old_text``), or None when not
    applicable."""
    if "\r" in old_text or "\r" in new_text or old.rewritten:  # newer syntax: only a full parse rewrites it
        return None
    before, after = old_text.split("\n"), new_text.split("\n")
    shortest = min(len(before), len(after))
    prefix = 0
    while prefix < shortest and before[prefix] == after[prefix]:
        prefix += 1
    if prefix == len(before) == len(after):
        return Spliced(old, old_tree)
    suffix = 0
    while suffix < shortest - prefix and before[-1 - suffix] == after[-1 - suffix]:
        suffix += 1
    first, last = prefix + 1, len(before) - suffix  # changed old lines (1-based; last < first: pure insertion)
    touched = [(start, end) for start, end in old.top_level if start <= max(first, last) and end >= min(first, last)]
    delta = len(after) - len(before)
    if old_tree is not None and delta == 0 and len(touched) == 1:
        inside = _splice_class(old, old_tree, after, touched[0], first, last)
        if inside is not None:
            return inside
    # without touched statements the change is in a gap of comments and blank lines (or an insertion between
    # statements): the old lines hold no code, so the new ones must parse on their own
    low = min(first, touched[0][0]) if touched else first
    high = max(last, touched[-1][1]) if touched else last
    tops = {loc_parts(scope.loc)[0]: scope for scope in old.scopes if scope.parent == MODULE_QUALNAME}
    names = []
    for start, _ in touched:
        scope = tops.get(start)
        if scope is None:  # a module-level statement that is not a definition: its bindings cannot be spliced
            return None
        names.append(scope.qualname)
    if _GLOBAL.search("\n".join(after[low - 1 : high + delta])) or _GLOBAL.search("\n".join(before[low - 1 : high])):
        return None
    # with a tree to build and lines moved, the statements after the region need new nodes: parse them too
    to_end = old_tree is not None and delta != 0
    text = "\n" * (low - 1) + "\n".join(after[low - 1 : len(after) if to_end else high + delta])
    try:
        parsed = ast.parse(text)  # blank lines keep the line numbers of the whole file
    except _PARSE_ERRORS:
        return None
    region, rest = parsed.body, []
    if to_end:
        count = sum(1 for node in parsed.body if _start(node) <= high + delta)
        region, rest = parsed.body[:count], parsed.body[count:]
        moved = [(s + delta, e + delta) for s, e in old.top_level if s > high]
        if [(_start(s), s.end_lineno or s.lineno) for s in rest] != moved:
            return None  # the edit changed how the rest of the file parses
    facts = _spliced_facts(old, region, text, low, high, delta, after, names)
    if facts is None:
        return None
    if old_tree is None:
        return Spliced(facts, None)
    kept = [s for s in old_tree.body if (s.end_lineno or s.lineno) < low]
    after_region = rest if to_end else [s for s in old_tree.body if _start(s) > high]
    return Spliced(facts, ast.Module(body=[*kept, *region, *after_region], type_ignores=[]))


def _spliced_facts(
    old: ModuleFacts,
    region: list[ast.stmt],
    text: str,
    low: int,
    high: int,
    delta: int,
    lines: list[str],
    names: list[str],
) -> ModuleFacts | None:
    """The old facts with the top-level definitions of lines ``low..high`` replaced by those of ``region``."""
    if not all(isinstance(node, _DEFS) for node in region):
        return None
    new_names = [node.name for node in region]  # type: ignore[attr-defined]
    try:
        part = extract_facts(ast.Module(body=region, type_ignores=[]), text, part=True)
    except (RecursionError, MemoryError):
        return None
    if _writes_from(old.scopes[0], names):
        return None  # the old definitions wrote into a collection of the module: its bindings change
    module_part = part.scopes[0]
    if module_part.star_imports or part.all_names is not None or set(module_part.bindings) != set(new_names):
        return None
    if any(len(b) != 1 or b[0].kind not in (DEF, CLASS) for b in module_part.bindings.values()):
        return None
    if _module_lambdas(part.scopes) or _module_lambdas(s for s in old.scopes if low <= loc_parts(s.loc)[0] <= high):
        return None  # lambdas of the module's own (in decorators, defaults): numbered in the whole module
    bindings = old.scopes[0].bindings
    if new_names != names:  # definitions added, removed or renamed: only names bound by nothing else may change
        if len(set(names)) != len(names) or len(set(new_names)) != len(new_names):
            return None
        removed, added = set(names) - set(new_names), set(new_names) - set(names)
        if any(len(bindings.get(name, ())) != 1 for name in removed) or any(name in bindings for name in added):
            return None
        bindings = {name: found for name, found in bindings.items() if name not in removed}
        bindings.update((name, module_part.bindings[name]) for name in new_names if name in added)
    return _merge(old, part, low, high, delta, lines, bindings)


def _writes_held(method: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Whether a method may write into a collection an attribute holds (``self.handlers[kind] = f``,
    ``self.steps.append(f)``): the extractor keeps such a write when the class makes the collection, which the method
    alone does not show."""
    for node in ast.walk(method):
        if isinstance(node, ast.Subscript):
            if type(node.ctx) is ast.Store and isinstance(node.value, ast.Attribute):
                return True
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in WRITE_METHODS:
            if isinstance(node.func.value, ast.Attribute):
                return True
    return False


def _writes_from(module: Scope, names: Iterable[str]) -> bool:
    """Whether a binding of the module was made from inside one of the top-level definitions ``names`` (a write into
    a collection the module holds: ``HANDLERS[name] = fn`` in a function)."""
    tops = set(names)
    return any(
        binding.scope and binding.scope.partition(".")[0] in tops
        for found in module.bindings.values()
        for binding in found
    )


def _module_lambdas(scopes: Iterable[Scope]) -> bool:
    return any(scope.kind == LAMBDA_KIND and scope.parent == MODULE_QUALNAME for scope in scopes)


def _splice_class(
    old: ModuleFacts, old_tree: ast.Module, lines: list[str], touched: tuple[int, int], first: int, last: int
) -> Spliced | None:
    """An edit inside one top-level class's body that keeps the line count: parse only the statements it touched
    (inside nested classes, only their touched statements) and extract the class's facts from the spliced class."""
    cls = next((s for s in old_tree.body if _start(s) == touched[0]), None)
    if not isinstance(cls, ast.ClassDef) or first < _start(cls.body[0]):
        return None
    if _GLOBAL.search("\n".join(lines[touched[0] - 1 : touched[1]])):
        return None
    body = _splice_body(cls.body, lines, first, last, cls)
    if body is None:
        return None
    new_cls = _with_body(cls, body)
    text = "\n".join(lines)
    facts = _method_facts(old, cls, new_cls, lines, first, last) or _spliced_facts(
        old, [new_cls], text, touched[0], touched[1], 0, lines, [cls.name]
    )
    if facts is None:
        return None
    tree = ast.Module(body=[new_cls if s is cls else s for s in old_tree.body], type_ignores=[])
    return Spliced(_sharing(old, facts, first, last), tree)


def _method_facts(
    old: ModuleFacts, cls: ast.ClassDef, new_cls: ast.ClassDef, lines: list[str], first: int, last: int
) -> ModuleFacts | None:
    """The facts of an edit inside the body of one method of a top-level class (lines ``first..last``, the line
    count kept), from that method's extraction alone: the old facts with the method's scopes, calls and reads
    replaced. None when the edit is elsewhere in the class, or when what the method stores on ``self`` changed (the
    class's attributes: the whole class is extracted then)."""
    index = next((i for i, s in enumerate(cls.body) if _start(s) <= last and (s.end_lineno or s.lineno) >= first), None)
    if index is None or len(new_cls.body) != len(cls.body):
        return None
    method, edited = cls.body[index], new_cls.body[index]
    if not isinstance(method, ast.FunctionDef | ast.AsyncFunctionDef) or type(edited) is not type(method):
        return None
    assert isinstance(edited, ast.FunctionDef | ast.AsyncFunctionDef)
    if edited.name != method.name or first < method.body[0].lineno or last > (method.end_lineno or method.lineno):
        return None  # the signature, decorators or the end of the method
    if (edited.lineno, edited.end_lineno) != (method.lineno, method.end_lineno):
        return None
    if any(a is not b for i, (a, b) in enumerate(zip(cls.body, new_cls.body, strict=True)) if i != index):
        return None
    if _writes_held(method) or _writes_held(edited):
        return None  # a write into a collection on ``self``: kept when the class makes it (the whole class)
    qualname = f"{cls.name}.{method.name}"
    if sum(1 for s in cls.body if isinstance(s, _DEFS) and s.name == method.name) != 1:
        return None  # a property's getter and setter share the qualname: which scopes are whose

    def inside(scope: str) -> bool:
        return scope == qualname or scope.startswith(f"{qualname}.<locals>.")

    try:
        text = "\n".join(lines)
        before, part = (extract_facts(_alone(c, m), text, part=True) for c, m in ((cls, method), (new_cls, edited)))
    except (RecursionError, MemoryError):
        return None
    if len(before.scopes[0].bindings) != 1 or len(part.scopes[0].bindings) != 1:
        return None  # the method writes into a collection of the module (``HANDLERS[name] = fn``)
    if before.scopes[1].attributes != part.scopes[1].attributes:
        return None  # what it stores on ``self`` changed: the class's attributes
    new_scopes = [scope for scope in part.scopes[2:] if inside(scope.qualname)]
    spans = [i for i, scope in enumerate(old.scopes) if inside(scope.qualname)]
    if not spans or spans != list(range(spans[0], spans[0] + len(spans))) or len(new_scopes) != len(part.scopes) - 2:
        return None
    # the class and the module end where they did, at a column the edit may have moved
    ends = {cls.name: loc_parts(part.scopes[1].loc)[2:], MODULE_QUALNAME: (len(lines), len(lines[-1]))}
    scopes = tuple(
        replace(scope, loc=loc_of(*loc_parts(scope.loc)[:2], *ends[scope.qualname]))
        if scope.qualname in ends and loc_parts(scope.loc)[2:] != ends[scope.qualname]
        else scope
        for scope in (*old.scopes[: spans[0]], *new_scopes, *old.scopes[spans[-1] + 1 :])
    )
    body_start = method.body[0].lineno
    calls = _replaced(old.calls, [c for c in part.calls if inside(c.scope)], inside, body_start)
    by_name = {scope.qualname: scope for scope in scopes}
    reads = _replaced(old.reads, kept_reads([r for r in part.reads if inside(r.scope)], by_name), inside, body_start)
    return replace(old, scopes=scopes, calls=calls, reads=reads)


def _alone(cls: ast.ClassDef, method: ast.FunctionDef | ast.AsyncFunctionDef) -> ast.Module:
    """A module holding only ``method`` in a class of ``cls``'s name and end (no bases, no decorators: no calls of
    theirs)."""
    fields = {name: getattr(cls, name) for name in cls._fields}
    where = {name: getattr(cls, name) for name in cls._attributes}
    stub = ast.ClassDef(**{**fields, "bases": [], "keywords": [], "decorator_list": [], "body": [method]}, **where)
    return ast.Module(body=[stub], type_ignores=[])


def _replaced(
    old: Sequence[CallSite], new: Sequence[CallSite], inside: Callable[[str], bool], body_start: int
) -> tuple[CallSite, ...]:
    """``old`` with its sites of the method (``inside`` their scope) replaced by ``new``, where the old ones were (at
    the first site from the method's body on when it had none)."""
    at = next((i for i, site in enumerate(old) if inside(site.scope)), None)
    if at is None:
        at = next((i for i, site in enumerate(old) if loc_parts(site.loc)[0] >= body_start), len(old))
    kept = [site for site in old if not inside(site.scope)]
    before = sum(1 for site in old[:at] if not inside(site.scope))
    return (*kept[:before], *new, *kept[before:])


def _sharing(old: ModuleFacts, new: ModuleFacts, first: int, last: int) -> ModuleFacts:
    """``new`` with its scopes and call sites outside the changed lines ``first..last`` (whose text and positions
    are the same) replaced by ``old``'s equal objects: the class (or the method) was extracted again, but what was
    computed from the lines the edit did not touch (resolved sites, kept analysis results) is found again by
    identity."""

    def untouched(loc: Loc) -> bool:
        start, _, end, _ = loc_parts(loc)
        return end < first or start > last

    scopes = {(scope.qualname, scope.loc): scope for scope in old.scopes if untouched(scope.loc)}
    calls = {(call.scope, call.loc, call.implicit): call for call in old.calls if untouched(call.loc)}
    shared_scopes = tuple(
        kept if (kept := scopes.get((scope.qualname, scope.loc))) is not None and kept == scope else scope
        for scope in new.scopes
    )
    shared_calls = tuple(
        same if (same := calls.get((call.scope, call.loc, call.implicit))) is not None and same == call else call
        for call in new.calls
    )
    return replace(new, scopes=shared_scopes, calls=shared_calls)


def _merge(
    old: ModuleFacts,
    part: ModuleFacts,
    low: int,
    high: int,
    delta: int,
    lines: list[str],
    bindings: Mapping[str, tuple[Binding, ...]],
) -> ModuleFacts:
    whole, first = loc_of(1, 0, len(lines), len(lines[-1])), loc_of(1, 0, 1, len(lines[0]))
    module = replace(old.scopes[0], loc=whole, name_loc=first, bindings=bindings)
    scopes: list[Scope] = [module]
    inserted = False
    for scope in old.scopes[1:]:
        line = loc_parts(scope.loc)[0]
        if line < low:
            scopes.append(scope)
            continue
        if not inserted:
            scopes.extend(part.scopes[1:])
            inserted = True
        if line > high:
            if delta:  # unmoved scopes stay the same objects
                scope = replace(scope, loc=_shift(scope.loc, delta), name_loc=_shift(scope.name_loc, delta))
            scopes.append(scope)
    if not inserted:
        scopes.extend(part.scopes[1:])
    top_level = (
        *(t for t in old.top_level if t[1] < low),
        *part.top_level,
        *((start + delta, end + delta) for start, end in old.top_level if start > high),
    )
    calls = _merged_sites(old.calls, part.calls, low, high, delta)
    # the part was read without the module's imports: its reads of module attributes are dropped here
    reads = _merged_sites(old.reads, kept_reads(part.reads, {s.qualname: s for s in scopes}), low, high, delta)
    return ModuleFacts(tuple(scopes), calls, old.all_names, len(lines), top_level, reads=reads)


def _merged_sites(
    old: Sequence[CallSite], part: Sequence[CallSite], low: int, high: int, delta: int
) -> tuple[CallSite, ...]:
    """The old sites before line ``low``, the re-parsed part's, then the old ones after ``high`` moved by ``delta``."""
    sites: list[CallSite] = []
    inserted = False
    for call in old:
        line = loc_parts(call.loc)[0]
        if line < low:
            sites.append(call)
            continue
        if not inserted:
            sites.extend(part)
            inserted = True
        if line > high:
            moved = delta and replace(call, loc=_shift(call.loc, delta), name_loc=_shift(call.name_loc, delta))
            sites.append(moved or call)  # unmoved sites stay the same objects
    if not inserted:
        sites.extend(part)
    return tuple(sites)


def _shift(loc: Loc, delta: int) -> Loc:
    line, column, end_line, end_column = loc_parts(loc)
    return loc_of(line + delta, column, end_line + delta, end_column)


def _splice_body(
    body: list[ast.stmt], lines: list[str], low: int, high: int, owner: ast.ClassDef
) -> list[ast.stmt] | None:
    """``owner``'s body with the statements touching lines ``low..high`` parsed again (nested classes: only their
    touched statements); positions do not move."""
    spans = [(_start(s), s.end_lineno or s.lineno) for s in body]
    touched = [(stmt, span) for stmt, span in zip(body, spans, strict=True) if span[0] <= high and span[1] >= low]
    if len(touched) == 1 and isinstance(touched[0][0], ast.ClassDef):
        cls = touched[0][0]
        inner = _splice_body(cls.body, lines, low, high, cls) if low >= _start(cls.body[0]) else None
        if inner is not None:
            return [stmt if stmt is not cls else _with_body(cls, inner) for stmt in body]
    grown = True
    while grown:  # the region covers whole statements (and statements sharing a line with them)
        grown = False
        for start, end in spans:
            if start <= high and end >= low and (start < low or end > high):
                low, high, grown = min(low, start), max(high, end), True
    region = _parse_region(lines, low, high, owner)
    if region is None:
        return None
    spliced = (
        [s for s, (_, end) in zip(body, spans, strict=True) if end < low]
        + region
        + [s for s, (start, _) in zip(body, spans, strict=True) if start > high]
    )
    return spliced or None  # a class needs a statement


def _with_body(cls: ast.ClassDef, body: list[ast.stmt]) -> ast.ClassDef:
    """A copy of ``cls`` with another body (the old node is never changed)."""
    fields = {name: getattr(cls, name) for name in cls._fields}
    where = {name: getattr(cls, name) for name in cls._attributes}
    where.update(end_lineno=body[-1].end_lineno, end_col_offset=body[-1].end_col_offset)
    return ast.ClassDef(**{**fields, "body": body}, **where)


def _parse_region(lines: list[str], low: int, high: int, owner: ast.ClassDef) -> list[ast.stmt] | None:
    """Lines ``low..high`` parsed at their own positions as statements of ``owner``'s body (under a stand-in
    ``class`` line just above them, with a closing ``pass`` just below: comments alone parse)."""
    segment = "\n".join(lines[low - 1 : high])
    indent = owner.body[0].col_offset
    whitespace = lines[owner.body[0].lineno - 1][:indent]  # spaces or tabs, as the class's statements have
    try:
        tree = ast.parse("\n" * (low - 2) + "class _:\n" + segment + "\n" + whitespace + "pass")
    except _PARSE_ERRORS:
        return None
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.ClassDef):
        return None  # a line left the class body
    found = tree.body[0].body[:-1]
    closing = tree.body[0].body[-1]
    if not isinstance(closing, ast.Pass) or closing.lineno != high + 1 or any(s.col_offset != indent for s in found):
        return None  # the closing pass or a statement landed at another depth than the class's own statements
    return found


def _start(stmt: ast.stmt) -> int:
    decorators: list[ast.expr] = getattr(stmt, "decorator_list", [])
    return min([stmt.lineno, *(d.lineno for d in decorators)])
