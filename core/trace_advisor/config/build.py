"""Validates each layer, merges them in order and builds the typed :class:`Config` with each value's origin."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from trace_advisor.config.errors import ConfigError, ConfigIssue
from trace_advisor.config.layers import KeyPath, Layer
from trace_advisor.config.schema import ConfigSchema
from trace_advisor.config.secret_keys import secret_issues
from trace_advisor.config_model import (
    PROVIDERS,
    Config,
    PriorityConfig,
    ProviderConfig,
    ReportConfig,
    ServerConfig,
    SpansConfig,
)

# Values that are file system paths: relative ones resolve against the folder of the layer that set them.
PATH_KEYS: tuple[KeyPath, ...] = (
    ("search_paths",),
    ("traces",),
    ("report", "template"),
    ("report", "output"),
    ("python",),
)


def build_config(layers: Sequence[Layer], schema: ConfigSchema) -> Config:
    """Merge ``layers`` (later wins) into a Config; raises ConfigError listing every issue found."""
    issues = [issue for layer in layers for issue in layer_issues(layer, schema)]
    if issues:
        raise ConfigError(issues)

    merged: dict[str, object] = {}
    origins: dict[KeyPath, Layer] = {}
    for layer in layers:
        _merge(merged, layer.data, (), layer, origins)
    for path, message in schema.validate(merged):
        owner = _owner(path, origins)
        issues.append(ConfigIssue(owner.where(path) if owner else "config", ".".join(path), message))
    if issues:
        raise ConfigError(issues)
    _resolve_paths(merged, origins)
    return _to_config(merged, schema, origins)


def layer_issues(layer: Layer, schema: ConfigSchema) -> list[ConfigIssue]:
    """What is wrong with one layer on its own: secrets, unknown keys, wrong types, values out of range."""
    secrets = secret_issues(layer)
    hidden = {tuple(issue.key.split(".")) for issue in secrets}
    issues = list(secrets)
    for path, message in schema.validate(dict(layer.data), partial=True):
        if path not in hidden:
            issues.append(ConfigIssue(layer.where(path), ".".join(path), message))
    return issues


def _merge(
    target: dict[str, object], source: Mapping[str, object], path: KeyPath, layer: Layer, origins: dict[KeyPath, Layer]
) -> None:
    for key, value in source.items():
        child = (*path, key)
        origins[child] = layer
        existing = target.get(key)
        if isinstance(value, dict) and isinstance(existing, dict):
            _merge(existing, value, child, layer, origins)
        else:
            target[key] = _copy(value)
            for sub in _paths(value, child):
                origins[sub] = layer


def _copy(value: object) -> object:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def _paths(value: object, path: KeyPath) -> list[KeyPath]:
    if not isinstance(value, dict):
        return []
    out: list[KeyPath] = []
    for key, item in value.items():
        out.append((*path, key))
        out.extend(_paths(item, (*path, key)))
    return out


def _owner(path: KeyPath, origins: Mapping[KeyPath, Layer]) -> Layer | None:
    for end in range(len(path), 0, -1):
        if path[:end] in origins:
            return origins[path[:end]]
    return None


def _resolve_paths(merged: dict[str, object], origins: Mapping[KeyPath, Layer]) -> None:
    for path in PATH_KEYS:
        parent: object = merged
        for key in path[:-1]:
            parent = parent.get(key) if isinstance(parent, dict) else None
        if not isinstance(parent, dict) or parent.get(path[-1]) is None:
            continue
        owner = _owner(path, origins)
        base = owner.base_dir if owner else None
        if base is None:
            continue
        value = parent[path[-1]]
        if path == ("python",):
            if isinstance(value, str) and ("/" in value or os.sep in value):  # a bare "python3" is a command
                parent["python"] = _absolute(value, base)
        elif isinstance(value, list):
            parent[path[-1]] = [_absolute(str(item), base) for item in value]
        else:
            parent[path[-1]] = _absolute(str(value), base)


def _absolute(value: str, base: Path) -> str:
    path = Path(os.path.expanduser(value))
    return os.path.normpath(path if path.is_absolute() else base / path)


def _to_config(tree: dict[str, object], schema: ConfigSchema, origins: Mapping[KeyPath, Layer]) -> Config:
    typed: Any = _typed(tree, (), schema)
    provider = dict(typed["provider"])
    priorities = {
        name: PriorityConfig(weight=float(item["weight"]), description=str(item["description"]))
        for name, item in typed["priorities"].items()
    }
    locations = {".".join(path): layer.where(path) for path, layer in origins.items() if not _is_mapping_at(tree, path)}
    return Config(
        priorities=MappingProxyType(priorities),
        search_paths=tuple(typed["search_paths"]),
        python=typed["python"],
        ignore=tuple(typed["ignore"]),
        traces=tuple(typed["traces"]),
        min_confidence=_min_confidence(typed, locations),
        scoring=typed["scoring"],
        max_per_file=typed["max_per_file"],
        max_file_bytes=typed["max_file_bytes"],
        hot_calls_per_unit=typed["hot_calls_per_unit"],
        provider=ProviderConfig(
            **{name: kind.settings(**provider.pop(name)) for name, kind in PROVIDERS.items()},
            **provider,
        ),
        report=ReportConfig(**typed["report"]),
        spans=SpansConfig(**{**typed["spans"], "sensitive_names": tuple(typed["spans"]["sensitive_names"])}),
        server=ServerConfig(**typed["server"]),
        origins=MappingProxyType(dict(sorted(locations.items()))),
    )


def _min_confidence(typed: Mapping[str, Any], locations: Mapping[str, str]) -> float:
    """The calibrated scorer's confidences are probabilities with their own fitted cut: it is the default there."""
    if typed["scoring"] == "calibrated" and locations.get("min_confidence", "default") == "default":
        return _shipped_threshold()
    return float(typed["min_confidence"])


def _shipped_threshold() -> float:
    """``advise.calibration.shipped().threshold``, read without importing the scorer and the detectors (a command
    that scores nothing, ``calls``, loads the configuration too)."""
    text = resources.files("trace_advisor.resources").joinpath("calibration.json").read_text("utf-8")
    return float(json.loads(text)["threshold"])


def _typed(value: object, path: KeyPath, schema: ConfigSchema) -> object:
    """Numbers become float or int as the schema declares (YAML's ``60`` for a number, ``3.0`` for an integer)."""
    if isinstance(value, dict):
        return {key: _typed(item, (*path, key), schema) for key, item in value.items()}
    if isinstance(value, list):
        return list(value)
    target = schema.at(path)
    types = schema.types(target) if target is not None else []
    if isinstance(value, int | float) and not isinstance(value, bool):
        if "integer" in types:
            return int(value)
        if "number" in types:
            return float(value)
    return value


def _is_mapping_at(tree: Mapping[str, object], path: KeyPath) -> bool:
    node: object = tree
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    return isinstance(node, dict)
