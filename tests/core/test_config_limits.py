"""Hostile configuration files cost little and fail clearly: YAML alias bombs, recursive anchors, deep nesting in
YAML and TOML, huge files and huge numbers are refused with a ConfigError naming the file."""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path

import pytest
from trace_advisor.config import ConfigError, load_config

# 386 bytes that PyYAML would expand to 9**9 (387 million) strings
ALIAS_BOMB = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""
# the same growth through merge keys, which PyYAML flattens by copying
MERGE_BOMB = "a0: &a0 {k0: 1, k1: 1, k2: 1, k3: 1}\n" + "".join(
    f"a{n}: &a{n} {{<<: [{', '.join([f'*a{n - 1}'] * 8)}]}}\n" for n in range(1, 10)
)


def error_of(root: Path) -> str:
    with pytest.raises(ConfigError) as caught:
        load_config(root, env={})
    return str(caught.value)


def bounded(root: Path) -> tuple[str, float, int]:
    tracemalloc.start()
    started = time.process_time()  # CPU time: what the bomb costs, not how busy the machine is
    try:
        message = error_of(root)
    finally:
        elapsed = time.process_time() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return message, elapsed, peak


@pytest.mark.parametrize("text", [ALIAS_BOMB, MERGE_BOMB], ids=["sequence-aliases", "merge-keys"])
def test_alias_bomb_is_refused_fast_and_small(tmp_path: Path, text: str) -> None:
    (tmp_path / ".trace-advisor.yaml").write_text(text, encoding="utf-8")
    message, elapsed, peak = bounded(tmp_path)
    assert "refused: expands to more than 10000 values (YAML aliases)" in message
    assert message.startswith("config: .trace-advisor.yaml:")
    assert elapsed < 1.0 and peak < 50 * 2**20, (elapsed, peak)


def test_recursive_anchor_is_refused(tmp_path: Path) -> None:
    (tmp_path / ".trace-advisor.yaml").write_text("search_paths: &a [*a]\n", encoding="utf-8")
    assert "refused: an anchor contains an alias to itself (recursive YAML)" in error_of(tmp_path)


def test_recursive_mapping_anchor_is_refused(tmp_path: Path) -> None:
    (tmp_path / ".trace-advisor.yaml").write_text("provider: &p\n  bedrock: *p\n", encoding="utf-8")
    message = error_of(tmp_path)
    assert "recursive YAML" in message or "invalid YAML" in message


def test_deep_yaml_nesting_is_refused(tmp_path: Path) -> None:
    (tmp_path / ".trace-advisor.yaml").write_text("ignore: " + "[" * 200 + "]" * 200 + "\n", encoding="utf-8")
    assert "nested more than 64 levels deep" in error_of(tmp_path)
    (tmp_path / ".trace-advisor.yaml").write_text("ignore: " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    assert "invalid YAML" in error_of(tmp_path)  # libyaml's own limit


def test_deep_toml_is_refused_without_a_traceback(tmp_path: Path) -> None:
    deep = "[tool.trace-advisor]\nignore = " + "[" * 3000 + "]" * 3000 + "\n"
    (tmp_path / "pyproject.toml").write_text(deep, encoding="utf-8")
    message = error_of(tmp_path)  # Python's parser gives up, or (under a higher recursion limit) our depth check
    assert "invalid TOML: nested too deeply to read" in message or "nested more than 64 levels deep" in message
    nested = "[tool.trace-advisor]\nignore = " + "[" * 100 + "]" * 100 + "\n"
    (tmp_path / "pyproject.toml").write_text(nested, encoding="utf-8")
    assert "refused: nested more than 64 levels deep" in error_of(tmp_path)


def test_huge_config_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / ".trace-advisor.yaml").write_text("# padding\n" * 200_000, encoding="utf-8")
    assert "refused: larger than 1024 KiB" in error_of(tmp_path)


def test_huge_number_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    (tmp_path / ".trace-advisor.yaml").write_text("max_per_file: 0x" + "f" * 6000 + "\n", encoding="utf-8")
    assert "config: .trace-advisor.yaml" in error_of(tmp_path)


def test_ordinary_anchors_still_work(tmp_path: Path) -> None:
    (tmp_path / ".trace-advisor.yaml").write_text(
        "ignore: &skip ['gen/*', 'vendor/*']\npriorities:\n  branches: &off {weight: 0}\n"
        "  performance:\n    <<: *off\n",
        encoding="utf-8",
    )
    config = load_config(tmp_path, env={})
    assert config.ignore == ("gen/*", "vendor/*")
    assert config.weight("branches") == 0 and config.weight("performance") == 0
