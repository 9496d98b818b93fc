"""Client settings (camelCase, as a list per workspace folder or one dict) merged with each project's config."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trace_advisor.config import ConfigError, default_config, from_camel_case, load_config
from trace_advisor.config_model import Config

from trace_advisor_lsp.convert import uri_to_path

LOG = logging.getLogger(__name__)
SECTION = "traceAdvisor"  # workspace/configuration section and the key clients may nest settings under
SECTION_ALIASES = (SECTION, "trace-advisor", "trace_advisor")
SCOPE_KEYS = ("workspace", "workspaceFolder", "scopeUri", "uri")
# keys editors keep next to the server settings that are not trace-advisor configuration
CLIENT_ONLY_KEYS = frozenset({"trace", "path", "serverPath", "interpreter", "enable", "importStrategy", "cwd"})


@dataclass(frozen=True, slots=True)
class ClientSettings:
    """The client's settings in snake_case: one tree for every folder, plus per-folder trees by folder path."""

    common: Mapping[str, Any] = field(default_factory=dict)
    folders: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def for_root(self, root: Path) -> dict[str, Any]:
        merged = dict(self.common)
        for folder, tree in self.folders.items():
            if Path(folder) == root:
                merged = deep_merge(merged, tree)
        return merged


def parse_client_settings(raw: object) -> ClientSettings:
    """Accept what editors send: None, a dict of settings, ``{"traceAdvisor": {...}}``, ``{"settings": [...]}`` /
    ``{"settings": {...}, "globalSettings": {...}}``, or a list of per-folder dicts carrying ``workspace``."""
    common: dict[str, Any] = {}
    folders: dict[str, dict[str, Any]] = {}
    _collect(raw, common, folders)
    return ClientSettings(_snake(common), {k: _snake(v) for k, v in folders.items()})


def from_pulled(answer: Sequence[object], roots: Sequence[Path], initialization_options: object) -> ClientSettings:
    """The settings a ``workspace/configuration`` answer gives: ``answer[0]`` for every folder, then one tree per
    folder of ``roots``. They replace ``initializationOptions`` (a setting the user removed is gone), except when the
    client has no settings of ours at all (every item null), e.g. Neovim configured with ``init_options`` only."""
    trees = [item if isinstance(item, Mapping) else None for item in answer]
    if all(tree is None for tree in trees):
        return parse_client_settings(initialization_options)
    scoped = [{**tree, "workspace": str(root)} for root, tree in zip(roots, trees[1:], strict=False) if tree]
    return parse_client_settings([trees[0] or {}, *scoped])


def _collect(raw: object, common: dict[str, Any], folders: dict[str, dict[str, Any]]) -> None:
    if isinstance(raw, list | tuple):
        for item in raw:
            _collect(item, common, folders)
        return
    if not isinstance(raw, Mapping):
        return
    for alias in SECTION_ALIASES:
        if isinstance(raw.get(alias), Mapping):
            _collect(raw[alias], common, folders)
            return
    if "settings" in raw or "globalSettings" in raw:
        _collect(raw.get("globalSettings"), common, folders)
        _collect(raw.get("settings"), common, folders)
        return
    scope = next((raw[k] for k in SCOPE_KEYS if isinstance(raw.get(k), str)), None)
    tree = {k: v for k, v in raw.items() if k not in SCOPE_KEYS and k not in CLIENT_ONLY_KEYS}
    if scope is None:
        common.update(deep_merge(common, tree))
        return
    path = uri_to_path(scope) if "://" in scope else scope
    key = str(Path(path)) if path else scope
    folders[key] = deep_merge(folders.get(key, {}), tree)


def _snake(tree: Mapping[str, Any]) -> dict[str, Any]:
    converted = from_camel_case(dict(tree))
    return converted if isinstance(converted, dict) else {}


def deep_merge(base: Mapping[str, Any], top: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in top.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def project_config(root: Path, settings: ClientSettings) -> tuple[Config, list[str]]:
    """The project's config with the client's settings on top. Never raises: invalid settings are reported
    and ignored (the project's own config is used); an invalid project config falls back to the defaults."""
    problems: list[str] = []
    overrides = settings.for_root(root)
    try:
        return load_config(root, overrides=overrides or None, overrides_origin="editor settings"), problems
    except ConfigError as exc:
        problems.append(f"trace-advisor: invalid settings, using defaults for them:\n{exc}")
    except Exception as exc:  # a broken config must never take the server down
        problems.append(f"trace-advisor: could not load settings: {exc}")
    try:
        return load_config(root), problems
    except Exception as exc:
        problems.append(f"trace-advisor: invalid project config in {root}, using the defaults:\n{exc}")
    return default_config(), problems
