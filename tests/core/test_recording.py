"""Recordings: code names to symbol ids (as the static graph names them), processes summed, files round-tripped."""

from __future__ import annotations

from pathlib import Path

import pytest
from trace_advisor.datatypes import CallEdge, Range
from trace_advisor.record import recording
from trace_advisor.record.observed import ObservedGraph, same_target
from trace_advisor.record.recording import ObservedCall, Recording, RecordingError, enclosing, external_name


@pytest.mark.parametrize(
    ("qualname", "class_body", "owner"),
    [
        ("f", False, "f"),
        ("K.m", False, "K.m"),
        ("f.<locals>.g", False, "f.<locals>.g"),
        ("<lambda>", False, "<module>"),
        ("<listcomp>", False, "<module>"),
        ("f.<locals>.<lambda>", False, "f"),
        ("K.m.<locals>.<genexpr>", False, "K.m"),
        ("f.<locals>.<listcomp>.<lambda>", False, "f"),
        ("K.<lambda>", False, "<module>"),  # a lambda in a class body
        ("f.<locals>.K.<lambda>", False, "f"),
        ("K", True, "<module>"),  # class bodies belong to the enclosing scope
        ("A.B", True, "<module>"),
        ("f.<locals>.K", True, "f"),
    ],
)
def test_enclosing_matches_the_static_graphs_owners(qualname: str, class_body: bool, owner: str) -> None:
    assert enclosing(qualname, class_body) == owner


def test_external_names_follow_the_import_path() -> None:
    assert external_name("_io", "TextIOWrapper.write") == "io:TextIOWrapper.write"
    assert external_name("_sqlite3", "Connection.execute") == "sqlite3:Connection.execute"
    assert external_name("posixpath", "join") == "os.path:join"
    assert external_name("io", "open") == "builtins:open"
    assert external_name("_pytest.python", "pytest_pyfunc_call") == "_pytest.python:pytest_pyfunc_call"


def test_same_target_accepts_re_exports_outside_the_workspace() -> None:
    assert same_target("requests:get", "requests.api:get")
    assert not same_target("requests:get", "requests.api:post")
    assert not same_target("app.a:f", "app.b:f")


def test_processes_are_summed_and_unknown_workspace_files_skipped(tmp_path: Path) -> None:
    app = str(tmp_path / "app.py")

    def part(count: int) -> dict[str, object]:
        codes = [
            [app, "main", "__main__", 1, "code"],
            [app, "work", "__main__", 5, "code"],
            [app, "main.<locals>.<lambda>", "__main__", 3, "code"],
            [str(tmp_path / "gone.py"), "old", "gone", 1, "code"],
        ]
        edges = [
            [0, 1, 2, None, count, 0.5],
            [2, 1, 3, None, 1, 0.25],  # from a lambda: main's call
            [None, 0, 0, "_pytest.python:pytest_pyfunc_call", 1, 1.0],
            [0, "_io:TextIOWrapper.write", 4, None, 2, 0.01],
            [3, 1, 7, None, 9, 0.1],  # an unknown workspace file
        ]
        return {"codes": codes, "edges": edges, "dropped": 1, "python": "3.11.7", "backend": "setprofile"}

    modules = {Path(app): "app"}
    found = recording.from_processes(
        [part(2), part(3)], modules.get, command=["python", "app.py"], root=tmp_path, started=0, seconds=2, exit_code=0
    )
    calls = {(c.caller, c.callee, c.line): (c.count, round(c.seconds, 3), c.external) for c in found.calls}
    assert calls == {
        ("app:main", "app:work", 2): (5, 1.0, False),
        ("app:main", "app:work", 3): (2, 0.5, False),
        (None, "app:main", None): (2, 2.0, False),
        ("app:main", "io:TextIOWrapper.write", 4): (4, 0.02, True),
    }
    assert (found.processes, found.dropped, found.unnamed) == (2, 2, 0)
    path = tmp_path / "rec.json"
    recording.save(found, path)
    assert recording.load(path) == found
    graph = ObservedGraph(found)
    assert graph.totals("app:work").calls == 7
    static = [CallEdge("app:main", "app:work", Range.of(2, 4, 2, 10))]
    merged = graph.merged_callees("app:main", static)
    assert [(m.callee, m.source, m.count, m.lines) for m in merged] == [
        ("app:work", "both", 7, (2, 3)),
        ("io:TextIOWrapper.write", "observed", 4, (4,)),
    ]


def test_bad_recordings_are_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(RecordingError, match="is not JSON"):
        recording.load(bad)
    bad.write_text('{"format": "something else"}', encoding="utf-8")
    with pytest.raises(RecordingError, match="not a trace-advisor recording"):
        recording.load(bad)
    with pytest.raises(RecordingError, match="cannot read"):
        recording.load(tmp_path / "missing.json")
    old = Recording((), "", 0, 0, 0, (ObservedCall(None, "a:f", None, 1, 0.0),)).to_json()
    old["version"] = 99
    bad.write_text(__import__("json").dumps(old), encoding="utf-8")
    with pytest.raises(RecordingError, match="version 99"):
        recording.load(bad)
