"""What may go into a span attribute: names that are neither sensitive nor payload, values of scalar type.

Names are compared by their word parts, case-insensitively: ``apiKey``, ``X-Api-Key``, ``client_api_key`` and
``APIKEY`` all contain the word ``key``; ``first_name`` contains the phrase ``first name``. A few long words also
match inside compound words (``accesstoken``, ``dbpassword``). The built-in lists below cannot be switched off;
``spans.sensitive_names`` adds words or phrases to them.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

# secrets, credentials and personal data: never recorded, whatever the value's type
SENSITIVE_WORDS = frozenset(
    {
        "auth", "authn", "authz", "authorization", "authenticate", "authentication", "oauth", "bearer", "token",
        "jwt", "secret", "password", "passwd", "passphrase", "passcode", "pwd", "pw", "key", "apikey", "privkey",
        "cookie", "session", "sessionid", "sid", "credential", "cred", "creds", "cert", "certificate", "pem",
        "private", "signature", "sig", "hmac", "otp", "totp", "mfa", "pin", "ssn", "card", "cvv", "cvc", "iban",
        "email", "mail", "phone", "mobile", "address", "dob", "birth", "birthday", "birthdate", "salt", "nonce",
        "csrf", "xsrf", "dsn", "passport", "username", "login", "ssh", "pgp", "gpg", "kerberos", "saml",
        "firstname", "lastname", "surname", "fullname",
    }
)  # fmt: skip
SENSITIVE_PHRASES = (
    ("first", "name"),
    ("last", "name"),
    ("full", "name"),
    ("given", "name"),
    ("family", "name"),
    ("middle", "name"),
    ("user", "name"),
    ("display", "name"),
    ("legal", "name"),
    ("real", "name"),
    ("customer", "name"),
    ("ip", "addr"),
    ("tax", "id"),
    ("social", "security"),
    ("connection", "string"),
    ("conn", "str"),
)
# long enough to be recognised inside compound words without false alarms ("accesstoken", "dbpassword")
_INFIXES = ("password", "passwd", "secret", "token", "apikey", "credential", "cookie", "session", "signature",
            "private", "authorization", "bearer", "passphrase")  # fmt: skip
# payloads and user-facing text: bodies, templates, messages, headers, queries, URLs, paths
PAYLOAD_WORDS = frozenset(
    {
        "body", "payload", "data", "content", "contents", "text", "message", "msg", "template", "tpl", "html",
        "json", "xml", "yaml", "raw", "blob", "bytes", "buffer", "stream", "file", "files", "fp", "document",
        "form", "params", "query", "querystring", "qs", "url", "uri", "href", "endpoint", "link", "environ", "env",
        "header", "headers", "request", "req", "response", "resp", "args", "kwargs", "kw", "source", "subject",
        "title", "summary", "description", "comment", "note", "notes", "caption", "prompt", "completion", "input",
        "output", "path", "filename", "filepath", "dir", "directory", "flash", "markdown", "md", "csv", "image", "img",
        "attachment", "frame", "record", "records", "row", "rows", "item", "items", "event", "events",
        # names that say nothing about what they hold hold anything (httpx's quote(string) gets URLs with tokens)
        "value", "values", "val", "string", "str", "s", "obj", "arg", "chars", "buf", "x",
    }
)  # fmt: skip
# the last word of a name telling something about a payload rather than holding it: ``request_id``, ``row_count``,
# ``prompt_name``, ``read_timeout_seconds``
# (not ``number``: a ``document_number`` may be a passport's)
ABOUT_WORDS = frozenset(
    {"id", "uuid", "guid", "count", "size", "len", "length", "total", "type", "kind", "index", "idx", "version",
     "status", "timeout", "seconds", "secs", "ms", "duration", "limit", "retries", "attempts", "name"}
)  # fmt: skip
# what users name themselves: a file's or an upload's name may say whose it is (``passport_jane_doe.pdf``)
_USER_NAMED = frozenset({"file", "attachment", "document", "doc", "image", "img", "upload", "photo", "path", "dir"})
# words that make "tokens" a language model's token count (``gen_ai.usage.input_tokens``, ``max_tokens``,
# ``tokens_used``, ``token_count``), not a credential
_TOKEN_COUNTS = frozenset(
    {"usage", "input", "output", "prompt", "completion", "total", "max", "min", "used", "num", "count", "cached",
     "reasoning", "remaining", "budget", "limit"}
)  # fmt: skip
# names that say nothing about what they hold: in a function about a sensitive thing (``CookieJar.set(name,
# value)``, ``verify_otp(code)``, ``send_email(to, ...)``) they hold that thing
GENERIC_WORDS = frozenset(
    {
        "value", "values", "val", "v", "data", "content", "raw", "obj", "item", "x", "s", "arg", "to", "target",
        "dest", "destination", "recipient", "text", "string", "number", "code", "entry", "result",
    }
)  # fmt: skip
# value types OpenTelemetry accepts (and sequences of them)
SCALAR_TYPES = frozenset({"str", "int", "float", "bool"})

_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")


def name_words(name: str) -> tuple[str, ...]:
    """Lower-case word parts of an identifier, attribute key or header name: ``X-Api-Key`` -> ``(x, api, key)``."""
    words: list[str] = []
    for part in re.split(r"[^A-Za-z0-9]+", name):
        for word in _WORD.findall(part):
            words.append(word.lower())
    return tuple(words)


def _singular(word: str) -> str:
    """``tokens`` -> ``token``, ``cookies`` -> ``cookie``, ``headers`` -> ``header`` (``address`` stays)."""
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


@dataclass(frozen=True, slots=True)
class AttributePolicy:
    """The sensitive-name rules of one project: the built-in lists plus ``extra`` words or phrases."""

    extra: tuple[str, ...] = ()

    def sensitive(self, name: str) -> str | None:
        """The sensitive word or phrase ``name`` contains, or None."""
        words = tuple(_singular(w) for w in name_words(name))
        if _token_count(words):
            words = tuple(w for w in words if w != "token")
        singles = [w for w in words if w in SENSITIVE_WORDS]
        if singles:
            return singles[0]
        for phrase in (*SENSITIVE_PHRASES, *(tuple(_singular(w) for w in name_words(e)) for e in self.extra)):
            if phrase and _contains(words, phrase):
                return " ".join(phrase)
        joined = "".join(words)
        return next((infix for infix in _INFIXES if infix in joined), None)

    def payload(self, name: str) -> str | None:
        """The payload word ``name`` contains (bodies, templates, messages, headers, URLs...), or None. A name ending
        in a word of what is known about a payload (``document_id``, ``message_count``, ``file_size``,
        ``event_type``) names that, not the payload: the identifiers and sizes a span is for."""
        words = name_words(name)
        about = len(words) > 1 and words[-1] in ABOUT_WORDS and not (words[-1] == "name" and words[-2] in _USER_NAMED)
        if about or _token_count(tuple(map(_singular, words))):
            return None
        return next((w for w in words if w in PAYLOAD_WORDS or _singular(w) in PAYLOAD_WORDS), None)

    def refusal(self, name: str, context: str = "", payloads: bool = True) -> str | None:
        """Why a value named ``name`` must not be recorded, or None. ``context``: the function's qualname, whose
        sensitive words make generic names (``value``, ``code``, ``to``) sensitive too. ``payloads``: whether a
        payload's name refuses it too (not for what an attribute is read from: ``response.usage.total_tokens``)."""
        found = self.sensitive(name)
        if found is not None:
            return f"sensitive name ({found})"
        if context and all(w in GENERIC_WORDS for w in name_words(name)):
            about = self.sensitive(context)
            if about is not None:
                return f"sensitive: the {name} of a function about {about} ({context})"
        if not payloads:
            return None
        found = self.payload(name)
        if found is not None:
            return f"payload ({found})"
        return None


def _token_count(words: tuple[str, ...]) -> bool:
    """``input_tokens``, ``gen_ai.usage.total_tokens``, ``tokens_used`` (singular words): a model's token count."""
    return "token" in words and any(w in _TOKEN_COUNTS for w in words)


def _contains(words: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(words[i : i + n] == phrase for i in range(len(words) - n + 1))


DEFAULT_POLICY = AttributePolicy()

SEMCONV_PARAMS = {
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


def attribute_key(name: str) -> str:
    """The attribute key a value named ``name`` is recorded under: its semantic-convention key where one exists
    (``queue`` -> ``messaging.destination.name``), else under ``app.`` (the OpenTelemetry demo's namespace). A
    leading underscore marks a parameter private to the signature (arq's ``enqueue_job(function, *args, _job_id=...)``
    keeps the names free for the job's own keyword arguments), not another thing: ``_job_id`` is ``app.job_id``."""
    bare = name.lstrip("_") or name
    return SEMCONV_PARAMS.get(bare, f"app.{bare}")


# ---- static types -------------------------------------------------------------------------------------------

SEQUENCES = frozenset({"list", "List", "Sequence", "MutableSequence", "tuple", "Tuple"})


@dataclass(frozen=True, slots=True)
class ScalarKind:
    """A value whose static type OpenTelemetry accepts as an attribute value."""

    optional: bool = False  # may be None: record only when it is not
    sequence: bool = False  # a list/tuple of scalars (a collection: recorded when asked, never proposed)
    check: str | None = None  # the type is only inferred from a literal default: ``isinstance(value, <check>)``


def parameter_kind(annotation: ast.expr | None, default: ast.expr | None) -> ScalarKind | None:
    """The kind of a parameter's value from its annotation (``int``, ``Optional[str]``, ``list[str]``,
    ``tuple[int, ...]``), else from a literal default (``retries=3``, ``verify=True``); None when not a scalar."""
    defaults_none = isinstance(default, ast.Constant) and default.value is None
    expr = _annotation(annotation)
    if expr is not None:
        inner = _optional_inner(expr)
        optional = inner is not None or defaults_none
        expr = inner if inner is not None else expr
        if _dotted(expr) in SCALAR_TYPES:
            return ScalarKind(optional=optional)
        return ScalarKind(optional=optional, sequence=True) if _scalar_sequence(expr) else None
    if isinstance(default, ast.Constant) and type(default.value) in (bool, int, float, str):
        check = {"bool": "bool", "int": "int", "float": "(int, float)", "str": "str"}[type(default.value).__name__]
        return ScalarKind(check=check)
    return None


def parameters(args: ast.arguments) -> dict[str, tuple[ast.arg, ast.expr | None]]:
    """Parameter name -> (its ``ast.arg``, its default expression or None), ``*args``/``**kwargs`` included."""
    positional = [*args.posonlyargs, *args.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    found = {a.arg: (a, d) for a, d in zip(positional, defaults, strict=True)}
    found.update({a.arg: (a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True)})
    for extra in (args.vararg, args.kwarg):
        if extra is not None:
            found[extra.arg] = (extra, None)
    return found


def _dotted(expr: ast.expr) -> str:
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute):
        return expr.attr
    return ""


def _annotation(expr: ast.expr | None) -> ast.expr | None:
    """The annotation as an expression (string annotations parsed)."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        try:
            return ast.parse(expr.value, mode="eval").body
        except SyntaxError:
            return None
    return expr


def _optional_inner(expr: ast.expr) -> ast.expr | None:
    """``X | None`` / ``Optional[X]`` / ``Union[X, None]`` -> ``X``."""
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.BitOr):
        rest = [s for s in (expr.left, expr.right) if not (isinstance(s, ast.Constant) and s.value is None)]
        return rest[0] if len(rest) == 1 else None
    if isinstance(expr, ast.Subscript):
        outer = _dotted(expr.value)
        if outer == "Optional":
            return expr.slice
        if outer == "Union" and isinstance(expr.slice, ast.Tuple) and len(expr.slice.elts) == 2:
            rest = [e for e in expr.slice.elts if not (isinstance(e, ast.Constant) and e.value is None)]
            return rest[0] if len(rest) == 1 else None
    return None


def _scalar_sequence(expr: ast.expr) -> bool:
    """A homogeneous sequence of ``str``/``int``/``float``/``bool``: ``list[str]``, ``tuple[int, ...]``."""
    if isinstance(expr, ast.Subscript) and _dotted(expr.value) in SEQUENCES:
        item = expr.slice
        if isinstance(item, ast.Tuple):  # tuple[int, ...]
            return (
                len(item.elts) == 2
                and _dotted(item.elts[0]) in SCALAR_TYPES
                and isinstance(item.elts[1], ast.Constant)
                and item.elts[1].value is Ellipsis
            )
        return _dotted(item) in SCALAR_TYPES
    return False
