"""Writes into a module's collection from a function or a method (issue 13, S5) are bindings of the module's name:
an edit that adds, changes or removes one re-extracts what it must (the splicer cannot splice a definition that
writes, or wrote, into a name of the module), so after each edit the call graph equals a fresh index's and the
table's uses see the new writes (tests/fixtures/callgraph/container_slots)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from trace_advisor.index import Index

from tests.support.graphs import callees, graph_of

USE = "slots.main:use_table"


@pytest.fixture()
def project(fixtures_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "container_slots"
    shutil.copytree(fixtures_dir / "callgraph" / "container_slots", target)
    return target


@pytest.mark.parametrize(
    ("old", "new", "reached"),
    [
        # a function's write changed, removed, then one added to a function that wrote nothing
        ('    TABLE["a"] = on_c\n', '    TABLE["a"] = on_b\n', {"slots.handlers:on_a", "slots.handlers:on_b"}),
        ('    TABLE["a"] = on_c\n', "    pass\n", {"slots.handlers:on_a"}),
        (
            "def use_table(payload):\n",
            "def later():\n    TABLE.update(a=first)\n\n\ndef use_table(payload):\n",
            {"slots.handlers:on_a", "slots.handlers:on_c", "slots.handlers:first"},
        ),
        # a method's write, added inside a class body
        (
            "def use_table(payload):\n",
            'class Plugin:\n    def install(self):\n        TABLE["a"] = one\n\n\ndef use_table(payload):\n',
            {"slots.handlers:on_a", "slots.handlers:on_c", "slots.handlers:one"},
        ),
    ],
)
def test_an_edit_to_a_write_is_seen_by_the_uses(
    project: Path, tmp_path: Path, old: str, new: str, reached: set[str]
) -> None:
    path = project / "slots" / "main.py"
    index = Index([project], cache_dir=tmp_path / "cache")
    index.build()
    assert callees(index, USE) == {"slots.handlers:on_a", "slots.handlers:on_c"}
    index.analysed(path)  # the editor's analysis keeps the syntax tree: the next edit may be spliced
    text = path.read_text()
    assert old in text
    edited = text.replace(old, new, 1)
    assert index.update_file(path, edited) is None
    assert callees(index, USE) == reached
    path.write_text(edited)
    fresh = Index([project], cache_dir=tmp_path / "fresh", use_cache=False)
    fresh.build()
    assert graph_of(index) == graph_of(fresh)


def test_a_method_body_edit_that_writes_is_seen(project: Path, tmp_path: Path) -> None:
    """An edit inside one method's body (the line count kept) that starts writing into the module's table."""
    path = project / "slots" / "main.py"
    path.write_text(path.read_text() + "\n\nclass Plugin:\n    def install(self):\n        pass\n")
    index = Index([project], cache_dir=tmp_path / "cache")
    index.build()
    index.analysed(path)
    for body, reached in (('        TABLE["a"] = one\n', {"slots.handlers:one"}), ("        pass\n", set())):
        text = path.read_text()
        edited = text[: text.rindex("        ")] + body
        assert index.update_file(path, edited) is None
        path.write_text(edited)
        assert callees(index, USE) == {"slots.handlers:on_a", "slots.handlers:on_c"} | reached
        fresh = Index([project], cache_dir=tmp_path / "fresh", use_cache=False)
        fresh.build()
        assert graph_of(index) == graph_of(fresh)


def test_an_edit_to_a_write_into_an_attribute_table_is_seen(fixtures_dir: Path, tmp_path: Path) -> None:
    """A method's ``self.handlers[kind] = ...`` write is kept because ``__init__`` makes the dict: an edit inside the
    method that changes what it writes is seen by ``fire`` (tests/fixtures/callgraph/slot_flow)."""
    project = tmp_path / "slot_flow"
    shutil.copytree(fixtures_dir / "callgraph" / "slot_flow", project)
    path = project / "flow" / "main.py"
    index = Index([project], cache_dir=tmp_path / "cache")
    index.build()
    fire = "flow.main:Bus.fire"
    assert callees(index, fire) == {"flow.main:Bus.on_a", "flow.main:Bus.on_b", "flow.handlers:f3"}
    index.analysed(path)
    text = path.read_text()
    edited = text.replace("        self.handlers[kind] = function\n", "        self.handlers[kind] = f4\n", 1)
    assert edited != text
    assert index.update_file(path, edited) is None
    assert callees(index, fire) == {"flow.main:Bus.on_a", "flow.handlers:f4"}
    path.write_text(edited)
    fresh = Index([project], cache_dir=tmp_path / "fresh", use_cache=False)
    fresh.build()
    assert graph_of(index) == graph_of(fresh)
