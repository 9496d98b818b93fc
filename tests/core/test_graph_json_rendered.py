"""``calls --format json`` writes each function's entry as one piece of text (``graph_json._rendered_entries``): the
same text ``json.dumps(indent=2)`` writes for the entry's dict (what ``functions_json`` gives when not lazy), for
fixtures whose entries use every field: class-hierarchy, queued and library-called edges, classes constructed,
unresolved calls."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from trace_advisor.graph_json import functions_json
from trace_advisor.index import Index
from trace_advisor.json_text import Entries, Rendered, dump_indented, dumps_indented

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PROJECTS = [
    FIXTURES / "callgraph" / "class_hierarchy",
    FIXTURES / "callgraph" / "thread_targets",
    FIXTURES / "callgraph" / "constructs",
    FIXTURES / "factories" / "project",
    FIXTURES / "callgraph" / "external_values",
]
FIELDS = ("subclass_calls", "queued_calls", "via", "constructs", "unresolved")


def _both(project: Path, cache: Path) -> tuple[str, str, dict[str, dict[str, object]]]:
    index = Index([project], cache_dir=cache)
    index.build()
    graph = index.graph()
    symbols = [s for s in graph.symbols() if index.definition(s) is not None]
    pieces: list[str] = []
    dump_indented(functions_json(graph, index, symbols, lazy=True), pieces.append)
    made = functions_json(graph, index, symbols)
    functions = made["functions"]
    assert isinstance(functions, dict)
    return "".join(pieces), json.dumps(made, indent=2), functions


def test_rendered_entries_are_the_dicts_text(tmp_path: Path) -> None:
    used = dict.fromkeys(FIELDS, False)
    for number, project in enumerate(PROJECTS):
        rendered, dumped, functions = _both(project, tmp_path / f"cache{number}")
        assert rendered == dumped, project.name
        for entry in functions.values():
            for field in FIELDS:
                used[field] = used[field] or bool(entry[field])
    assert all(used.values()), used  # every field is compared with something in it


@pytest.mark.parametrize("made_for", ["\n", "\n  ", "\n    ", "\n      "])
def test_a_rendered_value_is_written_as_made_for_its_place_or_indented_for_it(made_for: str) -> None:
    value = {"calls": ["a", "b"], "via": {"a": "x"}, "unresolved": [{"line": 3, "detail": "\u00e9"}], "n": None}
    text = dumps_indented(value).replace("\n", made_for)  # its lines indented as a value written after ``made_for``
    written = dumps_indented({"functions": {"m:f": Rendered(text, made_for)}})  # (after "\n    ")
    assert written == json.dumps({"functions": {"m:f": value}}, indent=2)


def test_rendered_entries_are_handed_on_a_thousand_or_so_at_a_time() -> None:
    # one piece each (not the dozens of an entry's dict): counted by pieces alone, 40 MB of the standard library's
    # graph was held before a write (peak RSS of a cold ``calls`` 400 -> 420 MB)
    entry = dumps_indented({"calls": ["m:g"] * 20, "unresolved": []}).replace("\n", "\n    ")
    entries = Entries((f"m:f{n}", Rendered(entry, "\n    ")) for n in range(5_000))
    pieces: list[str] = []
    dump_indented({"functions": entries}, pieces.append)
    assert len(pieces) >= 5 and max(len(piece) for piece in pieces) < 2_000 * len(entry)
    assert json.loads("".join(pieces))["functions"]["m:f4999"]["calls"] == ["m:g"] * 20
