"""Turns ``TRACE_ADVISOR_*`` environment variables into a configuration layer, typed by the schema."""

from __future__ import annotations

import difflib
import logging
from collections.abc import Mapping
from pathlib import Path

from trace_advisor.config.errors import ConfigError, ConfigIssue
from trace_advisor.config.layers import RENAMED, KeyPath, Layer
from trace_advisor.config.schema import ConfigSchema
from trace_advisor.config.secret_keys import SECRET_KEYS

PREFIX = "TRACE_ADVISOR_"
logger = logging.getLogger(__name__)
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
        if len(path) == 1 and path[0] in RENAMED:
            logger.warning("%s is deprecated, read as %s: rename it", name, env_name((RENAMED[path[0]],)))
            path = (RENAMED[path[0]],)
        target = schema.at(path)
        if target is None or any(not part for part in path):
            advice = SECRET_KEYS.get(path[-1])
            if advice is not None:
                # the key already sits in a variable: what is missing is naming it in api_key_env
                advice = advice.replace(
                    "put the key in an environment variable and name that variable", "name the variable holding the key"
                )
                issues.append(ConfigIssue(where, ".".join(path), f"secrets are not settings; {advice}"))
            elif _aimed_at_config(path, schema):
                issues.append(ConfigIssue(where, ".".join(path), f"unknown setting{_suggest_name(path, schema)}"))
            else:
                logger.debug("ignoring %s: not a trace-advisor setting", name)
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


def _aimed_at_config(path: KeyPath, schema: ConfigSchema) -> bool:
    """A name under a known section, or close to a known key, is a misspelt setting (an error); anything else is
    some other tool's or test's variable sharing our prefix (``TRACE_ADVISOR_SELF_TEST``) and is ignored."""
    top = schema.known_keys(())
    if path[0] in top:
        return True
    return bool(difflib.get_close_matches(path[0], top, n=1, cutoff=0.75))


def _suggest_name(path: KeyPath, schema: ConfigSchema) -> str:
    """Replace the first unknown segment by its closest known key, if the result is a setting."""
    for index in range(len(path)):
        if schema.at(path[: index + 1]) is None:
            close = difflib.get_close_matches(path[index], schema.known_keys(path[:index]), n=1, cutoff=0.6)
            fixed = (*path[:index], close[0], *path[index + 1 :]) if close else None
            if fixed is not None and schema.at(fixed) is not None:
                return f" (did you mean {env_name(fixed)!r}?)"
            return ""
    return ""


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
