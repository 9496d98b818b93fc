"""The route a request handler's registration serves, as far as the registering call writes it as literals
(``web.get("/core/info", api.info)``: ``GET /core/info``)."""

from __future__ import annotations

import ast
from collections.abc import Sequence

from trace_advisor.datatypes import Range, SymbolId
from trace_advisor.resolve.callbacks import HTTP_METHODS


def route_label(call: ast.Call, via: SymbolId, prefix: str = "") -> str:
    """``METHOD /path`` for a registration ``call`` of the framework function ``via`` (``aiohttp.web_routedef:get``,
    ``flask:Flask.add_url_rule``), each part only when it is a literal: the method from the function's name
    (``get``, ``add_post``), from a leading method argument (``web.route("*", ...)``: any method) or from a literal
    ``methods=[...]``; the path from the first string argument (``web.route``'s second), under ``prefix`` (the paths
    of the mounts the registration is written in: ``Mount("/api", routes=[Route("/users", ...)])``). Empty when
    neither is known."""
    name = via.rpartition(":")[2].rpartition(".")[2].removeprefix("add_")
    args = call.args
    method = name.upper() if name in HTTP_METHODS else ""
    path_at = 0
    if name == "route" and via.partition(".")[0].partition(":")[0] == "aiohttp":  # ``route(method, path, handler)``
        method = _string(args[0]) if args else ""
        method = "any method" if method == "*" else method.upper()
        path_at = 1
    for keyword in call.keywords:
        if keyword.arg == "methods" and isinstance(keyword.value, ast.List | ast.Tuple | ast.Set):
            names = [_string(e).upper() for e in keyword.value.elts]
            if names and all(names):
                method = ", ".join(names)
    path = next((_string(k.value) for k in call.keywords if k.arg in {"path", "rule"}), None)
    if path is None:
        path = _string(args[path_at]) if path_at < len(args) else ""
    if path and prefix:
        path = prefix.rstrip("/") + "/" + path.lstrip("/")
    return " ".join(part for part in (method, path) if part)


def _string(node: ast.expr) -> str:
    """The literal string ``node`` is, else ``""``."""
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else ""


def route_at(lines: Sequence[str], span: Range, via: SymbolId, mounts: Sequence[Range] = ()) -> str:
    """:func:`route_label` of the registering call at ``span`` of a file's ``lines`` (empty when it does not read as
    one call), under the paths of the ``mounts`` it is written in (their calls' spans, outermost first)."""
    node = _call_at(lines, span)
    if node is None:
        return ""
    prefix = ""
    for mount in mounts:
        around = _call_at(lines, mount)
        path = route_label(around, "starlette:Mount") if around is not None else ""
        if not path.startswith("/"):
            return route_label(node, via)  # a mount whose path is not written as a literal: the route's own path
        prefix = prefix.rstrip("/") + path
    return route_label(node, via, prefix)


def _call_at(lines: Sequence[str], span: Range) -> ast.Call | None:
    """The call written at ``span`` of a file's ``lines`` (None when it does not read as one)."""
    start, end = span.start, span.end
    if not 0 < start.line <= end.line <= len(lines):
        return None
    text = "\n".join(lines[start.line - 1 : end.line])
    text = text[start.column : len(text) - len(lines[end.line - 1]) + end.column]
    try:
        node = ast.parse(text.strip(), mode="eval").body
    except (SyntaxError, ValueError):
        return None
    return node if isinstance(node, ast.Call) else None
