"""config/config.schema.json, config/default.yaml and the loader cannot drift apart."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from trace_advisor.config import ConfigError, ConfigSchema, load_config, load_schema_document
from trace_advisor.config_model import Config

BAD_VALUES: tuple[object, ...] = ("x", "", -1, 0, 1.5, 2, 10**10, True, None, [], ["a", 3], {}, {"k": 1})


@pytest.fixture(scope="module")
def schema(repo_root: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((repo_root / "config" / "config.schema.json").read_text())
    return document


@pytest.fixture(scope="module")
def defaults(repo_root: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((repo_root / "config" / "default.yaml").read_text())
    return data


def leaves(tree: dict[str, Any], path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    for key, value in tree.items():
        if isinstance(value, dict):
            yield from leaves(value, (*path, key))
        else:
            yield (*path, key), value


def schema_leaves(helper: ConfigSchema, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    node = helper.at(path)
    assert node is not None
    properties = node.get("properties", {})
    if not properties:
        yield path
    for key in properties:
        yield from schema_leaves(helper, (*path, key))


def test_schema_is_valid_draft_2020_12(schema: dict[str, Any]) -> None:
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_bundled_schema_is_the_repository_file(schema: dict[str, Any]) -> None:
    assert load_schema_document() == schema


def test_default_yaml_validates(schema: dict[str, Any], defaults: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator(schema).validate(defaults)


def test_same_keys_in_schema_and_defaults(schema: dict[str, Any], defaults: dict[str, Any]) -> None:
    assert sorted(path for path, _ in leaves(defaults)) == sorted(schema_leaves(ConfigSchema(schema)))


def test_schema_defaults_equal_default_yaml(schema: dict[str, Any], defaults: dict[str, Any]) -> None:
    helper = ConfigSchema(schema)
    compared = 0
    for leaf in schema_leaves(helper):
        value: Any = defaults
        declared = False  # at the leaf or an enclosing key (a priority declares weight and description together)
        for end in range(1, len(leaf) + 1):
            value = value[leaf[end - 1]]
            node = helper.at(leaf[:end])
            assert node is not None
            if "default" in node:
                assert node["default"] == value, leaf[:end]
                declared = True
                compared += 1
        assert declared, leaf
    assert compared > 50


def test_every_key_is_described(schema: dict[str, Any]) -> None:
    helper = ConfigSchema(schema)
    for path in schema_leaves(helper):
        for end in range(1, len(path) + 1):
            node = helper.at(path[:end])
            assert node is not None and node.get("description"), path[:end]


def invalid_candidates(defaults: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every setting set to every wrong-ish value, plus misspelt and extra keys."""
    for path, _ in leaves(defaults):
        for bad in BAD_VALUES:
            tree: dict[str, Any] = {}
            node = tree
            for key in path[:-1]:
                node = node.setdefault(key, {})
            node[path[-1]] = bad
            yield tree
    yield {"priorites": {}}
    yield {"provider": {"openai": {"modle": "x"}}}
    yield {"priorities": {"new_one": {"weight": 1}}}
    yield {"priorities": {"new_one": {"description": "d"}}}
    yield {"priorities": {"new_one": {"weight": 1, "description": "d"}}}
    yield {"priorities": {"NewOne": {"weight": 1, "description": "d"}}}
    yield {"priorities": {"external_io": {"weight": 0}}}
    yield {"priorities": {"external_io": {"colour": "red"}}}


def test_loader_rejects_exactly_what_the_schema_rejects(
    schema: dict[str, Any], defaults: dict[str, Any], tmp_path: Path
) -> None:
    validator = jsonschema.Draft202012Validator(schema)
    checked = rejected = 0
    for tree in invalid_candidates(defaults):
        (tmp_path / ".trace-advisor.yaml").write_text(yaml.safe_dump(tree))
        schema_ok = validator.is_valid(tree)
        try:
            load_config(tmp_path, env={})
            loader_ok = True
        except ConfigError:
            loader_ok = False
        assert loader_ok == schema_ok, (tree, list(validator.iter_errors(tree))[:1])
        checked += 1
        rejected += not schema_ok
    assert checked > 500 and rejected > checked // 2


def dataclass_defaults(cls: type, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every field default of a config dataclass, nested ones included, by key path."""
    for item in dataclasses.fields(cls):
        if item.default is not dataclasses.MISSING:
            yield (*path, item.name), item.default
        elif item.default_factory is not dataclasses.MISSING:
            value = item.default_factory()
            if dataclasses.is_dataclass(value):
                yield from dataclass_defaults(type(value), (*path, item.name))
            else:
                yield (*path, item.name), value


def test_dataclass_defaults_equal_default_yaml(defaults: dict[str, Any]) -> None:
    """The typed config's field defaults (used by code that builds a Config without the loader) are default.yaml's."""
    found = dict(dataclass_defaults(Config))
    for meta in ("origins", "ignored", "untrusted_file"):  # where values came from, what trust held back: not settings
        found.pop((meta,))
    assert len(found) > 30
    for path, value in found.items():
        expected: Any = defaults
        for key in path:
            expected = expected[key]
        assert (list(value) if isinstance(value, tuple) else value) == expected, path
