"""``trace-advisor calls`` writes its JSON with its own indenting writer (``json_text``): the text is what
``json.dumps(..., indent=2)`` writes, character for character, for the call graph, the entry tree and PyCG's format,
and for the values ``json`` treats specially (non-ASCII and control characters, floats, non-string keys)."""

from __future__ import annotations

import enum
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from trace_advisor import json_text
from trace_advisor.json_text import Entries, dump_indented, dumps_indented

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


@pytest.mark.parametrize(
    "value",
    [
        {},
        {"functions": {}},
        {"functions": {"m:f": {"calls": ["a", "b"], "unresolved": [{"text": "x()", "line": 3}]}, "m:g": {}}, "n": 1},
        [{"a": {"b": {"c": [1]}}}],
        "text",
    ],
)
def test_the_streamed_writer_writes_what_json_dumps_writes(value: object, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(json_text, "_PIECES", 1)  # hand the text on after every item of the outer dicts
    pieces: list[str] = []
    dump_indented(value, pieces.append)
    assert "".join(pieces) == json.dumps(value, indent=2)
    if isinstance(value, dict) and len(value.get("functions", ())) > 1:
        assert len(pieces) > 3


def test_the_graph_written_to_a_file_is_the_printed_graph(tmp_path: Path) -> None:
    env = {"TRACE_ADVISOR_CACHE_DIR": str(tmp_path / "cache")}
    printed = run_cli("calls", EXAMPLES, env=env)
    out = tmp_path / "calls.json"
    written = run_cli("calls", EXAMPLES, "-o", out, env=env)
    assert written.returncode == 0, written.stderr
    assert written.stdout == "" and out.read_text(encoding="utf-8") == printed.stdout
    # a run that fails leaves the last graph as it was, and no temp file
    failed = run_cli("calls", EXAMPLES, "--entry", "shop/cli.py:nothing", "--format", "json", "-o", out, env=env)
    assert failed.returncode == 2 and "--entry" in failed.stderr
    assert out.read_text(encoding="utf-8") == printed.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "calls.json"]
    # an output that cannot be written is a usage error, before any analysis
    blocked = run_cli("calls", EXAMPLES, "-o", out / "calls.json", env=env)
    assert blocked.returncode == 2 and f"cannot write {out / 'calls.json'}" in blocked.stderr


def test_entries_are_written_as_the_object_of_their_pairs_as_they_are_made(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(json_text, "_PIECES", 1)
    made: list[str] = []
    pieces: list[str] = []

    def pairs() -> Iterator[tuple[str, object]]:
        for key in ("m:f", "m:g", "m:h"):
            made.append(key)
            assert len(pieces) >= len(made) - 1  # the entries before this one are written already
            yield key, {"calls": [key], "unresolved": []}

    dump_indented({"functions": Entries(pairs()), "empty": Entries(iter([])), "n": 1}, pieces.append)
    expected = {"functions": {k: {"calls": [k], "unresolved": []} for k in made}, "empty": {}, "n": 1}
    assert made == ["m:f", "m:g", "m:h"] and "".join(pieces) == json.dumps(expected, indent=2)
