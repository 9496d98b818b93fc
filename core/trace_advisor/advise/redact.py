"""Removes secrets (keys, tokens, passwords, connection-string credentials, private keys) from source text before
it is sent to a model.

Two kinds of rule. Rules that recognise a secret by its own shape (a PEM block, a vendor token format, a JWT, the
password of a ``scheme://user:pw@host`` URL) or by the Python code around it (``password = "..."``,
``os.getenv("DB_PASSWORD", "...")``, ``login(user, "...")``) run over the whole text. Rules that read text the way
a shell, a ``.env`` file or a connection string does (``password=...``, ``-u user:pw``, random-looking tokens) run
only inside string literals and comments, so code such as ``sorted(key=lambda ...)`` or a parameter
``TOKEN=None`` is never touched. Every rule replaces the whole secret; callers cut text only afterwards.
"""

from __future__ import annotations

import base64
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

# Words in a name that make the literal assigned to it a secret: ``db_password``, ``API_KEY``, ``"token"``.
_SECRET_WORD = re.compile(
    r"(?i)passw(?:or)?d|pwd|secret|token(?!s|izer)|api[_\-]?key|access[_\-]?key|private[_\-]?key|credential"
    r"|authorization|session[_\-]?(?:id|key|token)|sessionid|cookie|account[_\-]?key"
)
# Names that only point at a secret or describe it (``token_url``, ``passwordField``, ``cookie_domain``).
_DESCRIBES = (
    "url", "uri", "endpoint", "path", "file", "name", "field", "env", "var", "type", "header", "prompt", "label",
    "length", "policy", "domain", "age", "secure", "samesite", "httponly", "ttl", "seconds", "timeout", "expiry",
    "expires", "count", "limit", "size", "time", "threshold", "interval", "delay", "duration", "days", "hours",
    "minutes",
)  # fmt: skip
# ``key=value`` names whose value is a credential, by their last part (``sentry_key``, ``PGPASSWORD``, ``sid``).
_KEY_VALUE_LAST = frozenset(
    {
        "pwd", "pass", "accountkey", "sharedaccesskey", "sharedaccesssignature", "sessionid", "session", "sid",
        "csrftoken", "apikey", "token", "secret", "key", "sig", "signature", "credential", "credentials",
    }
)  # fmt: skip
_KEY_VALUE_PAIR = frozenset({"apikey", "accesstoken", "authtoken", "refreshtoken", "accountkey"})
# An identifier, whole (possessive: a long one costs one pass, not one per character).
_NAME = r"(?<![A-Za-z0-9_\-])(?P<name>[A-Za-z_][A-Za-z0-9_\-]{0,79}+)"
# A type annotation: ``str``, ``Optional[str]``, ``str | None``.
_ANNOTATION = r"[A-Za-z_][\w.]{0,80}+(?:\[[\w\[\], .|]{0,80}\])?(?:\s{0,4}\|\s{0,4}[A-Za-z_][\w.]{0,80}+)*"
# Values that stand for a secret without being one: placeholders, format fields, variables, Python constants.
_PLACEHOLDER = r"(?!(?:None|null|nil|true|false|True|False|lambda|self)\b|[{%$<*[`]|\\[nrt])"
# Format fields: ``"Bearer %s"``, ``"token={}"``, ``"key=%(key)s"`` are templates, not secrets.
_TEMPLATE = re.compile(r"%[sdr(]|\{[\w.]*\}")
# Attribute keys and module paths (``gen_ai.usage.input_tokens``, ``mcp.session.id``) name things.
_DOTTED_NAME = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+")
# Names whose hex values are hashes and identifiers, not keys: ``sha``, ``commit``, ``digest``, ``trace_id``, ...
_HASH_CONTEXT = re.compile(
    r"(?i)(?:sha\d*|hash|digest|checksum|commit|revision|\brev\b|etag|fingerprint|md5|uuid|guid|trace|span|"
    r"request[_\-]?id|release|event[_\-]?id|\bid\b|_id\b|integrity|version|build)"
)


def _secret_name(name: str) -> bool:
    return _SECRET_WORD.search(name) is not None and not name.lower().endswith(_DESCRIBES)


def _key_value_name(name: str) -> bool:
    parts = [part for part in re.split(r"[_\-]", name.lower()) if part]
    return bool(parts) and (
        parts[-1] in _KEY_VALUE_LAST
        or parts[-1].endswith(("password", "passwd"))
        or "".join(parts[-2:]) in _KEY_VALUE_PAIR
    )


def _colon_name(name: str) -> bool:
    """``password: pw`` in comments and YAML text: only the plainest names (``key:`` starts too much prose)."""
    parts = [part for part in re.split(r"[_\-]", name.lower()) if part]
    return bool(parts) and (
        parts[-1] in {"pwd", "secret", "token", "apikey"}
        or parts[-1].endswith(("password", "passwd"))
        or "".join(parts[-2:]) == "apikey"
    )


@dataclass(frozen=True, slots=True)
class Redacted:
    """Redacted text and how many secrets were replaced, by kind (for the debug log, never the values)."""

    text: str
    counts: tuple[tuple[str, int], ...] = ()

    @property
    def total(self) -> int:
        return sum(n for _, n in self.counts)


def _marker(kind: str) -> str:
    return f"<redacted:{kind}>"


Replace = Callable[[re.Match[str]], str]


def _whole(kind: str) -> Replace:
    """Replace a (possibly multi-line) match by a marker, keeping its line breaks so line numbers stay valid."""

    def replace(match: re.Match[str]) -> str:
        return _marker(kind) + "\n" * match.group(0).count("\n")

    return replace


def _value(kind: str, keep: Callable[[re.Match[str]], bool] | None = None) -> Replace:
    """Replace only the ``value`` group of a match, keeping the name and punctuation around it; a match for which
    ``keep`` says so is left as it is."""

    def replace(match: re.Match[str]) -> str:
        if keep is not None and keep(match):
            return match.group(0)
        start, end = match.span("value")
        base, whole = match.start(0), match.group(0)
        return whole[: start - base] + _marker(kind) + "\n" * match.group("value").count("\n") + whole[end - base :]

    return replace


# A message: words without digits, ending as a sentence does (a password with a digit in it is not kept).
_SENTENCE = re.compile(r"[^\W\d_]{1,40}(?:[ ,;:'\-]{1,3}[^\W\d_]{1,40}){1,40}[.!?]")


def _words(text: str) -> list[str]:
    return [word for word in re.split(r"[\W_]+", text.lower()) if word]


def _not_a_secret_literal(match: re.Match[str]) -> bool:
    """The name does not say "secret", or the value is a template or a name: an f-string with replacement fields
    (``f"Bearer {token}"``: the secret is in a variable), ``"Bearer %s"``, ``"gen_ai.usage.input_tokens"``, or only
    words of the name itself (``PASSWORD_RESET = "password_reset"``, ``JWT_INVALID_TOKEN = "invalid_token"``: an
    enumeration value says nothing the name does not), or a sentence about it (``INVALID_TOKEN = "Invalid or
    expired token."``)."""
    value, name = match.group("value"), match.group("name")
    words = _words(value)
    return (
        not _secret_name(name)
        or (match.group("fstring") is not None and "{" in value)
        or _TEMPLATE.search(value) is not None
        or _DOTTED_NAME.fullmatch(value) is not None
        or (bool(words) and set(words) <= set(_words(name)))
        or (_SENTENCE.fullmatch(value) is not None and bool(set(words) & set(_words(name))))
    )


@dataclass(frozen=True, slots=True)
class _Rule:
    kind: str
    pattern: re.Pattern[str]
    replace: Replace


def _rule(kind: str, pattern: str, replace: Replace | None = None, flags: int = 0) -> _Rule:
    return _Rule(kind, re.compile(pattern, flags), replace or _value(kind))


# ---- rules over the whole text ---------------------------------------------------------------------------------
# Every repetition is bounded or possessive: the text comes from a repository, and a crafted line must not make a
# pattern backtrack for minutes (tests/core/test_redaction_forms.py times the worst shapes).
_ANYWHERE: tuple[_Rule, ...] = (
    # PEM blocks, whether real line breaks or "\n" escapes inside one literal; an unterminated block to the end.
    _rule(
        "private_key",
        r"-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----.*?"
        r"(?:-----END [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----|\Z)",
        _whole("private_key"),
        re.DOTALL,
    ),
    # scheme://user:password@host -> keep scheme, user and host; the password may hold '/' or '%40'.
    _rule(
        "url_password",
        r"(?<![a-zA-Z0-9+.\-])[a-zA-Z][a-zA-Z0-9+.\-]{0,30}+://[^\s:/@'\"]{0,128}+:(?![{%$])"
        r"(?P<value>[^\s@'\"]{1,256}+)(?=@)",
    ),
    _rule("aws_access_key", r"\b(?:AKIA|ASIA|ABIA|ACCA|AROA|AIDA|AGPA|ANPA|ANVA|APKA)[0-9A-Z]{16}\b", _whole("token")),
    # Authorization values; "Basic Authentication" and "Token referencing ..." are prose, not credentials.
    _rule("bearer_token", r"\b(?:Bearer|Basic|Token)\s{1,8}(?![A-Z]?[a-z]+\b)(?P<value>[A-Za-z0-9\-._~+/]{8,1024}+=*)"),
    _rule("jwt", r"\beyJ[A-Za-z0-9_\-]{5,}+\.eyJ[A-Za-z0-9_\-]{5,}+\.[A-Za-z0-9_\-]{5,}+", _whole("token")),
    _rule(
        "vendor_token",
        r"\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|xox[abposr]-[A-Za-z0-9\-]{10,}"
        r"|sk-(?:proj-|ant-|svcacct-)?[A-Za-z0-9_\-]{20,}|AIza[0-9A-Za-z_\-]{35}|glpat-[A-Za-z0-9_\-]{20,}"
        r"|(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}|whsec_[A-Za-z0-9]{16,}|npm_[A-Za-z0-9]{30,}"
        r"|pypi-AgE[A-Za-z0-9_\-]{50,}|hf_[A-Za-z0-9]{30,}|SG\.[A-Za-z0-9_\-]{16,}\.[A-Za-z0-9_\-]{16,}"
        r"|SK[0-9a-f]{32}|key-[0-9a-f]{32}|dop_v1_[0-9a-f]{64}|shp(?:at|ca|pa|ss)_[0-9a-fA-F]{32}"
        r"|https://hooks\.slack\.com/services/[A-Za-z0-9/]+|https://discord(?:app)?\.com/api/webhooks/[0-9]+/[\w\-]+)",
        _whole("token"),
    ),
    # Python assignments, keyword arguments, dict entries, annotations and comparisons whose name says "secret":
    #   password = "hunter2"   connect(password='x')   {"api_key": "x"}   TOKEN: str = "x"   if pwd == "x":
    # (a bare name followed by ':' is an annotation, so ':' counts only after a quoted dict key).
    _rule(
        "secret_literal",
        r"(?P<key>['\"])?" + _NAME + r"(?(key)['\"])\s{0,8}(?::\s{0,8}" + _ANNOTATION + r"\s{0,8})?"
        r"(?:==|!=|=|(?(key):|(?!)))\s{0,8}(?P<paren>\(\s{0,8})?"
        r"(?:(?P<fstring>[fF][rR]?|[rR][fF])|[rbuRBU]{0,2})(?P<quote>['\"])(?!<redacted:)"
        r"(?P<value>(?:(?!(?P=quote))[^\n]){1,512})(?P=quote)(?(paren)(?=\s{0,8}(?:[rbuRBU]?['\"]|\))))",
        _value("secret_literal", _not_a_secret_literal),
    ),
    # os.getenv("DB_PASSWORD", "default") / os.environ.get(...): the default of a secret variable is a secret.
    _rule(
        "env_default",
        r"\b(?:getenv|environ\.get|environ\.setdefault)\(\s{0,8}['\"](?P<name>[A-Za-z0-9_\-]{1,80}+)['\"]\s{0,8},"
        r"\s{0,8}[rbuRBU]?(?P<quote>['\"])(?P<value>[^'\"\n]{1,512}+)(?P=quote)",
        _value("env_default", lambda match: not _secret_name(match.group("name"))),
    ),
    # Passwords passed by position: auth=("user", "pw"), HTTPBasicAuth("user", "pw"), x.login("user", "pw").
    _rule(
        "positional_password",
        r"\b(?:auth\s{0,8}=\s{0,8}\(|(?:HTTPBasicAuth|HTTPDigestAuth|HTTPProxyAuth|BasicAuth|login|authenticate)"
        r"\s{0,8}\()\s{0,8}[^,()\n]{1,120}+,\s{0,8}(?:[^,()\n]{1,120}+,\s{0,8})?[rbuRBU]?(?P<quote>['\"])"
        r"(?P<value>[^'\"\n]{1,512}+)(?P=quote)",
    ),
    # x.set_password("pw"), keyring.set_password("svc", user, "pw"): the last argument.
    _rule(
        "set_password",
        r"\bset_password\((?:[^()\n]{0,200},\s{0,8})?[rbuRBU]?(?P<quote>['\"])(?P<value>[^'\"\n]{1,512}+)(?P=quote)"
        r"(?=\s{0,8}\))",
    ),
    # DB-API connect(host, user, "password", ...): the third positional argument when it is a literal.
    _rule(
        "connect_password",
        r"\bconnect\(\s{0,8}[^,()\n=]{1,120}+,\s{0,8}[^,()\n=]{1,120}+,\s{0,8}[rbuRBU]?(?P<quote>['\"])"
        r"(?P<value>[^'\"\n]{1,512}+)(?P=quote)",
    ),
)

# ---- rules inside string literals and comments -----------------------------------------------------------------
_IN_LITERALS: tuple[_Rule, ...] = (
    # key=value credentials: libpq ``password=``, ODBC ``PWD=``, Azure ``AccountKey=``, cookies ``sessionid=``,
    # query strings ``?api_key=``, .env lines ``DB_PASSWORD=`` / ``export API_TOKEN=`` (any case).
    _rule(
        "key_value",
        _NAME + r"\s?=\s?" + _PLACEHOLDER + r"(?P<value>[^\s&;,'\"\\]{3,512}+)",
        _value("key_value", lambda match: not _key_value_name(match.group("name")) or _is_code(match.group("value"))),
    ),
    # ``password: pw`` in a comment or YAML text, but not ``:param password: The password`` (prose).
    _rule(
        "key_value",
        r"(?<!:)(?<!param )(?<!type )(?<!\$)"
        + _NAME
        + r"\s?:\s?"
        + _PLACEHOLDER
        + r"(?![A-Za-z]{1,64}+[ .,]{1,8}[A-Za-z(])(?P<value>[^\s&;,'\"\\]{3,512}+)",
        _value("key_value", lambda match: not _colon_name(match.group("name"))),
    ),
    # A Cookie header's every value: ``Cookie: a=1; b=2``.
    _rule("cookie", r"(?i:\b(?:set-)?cookie:\s{0,8})(?P<value>[^'\"\n\\]{1,1024}+)"),
    # curl -u user:pw / --user user:pw
    _rule("curl_user", r"(?:\s|^)(?:-u|--user)\s{1,8}[^\s:'\"]{1,128}+:(?P<value>[^\s'\"@]{1,256}+)"),
    # mysql -u root -ppw (the password glued to -p)
    _rule("mysql_password", r"\bmysql(?:dump|admin)?\b[^\n'\"]{0,200}?\s-p(?P<value>[^\s'\"\\]{1,256}+)"),
    # netrc: machine host login me password pw
    _rule("netrc", r"\blogin\s{1,8}\S{1,128}+\s{1,8}password\s{1,8}(?P<value>[^\s'\"\\]{1,256}+)"),
)


_MIN_TOKEN = 20
_WORD_CHUNK = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+")
_CONTEXT = 40  # characters before a token where a name such as ``sha`` or ``trace_id`` says what it is
# Candidate tokens in literals: 20+ characters of base64/base64url; hex keys are 32+ hex digits.
_TOKEN = re.compile(r"(?<![A-Za-z0-9+/_\-])[A-Za-z0-9+/_\-]{20,}+={0,2}(?![A-Za-z0-9+/_\-])")
_HEX = re.compile(r"(?=[0-9]{0,200}[a-fA-F])[0-9a-fA-F]{32,}")  # a letter: all digits is a number
# Python string literals (any prefix, single or triple quotes) and comments; everything else is code.
_LEXER = re.compile(
    r"(?P<comment>\#[^\n]*)"
    r"|(?<![A-Za-z0-9_])(?:[rRbBuUfF]{1,2})?(?P<string>'''(?:\\.|[^\\])*?'''|\"\"\"(?:\\.|[^\\])*?\"\"\""
    r"|'(?:\\.|[^'\\\n])*'|\"(?:\\.|[^\"\\\n])*\")",
    re.DOTALL,
)


def redact(text: str) -> Redacted:
    """Replace every secret in ``text`` by ``<redacted:kind>``; line breaks are kept so line numbers stay valid."""
    counts: dict[str, int] = {}
    for rule in _ANYWHERE:
        text = _apply(rule, text, counts)
    pieces: list[str] = []
    done = 0
    for start, end in _literals(text):
        pieces.append(text[done:start])
        pieces.append(_redact_literal(text[start:end], text[max(0, start - _CONTEXT) : start], counts))
        done = end
    pieces.append(text[done:])
    return Redacted("".join(pieces), tuple(counts.items()))


def _apply(rule: _Rule, text: str, counts: dict[str, int]) -> str:
    """``text`` with ``rule`` applied, counting the matches it replaced (not those it kept)."""

    def replace(match: re.Match[str]) -> str:
        result = rule.replace(match)
        if result != match.group(0):
            counts[rule.kind] = counts.get(rule.kind, 0) + 1
        return result

    return rule.pattern.sub(replace, text)


def _literals(text: str) -> Iterator[tuple[int, int]]:
    """Where string literals and comments are (an unterminated literal is left as code)."""
    for match in _LEXER.finditer(text):
        yield match.span("comment" if match.group("comment") is not None else "string")


def _redact_literal(body: str, before: str, counts: dict[str, int]) -> str:
    """One literal or comment with its secrets replaced; ``before`` is the code in front of it (for its name)."""
    for rule in _IN_LITERALS:
        body = _apply(rule, body, counts)

    def token(match: re.Match[str]) -> str:
        value = match.group(0)
        if _HASH_CONTEXT.search((before + body[: match.start()])[-_CONTEXT:]):
            return value  # sha = "...", trace_id = "...", .../commit/<sha>
        kind = (
            "hex_key"
            if _HEX.fullmatch(value)
            else "high_entropy"
            if _looks_random(value) and not _is_global_id(value)
            else None
        )
        if kind is None:
            return value
        counts[kind] = counts.get(kind, 0) + 1
        return _marker(kind)

    return _TOKEN.sub(token, body)


# Python code in an example (``routing_key=message.properties['reply_to']``): an attribute chain, maybe called.
_CODE_VALUE = re.compile(r"[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)+[(\[]?")
# GraphQL global IDs (Graphene, Strawberry): base64 of "TypeName:" and a number or a UUID.
_GLOBAL_ID = re.compile(
    rb"[A-Z][A-Za-z]{1,60}:(?:[0-9]{1,20}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
)


def _is_code(value: str) -> bool:
    return _CODE_VALUE.fullmatch(value) is not None


def _is_global_id(token: str) -> bool:
    try:
        decoded = base64.b64decode(token + "=" * (-len(token) % 4), validate=True)
    except ValueError:
        return False
    return _GLOBAL_ID.fullmatch(decoded) is not None


def _looks_random(token: str) -> bool:
    """Random-looking tokens have lower and upper case letters and digits and ~4+ bits of entropy per character;
    words, identifiers and paths do not (fewer character classes, or repeated letters).  A path is judged by its
    parts: ``a/b/<key>`` hides a key, ``Kludex/starlette/commit`` is words."""
    core = token.rstrip("=")
    segments = core.split("/")
    if len(segments) > 1 and any(re.fullmatch(r"[a-z]{3,}", s) for s in segments):
        return any(len(s) >= _MIN_TOKEN and _looks_random(s) for s in segments)
    if not (any(c.islower() for c in core) and any(c.isupper() for c in core) and any(c.isdigit() for c in core)):
        return False
    words = _WORD_CHUNK.findall(core)
    if sum(map(len, words)) / max(len(words), 1) >= 4:
        return False  # CamelCase or snake_case words: AccountUpdateParamsP24Payments
    parts = [p for p in re.split(r"[_\-]", core) if p]
    if len(parts) > 1 and all(re.fullmatch(r"[A-Za-z]+[0-9]{0,3}|[0-9]+", p) for p in parts):
        return False  # an identifier: every part a word, maybe with a version number
    return _entropy(core) >= 4.0


def _entropy(text: str) -> float:
    counts: dict[str, int] = {}
    for char in text:
        counts[char] = counts.get(char, 0) + 1
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())
