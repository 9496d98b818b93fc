"""Rules about what spans carry: ``unbounded-span-name`` (a name built from runtime values), ``unsupported-attribute-
type`` (a value OpenTelemetry drops), ``sensitive-attribute`` (a secret, personal data or a payload),
``deprecated-attribute`` (a semantic-convention key under a name the conventions replaced) and ``stale-line-number``
(a ``code.line.number`` the code moved away from)."""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator

from trace_advisor.attribute_safety import (
    ABOUT_WORDS,
    SCALAR_TYPES,
    attribute_key,
    name_words,
    parameter_kind,
    parameters,
)
from trace_advisor.datatypes import Range, TextEdit
from trace_advisor.edits.existing import dotted_name
from trace_advisor.edits.layout import requote
from trace_advisor.edits.locate import FunctionNode
from trace_advisor.lint.findings import Fix, LintContext, LintFinding
from trace_advisor.lint.fixes import remove_statement
from trace_advisor.lint.scopes import STARTERS, enclosing_function, functions, own_nodes, span_receivers, span_scopes

_NOT_SCALAR = {
    ast.Dict: "a dict",
    ast.DictComp: "a dict",
    ast.Set: "a set",
    ast.SetComp: "a set",
    ast.GeneratorExp: "a generator",
    ast.Lambda: "a function",
}
_CONSTRUCTORS = {"dict": "a dict", "set": "a set", "frozenset": "a set", "bytes": "bytes", "bytearray": "bytes"}
_STRINGIFY = frozenset({"str", "repr", "format", "dumps", "vars"})


def unbounded_span_name(ctx: LintContext) -> Iterator[LintFinding]:
    """A span name made from runtime values (``f"GET /users/{user_id}"``, ``"job " + job_id``, ``.format``): every
    value is a new span name, which backends cannot group; the fix names it by its template."""
    for node in ctx.nodes:
        if not isinstance(node, ast.Call) or dotted_name(node).rpartition(".")[2] not in STARTERS - {"use_span"}:
            continue
        name = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "name"), None)
        if name is None or not _built(name, _owner(ctx, node)):
            continue
        fix = _name_fix(ctx, node, name)
        message = (
            "span name built from runtime values: each value makes a new span name (unbounded cardinality); use a"
            " fixed name (the operation or its route template) and record the value as an attribute"
        )
        yield LintFinding("unbounded-span-name", message, ctx.range_of(name), fix)


def _owner(ctx: LintContext, node: ast.AST) -> str:
    """The name of the class whose method holds ``node`` ("" outside any)."""
    current = ctx.parents.get(id(node))
    while current is not None and not isinstance(current, ast.ClassDef):
        current = ctx.parents.get(id(current))
    return current.name if current is not None else ""


def _name_fix(ctx: LintContext, call: ast.Call, name: ast.expr) -> Fix | None:
    """Name the span by its template (``f"GET /users/{user.id}"`` -> ``"GET /users/{id}"``) and keep each value as
    an attribute of the span (``attributes={"app.id": user.id}``), so the fix loses nothing a trace showed; a value
    the attribute policy refuses (a secret, personal data, a payload) leaves the name and is not recorded. None when
    a value is not a plain name or attribute, or the call's ``attributes`` are not a dict written out."""
    if not isinstance(name, ast.JoinedStr):
        return None
    function = enclosing_function(ctx, call)
    context = getattr(function, "name", "")
    scalars = _scalar_parameters(function)
    parts: list[str] = []
    values: dict[str, str] = {}
    dropped: list[str] = []
    for value in name.values:
        if isinstance(value, ast.Constant):
            parts.append(str(value.value))
            continue
        dotted = dotted_name(value.value) if isinstance(value, ast.FormattedValue) else ""
        if not dotted or not isinstance(value, ast.FormattedValue) or value.format_spec is not None:
            return None
        placeholder = dotted.rpartition(".")[2].lstrip("_") or "value"
        parts.append("{" + placeholder + "}")
        if ctx.policy.refusal(placeholder, context) is None and ctx.policy.refusal(dotted, context) is None:
            text = ast.get_source_segment(ctx.source.text, value.value) or dotted
            as_is = value.conversion == -1 and dotted in scalars
            values.setdefault(attribute_key(placeholder), text if as_is else f"str({text})")
        else:
            dropped.append(placeholder)
    template = "".join(parts)
    added = _attributes_edits(ctx, call, values)
    if added is None:
        return None
    recorded = f", recording {', '.join(values)}" if values else ""
    if dropped:
        recorded += f"; {', '.join(dropped)} not recorded (a secret, personal data or a payload)"
    return Fix(f"Name the span {template!r}{recorded}", (TextEdit(ctx.range_of(name), json.dumps(template)), *added))


def _scalar_parameters(function: FunctionNode | None) -> set[str]:
    """The parameters of ``function`` whose static type is one scalar (recorded as they are, not through ``str``)."""
    if function is None:
        return set()
    found = set()
    for arg, (node, default) in parameters(function.args).items():
        kind = parameter_kind(node.annotation, default)
        if kind is not None and not kind.sequence:
            found.add(arg)
    return found


def _attributes_edits(ctx: LintContext, call: ast.Call, values: dict[str, str]) -> tuple[TextEdit, ...] | None:
    """Adds ``values`` (key -> expression) to the span's attributes: after the last entry of an ``attributes={...}``
    written out (keys it has already are left), or as a new ``attributes=`` keyword after the call's last argument.
    None when the attributes cannot be added to: an expression, or ``**options`` that may hold them."""
    keyword = next((k for k in call.keywords if k.arg == "attributes"), None)
    if keyword is None:
        if any(k.arg is None for k in call.keywords) or any(isinstance(a, ast.Starred) for a in call.args):
            return None
        if not values:
            return ()
        last = max((*call.args, *(k.value for k in call.keywords)), key=lambda n: (n.end_lineno, n.end_col_offset))
        end = ctx.range_of(last).end
        return (TextEdit(Range(end, end), _after(ctx, call, last, [f"attributes={{{', '.join(_entries(values))}}}"])),)
    given = keyword.value
    if not isinstance(given, ast.Dict):
        return None
    taken = {k.value for k in given.keys if isinstance(k, ast.Constant)}
    fresh = {k: v for k, v in values.items() if k not in taken}
    if not fresh:
        return ()
    if not given.values:
        return (TextEdit(ctx.range_of(given), f"{{{', '.join(_entries(fresh))}}}"),)
    end = ctx.range_of(given.values[-1]).end
    return (TextEdit(Range(end, end), _after(ctx, given, given.values[-1], _entries(fresh))),)


def _entries(values: dict[str, str]) -> list[str]:
    """The dict entries ``"key": expression`` that record ``values``."""
    return [f"{json.dumps(key)}: {value}" for key, value in values.items()]


def _after(ctx: LintContext, outer: ast.expr, last: ast.expr, items: list[str]) -> str:
    """``items`` written after ``last``, the last element of ``outer`` (a call or a dict): on the same line when
    ``outer`` is written on one, else one per line at ``last``'s indentation, as a formatter lays them out."""
    if outer.lineno == last.lineno:
        return "".join(f", {item}" for item in items)
    line = ctx.source.line(last.lineno)
    indent = line[: len(line) - len(line.lstrip())]
    return "".join(f",{ctx.source.eol}{indent}{item}" for item in items)


# names the code itself gives (a class's or function's ``__name__``, a module's ``__name__``): one per definition, so
# ``f"{self.__class__.__name__}.embed"`` is a bounded set of names
_CODE_NAMES = frozenset({"__name__", "__qualname__", "__module__"})


def _built(expr: ast.expr, owner: str = "") -> bool:
    """Whether a span name is made from runtime values; ``owner``: the class whose method makes it."""
    if isinstance(expr, ast.JoinedStr):
        return any(
            isinstance(v, ast.FormattedValue) and not _code_name(v.value) and not _configured_name(v.value, owner)
            for v in expr.values
        )
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add | ast.Mod):
        return not (isinstance(expr.left, ast.Constant) and isinstance(expr.right, ast.Constant))
    return isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "format"


def _code_name(expr: ast.expr) -> bool:
    """``__name__``, ``cls.__name__``, ``self.__class__.__name__``, ``type(self).__qualname__``: a definition's name."""
    return (isinstance(expr, ast.Name) and expr.id in _CODE_NAMES) or (
        isinstance(expr, ast.Attribute) and expr.attr in _CODE_NAMES
    )


# What the semantic conventions name spans by beside the operation: the entity it runs, one of a few configured in
# code (GenAI's ``invoke_agent {gen_ai.agent.name}``, ``execute_tool {gen_ai.tool.name}``, ``chat
# {gen_ai.request.model}``; messaging's destination): bounded, unlike an id, a path or what a user sent.
_ENTITIES = (
    "agent", "tool", "model", "llm", "server", "workflow", "orchestrator", "component", "pipeline", "step", "stage",
    "plugin", "provider", "queue", "topic", "task",
)  # fmt: skip
_MODEL_FIELDS = frozenset({"model", "model_id", "model_name"})


def _configured_name(expr: ast.expr, owner: str) -> bool:
    """The name of a configured entity: ``agent.name``, ``self.tool.name``, ``self.model``, ``server_name``, or
    ``self.name`` in a method of a class named for one (mcp-agent's ``Agent``, ``AugmentedLLM``, ``Orchestrator``).
    ``user.name`` or a bare ``name`` are not."""
    if isinstance(expr, ast.Name):
        return _names_entity_field(expr.id)
    if not isinstance(expr, ast.Attribute):
        return False
    if _names_entity_field(expr.attr):
        return True
    if expr.attr.lstrip("_") != "name":
        return False
    receiver = expr.value
    if isinstance(receiver, ast.Name) and receiver.id == "self":
        return _names_entity(owner)
    last = (
        receiver.attr if isinstance(receiver, ast.Attribute) else receiver.id if isinstance(receiver, ast.Name) else ""
    )
    return _names_entity(last)


def _names_entity_field(name: str) -> bool:
    """``model``, ``model_id``, ``agent_name``, ``_server_name``: a field naming a configured entity."""
    name = name.lstrip("_").lower()
    return name in _MODEL_FIELDS or (name.endswith("_name") and _names_entity(name.removesuffix("_name")))


def _names_entity(name: str) -> bool:
    """``agent``, ``tool``, ``AugmentedLLM``, ``ParallelLLM``, ``_server``: names one of ``_ENTITIES``."""
    name = name.lstrip("_").lower()
    return bool(name) and name.endswith(_ENTITIES)


def _attribute_calls(ctx: LintContext) -> Iterator[tuple[ast.Call, str, ast.expr, FunctionNode | None]]:
    """(call, key, value expression, function) for ``span.set_attribute(key, value)`` and each entry of
    ``span.set_attributes({...})`` on a span receiver, in span scopes and functions."""
    seen: set[int] = set()
    owners: list[tuple[list[ast.AST], set[str], FunctionNode | None]] = []
    for scope in span_scopes(ctx):
        nodes = list(scope.body())
        owners.append((nodes, span_receivers(nodes, scope.variable), enclosing_function(ctx, scope.node)))
    for defined in functions(ctx):
        nodes = list(own_nodes(defined))
        owners.append((nodes, span_receivers(nodes, None), defined))
    for nodes, receivers, function in owners:
        for node in nodes:
            if id(node) in seen or not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            receiver = node.func.value
            is_span = (isinstance(receiver, ast.Name) and receiver.id in receivers) or (
                isinstance(receiver, ast.Call) and dotted_name(receiver).endswith("get_current_span")
            )
            if not is_span:
                continue
            seen.add(id(node))
            if node.func.attr == "set_attribute" and len(node.args) == 2:
                key = node.args[0]
                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                    yield node, key.value, node.args[1], function
            elif node.func.attr == "set_attributes" and len(node.args) == 1 and isinstance(node.args[0], ast.Dict):
                for entry, value in zip(node.args[0].keys, node.args[0].values, strict=True):
                    if isinstance(entry, ast.Constant) and isinstance(entry.value, str):
                        yield node, entry.value, value, function


def unsupported_attribute_type(ctx: LintContext) -> Iterator[LintFinding]:
    """An attribute value whose static type OpenTelemetry does not accept (not str/bool/int/float or a homogeneous
    sequence of them): the SDK drops it with a warning, so it never reaches the backend."""
    for _call, key, value, function in _attribute_calls(ctx):
        kind = _value_kind(value, function)
        if kind is None:
            continue
        message = (
            f"attribute {key!r} is {kind}: OpenTelemetry accepts only str, bool, int, float and sequences of one of"
            " them, and drops anything else; record a scalar that describes it (a count, an id, a kind)"
        )
        yield LintFinding("unsupported-attribute-type", message, ctx.range_of(value))


def _value_kind(value: ast.expr, function: FunctionNode | None) -> str | None:
    """What unsupported kind of value ``value`` statically is, or None when it may be fine."""
    for node_type, kind in _NOT_SCALAR.items():
        if isinstance(value, node_type):
            return kind
    if isinstance(value, ast.Constant):
        if value.value is None:
            return "None"
        return "bytes" if isinstance(value.value, bytes) else None
    if isinstance(value, ast.List | ast.Tuple):
        kinds = {_literal_type(e) for e in value.elts}
        if None in kinds:
            return "a sequence of values that are not all str, bool, int or float"
        return "a sequence of mixed types" if len(kinds) > 1 else None
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id in _CONSTRUCTORS:
        return _CONSTRUCTORS[value.func.id]
    if isinstance(value, ast.Name) and function is not None:
        params = parameters(function.args)
        if value.id in params:
            arg, default = params[value.id]
            if arg.annotation is not None and parameter_kind(arg.annotation, default) is None:
                return f"a {ast.unparse(arg.annotation)}"
    return None


def _literal_type(expr: ast.expr) -> str | None:
    if isinstance(expr, ast.Constant) and type(expr.value).__name__ in SCALAR_TYPES:
        return type(expr.value).__name__
    return None


def sensitive_attribute(ctx: LintContext) -> Iterator[LintFinding]:
    """An attribute whose key or value names a secret, personal data or a payload (``authorization``,
    ``str(headers)``, ``user.email``, ``template``): traces are stored and shared widely; the fix removes it."""
    for call, key, value, function in _attribute_calls(ctx):
        context = getattr(function, "name", "")
        reason = ctx.policy.sensitive(key)
        what = f"its key names {reason!r}" if reason else None
        if what is None:
            for node, receiver in _revealed(value):
                name = _last_name(node)
                if not name:
                    continue
                # what an attribute is read from says whose it is (``session.id``), not that it is a payload:
                # ``response.usage.total_tokens`` and ``request.method`` record a count and a verb
                refused = ctx.policy.refusal(name, "" if receiver else context, payloads=not receiver)
                if refused:
                    what = f"its value reads {name!r} ({refused})"
                    break
        if what is None and _serializes(value):
            what = "its value serializes an object, which may hold anything"
        if what is None:
            continue
        message = f"attribute {key!r} may carry a secret, personal data or a payload: {what}"
        fix = None
        statement = ctx.parents.get(id(call))
        if isinstance(statement, ast.Expr) and dotted_name(call).endswith(".set_attribute"):
            siblings = _siblings(ctx, statement)
            edit = remove_statement(ctx, statement, siblings) if siblings else None
            if edit is not None:
                fix = Fix(f"Remove the {key!r} attribute", (edit,))
        yield LintFinding("sensitive-attribute", message, ctx.range_of(call), fix)


_SIZE_OR_TRUTH = frozenset({"len", "bool", "isinstance", "callable", "hasattr"})
_VIEWS = frozenset({"keys", "values", "items"})  # a mapping's views: what they hold is the mapping's
_CONVERSIONS = frozenset({"str", "int", "float", "round", "repr"})


def _serializes(value: ast.expr) -> bool:
    """``str(headers)``, ``repr(user)``, ``json.dumps(payload)``: an object made text; not ``str(workspace.id)``, the
    text of what a name says is an id, a count or a status (OpenTelemetry records a UUID as a string)."""
    if not isinstance(value, ast.Call) or dotted_name(value).rpartition(".")[2] not in _STRINGIFY:
        return False
    if len(value.args) == 1 and not value.keywords and isinstance(value.func, ast.Name) and value.func.id == "str":
        name = _last_name(value.args[0])
        words = name_words(name) if name else ()
        return not (words and words[-1] in ABOUT_WORDS)
    return True


def _last_name(node: ast.AST) -> str | None:
    """``x`` of a name, ``c`` of an attribute ``a.b.c``; None for any other node."""
    return node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else None


def _revealed(value: ast.expr) -> Iterator[tuple[ast.AST, bool]]:
    """The nodes of an attribute's value whose content the attribute may carry, each with whether it is only what an
    attribute is read from (``response`` in ``response.usage.total_tokens``): not inside ``len(text)``,
    ``bool(token)``, ``isinstance(...)`` or a comparison (``password is None``), which record a size or a truth."""
    stack: list[tuple[ast.AST, bool]] = [(value, False)]
    while stack:
        node, receiver = stack.pop()
        if isinstance(node, ast.Compare) or (
            isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _SIZE_OR_TRUTH
        ):
            continue
        yield node, receiver
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _CONVERSIONS:
            # ``str(x)``, ``int(x)``: what is recorded is x's; the conversion's name says nothing of it
            stack.extend((n, receiver) for n in [*node.args, *(k.value for k in node.keywords)])
            continue
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _VIEWS:
            # ``self.intents.keys()`` reveals the intents' keys: the method's name is not what it holds
            stack.extend((n, receiver) for n in [node.func.value, *node.args, *(k.value for k in node.keywords)])
            continue
        if isinstance(node, ast.Attribute):
            stack.append((node.value, True))
            continue
        stack.extend((child, receiver) for child in ast.iter_child_nodes(node))


def _siblings(ctx: LintContext, stmt: ast.stmt) -> list[ast.stmt]:
    parent = ctx.parents.get(id(stmt))
    for name in ("body", "orelse", "finalbody"):
        block = getattr(parent, name, None)
        if isinstance(block, list) and any(s is stmt for s in block):
            return block
    return []


# Semantic-convention keys the conventions renamed -> their current name (a one-to-one rename only: ``http.target``
# split into ``url.path`` and ``url.query``, ``code.namespace`` went into ``code.function.name``, and are left out).
RENAMED_KEYS = {
    "db.system": "db.system.name",
    "db.statement": "db.query.text",
    "db.operation": "db.operation.name",
    "db.name": "db.namespace",
    "db.sql.table": "db.collection.name",
    "db.mongodb.collection": "db.collection.name",
    "db.cassandra.table": "db.collection.name",
    "db.redis.database_index": "db.namespace",
    "rpc.system": "rpc.system.name",
    "gen_ai.system": "gen_ai.provider.name",
    "http.method": "http.request.method",
    "http.status_code": "http.response.status_code",
    "http.url": "url.full",
    "http.scheme": "url.scheme",
    "http.user_agent": "user_agent.original",
    "net.peer.name": "server.address",
    "net.peer.port": "server.port",
    "net.host.name": "server.address",
    "net.host.port": "server.port",
    "messaging.destination": "messaging.destination.name",
    "messaging.operation": "messaging.operation.type",
    "code.function": "code.function.name",
    "code.filepath": "code.file.path",
    "code.lineno": "code.line.number",
}


def deprecated_attribute(ctx: LintContext) -> Iterator[LintFinding]:
    """A key the semantic conventions renamed (``db.system`` is ``db.system.name``, ``http.method``
    ``http.request.method``): backends and dashboards built on the current conventions do not find it; the fix
    renames the key (a written-out string, in a ``set_attribute`` or ``set_attributes`` of a span)."""
    for call, key, _value, _function in _attribute_calls(ctx):
        current = RENAMED_KEYS.get(key)
        if current is None:
            continue
        written = _key_node(call, key)
        message = f"attribute {key!r} is a deprecated semantic-convention name: the conventions call it {current!r}"
        fix = None
        if written is not None:
            edit = TextEdit(ctx.range_of(written), requote(json.dumps(current), _quote(ctx, written)))
            fix = Fix(f"Rename {key!r} to {current!r}", (edit,))
        yield LintFinding("deprecated-attribute", message, ctx.range_of(written or call), fix)


def stale_line_number(ctx: LintContext) -> Iterator[LintFinding]:
    """A ``code.line.number`` written as a number that is no longer its function's line (the ``def``, or its first
    decorator as ``inspect`` counts): code above it moved since, and every span now points a reader to the wrong
    line; the fix writes the ``def``'s line."""
    for _call, key, value, function in _attribute_calls(ctx):
        if key != "code.line.number" or function is None or not isinstance(value, ast.Constant):
            continue
        if type(value.value) is not int:
            continue
        first = min([function.lineno, *(d.lineno for d in function.decorator_list)])
        if value.value in (function.lineno, first):
            continue
        message = (
            f"code.line.number says line {value.value}, but {function.name} is defined on line {function.lineno}: "
            "the code moved since the number was written"
        )
        fix = Fix(f"Write line {function.lineno}", (TextEdit(ctx.range_of(value), str(function.lineno)),))
        yield LintFinding("stale-line-number", message, ctx.range_of(value), fix)


def _key_node(call: ast.Call, key: str) -> ast.Constant | None:
    """The string literal that writes ``key`` in ``call`` (its first argument, or an entry of its dict)."""
    candidates: list[ast.expr | None] = list(call.args[:1])
    if call.args and isinstance(call.args[0], ast.Dict):
        candidates = list(call.args[0].keys)
    for node in candidates:
        if isinstance(node, ast.Constant) and node.value == key:
            return node
    return None


def _quote(ctx: LintContext, node: ast.Constant) -> str:
    """The quote character the literal is written with (the rename keeps the file's style)."""
    text = ast.get_source_segment(ctx.source.text, node) or '"'
    return "'" if text.lstrip("rRbBuU")[:1] == "'" else '"'
