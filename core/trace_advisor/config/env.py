"""Turns ``TRACE_ADVISOR_*`` environment variables into a configuration layer, typed by the schema."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from trace_advisor.config.errors import ConfigError, ConfigIssue
from trace_advisor.config.layers import KeyPath, Layer
from trace_advisor.config.schema import ConfigSchema, suggest

PREFIX = "TRACE_ADVISOR_"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_name(path: KeyPath) -> str:
    """``("provider", "bedrock", "region")`` -> ``TRACE_ADVISOR_PROVIDER__BEDROCK__REGION``."""
    return PREFIX + "__".join(part.upper() for part in path)


def env_layer(environ: Mapping[str, str], schema: ConfigSchema, base_dir: Path | None) -> Layer | None:
    """The layer of every ``TRACE_ADVISOR_*`` variable; unknown names are errors (with a suggestion)."""
    tree: dict[str, object] = {}
    locations: dict[KeyPath, str] = {}
    issues: list[ConfigIssue] = []
    for name in sorted(environ):
        if not name.startswith(PREFIX) or name == PREFIX:
            continue
        path = tuple(part.lower() for part in name[len(PREFIX) :].split("__"))
        where = f"env {name}"
        target = schema.at(path)
        if target is None or any(not part for part in path):
            known = [env_name((*path[:-1], key)) for key in schema.known_keys(path[:-1])]
            issues.append(ConfigIssue(where, ".".join(path), f"unknown setting{suggest(name, known)}"))
            continue
        node = tree
        for part in path[:-1]:
            child = node.setdefault(part, {})
            assert isinstance(child, dict)
            node = child
        node[path[-1]] = parse_env_value(environ[name], schema.types(target))
        locations[path] = where
    if issues:
        raise ConfigError(issues)
    if not tree:
        return None
    return Layer("env", tree, base_dir, locations, "env")


def parse_env_value(raw: str, types: list[str]) -> object:
    """Convert by the key's schema types; values that do not convert stay strings so validation names them."""
    text = raw.strip()
    if "null" in types and text.lower() in {"", "null", "none"}:
        return None
    if "array" in types:
        return [item.strip() for item in text.split(",") if item.strip()]
    if "boolean" in types and text.lower() in _TRUE | _FALSE:
        return text.lower() in _TRUE
    if "integer" in types:
        try:
            return int(text)
        except ValueError:
            pass
    if "number" in types:
        try:
            return float(text)
        except ValueError:
            pass
    return raw if "string" in types else text
