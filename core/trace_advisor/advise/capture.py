"""What a span should record for a function: semantic-convention attributes, then safe scalar parameters.

Choices (documented in README):
- ``attributes`` is the complete list of ``span.set_attribute`` calls; ``parameters`` names the parameters they read.
- Keys follow the OpenTelemetry semantic conventions where one exists, their current names, with bounded values
  (``db.system.name``, ``db.operation.name``, ``db.collection.name``, ``messaging.system``,
  ``messaging.destination.name``, ``http.request.method``, ``rpc.system.name``, ``gen_ai.provider.name``,
  ``aws.s3.bucket``); any other parameter goes under ``app.`` (the
  namespace the OpenTelemetry demo uses), e.g. ``order_id: str`` -> ``app.order_id``.
- A parameter is recorded only when its static type is a scalar (``attribute_safety.parameter_kind``) and its name
  is neither sensitive nor payload (``AttributePolicy``); the span engine checks the same rules again.
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Sequence

from trace_advisor.attribute_safety import (
    DEFAULT_POLICY,
    AttributePolicy,
    attribute_key,
    name_words,
    parameter_kind,
    parameters,
)
from trace_advisor.datatypes import Attribute, Capture
from trace_advisor.detect.context import FunctionContext
from trace_advisor.detect.findings import Finding, Signal

MAX_PARAMETERS = 4
# the conventions' current keys (``db.system``, ``rpc.system`` and ``gen_ai.system`` are their deprecated names)
_SYSTEM_KEY = {
    "db": "db.system.name",
    "cache": "db.system.name",
    "search": "db.system.name",
    "messaging": "messaging.system",
    "rpc": "rpc.system.name",
    "genai": "gen_ai.provider.name",
}
# the catalog's system -> the value the current conventions name it by, where they differ
_SYSTEM_VALUES = {"mssql": "microsoft.sql_server", "oracle": "oracle.db", "gemini": "gcp.gemini"}
# ``rpc.system.name`` values of the semantic conventions
_RPC_SYSTEMS = frozenset({"grpc", "connect_rpc", "apache_dubbo", "java_rmi", "dotnet_wcf", "jsonrpc"})
_GENAI_PROVIDERS = frozenset({"openai", "anthropic", "gcp.gemini", "cohere"})  # litellm is a proxy, no provider
# Findings whose API names the system the span talks to, and the messaging operation each one is.
_API_FINDINGS = frozenset({Finding.CLIENT_CALL, Finding.PUBLISHES, Finding.RECEIVES})
_MESSAGE_OPERATIONS = {Finding.PUBLISHES: "publish", Finding.RECEIVES: "receive"}
# payload words that are only placeholders: a value passed under such a name is not told to be a payload
_SAYS_NOTHING = frozenset({"value", "values", "val", "obj", "x", "s", "arg", "args", "string", "str", "chars", "buf"})
_RETURN_WORTH = re.compile(r"^(is_|has_|can_|should_|check|validate|verify|count|exists|authorize|allow)")


def safe_parameters(ctx: FunctionContext, policy: AttributePolicy = DEFAULT_POLICY) -> list[str]:
    """Parameters safe to record: of a scalar static type (not a collection), under a name that is neither sensitive
    nor payload, and passed on under no such name either (:func:`passed_as_refused`)."""
    defaults = parameters(ctx.node.args)
    named = []
    for arg in ctx.parameters():
        kind = parameter_kind(arg.annotation, defaults[arg.arg][1])
        if kind is not None and not kind.sequence and policy.refusal(arg.arg, ctx.qualname) is None:
            named.append(arg.arg)
    renamed = passed_as_refused(ctx, frozenset(named), policy) if named else frozenset()
    return [name for name in named if name not in renamed][:MAX_PARAMETERS]


def passed_as_refused(
    ctx: FunctionContext, names: frozenset[str], policy: AttributePolicy = DEFAULT_POLICY
) -> frozenset[str]:
    """The parameters among ``names`` whose value the function's body names sensitive or payload elsewhere: passed as
    such a keyword (``lookup(email=user)``), in the place of such a parameter of a workspace function it calls
    (``does_user_exist(client, user)`` where that is ``def does_user_exist(client, email)``), or assigned to such a
    name (``self.token = key_id``). Dispatch's ``send_direct(user: str)`` holds an email address though its name
    says nothing: what the code does with a value tells what it is."""
    found: set[str] = set()
    for info in ctx.calls:
        call = info.node
        if not isinstance(call, ast.Call):
            continue
        for keyword in call.keywords:
            held = _held(keyword.value, names)
            if held is not None and keyword.arg is not None and _tells_refused(keyword.arg, policy):
                found.add(held)
        for callee in info.callees:
            params = ctx.graph.callee_params.get(callee)
            if params is None:
                continue
            offset = 1 if params.bound else 0
            for position, value in enumerate(call.args):
                if isinstance(value, ast.Starred):
                    break  # positions after a spread are not known
                at, held = position + offset, _held(value, names)
                if held is not None and at < params.positional and _tells_refused(params.names[at], policy):
                    found.add(held)
    for node in ctx.nodes:
        if not isinstance(node, ast.Assign | ast.AnnAssign) or node.value is None:
            continue
        held = _held(node.value, names)
        if held is None:
            continue
        for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
            name = target.id if isinstance(target, ast.Name) else getattr(target, "attr", None)
            if isinstance(name, str) and _tells_refused(name, policy):
                found.add(held)
    return frozenset(found)


@functools.lru_cache(maxsize=4096)
def _tells_refused(name: str, policy: AttributePolicy) -> bool:
    """Whether a name a value is given elsewhere says it is a secret or personal data, or a payload through and
    through (``text``, ``message_body``; not ``message_type``, whose words only start like one, nor ``value``, which
    says nothing of what it holds: ``Invoice(value=amount)``)."""
    words = name_words(name)
    if policy.sensitive(name) is not None:
        return True
    return bool(words) and all(policy.payload(word) and word not in _SAYS_NOTHING for word in words)


def _held(value: ast.expr, names: frozenset[str]) -> str | None:
    """The parameter among ``names`` that ``value`` is, itself (not an expression of it)."""
    return value.id if isinstance(value, ast.Name) and value.id in names else None


def _system_attributes(signals: Sequence[Signal]) -> list[Attribute]:
    """Semantic-convention constants of the systems the function talks to (the strongest signal's first)."""
    attrs: dict[str, str] = {}
    for signal in signals:
        api = signal.api if signal.finding in _API_FINDINGS else None
        if api is not None:
            key = _SYSTEM_KEY.get(api.kind)
            system = _SYSTEM_VALUES.get(api.system, api.system)
            if key == "rpc.system.name" and system not in _RPC_SYSTEMS:
                key = None  # SMTP, FTP, a raw socket: no RPC system the conventions name
            if key == "gen_ai.provider.name" and system not in _GENAI_PROVIDERS:
                key = None
            if key and system not in {"sql", "messaging", "rpc", "http", "aws"}:
                attrs.setdefault(key, repr(system).replace("'", '"'))
            if api.kind == "messaging" and signal.finding in _MESSAGE_OPERATIONS:
                attrs.setdefault("messaging.operation.type", f'"{_MESSAGE_OPERATIONS[signal.finding]}"')
        if signal.sql is not None:
            attrs.setdefault("db.operation.name", f'"{signal.sql.verb}"')
            if signal.sql.table is not None:
                attrs.setdefault("db.collection.name", f'"{signal.sql.table}"')
    return [Attribute(k, v) for k, v in attrs.items()]


def _return_matters(ctx: FunctionContext) -> bool:
    returns = ctx.node.returns
    if returns is not None:
        text = ast.unparse(returns)
        if text in {"bool", "int", "float"} or text.endswith(("Status", "Enum", "Result")):
            return True
        if text in {"None", "NoReturn"}:
            return False
    has_value = any(isinstance(n, ast.Return) and n.value is not None for n in ctx.nodes)
    return has_value and bool(_RETURN_WORTH.match(ctx.name.lstrip("_")))


def capture_for(ctx: FunctionContext, signals: Sequence[Signal], policy: AttributePolicy = DEFAULT_POLICY) -> Capture:
    """The concrete capture plan for a recommended function."""
    params = safe_parameters(ctx, policy)
    attributes = _system_attributes(signals)
    taken = {a.key for a in attributes}
    for name in params:
        key = attribute_key(name)
        if key not in taken:
            attributes.append(Attribute(key, name))
            taken.add(key)
    return Capture(
        parameters=tuple(params),
        return_value=_return_matters(ctx),
        timing=True,
        exceptions=True,
        attributes=tuple(attributes),
    )
