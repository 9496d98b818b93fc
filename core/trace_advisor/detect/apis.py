"""Classifies one resolved call site as a client API interaction (HTTP, database, queue...): by the catalog entry
its resolved callee matches, or, only when the call is unresolved, weakly by its method and receiver's name."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from trace_advisor.caller_chosen import CallerChosen, own_site
from trace_advisor.datatypes import ResolvedCall, SymbolId, dotted_name
from trace_advisor.detect.catalog import APIS, NO_IO_CALLS, ORM_SESSIONS, SQLALCHEMY, Api
from trace_advisor.detect.django_databases import DJANGO_QUERIES
from trace_advisor.detect.hints import (
    DISTINCT_METHODS,
    MODEL_QUERY_BUILDERS,
    MODEL_QUERY_METHODS,
    ORM_MANAGER_METHODS,
    ORM_QUERYSET_BUILDERS,
    ORM_WRITE_METHODS,
    PUBLISH_METHODS,
    RECEIVER_HINTS,
)
from trace_advisor.detect.names import builds_sql, does_no_io, is_io_name
from trace_advisor.facts.records import REACHING, ModuleFacts

_WORD = re.compile(r"[a-z0-9]+")
# Django: ``Model.objects``, or a queryset its builders made (``Model.objects.filter(...).order_by(...)``)
_ORM_MANAGER = re.compile(rf"^[A-Z]\w*\.objects(?:\.(?:{'|'.join(sorted(ORM_QUERYSET_BUILDERS))})\((?:\.\.\.)?\))*$")
# Flask-SQLAlchemy: a model's ``query`` property, or a query its builders made (``models.User.query.filter_by(...)``)
_MODEL_QUERY = re.compile(
    rf"^(?:\w+\.)*[A-Z]\w*\.query(?:\.(?:{'|'.join(sorted(MODEL_QUERY_BUILDERS))})\((?:\.\.\.)?\))*$"
)
_NEVER_IO_METHODS = frozenset(
    {
        "close",
        "__enter__",
        "__exit__",
        "json",
        "copy",
        "keys",
        "items",
        "values",
        "format",
        "append",
        "extend",
        "join",
        "split",
        "strip",
        "lower",
        "upper",
    }
)


# the methods Python calls for a statement (``for``, ``async for``, ``with``), as a rationale says what the code does
_IMPLICIT_VERBS = {
    "__iter__": "iterates",
    "__aiter__": "iterates",
    "__next__": "iterates",
    "__anext__": "iterates",
    "__enter__": "enters",
    "__aenter__": "enters",
}


@dataclass(frozen=True, slots=True)
class ApiMatch:
    """A call found to be a client API interaction."""

    kind: str
    system: str
    label: str
    target: str  # the resolved callee's symbol id, else the call text (arguments collapsed)
    resolved: bool  # the callee resolved into the API (True) or the receiver's name looks like a client (False)
    instrumentation: str | None = None
    operation: str = ""

    @property
    def strength(self) -> float:
        return 1.0 if self.resolved else 0.7

    @property
    def shown(self) -> str:
        """The target as rationales name it: a dotted import path (``urllib.request.urlopen``), or the call text."""
        return dotted_name(self.target) if self.resolved else self.target

    @property
    def called(self) -> str:
        """How a rationale says the call: ``calls requests.get``; the call a loop or a ``with`` makes on its value
        by what the code does: ``iterates django.db.models.QuerySet``, ``enters sqlalchemy.orm.Session``."""
        verb = _IMPLICIT_VERBS.get(self.method) if self.resolved else None
        return f"calls {self.shown}" if verb is None else f"{verb} {self.shown.rpartition('.')[0]}"

    @property
    def method(self) -> str:
        """The last name of the target: ``execute`` for ``sqlite3:Cursor.execute`` or ``cur.execute``."""
        return re.split(r"[.:]", self.target)[-1]


_ARGS = re.compile(r"\([^()]*\)")


def _collapse_arguments(text: str) -> str:
    """``self.connection().execute('SELECT ...', (sku,)).fetchone`` -> ``self.connection().execute(...).fetchone``."""
    # private-use characters stand in for collapsed groups: no parentheses, so the enclosing group collapses next
    hole, empty = "\ue000", "\ue001"
    previous = None
    while previous != text:
        previous, text = text, _ARGS.sub(lambda m: empty if m.group(0) == "()" else hole, text)
    return text.replace(hole, "(...)").replace(empty, "()")


def _words(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


def _noun(receiver: str) -> str:
    """The word that says what a receiver is: the last word of its last name (``self.http_client()`` -> ``client``,
    ``session_hooks`` -> ``hooks``)."""
    words = _WORD.findall(receiver.rpartition(".")[2].lower())
    return words[-1] if words else ""


def _by_root() -> Mapping[str, tuple[Api, ...]]:
    grouped: dict[str, list[Api]] = {}
    for api in APIS:  # keeps the catalog's order (most specific first) within each root
        grouped.setdefault(api.pattern.split(".")[0], []).append(api)
    return MappingProxyType({root: tuple(apis) for root, apis in grouped.items()})


_APIS_BY_ROOT = _by_root()  # read-only index of the catalog by root module


def dotted_forms(symbol: SymbolId) -> tuple[str, ...]:
    """The dotted names a library symbol is known by: its import path as resolved and, when that is a submodule,
    the same name under the package (``redis.client:Redis.get`` is also ``redis.Redis.get``)."""
    module, _, qualname = symbol.partition(":")
    root = module.partition(".")[0]
    dotted = dotted_name(symbol)
    return (dotted, f"{root}.{qualname}") if root != module and qualname else (dotted,)


@functools.lru_cache(maxsize=16384)  # of the call sites of every context built: 100,000 asks, few callees (polar)
def match_symbol(symbol: SymbolId) -> ApiMatch | None:
    """The catalog entry a resolved callee matches (exact name, or a package prefix that names an operation)."""
    module, _, qualname = symbol.partition(":")
    if "types" in [*module.split(".")[1:], *qualname.split(".")[:-1]]:
        # an SDK's request/response types (``anthropic.types:MessageParam.get`` is a dict lookup), also as named
        # when the SDK is not installed (``google.genai:types.Part.from_text``)
        return None
    if any(part[:2] == "__" == part[-2:] for part in qualname.split(".")[:-1]):
        return None  # a method of a module's metadata (``psycopg2.__version__.split``: a string's)
    forms = dotted_forms(symbol)
    if any(does_no_io(dotted) for dotted in forms) or builds_sql(forms[0]):
        return None  # set up, built or staged for a later call, or a response already read
    for api in _APIS_BY_ROOT.get(symbol.partition(":")[0].partition(".")[0], ()):
        for dotted in forms:
            exact = dotted == api.pattern
            under = api.pattern.endswith(".") and dotted.startswith(api.pattern)
            if exact or (under and _api_operation(api.kind, dotted)):
                return ApiMatch(api.kind, api.system, api.label, symbol, True, api.instrumentation, api.operation)
    return None


def _api_operation(kind: str, dotted: str) -> bool:
    """Whether a name under a client package names an operation of its kind. An LLM SDK's module-level function is
    one only when it calls a model (``litellm.completion``, ``ollama.chat``, the module's client's resources:
    ``openai.chat.completions.create``): its other functions are helpers (``anthropic.transform_schema`` rewrites a
    JSON schema, pydantic-ai's schema transformers read as LLM calls through it)."""
    if kind != "genai":
        return _operation(dotted)
    parts = dotted.split(".")
    if not any(part[:1].isupper() for part in parts) and len(parts) < 4:
        return parts[-1] in _LLM_FUNCTIONS
    return _operation(dotted) or _resource_operation(dotted)


# the module-level functions of LLM SDKs that call a model (litellm's, ollama's module client)
_LLM_FUNCTIONS = frozenset(
    {"completion", "acompletion", "text_completion", "atext_completion", "embedding", "aembedding", "chat", "generate"}
    | {"embed", "embeddings", "responses", "aresponses", "rerank", "arerank", "image_generation", "transcription"}
    | {"speech", "aspeech", "atranscription", "aimage_generation", "batch_completion", "moderation", "amoderation"}
)


def _operation(dotted: str) -> bool:
    """Whether a name under a client package names an operation: a function or a class's method (never a method of
    one of its attributes' values, ``CompletedProcess.stdout.strip``), and not a constructor or builder."""
    parts = dotted.split(".")
    first_class = next((i for i, part in enumerate(parts) if part[:1].isupper()), None)
    if first_class is not None and parts[first_class + 1 : first_class + 2] == ["objects"]:
        first_class += 1  # Django's ``Model.objects`` manager (named so when Django is not installed): its queries
    return (first_class is None or len(parts) - first_class <= 2) and is_io_name(dotted)


def _resource_operation(dotted: str) -> bool:
    """Whether a name under an LLM SDK names an operation of one of its client's resources, as the SDK's import
    path names it when the SDK is not installed (``openai.AsyncOpenAI.chat.completions.create``,
    ``anthropic.Anthropic.beta.messages.create``): LLM clients expose their operations on lower-case resource
    attributes (installed, the same call resolves to ``openai.resources.chat.completions:AsyncCompletions.create``)."""
    parts = dotted.split(".")
    first_class = next((i for i, part in enumerate(parts) if part[:1].isupper()), None)
    if first_class is None:
        return False
    resources = parts[first_class + 1 :]
    public = all(p.isidentifier() and p.islower() and not p.startswith("_") for p in resources)
    return 2 <= len(resources) <= 5 and public and is_io_name(dotted)  # (``_client_wrapper.get_base_url``: no call)


def classify(site: ResolvedCall) -> ApiMatch | None:
    """What client API a call site is: resolved calls by their external callees' catalog entries (a workspace callee
    is our own code: its I/O is found inside it; a queued command is sent by a later call); unresolved calls by
    distinctive method and receiver names."""
    if site.edges:
        for edge in site.edges:
            # a command queued for a later call to send (``pipe.set``: ``pipe.execute()`` is the round trip)
            found = match_symbol(edge.callee) if edge.external and edge.dispatch != "queued" else None
            if found is not None:
                return found
        return None
    return match_by_name(site.text)


def queued_command(site: ResolvedCall) -> ApiMatch | None:
    """The client API of a command a call queues for a later call to send (``pipe.set(k, v)`` on a redis pipeline):
    no round trip of its own, but what the batch will do (a cache write)."""
    for edge in site.edges:
        if edge.dispatch == "queued" and (found := match_symbol(edge.callee)) is not None:
            return found
    return None


# What an ORM session does in memory (``session.add(user)`` stages a row, ``session.query(User)`` builds a query),
# as the catalog says of resolved sessions: the flush, commit or the query's ``all()`` sends it.
_STAGING_SESSION_METHODS = frozenset(method for method, owners in NO_IO_CALLS.items() if owners == ORM_SESSIONS)


@functools.lru_cache(maxsize=16384)  # asked again for each context built of a function with unresolved calls
def match_by_name(text: str) -> ApiMatch | None:
    """Weak evidence for an unresolved call: distinctive method names and words in the receiver (``self.db``)."""
    text = _collapse_arguments(text)
    receiver, dot, method = text.rpartition(".")
    if not dot or not receiver or method in _NEVER_IO_METHODS or not method.isidentifier():
        return None
    if NO_IO_CALLS.get(method) == ():
        return None  # sets a client up, builds a request or batch, reads a response: whatever the receiver
    if method in DISTINCT_METHODS and receiver not in ("self", "cls"):
        # (the class's own method, inherited from a base we cannot read: DRF's ``self.get_object()`` is no S3 call)
        kind, system, label = DISTINCT_METHODS[method]
        op = "publish" if method in {"send_message", "basic_publish"} else ""
        op = "receive" if method in {"receive_message", "basic_consume"} else op
        return ApiMatch(kind, system, label, text, False, None, op)
    if method in ORM_QUERYSET_BUILDERS and _ORM_MANAGER.match(receiver):
        return None  # a lazy queryset: evaluating it runs the query
    if method in MODEL_QUERY_METHODS and _MODEL_QUERY.match(receiver):
        write = method in {"delete", "update"}
        return ApiMatch("db", "sql", "SQLAlchemy query", text, False, SQLALCHEMY, "write" if write else "read")
    if method in ORM_MANAGER_METHODS and _ORM_MANAGER.match(receiver):
        write = method in ORM_WRITE_METHODS or method[1:] in ORM_WRITE_METHODS  # ``acreate``: ``create``'s async form
        return ApiMatch(
            "db",
            "sql",
            "Django ORM query",
            text,
            False,
            DJANGO_QUERIES,
            "write" if write else "read",
        )
    receiver_words = _words(receiver[-120:]) - {"self", "cls"}
    if not receiver_words or {"request", "session"} <= receiver_words:
        return None  # nothing known, or a web framework's session dictionary
    noun = _noun(receiver)
    if noun == "session" and method in _STAGING_SESSION_METHODS:
        return None  # staged or built in memory, sent by a later call
    for words, methods, kind, system, label in RECEIVER_HINTS:
        if noun in words and (not methods or method in methods) and not method.startswith("_"):
            if kind == "rpc" and method in {"get", "set", "items", "update", "pop"}:
                continue
            op = ""
            if kind == "messaging":
                op = "publish" if method in PUBLISH_METHODS else "receive"
            return ApiMatch(kind, system, label, text, False, None, op)
    return None


def io_site(facts: ModuleFacts, site: ResolvedCall, chosen: CallerChosen) -> ResolvedCall | None:
    """A call site as the function's own I/O is read from it: without the edges to what its callers choose
    (:func:`~trace_advisor.caller_chosen.own_site`), and none for opening the null device."""
    own = own_site(site, chosen)
    return None if own is None or opens_null_device(facts, own) else own


def opens_null_device(facts: ModuleFacts, site: ResolvedCall) -> bool:
    """``open(os.devnull, "w+")``: the null device reads and writes nothing (httpie's quiet output). Told by the
    argument as the module's facts record it (``os.devnull``, an imported ``devnull``)."""
    if not any(edge.callee == "builtins:open" for edge in site.edges):
        return False
    call = next((c for c in facts.calls if c.loc == site.span), None)
    return call is not None and any(
        key in ("0", "file") and chain[-1].partition(REACHING)[0] == "devnull" for key, chain in call.args
    )
