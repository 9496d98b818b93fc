"""State changes: writes to databases, caches, files, remote resources and module-level shared state."""

from __future__ import annotations

import ast
import re

from trace_advisor.datatypes import Evidence
from trace_advisor.detect.context import FunctionContext
from trace_advisor.detect.findings import Finding, Signal, SqlWrite

PRIORITY = "state_changes"
_SQL_WRITE = re.compile(
    r"^\s*(INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO|MERGE\s+INTO|UPSERT|CREATE|DROP|ALTER|"
    r"TRUNCATE)\s+(?:TABLE\s+)?(?:IF\s+(?:NOT\s+)?EXISTS\s+)?[`\"\[]?([\w.]+)?",
    re.IGNORECASE,
)
_ORM_WRITES = frozenset(
    {
        "add",
        "add_all",
        "merge",
        "commit",
        "flush",
        "bulk_save_objects",
        "bulk_insert_mappings",
        "save",
        "bulk_create",
        "bulk_update",
        "update_or_create",
        "get_or_create",
        "insert_one",
        "insert_many",
        "update_one",
        "update_many",
        "delete_one",
        "delete_many",
        "replace_one",
    }
)
_CACHE_WRITES = frozenset(
    {
        "set",
        "setex",
        "mset",
        "hset",
        "hmset",
        "delete",
        "expire",
        "incr",
        "decr",
        "lpush",
        "rpush",
        "sadd",
        "zadd",
        "srem",
        "zrem",
        "hdel",
        "incrby",
    }
)
_HTTP_WRITES = frozenset({"post", "put", "patch", "delete"})


def _sql_literal(call: ast.Call) -> str | None:
    for arg in call.args[:1]:
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            return arg.value
        if isinstance(arg, ast.JoinedStr):
            return "".join(v.value for v in arg.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
    return None


def _writes_mode(node: ast.AST | None) -> bool:
    """A call that opens a file for writing (``open(p, "w")``)."""
    return isinstance(node, ast.Call) and any(m in _file_mode(node) for m in "wax+")


def _file_mode(call: ast.Call) -> str:
    mode = call.args[1] if len(call.args) > 1 else next((k.value for k in call.keywords if k.arg == "mode"), None)
    return mode.value if isinstance(mode, ast.Constant) and isinstance(mode.value, str) else "r"


def detect(ctx: FunctionContext) -> list[Signal]:
    signals: list[Signal] = []
    for call in ctx.calls:
        method = call.text.rsplit(".", 1)[-1]
        api = call.api
        rng = call.range
        node = call.node
        sql = (
            _sql_literal(node)
            if isinstance(node, ast.Call) and method in {"execute", "executemany", "executescript", "text"}
            else None
        )
        match = _SQL_WRITE.match(sql) if sql else None
        if match:
            verb = match.group(1).split()[0].upper()
            table = match.group(2)
            shown = table or "?"
            evidence = Evidence(PRIORITY, f"writes to {shown} ({verb})", rng, f"{verb} {shown}")
            signals.append(Signal(evidence, 0.85, Finding.SQL_WRITE, sql=SqlWrite(verb, table)))
        elif api is not None and api.kind == "db" and method in _ORM_WRITES:
            signals.append(
                Signal(
                    Evidence(PRIORITY, f"writes to the database ({call.text})", rng, call.text), 0.7, Finding.DB_WRITE
                )
            )
        elif api is not None and api.kind == "db" and api.operation == "write":
            signals.append(
                Signal(
                    Evidence(PRIORITY, f"writes via {api.label} ({call.text})", rng, call.text), 0.7, Finding.DB_WRITE
                )
            )
        elif api is not None and api.kind == "cache" and method in _CACHE_WRITES:
            signals.append(
                Signal(Evidence(PRIORITY, f"updates the cache ({call.text})", rng, call.text), 0.6, Finding.CACHE_WRITE)
            )
        elif api is not None and api.kind == "http" and method in _HTTP_WRITES:
            verb = method.upper()
            signals.append(
                Signal(
                    Evidence(PRIORITY, f"changes remote state (HTTP {verb})", rng, verb),
                    0.6,
                    Finding.REMOTE_WRITE,
                )
            )
        elif api is not None and api.kind == "file" and (api.operation == "write" or _writes_mode(node)):
            signals.append(
                Signal(Evidence(PRIORITY, f"writes files ({call.text})", rng, call.text), 0.5, Finding.FILE_WRITE)
            )
        elif api is None and method == "save" and ctx.loop_depth(call.node) == 0 and "." in call.text:
            signals.append(
                Signal(Evidence(PRIORITY, f"persists an object ({call.text})", rng, call.text), 0.4, Finding.PERSISTS)
            )
    for statement in ctx.nodes:
        if isinstance(statement, ast.Global | ast.Nonlocal):
            names = ", ".join(statement.names)
            signals.append(
                Signal(
                    Evidence(PRIORITY, f"modifies shared state ({names})", ctx.range_of(statement), names),
                    0.4,
                    Finding.SHARED_STATE,
                )
            )
    return signals
