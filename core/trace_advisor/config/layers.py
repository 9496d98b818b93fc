"""Configuration layers: a raw tree of values plus where each key path was written (YAML, TOML, env, settings)."""

from __future__ import annotations

import logging
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from trace_advisor.config.errors import ConfigError, ConfigIssue

logger = logging.getLogger(__name__)

# settings renamed since they were introduced: old top-level key -> its name now (the old one is still read)
RENAMED: Mapping[str, str] = {"hot_calls_per_request": "hot_calls_per_unit"}

KeyPath = tuple[str, ...]
TOOL_TABLE = "trace-advisor"
# libyaml's parser when PyYAML was built with it (several times faster); both record the line of every node
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# A configuration has a few hundred values; aliases (``*a``) may repeat a subtree, but not into a "billion laughs".
MAX_YAML_VALUES = 10_000
MAX_DEPTH = 64


@dataclass(frozen=True, slots=True)
class Layer:
    """One source of settings. ``locations`` maps key paths to ``file:line`` (or a label for the whole layer)."""

    name: str  # what the user calls this source: "default.yaml", ".trace-advisor.yaml", "env", "settings"
    data: Mapping[str, object]
    base_dir: Path | None  # relative paths set by this layer resolve against it
    locations: Mapping[KeyPath, str] = field(default_factory=dict)
    fallback: str = ""  # location of key paths with no entry of their own

    def where(self, path: KeyPath) -> str:
        """The most precise known location of ``path``: the path itself or its closest recorded ancestor."""
        for end in range(len(path), -1, -1):
            found = self.locations.get(path[:end])
            if found is not None:
                return found
        return self.fallback or self.name


# ---- YAML ------------------------------------------------------------------------------------------------------


def yaml_layer(text: str, display: str, base_dir: Path | None) -> Layer:
    """Parse YAML keeping the line of every key; syntax errors become a ConfigError at file:line."""
    loader = _LOADER(text)
    try:
        node = loader.get_single_node()
        if node is not None:
            _check_expansion(node, display)
        locations: dict[KeyPath, str] = {(): f"{display}:1"}
        data = _yaml_value(loader, node, (), display, locations) if node is not None else {}
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark is not None else ""
        raise ConfigError.single(f"{display}{line}", "", f"invalid YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise ConfigError.single(display, "", f"invalid YAML: {exc}") from None
    except (RecursionError, ValueError, OverflowError) as exc:  # too deep for the parser; a number too long to read
        raise ConfigError.single(display, "", f"invalid YAML: {type(exc).__name__}: {exc}") from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise ConfigError.single(f"{display}:1", "", "expected a mapping of settings at the top level")
    return current_names(Layer(display, data, base_dir, locations, f"{display}:1"))


def _check_expansion(root: yaml.Node, display: str) -> None:
    """Refuse a document whose aliases expand to more than MAX_YAML_VALUES values or nest deeper than MAX_DEPTH
    (alias bombs), or that contains itself (a recursive anchor), before anything is expanded.

    Every node's expanded size is counted once (memoised), so this costs one pass over the nodes as written.
    """
    sizes: dict[int, int] = {}
    heights: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            open_nodes.discard(key)
            children = [id(child) for child in _children(node)]
            sizes[key] = 1 + sum(sizes[child] for child in children)
            heights[key] = 1 + max((heights[child] for child in children), default=0)
            if sizes[key] > MAX_YAML_VALUES:
                raise _too_big(node, display, f"expands to more than {MAX_YAML_VALUES} values (YAML aliases)")
            if heights[key] > MAX_DEPTH:
                raise _too_big(node, display, f"nested more than {MAX_DEPTH} levels deep")
            continue
        if key in sizes:
            continue
        if key in open_nodes:
            raise _too_big(node, display, "an anchor contains an alias to itself (recursive YAML)")
        open_nodes.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in sizes)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _too_big(node: yaml.Node, display: str, problem: str) -> ConfigError:
    return ConfigError.single(f"{display}:{node.start_mark.line + 1}", "", f"refused: {problem}")


def _yaml_value(
    loader: yaml.SafeLoader, node: yaml.Node, path: KeyPath, display: str, locations: dict[KeyPath, str]
) -> object:
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)  # applies YAML merge keys (<<)
        out: dict[str, object] = {}
        for key_node, value_node in node.value:
            where = f"{display}:{key_node.start_mark.line + 1}"
            if not isinstance(key_node, yaml.ScalarNode):
                raise ConfigError.single(where, ".".join(path), "keys must be plain names")
            key = str(key_node.value)  # the text as written: `on:` stays "on", never True
            if key in out:
                raise ConfigError.single(where, ".".join((*path, key)), "duplicate key")
            locations[(*path, key)] = where
            out[key] = _yaml_value(loader, value_node, (*path, key), display, locations)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_yaml_value(loader, item, path, display, locations) for item in node.value]
    return loader.construct_object(node, deep=True)


# ---- pyproject.toml --------------------------------------------------------------------------------------------

_HEADER = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(#.*)?$")
_ASSIGN = re.compile(
    r"^\s*((?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*'))*)\s*="
)
_TOML_LINE = re.compile(r"at line (\d+)")


def pyproject_layer(text: str, display: str, base_dir: Path | None) -> Layer | None:
    """The ``[tool.trace-advisor]`` table of a pyproject.toml, or None when it has none."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_LINE.search(str(exc))
        where = f"{display}:{found.group(1)}" if found else display
        raise ConfigError.single(where, "", f"invalid TOML: {exc}") from None
    except RecursionError:
        raise ConfigError.single(display, "", "invalid TOML: nested too deeply to read") from None
    tool = document.get("tool")
    section = tool.get(TOOL_TABLE) if isinstance(tool, dict) else None
    if section is None:
        return None
    locations = _toml_locations(text, display)
    fallback = locations.get((), f"{display}:1")
    if not isinstance(section, dict):
        raise ConfigError([ConfigIssue(fallback, "", f"tool.{TOOL_TABLE} must be a table")])
    if _depth(section) > MAX_DEPTH:
        raise ConfigError.single(fallback, "", f"refused: nested more than {MAX_DEPTH} levels deep")
    return current_names(Layer(display, section, base_dir, locations, fallback))


def _depth(value: object) -> int:
    """Nesting depth of a parsed TOML value, without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth <= MAX_DEPTH:
            children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
            stack.extend((child, depth + 1) for child in children)
    return deepest


def _toml_locations(text: str, display: str) -> dict[KeyPath, str]:
    """Lines of the keys under [tool.trace-advisor], found by scanning headers and ``key =`` lines."""
    locations: dict[KeyPath, str] = {}
    table: KeyPath | None = None  # key path inside our section, None while outside it
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header and not line.lstrip().startswith("[["):
            keys = _split_keys(header.group(1))
            table = tuple(keys[2:]) if keys[:2] == ["tool", TOOL_TABLE] else None
        elif table is not None and (assign := _ASSIGN.match(line)):
            path = (*table, *_split_keys(assign.group(1)))
            for end in range(len(table) + 1, len(path) + 1):
                locations.setdefault(path[:end], f"{display}:{number}")
            continue
        else:
            continue
        if table is not None:
            for end in range(len(table) + 1):
                locations.setdefault(table[:end], f"{display}:{number}")
    return locations


def _split_keys(dotted: str) -> list[str]:
    parts = re.findall(r"\"[^\"]*\"|'[^']*'|[^.\s]+", dotted)
    return [part[1:-1] if part[:1] in "\"'" else part for part in parts]


# ---- plain mappings (editor settings, command-line overrides) --------------------------------------------------


def mapping_layer(data: Mapping[str, object], label: str, base_dir: Path | None) -> Layer:
    """A layer from already-typed values; dotted keys (``provider.name``) expand; None/null means "not given"."""
    tree: dict[str, object] = {}
    for key, value in data.items():
        if value is None:
            continue
        parts = str(key).split(".")
        node = tree
        for part in parts[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise ConfigError.single(label, str(key), f"conflicts with the value given for {part!r}")
            node = child
        node[parts[-1]] = _plain(value)
    return current_names(Layer(label, tree, base_dir, {}, label))


def _plain(value: object) -> object:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def current_names(layer: Layer) -> Layer:
    """``layer`` with each setting it gives under an old name (:data:`RENAMED`) read as its name now, at the same
    location, and a warning naming both; when the layer gives both names, the new one wins."""
    old = [key for key in RENAMED if key in layer.data]
    if not old:
        return layer
    data, locations = dict(layer.data), dict(layer.locations)
    for key in old:
        new = RENAMED[key]
        logger.warning("%s: %s is deprecated, read as %s: rename it", layer.where((key,)), key, new)
        value, where = data.pop(key), locations.pop((key,), None)
        if new not in data:
            data[new] = value
            if where is not None:
                locations[(new,)] = where
    return Layer(layer.name, data, layer.base_dir, locations, layer.fallback)
