"""Turn a recommendation's ``Capture`` into ``span.set_attribute`` statements with values OTel accepts.

OpenTelemetry attribute values must be ``str``, ``bool``, ``int``, ``float`` or a homogeneous sequence of them; the
SDK drops anything else with a warning. A parameter annotated with one of those types is recorded as is; an
``Optional`` one (or one defaulting to ``None``) is recorded only when it is not ``None``; a parameter of unknown
type is converted with ``str()`` so the attribute is never silently lost (annotate the parameter with a primitive
type to keep its native type). Keys are the parameter names; ``Capture.attributes`` supply semantic-convention keys.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass

from trace_advisor.capture_expressions import CaptureExpressionError, check_capture_expression
from trace_advisor.edits.existing import own_scope
from trace_advisor.edits.locate import FunctionNode
from trace_advisor.model import Capture

PRIMITIVES = frozenset({"str", "int", "float", "bool"})
SEQUENCES = frozenset({"list", "List", "Sequence", "MutableSequence"})
_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")


@dataclass(frozen=True, slots=True)
class AttributeCode:
    """Lines of code (relative indent depth, text) that set attributes, plus notes about what was left out."""

    lines: tuple[tuple[int, str], ...]
    statements: int  # top-level statements among ``lines`` (for verification)
    notes: tuple[str, ...]


def _name(expr: ast.expr | None) -> str:
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute):
        return expr.attr
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        try:
            return _name(ast.parse(expr.value, mode="eval").body)
        except SyntaxError:
            return ""
    return ""


def _parse_annotation(expr: ast.expr | None) -> ast.expr | None:
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        try:
            return ast.parse(expr.value, mode="eval").body
        except SyntaxError:
            return None
    return expr


def _optional_inner(expr: ast.expr) -> ast.expr | None:
    """``X | None`` / ``Optional[X]`` / ``Union[X, None]`` -> ``X``."""
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.BitOr):
        sides = [expr.left, expr.right]
        rest = [s for s in sides if not (isinstance(s, ast.Constant) and s.value is None)]
        return rest[0] if len(rest) == 1 else None
    if isinstance(expr, ast.Subscript):
        outer = _name(expr.value)
        if outer == "Optional":
            return expr.slice
        if outer == "Union" and isinstance(expr.slice, ast.Tuple):
            rest = [e for e in expr.slice.elts if not (isinstance(e, ast.Constant) and e.value is None)]
            return rest[0] if len(rest) == 1 and len(expr.slice.elts) == 2 else None
    return None


def _kind(annotation: ast.expr | None) -> tuple[str, bool]:
    """("native" | "unknown", optional) for an annotation."""
    expr = _parse_annotation(annotation)
    if expr is None:
        return "unknown", False
    inner = _optional_inner(expr)
    optional = inner is not None
    if inner is not None:
        expr = inner
    if _name(expr) in PRIMITIVES:
        return "native", optional
    if isinstance(expr, ast.Subscript):
        outer = _name(expr.value)
        item = expr.slice
        if outer in SEQUENCES and _name(item) in PRIMITIVES:
            return "native", optional
        if outer in ("tuple", "Tuple") and isinstance(item, ast.Tuple) and len(item.elts) == 2:
            if _name(item.elts[0]) in PRIMITIVES and isinstance(item.elts[1], ast.Constant):
                return ("native", optional) if item.elts[1].value is Ellipsis else ("unknown", False)
    return "unknown", optional


def _parameters(node: FunctionNode) -> dict[str, tuple[ast.arg, ast.expr | None]]:
    """Parameter name -> (arg, default expression or None)."""
    args = node.args
    positional = [*args.posonlyargs, *args.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    found = {a.arg: (a, d) for a, d in zip(positional, defaults, strict=True)}
    found.update({a.arg: (a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True)})
    for extra in (args.vararg, args.kwarg):
        if extra is not None:
            found[extra.arg] = (extra, None)
    return found


def _quote(key: str) -> str:
    return json.dumps(key, ensure_ascii=False)


def _local_names(node: FunctionNode) -> set[str]:
    """Names the body binds itself: at the top of the body (where attributes are set) they are not assigned yet."""
    names: set[str] = set()
    for child in own_scope(node):
        if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Store | ast.Del):
            names.add(child.id)
        elif isinstance(child, ast.ExceptHandler | ast.MatchAs | ast.MatchStar) and child.name:
            names.add(child.name)
        elif isinstance(child, ast.MatchMapping) and child.rest:
            names.add(child.rest)
        elif isinstance(child, ast.Import | ast.ImportFrom):
            names.update((alias.asname or alias.name).split(".")[0] for alias in child.names)
        elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(child.name)
    return names


def attribute_code(node: FunctionNode, capture: Capture, span: str, *, is_method: bool) -> AttributeCode:
    """Statements recording ``capture.parameters`` and ``capture.attributes`` on ``span``."""
    params = _parameters(node)
    positional = [*node.args.posonlyargs, *node.args.args]
    receiver = positional[0].arg if is_method and positional else None
    # names the body declares global/nonlocal cannot be read before that declaration (a compile-time error)
    declared = {name for n in own_scope(node) if isinstance(n, ast.Global | ast.Nonlocal) for name in n.names}
    local = _local_names(node) - declared - set(params)
    lines: list[tuple[int, str]] = []
    notes: list[str] = []
    statements = 0
    seen: set[str] = set()

    def record(key: str, name: str, annotation: ast.expr | None, default: ast.expr | None, variadic: bool) -> None:
        nonlocal statements
        kind, optional = ("unknown", False) if variadic else _kind(annotation)
        if isinstance(default, ast.Constant) and default.value is None:
            optional = True
        value = name if kind == "native" else f"str({name})"
        if optional:
            lines.append((0, f"if {name} is not None:"))
            lines.append((1, f"{span}.set_attribute({_quote(key)}, {value})"))
        else:
            lines.append((0, f"{span}.set_attribute({_quote(key)}, {value})"))
        statements += 1

    # a parameter that an attribute also records (under a semantic-convention key) is recorded once, by the attribute
    keyed = {a.expression.strip() for a in capture.attributes if _KEY.match(a.key) and a.expression.strip() in params}
    for name in capture.parameters:
        if name in seen or name == receiver or name in keyed:
            continue
        if name not in params:
            notes.append(f"{name!r} is not a parameter of the function: not recorded")
            continue
        seen.add(name)
        arg, default = params[name]
        variadic = arg is node.args.vararg or arg is node.args.kwarg
        record(name, name, arg.annotation, default, variadic)
    for attribute in capture.attributes:
        if attribute.key in seen:
            continue
        if not _KEY.match(attribute.key):
            notes.append(f"attribute key {attribute.key!r} is not a valid attribute name: not recorded")
            continue
        expression = attribute.expression.strip()
        try:
            checked = check_capture_expression(expression)
        except CaptureExpressionError as error:
            notes.append(f"expression {attribute.expression!r} for {attribute.key!r} refused ({error}): not recorded")
            continue
        parsed = checked.node
        readable = set(params) | ({receiver} if receiver else set())
        unknown = sorted(checked.names - readable - local - declared)
        if unknown:
            notes.append(
                f"expression {expression!r} for {attribute.key!r} reads {', '.join(unknown)}, not a parameter of the"
                " function: not recorded"
            )
            continue
        shadowed = sorted(checked.calls & (set(params) | local | declared))
        if shadowed:
            notes.append(f"expression for {attribute.key!r} calls {', '.join(shadowed)}, which the function rebinds")
            continue
        if isinstance(parsed, ast.Name) and parsed.id == receiver:
            notes.append(f"expression {expression!r} for {attribute.key!r} is the object itself: not recorded")
            continue
        clash = sorted({n.id for n in ast.walk(parsed) if isinstance(n, ast.Name)} & declared)
        if clash:
            notes.append(f"expression for {attribute.key!r} uses {', '.join(clash)}, declared global/nonlocal later")
            continue
        unbound = sorted({n.id for n in ast.walk(parsed) if isinstance(n, ast.Name)} & local)
        if unbound:
            notes.append(
                f"expression {expression!r} for {attribute.key!r} uses {', '.join(unbound)}, assigned later in the"
                " function: not recorded (set it on the span where the value is known)"
            )
            continue
        seen.add(attribute.key)
        if isinstance(parsed, ast.Name) and parsed.id in params and parsed.id != receiver:
            arg, default = params[parsed.id]
            variadic = arg is node.args.vararg or arg is node.args.kwarg
            record(attribute.key, parsed.id, arg.annotation, default, variadic)
        else:
            lines.append((0, f"{span}.set_attribute({_quote(attribute.key)}, {expression})"))
            statements += 1
    if capture.return_value:
        notes.append("the return value is not recorded automatically: set it on the span where the function returns")
    return AttributeCode(tuple(lines), statements, tuple(notes))
