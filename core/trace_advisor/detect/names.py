"""Syntax helpers for detectors: walking a function body in source order with loop depths, expression text, and
which catalog names are operations rather than constructors or builders."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from trace_advisor.detect.catalog import NO_IO_CALLS
from trace_advisor.detect.hints import ORM_QUERYSET_BUILDERS

# Module-level functions of client packages that build values (query expressions, URLs, headers) without touching the
# network; a client's methods of the same names (``redis.Redis.delete``) are operations.
_NOT_IO_SUFFIXES = frozenset(
    {
        "text",
        "insert",
        "update",
        "delete",
        "and_",
        "or_",
        "not_",
        "join",
        "ssl_channel_credentials",
        "urlencode",
        "quote",
        "unquote",
        "urlparse",
        "urljoin",
        "parse_qs",
        "register_adapter",
        "register_converter",
        "parse_url",
        "make_headers",
        "makedsn",  # oracledb's and cx_Oracle's: a connect string built in memory
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
        # an ORM model's own methods (``dict()``, ``_asdict()``, a NamedTuple-like row's): in memory; the session
        # loading or flushing it is the round trip
        "DeclarativeBase",
        "DeclarativeBaseNoMeta",
        "DeclarativeMeta",
        "MappedAsDataclass",
    }
)
# SQLAlchemy statements and the legacy Query build SQL in memory (``select(User).where(...).order_by(...)``,
# ``Table.insert()``, ``query.filter_by(...)``); the packages' functions build, configure or inspect (``case``,
# ``selectinload``, ``inspect``, ``create_engine``): a session or connection running the statement is the round trip.
_SQLALCHEMY_STATEMENTS = frozenset(
    {"Select", "Insert", "Update", "Delete", "Table", "TableClause", "Join", "Subquery", "CTE", "TextClause"}
    | {"CompoundSelect", "Exists", "ScalarSelect", "Values", "Alias", "FromClause"}
    | {"Load"}  # a loader option: ``Load(User).load_only("id")``
)
# ...and its classes whose methods reach the database (a lower-case ``scoped_session`` proxies a ``Session``).
_SQLALCHEMY_IO_CLASSES = frozenset(
    {"Session", "AsyncSession", "scoped_session", "async_scoped_session", "Connection", "AsyncConnection"}
    | {"Engine", "AsyncEngine", "Query", "AppenderQuery", "WriteOnlyCollection", "DynamicAttributeImpl"}
    | {"Result", "CursorResult", "ScalarResult", "MappingResult", "TupleResult", "IteratorResult"}
    | {"ChunkedIteratorResult", "AsyncResult", "AsyncScalarResult", "AsyncMappingResult", "AsyncTupleResult"}
    | {"SessionTransaction", "AsyncSessionTransaction", "Transaction", "RootTransaction", "NestedTransaction"}
    | {"TwoPhaseTransaction", "AsyncTransaction", "MetaData", "Inspector", "Pool", "QueuePool", "NullPool"}
    | {"StaticPool", "SingletonThreadPool", "AsyncAdaptedQueuePool"}
)
_QUERY_BUILDERS = frozenset(
    {"filter", "filter_by", "where", "join", "outerjoin", "order_by", "group_by", "having", "limit", "offset"}
    | {"options", "with_entities", "distinct", "select_from", "add_columns", "correlate", "execution_options"}
    | {"params", "union", "union_all", "subquery", "cte", "label", "as_scalar", "scalar_subquery", "enable_eagerloads"}
    | {"with_session", "with_parent", "with_for_update", "yield_per", "populate_existing", "from_statement"}
    | {"prefix_with", "suffix_with", "with_hint", "load_only", "slice", "add_entity", "intersect", "intersect_all"}
    | {"except_", "except_all", "reset_joinpoint", "autoflush", "only_return_tuples", "enable_assertions"}
    | {"set_label_style", "exists", "statement"}  # ``query.exists()``: an EXISTS construct for another query
)
# Classes of client packages named for what they hold: options, settings and builders of values in memory.
_IN_MEMORY_CLASSES = ("Builder", "Options", "Properties", "Settings", "Config", "Configuration")
# A client's accessor for the client of one of its resources (Azure's ``BlobServiceClient.get_container_client``):
# made in memory, its operations are the requests. A bare ``get_client(id)`` may be an operation (Keycloak's).
_SUB_CLIENT = re.compile(r"get_\w+_client")
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


def is_io_name(target: str) -> bool:
    """False for constructors, exceptions and query builders that live in client packages but do no I/O."""
    parts = target.split(".")
    if parts[-1] in _QUERY_EVALUATION and (
        (parts[:2] == ["django", "db"] and _django_queryset_owner(parts[2:-1]))
        or (parts[0] in ("sqlalchemy", "sqlmodel") and parts[-2] == "Query")
    ):
        return True  # iterating, sizing or testing a Django queryset or a SQLAlchemy Query runs its query
    if parts[-1] == "__call__" and len(parts) > 2 and parts[-2][:1].isupper():
        # calling a client's object is the operation its class makes callable (a redis ``Script`` registered with
        # ``register_script`` runs EVALSHA, a gRPC multi-callable sends its request): read as a method of that class
        parts[-1] = "call"
    if parts[-1][:1].isupper() or parts[-1].startswith("__") or any(p in _NEVER_IO_PARTS for p in parts[1:]):
        return False  # a class or its __init__ (constructing a client is not I/O), an exception, a column expression
    if parts[0] in ("sqlalchemy", "sqlmodel"):
        # only its sessions, connections, engines, results and a few schema objects talk to the database: its
        # functions build (select, case, and_) or inspect (inspect), its other classes are statements, types, mapped
        # classes and URLs built in memory (``URL.create``, ``MutableDict.as_mutable``)
        return (
            any(p in _SQLALCHEMY_IO_CLASSES for p in parts[1:-1])
            and not any(p in _SQLALCHEMY_STATEMENTS for p in parts)
            and not ("Query" in parts and parts[-1] in _QUERY_BUILDERS)
        )
    if parts[:2] == ["django", "db"] and _django_in_process(parts[2:]):
        return False
    owner = next((p for p in parts[1:-1] if p[:1].isupper()), None)
    if owner is not None and owner.endswith(("Error", "Exception")):
        return False  # what an exception carries (``grpc.RpcError.code``, ``APIStatusError.body.get``): received
    if owner is not None and (owner.endswith(_IN_MEMORY_CLASSES) or _SUB_CLIENT.fullmatch(parts[-1])):
        # a value built in memory (``KustoConnectionStringBuilder.with_aad_device_authentication``,
        # ``ClientRequestProperties.set_option``), a client for one resource handed out (``get_blob_client``)
        return False
    if owner is not None:
        return True  # a method on a client instance (``redis.Redis.delete``)
    return parts[-1] not in _NOT_IO_SUFFIXES and not any(p in _BUILDER_PARTS for p in parts[1:])


# Query expressions, aggregates and constraints Django's ORM builds SQL from: values, not queries.
_DJANGO_EXPRESSIONS = frozenset(
    {"Q", "F", "Value", "Func", "Case", "When", "Subquery", "OuterRef", "Exists", "ExpressionWrapper", "Prefetch"}
    | {"Count", "Sum", "Avg", "Max", "Min", "Index", "UniqueConstraint", "CheckConstraint"}
)


_QUERY_EVALUATION = frozenset({"__iter__", "__aiter__", "__len__", "__bool__"})


def _django_in_process(rest: list[str]) -> bool:
    """What runs in the process under ``django.db`` (after those two parts): model signals call their receivers
    (``post_save.send``), fields and choices are declarations (``ManyToManyField.through`` is a model class,
    ``TextChoices.split`` a str method), expressions are values, the router picks an alias, ``connections.all()``
    lists the handlers and a manager's or queryset's builders make a lazy queryset. The evaluation of a queryset,
    models' own methods and transactions reach the database."""
    if rest[:2] == ["models", "signals"] or rest[:1] == ["router"] or rest == ["connections", "all"]:
        return True
    if rest[-1] in ORM_QUERYSET_BUILDERS and _django_queryset_owner(rest[:-1]):
        return True
    cls = next((part for part in rest if part[:1].isupper()), None)
    if cls == "Model" and rest[-2:-1] == [cls]:  # a model's own methods: only these query (``clean`` is a hook)
        return rest[-1] not in _MODEL_QUERIES
    return cls is not None and (cls.endswith(("Field", "Choices", "Rel")) or cls in _DJANGO_EXPRESSIONS)


# what ``django.db.models.Model`` does that reaches the database (``full_clean`` checks uniqueness with a query)
_MODEL_QUERIES = frozenset(
    {
        "save",
        "asave",
        "save_base",
        "delete",
        "adelete",
        "refresh_from_db",
        "arefresh_from_db",
        "full_clean",
        "validate_unique",
        "validate_constraints",
    }
)


def _django_queryset_owner(owner: list[str]) -> bool:
    """Whether a name under ``django.db`` is a manager or a queryset: ``Model.objects``, ``Manager``, ``QuerySet``
    (as Django's modules name them: ``models.query.QuerySet``, a ``BaseManager``, a related manager)."""
    last = owner[-1] if owner else ""
    return last == "objects" or last.endswith(("Manager", "QuerySet"))


# DDL run through a bind: the one part of SQLAlchemy's expression language that reaches the database itself.
_SQL_DDL_METHODS = frozenset({"create_all", "drop_all", "reflect", "create", "drop"})


def builds_sql(dotted: str) -> bool:
    """A method of SQLAlchemy's (or SQLModel's) expression language, named by its full module path:
    ``sqlalchemy.sql.selectable.GenerativeSelect.order_by``, ``sqlalchemy.sql.elements.ColumnOperators.in_``. These
    build statements in memory; only ``MetaData.create_all`` and the like run DDL through the bind they are given."""
    parts = dotted.split(".")
    return parts[0] in ("sqlalchemy", "sqlmodel") and parts[1:2] == ["sql"] and parts[-1] not in _SQL_DDL_METHODS


def does_no_io(dotted: str) -> bool:
    """A call into a client package that does no I/O itself (``catalog.NO_IO_CALLS``): ``redis.Redis.from_url``,
    ``requests.Response.json``, ``sqlalchemy.orm.Session.add``."""
    owners = NO_IO_CALLS.get(dotted.rpartition(".")[2])
    return owners is not None and (not owners or any(dotted.startswith(owner + ".") for owner in owners))


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
