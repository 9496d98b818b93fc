"""Client settings: every shape editors send, every key of the config schema, and invalid values."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from trace_advisor.config import default_config, to_camel_case
from trace_advisor_lsp.settings import from_pulled, parse_client_settings, project_config

REPO = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((REPO / "config" / "config.schema.json").read_text())


def example(schema: dict[str, Any], root: dict[str, Any]) -> Any:
    """A valid value for a schema node: its default when it has one, else one built from its type."""
    if "$ref" in schema:
        node: Any = root
        for part in schema["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        return example(node, root)
    if "default" in schema:
        return schema["default"]
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    kind = next((k for k in kind if k != "null"), "null") if isinstance(kind, list) else kind
    if kind == "object":
        return {k: example(v, root) for k, v in schema.get("properties", {}).items()}
    if kind == "array":
        return []
    if kind in ("number", "integer"):
        return schema.get("minimum", 1)
    if kind == "boolean":
        return True
    if kind == "string":
        return "x"
    return None


def test_every_schema_key_is_accepted_in_camel_case(tmp_path: Path) -> None:
    tree = {key: example(node, SCHEMA) for key, node in SCHEMA["properties"].items()}
    wire = to_camel_case(tree)
    config, problems = project_config(tmp_path, parse_client_settings({"traceAdvisor": wire}))
    assert problems == []
    assert config.min_confidence == tree["min_confidence"]
    assert config.server.debounce_ms == tree["server"]["debounce_ms"]


@pytest.mark.parametrize(
    "raw",
    [
        {"minConfidence": 0.8, "server": {"debounceMs": 50}},  # Neovim init_options / settings
        {"traceAdvisor": {"minConfidence": 0.8, "server": {"debounceMs": 50}}},  # nested under the section
        {"settings": [{"workspace": "ROOT", "minConfidence": 0.8, "server": {"debounceMs": 50}}]},  # VS Code list
        {"globalSettings": {"minConfidence": 0.8}, "settings": {"server": {"debounceMs": 50}}},
        [{"minConfidence": 0.8}, {"scopeUri": "ROOT", "server": {"debounceMs": 50}, "trace": {"server": "off"}}],
    ],
)
def test_settings_shapes(raw: Any, tmp_path: Path) -> None:
    raw = json.loads(json.dumps(raw).replace("ROOT", tmp_path.as_uri()))
    config, problems = project_config(tmp_path, parse_client_settings(raw))
    assert problems == []
    assert (config.min_confidence, config.server.debounce_ms) == (0.8, 50)


def test_folder_settings_apply_to_their_folder_only(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir(), two.mkdir()
    settings = parse_client_settings({"settings": [{"workspace": one.as_uri(), "maxPerFile": 3}]})
    assert project_config(one, settings)[0].max_per_file == 3
    assert project_config(two, settings)[0].max_per_file == 10


def test_invalid_settings_fall_back_with_a_message(tmp_path: Path) -> None:
    config, problems = project_config(tmp_path, parse_client_settings({"minConfidence": "high", "bogusKey": 1}))
    assert config.min_confidence == default_config().min_confidence
    assert len(problems) == 1 and "min_confidence" in problems[0] and "bogus_key" in problems[0]


def test_invalid_project_file_falls_back_to_defaults(tmp_path: Path) -> None:
    (tmp_path / ".trace-advisor.yaml").write_text("min_confidence: [1, 2\n")
    config, problems = project_config(tmp_path, parse_client_settings(None))
    assert config.min_confidence == default_config().min_confidence and problems


def test_pulled_settings_replace_the_initialization_options(tmp_path: Path) -> None:
    init = {"minConfidence": 0.9, "maxPerFile": 3}
    pulled = from_pulled([{"minConfidence": 0.7}, None], [tmp_path], init)
    config, _ = project_config(tmp_path, pulled)
    assert (config.min_confidence, config.max_per_file) == (0.7, 10)  # maxPerFile was removed: back to the default
    folder = from_pulled([{}, {"maxPerFile": 4}], [tmp_path], init)
    assert (
        project_config(tmp_path, folder)[0].max_per_file == 4
        and project_config(tmp_path, folder)[0].min_confidence == default_config().min_confidence
    )


def test_a_client_without_settings_of_ours_keeps_the_initialization_options(tmp_path: Path) -> None:
    config, _ = project_config(tmp_path, from_pulled([None, None], [tmp_path], {"minConfidence": 0.9}))
    assert config.min_confidence == 0.9
