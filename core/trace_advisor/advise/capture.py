"""What a span should record for a function: safe low-cardinality parameters, semantic-convention attributes, return.

Choices (documented in README):
- ``attributes`` is the complete list of ``span.set_attribute`` calls; ``parameters`` names the parameters they read.
- Keys follow the OpenTelemetry semantic conventions where one exists (``db.system``, ``db.operation.name``,
  ``db.collection.name``, ``messaging.system``, ``messaging.destination.name``, ``http.request.method``,
  ``rpc.system``, ``aws.s3.bucket``); any other parameter goes under ``app.`` (the namespace the OpenTelemetry demo
  uses), e.g. ``order_id`` -> ``app.order_id``.
- Never captured: secrets and credentials, PII-like names (emails, phone numbers, addresses, personal names), and
  payloads (bodies, files, blobs, collections); a parameter must look scalar (annotated primitive, or an id/count/
  kind-like name) to be recorded. URLs are not recorded (query strings carry tokens).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence

from trace_advisor.detect.context import FunctionContext
from trace_advisor.detect.findings import Finding, Signal
from trace_advisor.model import Attribute, Capture

MAX_PARAMETERS = 4
_SECRET = re.compile(
    r"(pass(word|wd|phrase)?|pwd|secret|token|api_?key|private|credential|auth(?!or)|cookie|session|signature|"
    r"(^|_)(pin|otp|ssn|dob|cvv|salt|key|card|iban)($|_)|birth|e_?mail|phone|mobile|address|ip_?addr|"
    r"(first|last|full|middle|given|family|customer|user|display|real|legal)_?name)",
    re.IGNORECASE,
)
_PAYLOAD = re.compile(
    r"(body|payload|data|content|text|file|blob|bytes|buffer|image|html|json|xml|raw|stream|document|frame|rows|"
    r"records|items|messages|events|list|dict|values|args|kwargs|request|response|config|settings|options|context|"
    r"callback|func|fn|handler|client|session|conn|cursor|db|logger|^df$|query|sql|url|uri|path)",
    re.IGNORECASE,
)
_SCALAR_NAME = re.compile(
    r"(^id$|_id$|^(count|limit|offset|page|page_size|size|batch_size|timeout|retries|attempt|attempts|region|"
    r"bucket|queue|queue_name|queue_url|topic|exchange|routing_key|table|table_name|collection|method|status|kind|"
    r"type|mode|format|level|provider|currency|country|locale|version|tenant|shard|partition|priority|action|"
    r"operation|command|name|slug|sku|quantity|amount|n|k|dry_run|force|enabled)$)",
    re.IGNORECASE,
)
_SCALAR_TYPES = frozenset({"int", "str", "bool", "float", "UUID", "uuid.UUID", "Decimal", "decimal.Decimal"})
_SEMCONV_PARAMS = {
    "queue_url": "messaging.destination.name",
    "queue_name": "messaging.destination.name",
    "queue": "messaging.destination.name",
    "topic": "messaging.destination.name",
    "exchange": "messaging.destination.name",
    "routing_key": "messaging.rabbitmq.destination.routing_key",
    "table": "db.collection.name",
    "table_name": "db.collection.name",
    "collection": "db.collection.name",
    "bucket": "aws.s3.bucket",
    "bucket_name": "aws.s3.bucket",
    "method": "http.request.method",
}
_SYSTEM_KEY = {
    "db": "db.system",
    "cache": "db.system",
    "search": "db.system",
    "messaging": "messaging.system",
    "rpc": "rpc.system",
    "genai": "gen_ai.system",
}
# Findings whose API names the system the span talks to, and the messaging operation each one is.
_API_FINDINGS = frozenset({Finding.CLIENT_CALL, Finding.PUBLISHES, Finding.RECEIVES})
_MESSAGE_OPERATIONS = {Finding.PUBLISHES: "publish", Finding.RECEIVES: "receive"}
_RETURN_WORTH = re.compile(r"^(is_|has_|can_|should_|check|validate|verify|count|exists|authorize|allow)")


def _annotation(arg: ast.arg) -> str | None:
    if arg.annotation is None:
        return None
    text = ast.unparse(arg.annotation)
    return text.replace("Optional[", "").rstrip("]").split(" | ")[0].strip()


def safe_parameters(ctx: FunctionContext) -> list[str]:
    """Parameters safe to record: scalar-looking, not secret, not PII, not payload."""
    chosen: list[str] = []
    for arg in ctx.parameters():
        name = arg.arg
        if _SECRET.search(name):
            continue
        annotation = _annotation(arg)
        scalar_type = annotation in _SCALAR_TYPES or (annotation or "").endswith(("Enum", "Status", "Kind", "Type"))
        if annotation is not None and not scalar_type:
            continue  # annotated with a structure, a model or a collection
        if _SCALAR_NAME.search(name) or (scalar_type and not _PAYLOAD.search(name)):
            chosen.append(name)
        if len(chosen) == MAX_PARAMETERS:
            break
    return chosen


def _system_attributes(signals: Sequence[Signal]) -> list[Attribute]:
    """Semantic-convention constants of the systems the function talks to (the strongest signal's first)."""
    attrs: dict[str, str] = {}
    for signal in signals:
        api = signal.api if signal.finding in _API_FINDINGS else None
        if api is not None:
            key = _SYSTEM_KEY.get(api.kind)
            if key and api.system not in {"sql", "messaging", "rpc", "http", "aws"}:
                attrs.setdefault(key, repr(api.system).replace("'", '"'))
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


def capture_for(ctx: FunctionContext, signals: Sequence[Signal]) -> Capture:
    """The concrete capture plan for a recommended function."""
    params = safe_parameters(ctx)
    attributes = _system_attributes(signals)
    taken = {a.key for a in attributes}
    for name in params:
        key = _SEMCONV_PARAMS.get(name, f"app.{name}")
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
