"""The configuration loader on any project file, environment and editor settings: a Config or a ConfigError
(naming where the problem is), never another exception."""

from __future__ import annotations

import tempfile
from pathlib import Path

import yaml
from hypothesis import given
from hypothesis import strategies as st
from trace_advisor.config import ConfigError, config_from_mapping, load_config
from trace_advisor.config_model import Config

KEYS = [
    "search_paths",
    "python",
    "ignore",
    "min_confidence",
    "max_per_file",
    "max_file_bytes",
    "priorities",
    "provider",
    "report",
    "server",
    "external_io",
    "weight",
    "description",
    "name",
    "batch_size",
    "concurrency",
    "cache",
    "bedrock",
    "openai",
    "model_id",
    "region",
    "base_url",
    "model",
    "api_key_env",
    "format",
    "output",
    "template",
    "temperature",
    "max_tokens",
    "timeout_seconds",
    "max_attempts",
    "debounce_ms",
    "log_level",
]
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**65), 2**65)
    | st.floats()
    | st.text(max_size=20)
    | st.sampled_from(["local", "bedrock", "openai", "md", "json", "0.5", "~", "..", "/", "s3://x", "http://[::1"])
)
TREES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=10), inner, max_size=5)
    ),
    max_leaves=25,
)
MAPPINGS = st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=10), TREES, max_size=6)


def yaml_texts() -> st.SearchStrategy[str]:
    dumped = MAPPINGS.map(lambda tree: yaml.safe_dump(tree, allow_unicode=True))
    return (
        dumped
        | st.tuples(dumped, st.integers(0, 300)).map(lambda p: p[0][: p[1]])
        | st.text(alphabet=st.sampled_from("abc:-[]{}&*!|>'\"#%@`\n\t 0123456789."), max_size=300)
        | st.text(max_size=200)
    )


ENV = st.dictionaries(
    st.sampled_from(
        [
            "TRACE_ADVISOR_MIN_CONFIDENCE",
            "TRACE_ADVISOR_PROVIDER__NAME",
            "TRACE_ADVISOR_PROVIDER__BATCH_SIZE",
            "TRACE_ADVISOR_PRIORITIES__EXTERNAL_IO__WEIGHT",
            "TRACE_ADVISOR_SEARCH_PATHS",
            "TRACE_ADVISOR_X",
            "TRACE_ADVISOR_PROVIDER__BEDROCK__REGION",
            "TRACE_ADVISOR_",
            "TRACE_ADVISOR___",
        ]
    ),
    st.text(max_size=20),
    max_size=3,
)


@given(yaml_texts(), ENV)
def test_any_project_file_and_environment_load_or_raise_config_error(text: str, env: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / ".trace-advisor.yaml").write_text(text, encoding="utf-8")
        try:
            config = load_config(root, env=env)
        except ConfigError as error:
            assert error.issues and all(issue.message for issue in error.issues)
            return
    assert isinstance(config, Config) and 0 <= config.min_confidence <= 1


@given(MAPPINGS)
def test_any_editor_settings_load_or_raise_config_error(data: dict[str, object]) -> None:
    try:
        config = config_from_mapping(data, "editor settings")
    except ConfigError as error:
        assert error.issues and all(issue.message for issue in error.issues)
        return
    assert isinstance(config, Config)
