"""Best-effort static naming of expressions: import aliases, constructor types and the dotted target of a call."""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping

from trace_advisor.detect.catalog import DBAPI_MODULES, RETURNS

# Lower-case factories in client libraries that build values without touching the network.
_NOT_IO_SUFFIXES = frozenset(
    {
        "select",
        "text",
        "insert",
        "update",
        "delete",
        "and_",
        "or_",
        "not_",
        "join",
        "sessionmaker",
        "create_engine",
        "from_url",
        "client",
        "resource",
        "ssl_channel_credentials",
        "urlencode",
        "quote",
        "unquote",
        "urlparse",
        "urljoin",
        "parse_qs",
        "session",
        "register_adapter",
        "register_converter",
    }
)
# Path segments that never lead to I/O (exceptions, constants, column expressions)...
_NEVER_IO_PARTS = frozenset(
    {
        "exceptions",
        "exc",
        "errors",
        "status",
        "codes",
        "Row",
        "PIPE",
        "STDOUT",
        "DEVNULL",
        "Mapped",
        "Column",
        "InstrumentedAttribute",
        "ColumnElement",
    }
)
# ...and module namespaces of query builders and helpers, when the call is a module-level function.
_BUILDER_PARTS = frozenset({"func", "sql", "schema", "types", "orm", "parse", "expression"})


_LOOPS = (ast.For, ast.AsyncFor, ast.While, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


def walk_body(node: ast.AST) -> Iterator[ast.AST]:
    """Every node under ``node`` except the bodies of nested functions, lambdas and classes (their own scope)."""
    for child, _ in walk_body_depth(node):
        yield child


def walk_body_depth(node: ast.AST) -> Iterator[tuple[ast.AST, int]]:
    """Like :func:`walk_body`, in source order (pre-order), with the number of enclosing loops of each node."""
    stack: list[tuple[ast.AST, int]] = []
    _push_children(stack, node, 0)
    while stack:
        child, depth = stack.pop()
        yield child, depth
        if isinstance(child, _SCOPES):
            # decorators are evaluated here; bodies are not
            if not isinstance(child, ast.Lambda):
                stack.extend((d, depth) for d in reversed(child.decorator_list))
            continue
        _push_children(stack, child, depth + 1 if isinstance(child, _LOOPS) else depth)


def _push_children(stack: list[tuple[ast.AST, int]], node: ast.AST, depth: int) -> None:
    """Push ``node``'s children so that they pop in source order (``ast.iter_child_nodes`` without a generator)."""
    children: list[tuple[ast.AST, int]] = []
    for name in node._fields:
        value = getattr(node, name, None)
        if isinstance(value, ast.AST):
            children.append((value, depth))
        elif isinstance(value, list):
            children.extend((item, depth) for item in value if isinstance(item, ast.AST))
    children.reverse()
    stack.extend(children)


def statements(body: list[ast.stmt]) -> Iterator[ast.AST]:
    """Every statement, nested blocks and function bodies included (imports are statements: no expression walk)."""
    stack: list[ast.AST] = list(reversed(body))
    while stack:
        stmt = stack.pop()
        yield stmt
        for field in ("body", "orelse", "finalbody", "handlers", "cases"):
            inner = getattr(stmt, field, None)
            if isinstance(inner, list):
                blocks = (ast.stmt, ast.ExceptHandler, ast.match_case)
                stack.extend(reversed([s for s in inner if isinstance(s, blocks)]))


def import_map(tree: ast.Module, module: str, is_package: bool) -> dict[str, str]:
    """Local name -> dotted import path for every import in the module (at any depth: late imports count too)."""
    names: dict[str, str] = {}
    package_parts = module.split(".") if is_package else module.split(".")[:-1]
    for node in statements(tree.body):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    names[alias.asname] = alias.name
                else:
                    root = alias.name.split(".")[0]
                    names[root] = root
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package_parts[: len(package_parts) - (node.level - 1)] if node.level > 1 else package_parts
                base = ".".join([*parts, base] if base else parts)
            for alias in node.names:
                if alias.name != "*":
                    names[alias.asname or alias.name] = f"{base}.{alias.name}" if base else alias.name
    return names


class TypeScope:
    """Resolves expressions to dotted names (``requests.Session.get``) from imports and simple assignments."""

    def __init__(
        self,
        imports: Mapping[str, str],
        module_types: Mapping[str, str],
        self_types: Mapping[str, str] | None = None,
        local_types: Mapping[str, str] | None = None,
    ) -> None:
        self.imports = imports
        self.module_types = module_types
        self.self_types = self_types or {}
        self.local_types: dict[str, str] = dict(local_types or {})

    def name_of(self, expr: ast.expr) -> str | None:
        """The dotted name an expression stands for, or None when nothing is known about its root."""
        if isinstance(expr, ast.Name):
            if expr.id in self.local_types:
                return self.local_types[expr.id]
            if expr.id in self.module_types:
                return self.module_types[expr.id]
            if expr.id in self.imports:
                return self.imports[expr.id]
            if expr.id in {"open", "print", "input"}:
                return f"builtins.{expr.id}"
            return None
        if isinstance(expr, ast.Attribute):
            if isinstance(expr.value, ast.Name) and expr.value.id in {"self", "cls"}:
                return self.self_types.get(expr.attr)
            base = self.name_of(expr.value)
            if base == "pathlib.Path" and expr.attr in {"parent", "stem", "name", "suffix"}:
                return "pathlib.Path" if expr.attr == "parent" else None
            return f"{base}.{expr.attr}" if base else None
        if isinstance(expr, ast.Call):
            return self.returns_of(expr)
        if isinstance(expr, ast.Await):
            return self.name_of(expr.value)
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Div):
            left = self.name_of(expr.left)
            return left if left == "pathlib.Path" else None
        return None

    def returns_of(self, call: ast.Call) -> str | None:
        """The type a call evaluates to, when it is a known constructor or factory."""
        target = self.name_of(call.func)
        if target is None:
            return None
        first = call.args[0] if call.args else None
        literal = first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None
        for key in ("service_name",):
            for kw in call.keywords:
                if kw.arg == key and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
                    literal = kw.value.value
        last = target.rsplit(".", 1)[-1]
        if target.startswith(("boto3.", "aioboto3.", "botocore.")) and last in {"client", "resource", "create_client"}:
            return f"boto3.{literal}" if literal else "boto3.unknown"
        if target in RETURNS:
            return RETURNS[target]
        for mod in DBAPI_MODULES:
            if target == f"{mod}.connect" or target == f"{mod}.create_pool":
                return f"{mod}.Connection"
            if target == f"{mod}.Connection.cursor":
                return f"{mod}.Cursor"
        if target.endswith("Stub"):
            return f"grpc.Stub.{last}"
        if last[:1].isupper():
            return target  # a class: the instance has the class's name
        return None

    def target_of(self, call: ast.Call) -> str | None:
        """The dotted name of what a call invokes (``sqlite3.Cursor.execute``), or None."""
        return self.name_of(call.func)

    def bind(self, target: ast.expr, value: ast.expr) -> None:
        """Record ``name = value`` when the value's type is known."""
        if isinstance(target, ast.Name):
            known = self.name_of(value)
            if known:
                self.local_types[target.id] = known


def is_io_name(target: str) -> bool:
    """False for constructors, exceptions and query builders that live in client packages but do no I/O."""
    parts = target.split(".")
    if parts[-1][:1].isupper() or any(p in _NEVER_IO_PARTS for p in parts[1:]):
        return False  # a class (constructing a client is not I/O), an exception or a column expression
    if any(p[:1].isupper() for p in parts[1:-1]):
        return True  # a method on a client instance (``redis.Redis.delete``)
    return parts[-1] not in _NOT_IO_SUFFIXES and not any(p in _BUILDER_PARTS for p in parts[1:])


def annotation_name(node: ast.expr | None, scope: TypeScope) -> str | None:
    """The dotted type of an annotation (``Optional[X]``/``X | None`` unwrap to X); strings are parsed."""
    if node is None:
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            node = ast.parse(node.value, mode="eval").body
        except SyntaxError:
            return None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        left = annotation_name(node.left, scope)
        return left or annotation_name(node.right, scope)
    if isinstance(node, ast.Subscript):
        outer = scope.name_of(node.value) or ""
        if outer.endswith("Optional"):
            return annotation_name(node.slice, scope)
        return None
    return scope.name_of(node) if isinstance(node, ast.Name | ast.Attribute) else None


def expr_text(node: ast.AST, limit: int = 80) -> str:
    """Short source-like text of an expression for messages."""
    parts: list[str] = []
    probe = node
    while isinstance(probe, ast.Attribute):  # fast path for dotted names, the common case
        parts.append(probe.attr)
        probe = probe.value
    if isinstance(probe, ast.Name):
        parts.append(probe.id)
        text = ".".join(reversed(parts))
        return text if len(text) <= limit else text[: limit - 1] + "…"
    try:
        text = ast.unparse(node)
    except (ValueError, TypeError, RecursionError):  # pragma: no cover - unparse copes with all valid trees
        return "<expr>"
    return text if len(text) <= limit else text[: limit - 1] + "…"
