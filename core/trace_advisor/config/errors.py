"""The configuration error: every problem names where it came from (file:line or env var), the key path and why."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ConfigIssue:
    """One invalid value: ``where`` is ``file:line``, ``env NAME`` or a label such as ``settings``."""

    where: str
    key: str  # dotted key path, "" for the whole document
    message: str

    def __str__(self) -> str:
        key = f" {self.key}" if self.key else ""
        return f"config: {self.where}{key}: {self.message}"


class ConfigError(Exception):
    """Invalid configuration; the message lists every issue, one per line, as ``config: FILE:LINE KEY: WHY``."""

    def __init__(self, issues: list[ConfigIssue] | tuple[ConfigIssue, ...]) -> None:
        self.issues = tuple(issues)
        super().__init__("\n".join(str(issue) for issue in self.issues))

    @classmethod
    def single(cls, where: str, key: str, message: str) -> ConfigError:
        return cls([ConfigIssue(where, key, message)])
