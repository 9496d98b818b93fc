"""Checks configuration trees against config/config.schema.json, the one declaration of keys, types and ranges."""

from __future__ import annotations

import difflib
import json
import math
import re
from collections.abc import Mapping
from importlib import resources
from typing import Any

KeyPath = tuple[str, ...]
Schema = Mapping[str, Any]
Issue = tuple[KeyPath, str]

SCHEMA_RESOURCE = "resources/config.schema.json"

_TYPE_NAMES = {
    "number": "a number",
    "integer": "a whole number",
    "string": "a string",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping",
    "null": "null",
}


def load_schema_document() -> dict[str, Any]:
    """The bundled JSON Schema of the configuration."""
    text = resources.files("trace_advisor").joinpath(SCHEMA_RESOURCE).read_text(encoding="utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


def describe(value: object) -> str:
    """How a wrong value is shown in messages: scalars as written, containers by kind."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, int | float):
        return repr(value)
    return type(value).__name__


def suggest(key: str, known: list[str]) -> str:
    match = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    return f" (did you mean {match[0]!r}?)" if match else ""


class ConfigSchema:
    """The subset of JSON Schema the config uses: type, enum, ranges, minLength, pattern, $ref, object keywords."""

    def __init__(self, document: Mapping[str, Any] | None = None) -> None:
        self.document: Mapping[str, Any] = document if document is not None else load_schema_document()

    def resolve(self, schema: Schema) -> Schema:
        """Follow ``$ref``; keywords beside it (description, default) refine the target, as in 2020-12."""
        if "$ref" not in schema:
            return schema
        ref = str(schema["$ref"])
        if not ref.startswith("#/"):
            raise ValueError(f"only local $ref are supported: {ref}")
        node: Any = self.document
        for part in ref[2:].split("/"):
            node = node[part]
        siblings = {key: value for key, value in schema.items() if key != "$ref"}
        return {**self.resolve(node), **siblings}

    def at(self, path: KeyPath) -> Schema | None:
        """The schema of the value at ``path``, or None when no such key exists."""
        schema = self.resolve(self.document)
        for key in path:
            child = self._child(schema, key)
            if child is None:
                return None
            schema = child
        return schema

    def known_keys(self, path: KeyPath) -> list[str]:
        schema = self.at(path)
        return list(schema.get("properties", {})) if schema is not None else []

    def types(self, schema: Schema) -> list[str]:
        schema = self.resolve(schema)
        declared = schema.get("type")
        if declared is None:
            return sorted({_json_type(v) for v in schema.get("enum", [])})
        return [declared] if isinstance(declared, str) else list(declared)

    def _child(self, schema: Schema, key: str) -> Schema | None:
        schema = self.resolve(schema)
        properties: Mapping[str, Any] = schema.get("properties", {})
        if key in properties:
            return self.resolve(properties[key])
        extra = schema.get("additionalProperties", True)
        if isinstance(extra, Mapping):
            return self.resolve(extra)
        return None

    # ---- validation ---------------------------------------------------------------------------------------------

    def validate(self, value: object, path: KeyPath = (), *, partial: bool = False) -> list[Issue]:
        """Every problem of ``value`` against the schema at ``path``; ``partial`` skips ``required`` (one layer)."""
        schema = self.at(path)
        if schema is None:
            return [(path, "unknown key")]
        issues: list[Issue] = []
        self._check(value, schema, path, partial, issues)
        return issues

    def _check(self, value: object, schema: Schema, path: KeyPath, partial: bool, issues: list[Issue]) -> None:
        schema = self.resolve(schema)
        if "enum" in schema and value not in schema["enum"]:
            choices = ", ".join(str(c) for c in schema["enum"])
            issues.append((path, f"expected one of {choices}, got {describe(value)}"))
            return
        types = self.types(schema)
        if types and not any(_is_type(value, t) for t in types):
            wanted = " or ".join(_TYPE_NAMES[t] for t in types)
            issues.append((path, f"expected {wanted}, got {describe(value)}"))
            return
        if isinstance(value, int | float) and not isinstance(value, bool):
            self._check_range(value, schema, path, issues)
        elif isinstance(value, str):
            if len(value) < int(schema.get("minLength", 0)):
                issues.append((path, "must not be empty"))
        elif isinstance(value, list):
            items: Schema = schema.get("items", {})
            for item in value:
                self._check(item, items, path, partial, issues)
        elif isinstance(value, dict):
            self._check_object(value, schema, path, partial, issues)

    def _check_range(self, value: float, schema: Schema, path: KeyPath, issues: list[Issue]) -> None:
        if isinstance(value, int) and abs(value) > 2**53:  # beyond any setting (and too long to print)
            issues.append((path, "must be a number of a sensible size"))
            return
        if not math.isfinite(value):  # YAML's .nan/.inf would slip through every comparison below
            issues.append((path, f"must be a finite number, got {value!r}"))
            return
        low, high = schema.get("minimum"), schema.get("maximum")
        above = schema.get("exclusiveMinimum")
        if low is not None and high is not None and not low <= value <= high:
            issues.append((path, f"must be between {low} and {high}, got {value!r}"))
        elif low is not None and value < low:
            issues.append((path, f"must be at least {low}, got {value!r}"))
        elif high is not None and value > high:
            issues.append((path, f"must be at most {high}, got {value!r}"))
        elif above is not None and value <= above:
            issues.append((path, f"must be greater than {above}, got {value!r}"))

    def _check_object(
        self, value: dict[Any, Any], schema: Schema, path: KeyPath, partial: bool, issues: list[Issue]
    ) -> None:
        properties: Mapping[str, Any] = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        pattern = schema.get("propertyNames", {}).get("pattern")
        for key, item in value.items():
            child_path = (*path, str(key))
            if key in properties:
                self._check(item, properties[key], child_path, partial, issues)
            elif extra is False:
                issues.append((child_path, f"unknown key {key!r}{suggest(str(key), list(properties))}"))
            elif pattern is not None and not re.fullmatch(pattern, str(key)):
                issues.append(
                    (child_path, f"invalid name {key!r} (use lower_snake_case){suggest(key, list(properties))}")
                )
            elif isinstance(extra, Mapping):
                before = len(issues)
                self._check(item, extra, child_path, partial, issues)
                # a new entry next to declared ones is often a typo of one of them
                hint = suggest(str(key), list(properties))
                for index in range(before, len(issues)):
                    issues[index] = (issues[index][0], issues[index][1] + hint)
        if not partial:
            for key in schema.get("required", []):
                if key not in value:
                    issues.append((path, f"missing required key {key!r}"))


def _is_type(value: object, name: str) -> bool:
    if name == "null":
        return value is None
    if name == "boolean":
        return isinstance(value, bool)
    if name == "integer":  # as in JSON Schema, 3.0 is an integer
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and value.is_integer()
        )
    if name == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if name == "string":
        return isinstance(value, str)
    if name == "array":
        return isinstance(value, list)
    if name == "object":
        return isinstance(value, dict)
    raise ValueError(f"unsupported schema type {name!r}")


def _json_type(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    if value is None:
        return "null"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    return "string"
