"""Turn a recommendation's ``Capture`` into ``span.set_attribute`` statements that are safe by construction.

OpenTelemetry attribute values must be ``str``, ``bool``, ``int``, ``float`` or a homogeneous sequence of them. A
value is recorded only when both hold:

- its static type is one of those: a parameter annotated so (``Optional`` ones only when not ``None``), an
  unannotated parameter whose default is such a literal (recorded under an ``isinstance`` check, since callers may
  pass anything), a literal, a module-level constant, or a comparison or conditional built from those;
- no name in it is sensitive or payload (:mod:`trace_advisor.attribute_safety`), and neither is the key.

Nothing is ever converted with ``str()``: a mapping, an object, a request, a header set, a cookie jar, a body, a
template or a message never reaches an attribute. Everything left out gets a note saying why. The span first gets the
``code.function.name``, ``code.file.path`` and ``code.line.number`` attributes (OpenTelemetry semantic conventions).
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass

from trace_advisor.attribute_safety import AttributePolicy, ScalarKind, parameter_kind, parameters
from trace_advisor.capture_expressions import CaptureExpressionError, check_capture_expression
from trace_advisor.datatypes import Capture
from trace_advisor.edits.existing import own_scope
from trace_advisor.edits.layout import Statement
from trace_advisor.edits.locate import FunctionNode

_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")
_LITERAL_TYPES = (bool, int, float, str)
_NOT_A_SCALAR = "its type is not known to be str, int, float or bool (annotate it to record it)"


@dataclass(frozen=True, slots=True)
class AttributeCode:
    """Lines of code (relative indent depth, text) that set attributes, plus notes about what was left out."""

    lines: tuple[tuple[int, Statement], ...]
    statements: int  # top-level statements among ``lines`` (for verification)
    notes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CodeLocation:
    """Where the function is, for the ``code.*`` attributes."""

    function: str  # fully qualified: ``shop.orders.OrderService.place``
    line: int  # the ``def`` line in the edited text
    path: str | None = None  # workspace-relative, ``/``-separated


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


class _Recorder:
    """Collects the attribute statements of one function and the notes about what was left out."""

    def __init__(
        self,
        node: FunctionNode,
        span: str,
        policy: AttributePolicy,
        receiver: str | None,
        context: str,
        checks: int | None = None,
    ) -> None:
        self.checks = checks  # how many ``if`` checks the function can still take (None: no limit)
        self.params = parameters(node.args)
        self.context = context
        self.node = node
        self.span = span
        self.policy = policy
        self.receiver = receiver
        self.lines: list[tuple[int, Statement]] = []
        self.notes: list[str] = []
        self.statements = 0
        self.keys: set[str] = set()

    def set(self, key: str, value: str, guard: str | None = None) -> None:
        statement = Statement(f"{self.span}.set_attribute", (_quote(key), value))
        if guard is None:
            self.lines.append((0, statement))
        else:
            self.lines.append((0, Statement(f"if {guard}:")))
            self.lines.append((1, statement))
        self.statements += 1
        self.keys.add(key)

    def key_refusal(self, key: str) -> str | None:
        if not _KEY.match(key):
            return "not a valid attribute name"
        found = self.policy.sensitive(key)
        return f"sensitive name ({found})" if found else None

    def parameter(self, key: str, name: str) -> None:
        """Record parameter ``name`` under ``key`` when its name and static type allow it."""
        arg, default = self.params[name]
        refused = self.key_refusal(key) or self.policy.refusal(name, self.context)
        variadic = arg is self.node.args.vararg or arg is self.node.args.kwarg
        kind = None if variadic or refused else parameter_kind(arg.annotation, default)
        if refused or kind is None:
            self.notes.append(f"{name!r} is not recorded: {refused or _NOT_A_SCALAR}")
            return
        guard = _guard(name, kind)
        if guard is not None and self.checks is not None:
            if self.checks <= 0:
                self.notes.append(f"{name!r} is not recorded: its type check would exceed the project's max-complexity")
                return
            self.checks -= 1
        self.set(key, name, guard)


def _guard(name: str, kind: ScalarKind) -> str | None:
    if kind.check is not None:
        return f"isinstance({name}, {kind.check})"
    return f"{name} is not None" if kind.optional else None


def _scalar_expression(expr: ast.expr, policy: AttributePolicy, context: str) -> str | None:
    """None when ``expr`` (an allowed capture expression that is not a bare parameter: capture_expressions.py) has a
    scalar static type built only from safe names, else why not. The size of a payload (``len(items)``) is a bounded
    number, not the payload: inside ``len()`` only sensitive names are refused."""
    counted = {id(n) for call in ast.walk(expr) if _is_len(call) for n in ast.walk(call)}
    for sub in ast.walk(expr):
        name = sub.id if isinstance(sub, ast.Name) else sub.attr if isinstance(sub, ast.Attribute) else None
        if name is None:
            continue
        sensitive = policy.sensitive(name)
        refused = f"sensitive name ({sensitive})" if sensitive and id(sub) in counted else None
        if id(sub) not in counted:
            refused = policy.refusal(name, context)
        if refused:
            return f"uses {name!r}: {refused}"
    return None if _is_scalar(expr) else "its value is not known to be a str, int, float or bool"


def _is_len(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "len"


def _is_scalar(expr: ast.expr) -> bool:
    """A literal, a negated number or ``len(...)``: the capture expressions whose type is known without types (an
    attribute chain's is not)."""
    if isinstance(expr, ast.Constant):
        return type(expr.value) in _LITERAL_TYPES
    if isinstance(expr, ast.UnaryOp):
        return _is_scalar(expr.operand)
    return _is_len(expr)


def attribute_code(
    node: FunctionNode,
    capture: Capture,
    span: str,
    *,
    is_method: bool,
    policy: AttributePolicy,
    location: CodeLocation | None = None,
    checks: int | None = None,
) -> AttributeCode:
    """Statements recording the ``code.*`` attributes, ``capture.attributes`` and ``capture.parameters`` on ``span``;
    at most ``checks`` of them behind an ``if`` (a type check), when the project limits functions' complexity."""
    positional = [*node.args.posonlyargs, *node.args.args]
    receiver = positional[0].arg if is_method and positional else None
    recorder = _Recorder(node, span, policy, receiver, location.function if location else node.name, checks)
    params = recorder.params
    # names the body declares global/nonlocal cannot be read before that declaration (a compile-time error)
    declared = {name for n in own_scope(node) if isinstance(n, ast.Global | ast.Nonlocal) for name in n.names}
    local = _local_names(node) - declared - set(params)
    if location is not None:
        recorder.set("code.function.name", _quote(location.function))
        if location.path is not None:
            recorder.set("code.file.path", _quote(location.path))
        recorder.set("code.line.number", str(location.line))
    # semantic-convention keys first: a parameter an attribute records is recorded once, by the attribute
    keyed = {a.expression.strip() for a in capture.attributes if _KEY.match(a.key) and a.expression.strip() in params}
    for attribute in capture.attributes:
        if attribute.key in recorder.keys:
            continue
        refused = recorder.key_refusal(attribute.key)
        if refused:
            recorder.notes.append(f"attribute key {attribute.key!r} is not recorded: {refused}")
            continue
        expression = attribute.expression.strip()
        try:
            checked = check_capture_expression(expression)
        except CaptureExpressionError as error:
            recorder.notes.append(
                f"expression {attribute.expression!r} for {attribute.key!r} refused ({error}): not recorded"
            )
            continue
        parsed = checked.node
        readable = set(params) | ({receiver} if receiver else set())
        unknown = sorted(checked.names - readable - local - declared)
        if unknown:
            recorder.notes.append(
                f"expression {expression!r} for {attribute.key!r} reads {', '.join(unknown)}, not a parameter of the"
                " function: not recorded"
            )
            continue
        shadowed = sorted(checked.calls & (set(params) | local | declared))
        if shadowed:
            recorder.notes.append(
                f"expression for {attribute.key!r} calls {', '.join(shadowed)}, which the function rebinds"
            )
            continue
        if isinstance(parsed, ast.Name) and parsed.id == receiver:
            recorder.notes.append(f"expression {expression!r} for {attribute.key!r} is the object itself: not recorded")
            continue
        names = {n.id for n in ast.walk(parsed) if isinstance(n, ast.Name)}
        clash = sorted(names & declared)
        if clash:
            recorder.notes.append(
                f"expression for {attribute.key!r} uses {', '.join(clash)}, declared global/nonlocal later"
            )
            continue
        unbound = sorted(names & local)
        if unbound:
            recorder.notes.append(
                f"expression {expression!r} for {attribute.key!r} uses {', '.join(unbound)}, assigned later in the"
                " function: not recorded (set it on the span where the value is known)"
            )
            continue
        if isinstance(parsed, ast.Name) and parsed.id in params and parsed.id != receiver:
            recorder.parameter(attribute.key, parsed.id)
            continue
        problem = _scalar_expression(parsed, policy, recorder.context)
        if problem:
            recorder.notes.append(f"expression {expression!r} for {attribute.key!r} is not recorded: {problem}")
            continue
        recorder.set(attribute.key, expression)
    seen: set[str] = set()
    for name in capture.parameters:
        if name in seen or name == receiver or name in keyed or name in recorder.keys:
            continue
        seen.add(name)
        if name not in params:
            recorder.notes.append(f"{name!r} is not a parameter of the function: not recorded")
            continue
        recorder.parameter(name, name)
    if capture.return_value:
        recorder.notes.append(
            "the return value is not recorded automatically: set it on the span where the function returns"
        )
    return AttributeCode(tuple(recorder.lines), recorder.statements, tuple(recorder.notes))
