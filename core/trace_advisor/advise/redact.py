"""Removes secrets (keys, tokens, passwords, DSN credentials, private keys) from source text before it is sent."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

# Words that make an assigned literal a secret: ``db_password = "..."``, ``API_KEY=...``, ``{"token": "..."}``.
_SECRET_WORDS = (
    r"(?:passw(?:or)?d|pwd|secret|token|api[_\-]?key|access[_\-]?key|private[_\-]?key|credentials?|authorization)"
)
# Names that only point at a secret (``token_url``, ``password_field``, ``secret_name``) are not secrets.
_NOT_SECRET_SUFFIX = "".join(
    rf"(?<!{suffix})"
    for suffix in (
        "_url",
        "_uri",
        "_endpoint",
        "_path",
        "_file",
        "_name",
        "_field",
        "_env",
        "_var",
        "_type",
        "_header",
        "_prompt",
        "_label",
        "_length",
        "_policy",
    )
)
_SECRET_NAME = r"[A-Za-z0-9_\-]*" + _SECRET_WORDS + r"[A-Za-z0-9_\-]*" + _NOT_SECRET_SUFFIX
# .env files use upper-case names; requiring them keeps ``password=pw`` keyword arguments readable.
_ENV_NAME = r"[A-Z0-9_]*(?:PASSW(?:OR)?D|PWD|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIALS?)[A-Z0-9_]*"


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


def _keep_lines(kind: str) -> Callable[[re.Match[str]], str]:
    """Replace a (possibly multi-line) match by a marker, keeping its line breaks so line numbers stay valid."""

    def replace(match: re.Match[str]) -> str:
        return _marker(kind) + "\n" * match.group(0).count("\n")

    return replace


def _group_only(kind: str, group: str) -> Callable[[re.Match[str]], str]:
    """Replace only the named group of a match (the value), keeping the name and punctuation around it."""

    def replace(match: re.Match[str]) -> str:
        start, end = match.span(group)
        base = match.start(0)
        whole = match.group(0)
        return whole[: start - base] + _marker(kind) + whole[end - base :]

    return replace


_RULES: tuple[tuple[str, re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    # PEM blocks, whether real line breaks or "\n" escapes inside one literal.
    (
        "private_key",
        re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----.*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|\Z)", re.DOTALL),
        _keep_lines("private_key"),
    ),
    # scheme://user:password@host -> keep scheme, user and host.
    (
        "dsn_password",
        re.compile(r"(?P<head>\b[a-zA-Z][a-zA-Z0-9+.\-]*://[^\s:/@'\"]*:)(?P<value>[^\s@'\"/]+)(?=@)"),
        _group_only("dsn_password", "value"),
    ),
    ("aws_access_key_id", re.compile(r"\b(?:AKIA|ASIA|ABIA|ACCA|AROA|AIDA)[0-9A-Z]{16}\b"), _keep_lines("aws_key")),
    (
        "bearer_token",
        re.compile(r"(?P<head>\b(?:Bearer|Basic|Token)\s+)(?P<value>[A-Za-z0-9\-._~+/]{8,}=*)"),
        _group_only("token", "value"),
    ),
    ("jwt", re.compile(r"\beyJ[A-Za-z0-9_\-]{5,}\.eyJ[A-Za-z0-9_\-]{5,}\.[A-Za-z0-9_\-]{5,}"), _keep_lines("token")),
    (
        "vendor_token",
        re.compile(
            r"\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|xox[abprs]-[A-Za-z0-9\-]{10,}"
            r"|sk-(?:proj-|ant-)?[A-Za-z0-9_\-]{20,}|AIza[0-9A-Za-z_\-]{35}|glpat-[A-Za-z0-9_\-]{20,})"
        ),
        _keep_lines("token"),
    ),
    # Python assignments, keyword arguments, dict entries and annotations whose name says "secret":
    #   password = "hunter2"   connect(password='x')   {"api_key": "x"}   TOKEN: str = "x"
    (
        "secret_literal",
        re.compile(
            r"(?P<head>['\"]?\b" + _SECRET_NAME + r"['\"]?\s*(?::\s*[A-Za-z_][\w\[\], .|]*\s*)?(?:=|:)\s*"
            r"(?:[rbufRBUF]{0,2}))(?P<quote>['\"])(?!<redacted:)(?P<value>(?:(?!(?P=quote)).){1,})(?P=quote)",
            re.IGNORECASE,
        ),
        _group_only("secret", "value"),
    ),
    # .env-style lines, bare or inside a string: ``DB_PASSWORD=hunter2``, ``export API_TOKEN=abc``.
    (
        "env_assignment",
        re.compile(
            r"(?P<head>(?:^|(?<=[\s'\"])|(?<=\\n)|(?<=\\t))(?:export\s+)?"
            + _ENV_NAME
            + r"=)(?!<redacted:)(?P<value>[^\s'\"\\]+)",
            re.MULTILINE,
        ),
        _group_only("secret", "value"),
    ),
    # A 40-character AWS secret access key on its own (e.g. passed positionally).
    (
        "aws_secret_key",
        re.compile(
            r"(?<![A-Za-z0-9/+=])(?=[A-Za-z0-9/+=]*[0-9])(?=[A-Za-z0-9/+=]*[a-z])(?=[A-Za-z0-9/+=]*[A-Z])"
            r"[A-Za-z0-9/+=]{40}(?![A-Za-z0-9/+=])"
        ),
        _keep_lines("aws_secret"),
    ),
)


def redact(text: str) -> Redacted:
    """Replace every secret in ``text`` by ``<redacted:kind>``; line breaks are kept so line numbers stay valid."""
    counts: list[tuple[str, int]] = []
    for kind, pattern, replace in _RULES:
        text, n = pattern.subn(replace, text)
        if n:
            counts.append((kind, n))
    return Redacted(text, tuple(counts))
