"""``trace-advisor calls`` writes its JSON with its own indenting writer (``json_text``): the text is what
``json.dumps(..., indent=2)`` writes, character for character, for the call graph, the entry tree and PyCG's format,
and for the values ``json`` treats specially (non-ASCII and control characters, floats, non-string keys)."""

from __future__ import annotations

import enum
import json
from pathlib import Path

import pytest
from trace_advisor.json_text import dumps_indented

from tests.support.cli import run_cli

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.mark.parametrize(
    "args",
    [[], ["--format", "pycg"], ["--entry", "shop/cli.py:main", "--format", "json"]],
    ids=["json", "pycg", "entry-tree"],
)
def test_calls_json_is_what_json_dumps_writes(args: list[str], tmp_path: Path) -> None:
    result = run_cli("calls", EXAMPLES, *args, env={"TRACE_ADVISOR_CACHE_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert result.stdout == json.dumps(json.loads(result.stdout), indent=2) + "\n"
    assert len(result.stdout) > 500


class Level(enum.IntEnum):
    HIGH = 3


class Kind(enum.StrEnum):
    CALL = "call"


@pytest.mark.parametrize(
    "value",
    [
        {},
        [],
        {"a": [], "b": {}, "c": [{}], "d": [[]]},
        ["é", '\n\t"\\', "\x00\x1f", "日本", "😀", ""],
        [0, -1, 10**30, 1.5, -0.0, 1e300, float("inf"), float("-inf"), float("nan"), True, False, None],
        {7: "int", 2.5: "float", True: "true", False: "false", None: "none", "s": "str"},
        {"deep": [{"x": [1, [2, ["three"]]], "y": {"z": None}}]},
        ("a", ("b", 1)),
        [Level.HIGH, {"level": Level.HIGH, Level.HIGH: 1}, Kind.CALL, {"kind": Kind.CALL}],
    ],
)
def test_the_writer_matches_json_dumps(value: object) -> None:
    assert dumps_indented(value) == json.dumps(value, indent=2)


def test_what_json_cannot_write_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        dumps_indented({"a": {1, 2}})
    with pytest.raises(TypeError):
        dumps_indented({(1, 2): "tuple key"})
