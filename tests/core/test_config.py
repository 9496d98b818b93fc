"""The configuration loader: precedence, environment parsing, precise errors, relative paths, case conversion."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from trace_advisor.advise.calibration import shipped
from trace_advisor.config import (
    ConfigError,
    config_from_mapping,
    default_config,
    find_project_root,
    from_camel_case,
    load_config,
    to_camel_case,
)
from trace_advisor.config_model import PRIORITY_NAMES

from tests.support.trust import trust_project


@pytest.fixture()
def cfg_dir(fixtures_dir: Path) -> Path:
    return fixtures_dir / "config"


def errors_of(root: Path | None, **kwargs: object) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_config(root, env=kwargs.pop("env", {}), **kwargs)  # type: ignore[arg-type]
    return str(info.value).splitlines()


# ---- defaults and precedence -----------------------------------------------------------------------------------


def test_defaults_come_from_default_yaml() -> None:
    config = default_config()
    assert config.scoring == "calibrated" and config.min_confidence == shipped().threshold  # the model's fitted cut
    assert tuple(config.priorities) == PRIORITY_NAMES
    assert config.weight("external_io") == 1.0
    assert config.provider.name == "local"
    assert config.provider.bedrock.timeout_seconds == 60.0
    assert isinstance(config.provider.bedrock.timeout_seconds, float)
    assert config.origins["min_confidence"] == "default"


def test_no_project_file_gives_defaults(tmp_path: Path) -> None:
    assert load_config(tmp_path, env={}) == default_config()


def test_precedence_file_then_env_then_overrides(tmp_path: Path) -> None:
    (tmp_path / ".trace-advisor.yaml").write_text("min_confidence: 0.6\nmax_per_file: 3\nprovider:\n  batch_size: 2\n")
    env = {"TRACE_ADVISOR_MAX_PER_FILE": "4", "TRACE_ADVISOR_PROVIDER__BATCH_SIZE": "5"}
    config = load_config(tmp_path, env=env, overrides={"provider.batch_size": 6})
    assert config.min_confidence == 0.6  # file over default
    assert config.max_per_file == 4  # env over file
    assert config.provider.batch_size == 6  # overrides over env
    assert config.origins["min_confidence"] == ".trace-advisor.yaml:1"
    assert config.origins["max_per_file"] == "env TRACE_ADVISOR_MAX_PER_FILE"
    assert config.origins["provider.batch_size"] == "overrides"
    assert config.origins["provider.concurrency"] == "default"


def test_mappings_merge_key_by_key_and_lists_replace(tmp_path: Path) -> None:
    (tmp_path / ".trace-advisor.yaml").write_text("ignore: [a, b]\nprovider:\n  bedrock:\n    region: eu-west-1\n")
    trust_project(tmp_path)
    config = load_config(tmp_path, env={"TRACE_ADVISOR_IGNORE": "c"})
    assert config.ignore == ("c",)
    assert config.provider.bedrock.region == "eu-west-1"
    assert config.provider.bedrock.model_id == default_config().provider.bedrock.model_id


def test_overrides_none_means_not_given(tmp_path: Path) -> None:
    (tmp_path / ".trace-advisor.yaml").write_text("report:\n  template: mine.j2\n")
    config = load_config(tmp_path, env={}, overrides={"report": {"template": None}, "min_confidence": None})
    assert config.report.template == str(tmp_path / "mine.j2")
    assert config.min_confidence == shipped().threshold


def test_pyproject_table(cfg_dir: Path) -> None:
    trust_project(cfg_dir / "pyproject_good")
    config = load_config(cfg_dir / "pyproject_good", env={})
    assert config.min_confidence == 0.65
    assert config.weight("branches") == 0.0
    assert config.weight("exceptions") == 0.95
    assert config.priorities["exceptions"].description == default_config().priorities["exceptions"].description
    assert config.provider.bedrock.region == "eu-west-1"
    assert config.search_paths == (str(cfg_dir / "pyproject_good" / "lib"),)
    assert config.origins["priorities.exceptions.weight"] == "pyproject.toml:12"
    assert config.origins["provider.bedrock.region"] == "pyproject.toml:15"


def test_pyproject_without_our_table_is_ignored(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert load_config(tmp_path, env={}) == default_config()


def test_explicit_config_file(cfg_dir: Path, tmp_path: Path) -> None:
    config = load_config(tmp_path, env={}, config_file=cfg_dir / "pyproject_good" / "pyproject.toml")
    assert config.min_confidence == 0.65
    with pytest.raises(ConfigError, match="has no \\[tool.trace-advisor\\] table"):
        (tmp_path / "other.toml").write_text("[tool.x]\n")
        load_config(tmp_path, env={}, config_file=Path("other.toml"))


def test_both_project_files_is_an_error(cfg_dir: Path) -> None:
    assert errors_of(cfg_dir / "both_files") == [
        "config: pyproject.toml:1: both .trace-advisor.yaml and [tool.trace-advisor] configure trace-advisor; keep one"
    ]


# ---- environment -----------------------------------------------------------------------------------------------


def test_env_types_are_parsed_by_schema(tmp_path: Path) -> None:
    env = {
        "TRACE_ADVISOR_MIN_CONFIDENCE": "0.75",
        "TRACE_ADVISOR_PROVIDER__NAME": "bedrock",
        "TRACE_ADVISOR_PROVIDER__BEDROCK__REGION": "eu-central-1",
        "TRACE_ADVISOR_PROVIDER__CACHE": "no",
        "TRACE_ADVISOR_SEARCH_PATHS": "lib, vendor ,",
        "TRACE_ADVISOR_PRIORITIES__BRANCHES__WEIGHT": "0",
        "TRACE_ADVISOR_SERVER__DEBOUNCE_MS": "50",
        "TRACE_ADVISOR_REPORT__TEMPLATE": "null",
        "UNRELATED": "x",
    }
    config = load_config(tmp_path, env=env)
    assert config.min_confidence == 0.75
    assert config.provider.name == "bedrock"
    assert config.provider.model == config.provider.bedrock.model_id
    assert config.provider.bedrock.region == "eu-central-1"
    assert config.provider.cache is False
    assert config.search_paths == (str(tmp_path / "lib"), str(tmp_path / "vendor"))
    assert config.weight("branches") == 0.0
    assert config.server.debounce_ms == 50
    assert config.report.template is None


def test_env_bad_value_and_unknown_name(tmp_path: Path) -> None:
    assert errors_of(tmp_path, env={"TRACE_ADVISOR_MIN_CONFIDENCE": "high"}) == [
        "config: env TRACE_ADVISOR_MIN_CONFIDENCE min_confidence: expected a number, got 'high'"
    ]
    assert errors_of(tmp_path, env={"TRACE_ADVISOR_MIN_CONFIDENSE": "0.2"}) == [
        "config: env TRACE_ADVISOR_MIN_CONFIDENSE min_confidense: unknown setting "
        "(did you mean 'TRACE_ADVISOR_MIN_CONFIDENCE'?)"
    ]
    assert errors_of(tmp_path, env={"TRACE_ADVISOR_PROVIDER__BEDROK__REGION": "x"}) == [
        "config: env TRACE_ADVISOR_PROVIDER__BEDROK__REGION provider.bedrok.region: unknown setting "
        "(did you mean 'TRACE_ADVISOR_PROVIDER__BEDROCK__REGION'?)"
    ]
    assert errors_of(tmp_path, env={"TRACE_ADVISOR_PROVIDER__CACHE": "maybe"}) == [
        "config: env TRACE_ADVISOR_PROVIDER__CACHE provider.cache: expected true or false, got 'maybe'"
    ]


def test_secret_env_variable_points_to_api_key_env(tmp_path: Path) -> None:
    assert errors_of(tmp_path, env={"TRACE_ADVISOR_PROVIDER__OPENAI__API_KEY": "sk-x"}) == [
        "config: env TRACE_ADVISOR_PROVIDER__OPENAI__API_KEY provider.openai.api_key: secrets are not settings; "
        "name the variable holding the key in provider.openai.api_key_env"
    ]


def test_other_variables_with_our_prefix_are_ignored(tmp_path: Path) -> None:
    env = {"TRACE_ADVISOR_SELF_TEST": "/tmp/out.json", "TRACE_ADVISOR_SELF_TEST_SPANS_FILE": "x"}
    assert load_config(tmp_path, env=env) == default_config()


def test_os_environ_is_the_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACE_ADVISOR_MAX_PER_FILE", "7")
    assert load_config(tmp_path).max_per_file == 7


# ---- errors name file, line and key ---------------------------------------------------------------------------


def test_yaml_type_error_names_file_line_and_key(cfg_dir: Path) -> None:
    assert errors_of(cfg_dir / "bad_weight") == [
        "config: .trace-advisor.yaml:8 priorities.exceptions.weight: expected a number, got 'high'"
    ]


def test_unknown_keys_suggest_the_right_one(cfg_dir: Path) -> None:
    assert errors_of(cfg_dir / "unknown_key") == [
        "config: .trace-advisor.yaml:2 priorites: unknown key 'priorites' (did you mean 'priorities'?)",
        "config: .trace-advisor.yaml:7 provider.bedrok: unknown key 'bedrok' (did you mean 'bedrock'?)",
    ]


def test_pyproject_errors_name_lines(cfg_dir: Path) -> None:
    assert errors_of(cfg_dir / "pyproject_bad") == [
        "config: pyproject.toml:9 min_confidence: must be between 0 and 1, got 1.5",
        "config: pyproject.toml:13 priorities.exceptions.weight: expected a number, got 'high'",
        "config: pyproject.toml:17 provider.openai.model: expected a string, got 7",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("min_confidence: -0.1\n", "config: .trace-advisor.yaml:1 min_confidence: must be between 0 and 1, got -0.1"),
        ("min_confidence: 1.01\n", "config: .trace-advisor.yaml:1 min_confidence: must be between 0 and 1, got 1.01"),
        ("max_per_file: 0\n", "config: .trace-advisor.yaml:1 max_per_file: must be at least 1, got 0"),
        (
            "provider:\n  bedrock:\n    timeout_seconds: .nan\n",
            "config: .trace-advisor.yaml:3 provider.bedrock.timeout_seconds: must be a finite number, got nan",
        ),
        ("max_per_file: 2.5\n", "config: .trace-advisor.yaml:1 max_per_file: expected a whole number, got 2.5"),
        ("ignore: build\n", "config: .trace-advisor.yaml:1 ignore: expected a list, got 'build'"),
        (
            "provider:\n  name: gpt\n",
            "config: .trace-advisor.yaml:2 provider.name: expected one of local, bedrock, openai, got 'gpt'",
        ),
        ("provider: bedrock\n", "config: .trace-advisor.yaml:1 provider: expected a mapping, got 'bedrock'"),
        ("server:\n  code_lens: 1\n", "config: .trace-advisor.yaml:2 server.code_lens: expected true or false, got 1"),
        (
            "provider:\n  openai:\n    timeout_seconds: 0\n",
            "config: .trace-advisor.yaml:3 provider.openai.timeout_seconds: must be greater than 0, got 0",
        ),
        (
            "priorities:\n  external_io:\n    weight: -1\n",
            "config: .trace-advisor.yaml:3 priorities.external_io.weight: must be at least 0, got -1",
        ),
        (
            "priorities:\n  Bad-Name:\n    weight: 1\n    description: x\n",
            "config: .trace-advisor.yaml:2 priorities.Bad-Name: invalid name 'Bad-Name' (use lower_snake_case)",
        ),
        ("- a\n- b\n", "config: .trace-advisor.yaml:1: expected a mapping of settings at the top level"),
        ("min_confidence: 0.5\nmin_confidence: 0.6\n", "config: .trace-advisor.yaml:2 min_confidence: duplicate key"),
        ("priorities:\n  exceptions: {weight: [1}\n", None),
    ],
)
def test_value_errors(tmp_path: Path, text: str, expected: str | None) -> None:
    (tmp_path / ".trace-advisor.yaml").write_text(text)
    found = errors_of(tmp_path)
    if expected is None:  # YAML syntax error: file and line of the problem
        assert len(found) == 1 and found[0].startswith("config: .trace-advisor.yaml:2: invalid YAML:"), found
    else:
        assert found == [expected]


def test_yaml_on_key_is_a_name_not_a_boolean(tmp_path: Path) -> None:
    (tmp_path / ".trace-advisor.yaml").write_text("on: 1\n")
    assert errors_of(tmp_path) == ["config: .trace-advisor.yaml:1 on: unknown key 'on'"]


def test_toml_syntax_error_names_line(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.trace-advisor]\nmin_confidence = \n")
    (found,) = errors_of(tmp_path)
    assert found.startswith("config: pyproject.toml:2: invalid TOML:")


def test_secrets_are_rejected(cfg_dir: Path) -> None:
    assert errors_of(cfg_dir / "secret") == [
        "config: .trace-advisor.yaml:5 provider.openai.api_key: secrets are not accepted: put the key in an "
        "environment variable and name that variable in provider.openai.api_key_env"
    ]


def test_custom_priorities(cfg_dir: Path, tmp_path: Path) -> None:
    assert errors_of(cfg_dir / "custom_priority") == [
        "config: .trace-advisor.yaml:7 priorities.retries: missing required key 'description'"
    ]
    (tmp_path / ".trace-advisor.yaml").write_text(
        "priorities:\n  feature_flags:\n    weight: 0.7\n    description: Feature flag reads.\n"
    )
    config = load_config(tmp_path, env={})
    assert tuple(config.priorities) == (*PRIORITY_NAMES, "feature_flags")
    assert config.priorities["feature_flags"].description == "Feature flag reads."


def test_misspelt_default_priority_suggests_it(tmp_path: Path) -> None:
    (tmp_path / ".trace-advisor.yaml").write_text("priorities:\n  exceptons:\n    weight: 0.2\n")
    assert errors_of(tmp_path) == [
        "config: .trace-advisor.yaml:2 priorities.exceptons: missing required key 'description' "
        "(did you mean 'exceptions'?)"
    ]


def test_every_issue_is_reported_at_once(tmp_path: Path) -> None:
    (tmp_path / ".trace-advisor.yaml").write_text("min_confidence: 2\nmax_per_file: x\n")
    assert len(errors_of(tmp_path)) == 2


# ---- paths -----------------------------------------------------------------------------------------------------


def test_relative_paths_resolve_against_the_file(cfg_dir: Path) -> None:
    root = cfg_dir / "relative_paths"
    trust_project(root)  # paths outside the project and the interpreter need trust
    config = load_config(root, env={})
    assert config.search_paths == (str(root / "vendor"), str(cfg_dir / "shared" / "lib"), "/opt/absolute")
    assert config.python == str(root / ".venv" / "bin" / "python")
    assert config.report.template == str(root / "templates" / "report.md.j2")
    assert config.report.output == str(root / "build" / "report.md")


def test_relative_paths_of_an_explicit_file_resolve_against_its_folder(cfg_dir: Path, tmp_path: Path) -> None:
    config = load_config(tmp_path, env={}, config_file=cfg_dir / "relative_paths" / ".trace-advisor.yaml")
    assert config.report.template == str(cfg_dir / "relative_paths" / "templates" / "report.md.j2")


def test_bare_python_command_is_kept(tmp_path: Path) -> None:
    assert load_config(tmp_path, env={"TRACE_ADVISOR_PYTHON": "python3.12"}).python == "python3.12"


def test_find_project_root(cfg_dir: Path, tmp_path: Path) -> None:
    nested = cfg_dir / "nested"
    assert find_project_root(nested / "pkg" / "sub" / "module.py") == nested
    assert find_project_root(nested / "pkg" / "sub") == nested
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    (tmp_path / "repo" / "a" / "b").mkdir(parents=True)
    assert find_project_root(tmp_path / "repo" / "a" / "b") == tmp_path / "repo"
    # a project without pyproject.toml, outside a git checkout (an sdist, an export): its linters' settings mark it
    (tmp_path / "sdist" / "pkg").mkdir(parents=True)
    (tmp_path / "sdist" / "tox.ini").write_text("[flake8]\nmax-line-length = 120\n", encoding="utf-8")
    assert find_project_root(tmp_path / "sdist" / "pkg") == tmp_path / "sdist"


# ---- editor settings -------------------------------------------------------------------------------------------


def test_config_from_mapping_labels_errors_with_origin() -> None:
    config = config_from_mapping({"min_confidence": 0.8, "provider": {"name": "openai"}}, "settings")
    assert config.min_confidence == 0.8 and config.provider.model == "llama3.2"
    assert config.origins["min_confidence"] == "settings"
    with pytest.raises(ConfigError) as info:
        config_from_mapping({"server": {"debounceMs": 10}}, "settings")
    assert str(info.value) == (
        "config: settings server.debounceMs: unknown key 'debounceMs' (did you mean 'debounce_ms'?)"
    )


def test_camel_case_round_trip(repo_root: Path) -> None:
    snake = {
        "min_confidence": 0.5,
        "priorities": {"external_io": {"weight": 1.0}, "my_prio_2": {"weight": 0.1, "description": "d"}},
        "provider": {"bedrock": {"model_id": "m", "endpoint_url": None}},
        "search_paths": ["a_b"],
    }
    camel = to_camel_case(snake)
    assert camel == {
        "minConfidence": 0.5,
        "priorities": {"external_io": {"weight": 1.0}, "my_prio_2": {"weight": 0.1, "description": "d"}},
        "provider": {"bedrock": {"modelId": "m", "endpointUrl": None}},
        "searchPaths": ["a_b"],
    }
    assert from_camel_case(camel) == snake
    defaults = yaml.safe_load((repo_root / "config" / "default.yaml").read_text())
    assert from_camel_case(to_camel_case(defaults)) == defaults


def test_trace_files_resolve_against_the_file_and_stay_inside_an_untrusted_project(tmp_path: Path) -> None:
    root = tmp_path / "project"
    root.mkdir()
    (root / ".trace-advisor.yaml").write_text("traces: [otel/*.jsonl, ../elsewhere/**/*.json, /var/spans.jsonl]\n")
    config = load_config(root, env={})
    assert config.traces == (str(root / "otel" / "*.jsonl"),)
    assert [(item.key, item.value, item.reason) for item in config.ignored] == [
        ("traces", "'../elsewhere/**/*.json'", "files outside the project"),
        ("traces", "'/var/spans.jsonl'", "files outside the project"),
    ]
    trust_project(root)
    trusted = load_config(root, env={})
    assert trusted.traces == (str(root / "otel" / "*.jsonl"), str(tmp_path / "elsewhere/**/*.json"), "/var/spans.jsonl")
