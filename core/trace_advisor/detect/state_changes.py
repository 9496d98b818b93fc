"""State changes: writes to databases, caches, files, remote resources and module-level shared state."""

from __future__ import annotations

import ast
import re

from trace_advisor.datatypes import Evidence, Range
from trace_advisor.detect.apis import queued_command
from trace_advisor.detect.context import FunctionContext
from trace_advisor.detect.findings import Finding, Signal, SqlWrite

PRIORITY = "state_changes"
_NAME = r"[`\"\[]?([\w.]+)?"
_SQL_WRITE = re.compile(
    r"^\s*(INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO|MERGE\s+INTO|UPSERT|TRUNCATE)"
    r"\s+(?:TABLE\s+)?" + _NAME,
    re.IGNORECASE,
)
# A schema change names the kind of object it changes (``CREATE UNIQUE INDEX ix ON payments``, ``DROP VIEW v``): the
# object is not a table written to; an index's table follows ``ON``.
_SQL_DDL = re.compile(
    r"^\s*(CREATE|DROP|ALTER)\s+(?:OR\s+REPLACE\s+)?(?:UNIQUE\s+)?(?:TEMP(?:ORARY)?\s+)?(?:MATERIALIZED\s+)?"
    r"(TABLE|INDEX|VIEW|SEQUENCE|TYPE|SCHEMA|TRIGGER|FUNCTION|PROCEDURE|EXTENSION|DATABASE)\s+(?:CONCURRENTLY\s+)?"
    r"(?:IF\s+(?:NOT\s+)?EXISTS\s+)?" + _NAME + r"(?:\s+ON\s+(?:ONLY\s+)?" + _NAME + ")?",
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


def _sql_write(sql: str, rng: Range) -> Signal | None:
    """The signal of a literal SQL statement that changes data or the schema, else None."""
    if match := _SQL_DDL.match(sql):
        verb, kind, name, table = match[1].upper(), match[2].upper(), match[3], match[4]
        if kind == "TABLE":
            table = name
        shown = f"{kind} {name}" if name else kind
        evidence = Evidence(PRIORITY, f"changes the schema ({verb} {shown})", rng, f"{verb} {shown}")
        return Signal(evidence, 0.85, Finding.SQL_WRITE, sql=SqlWrite(verb, table, ddl=True))
    if match := _SQL_WRITE.match(sql):
        verb, table = match[1].split()[0].upper(), match[2]
        shown = table or "?"
        evidence = Evidence(PRIORITY, f"writes to {shown} ({verb})", rng, f"{verb} {shown}")
        return Signal(evidence, 0.85, Finding.SQL_WRITE, sql=SqlWrite(verb, table))
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
        api = call.api or queued_command(call.site)  # a write queued on a pipeline is sent by its ``execute()``
        rng = call.range
        node = call.node
        sql = (
            _sql_literal(node)
            if isinstance(node, ast.Call) and method in {"execute", "executemany", "executescript", "text"}
            else None
        )
        write = _sql_write(sql, rng) if sql else None
        if write is not None:
            signals.append(write)
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
                # named for the store: Redis is a job queue's or a session's data as often as a cache
                Signal(
                    Evidence(PRIORITY, f"writes to {api.label} ({call.text})", rng, call.text), 0.6, Finding.CACHE_WRITE
                )
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
