"""The Index API the detectors, the server and the reports use: files, modules, definitions, overlays, config."""

from __future__ import annotations

from pathlib import Path

import pytest
from trace_advisor.config_model import Config
from trace_advisor.datatypes import Position, Problem
from trace_advisor.index import Index


@pytest.fixture()
def shop(fixtures_dir: Path, tmp_path: Path) -> Index:
    index = Index([fixtures_dir / "resolve" / "self_attributes" / "project"], cache_dir=tmp_path)
    index.build()
    return index


def test_files_modules_and_paths(shop: Index, fixtures_dir: Path) -> None:
    app = fixtures_dir / "resolve" / "self_attributes" / "project" / "app.py"
    assert shop.files() == (app,)
    assert shop.module_for_path(app) == "app"
    assert shop.path_for_module("app") == app
    assert shop.path_for_module("nope") is None


def test_definitions_and_lookup(shop: Index, fixtures_dir: Path) -> None:
    app = fixtures_dir / "resolve" / "self_attributes" / "project" / "app.py"
    kinds = {d.symbol: d.kind for d in shop.definitions(app)}
    assert kinds["app:<module>"] == "module"
    assert kinds["app:Service"] == "class"
    assert kinds["app:Service.place"] == "method"
    place = shop.definition("app:Service.place")
    assert place is not None and place.file == str(app)
    assert place.name_range.start == Position(20, 8)
    assert shop.definitions() == shop.definitions(app)
    inside = shop.definition_at(app, Position(21, 10))
    assert inside is not None and inside.symbol == "app:Service.place"
    assert shop.definition_at(app, Position(13, 0)) is not None  # class body line: the class
    assert shop.definition("app:Nope") is None


def test_source_prefers_the_open_document(shop: Index, fixtures_dir: Path) -> None:
    app = fixtures_dir / "resolve" / "self_attributes" / "project" / "app.py"
    assert shop.source(app) == app.read_text()
    shop.update_file(app, "def edited():\n    pass\n")
    assert shop.source(app) == "def edited():\n    pass\n"
    assert [d.symbol for d in shop.definitions(app)] == ["app:<module>", "app:edited"]
    shop.update_file(app, None)
    assert shop.source(app) == app.read_text()


def test_from_config_uses_search_paths_ignore_and_size(fixtures_dir: Path, tmp_path: Path) -> None:
    case = fixtures_dir / "resolve" / "third_party_reexport"
    project = tmp_path / "project"
    project.mkdir()
    (project / "client.py").write_text((case / "project" / "client.py").read_text())
    (project / "skipme.py").write_text("x = 1\n")
    (project / "big.py").write_text("x = 1\n" * 100)
    config = Config(priorities={}, search_paths=(str(case / "site"),), ignore=("skip*.py",), max_file_bytes=200)
    index = Index.from_config(config, [project], cache_dir=tmp_path / "cache")
    index.build()
    assert sorted(p.name for p in index.files()) == ["big.py", "client.py"]
    assert [p.file for p in index.problems] == [str(project / "big.py")]
    assert "max_file_bytes" in index.problems[0].message
    assert "requests.api:get" in {e.callee for e in index.graph().callees("client:fetch")}


def test_progress_and_cancel(fixtures_dir: Path, tmp_path: Path) -> None:
    from trace_advisor.cancel import CancelledError, CancelToken

    seen: list[tuple[int, int]] = []
    index = Index([fixtures_dir / "resolve" / "reexport_init" / "project"], cache_dir=tmp_path)
    index.build(progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (4, 4) and len(seen) == 4
    token = CancelToken()
    token.cancel()
    with pytest.raises(CancelledError):
        Index([fixtures_dir / "resolve" / "reexport_init" / "project"], cache_dir=tmp_path).build(token)


def test_site_packages_are_read_lazily(fixtures_dir: Path, tmp_path: Path) -> None:
    case = fixtures_dir / "resolve" / "third_party_reexport"
    index = Index([case / "project"], search_paths=[case / "site"], cache_dir=tmp_path)
    index.build()
    assert index.files() == (case / "project" / "client.py",)
    assert index.module_info("requests.api") is not None  # read on demand, not indexed as a workspace file
    found = index.definition("requests.api:get")
    assert found is not None and found.file == str(case / "site" / "requests" / "api.py") and found.kind == "function"
    assert index.definition("json:dumps") is None  # the stdlib is named by import path, never read


def test_rebuild_keeps_open_documents_and_reports_once(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "a.py").write_text("def f():\n    pass\n")
    (project / "bad.py").write_text("def (\n")
    index = Index([project], cache_dir=tmp_path / "cache")
    index.build()
    index.update_file(project / "a.py", "def g():\n    pass\n")
    (project / "b.py").write_text("x = 1\n")
    index.build()
    assert sorted(p.name for p in index.files()) == ["a.py", "b.py", "bad.py"]
    assert [d.symbol for d in index.definitions(project / "a.py")] == ["a:<module>", "a:g"]
    assert len(index.problems) == 1


def test_resolve_all_is_cancellable_and_completes_the_graph(fixtures_dir: Path, tmp_path: Path) -> None:
    from trace_advisor.cancel import CancelledError, CancelToken

    index = Index([fixtures_dir / "resolve" / "imports_relative" / "project"], cache_dir=tmp_path)
    index.build()
    token = CancelToken()
    token.cancel()
    with pytest.raises(CancelledError):
        index.resolve_all(token)
    seen: list[tuple[int, int]] = []
    index.resolve_all(progress=lambda done, total: seen.append((done, total)))
    assert seen[-1][0] == seen[-1][1] == len(index.files())
    assert len(index.graph().callers("shop.common:log")) == 2


def test_files_are_read_when_an_answer_first_needs_them(tmp_path: Path) -> None:
    """Once the files are named (``register``) every answer is right: a file is read (cache entry, else a parse)
    when an answer first needs it, so a question about one file reads it and what it imports; ``load`` reads the
    rest, and questions about the whole workspace read everything first."""
    project, other, cache = tmp_path / "project", tmp_path / "other", tmp_path / "cache"
    (project / "pkg").mkdir(parents=True)
    other.mkdir()
    (project / "pkg" / "__init__.py").write_text("")
    for n in range(20):
        (project / "pkg" / f"m{n}.py").write_text(f"def f{n}():\n    pass\n")
    app = project / "app.py"
    app.write_text("from pkg.m7 import f7\n\n\ndef main():\n    f7()\n    print('x')\n")
    (project / "bad.py").write_text("def (\n")
    (other / "app.py").write_text("def shadowed():\n    pass\n")  # module `app` again: shadowed
    index = Index([project, other], cache_dir=cache)

    def parsed() -> int:
        return len(list(cache.rglob("*.facts")))

    assert index.register() == 24 and parsed() == 0
    assert [e.callee for e in index.graph().callees("app:main")] == ["pkg.m7:f7", "builtins:print"]
    assert 2 <= parsed() <= 3  # app, pkg.m7 (and the package's __init__), not the other 20
    found = index.definition("pkg.m7:f7")
    assert found is not None and found.file == str(project / "pkg" / "m7.py")
    seen: list[tuple[int, int]] = []
    index.load(progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (24, 24) and parsed() == 23  # every file but the one that does not parse
    assert [e.caller for e in index.graph().callers("pkg.m7:f7")] == ["app:main"]
    problems = {Path(p.file or "").name: p.message for p in index.problems}
    assert problems["app.py"] == f"module app is also defined by {app}; this file is shadowed"
    assert set(problems) == {"app.py", "bad.py"}
    # a question about the whole workspace reads every file first
    fresh = Index([project], cache_dir=tmp_path / "cache2")
    fresh.register()
    assert len(fresh.graph().callers("pkg.m7:f7")) == 1 and len(fresh.problems) == 1


def test_an_unread_open_file_that_does_not_parse_keeps_the_disk_facts(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("def main():\n    pass\n")
    index = Index([tmp_path], cache_dir=tmp_path / "cache")
    index.register()
    problem = index.update_file(tmp_path / "app.py", "def main(:\n")
    assert problem is not None
    assert [d.symbol for d in index.definitions(tmp_path / "app.py")] == ["app:<module>", "app:main"]
    assert index.update_file(tmp_path / "app.py", "def other():\n    pass\n") is None
    assert [d.symbol for d in index.definitions(tmp_path / "app.py")] == ["app:<module>", "app:other"]


def test_the_kept_tree_is_only_the_current_texts(tmp_path: Path) -> None:
    """The tree the index keeps for an open document is handed out for exactly the text it was parsed from."""
    import ast

    path = tmp_path / "app.py"
    path.write_text("def f():\n    return 1\n")
    index = Index([tmp_path], use_cache=False)
    index.build()
    first = "def f():\n    return 2\n"
    index.update_file(path, first)
    index.analysed(path)
    kept = index.kept_tree(path, first)
    assert kept is not None and ast.dump(kept) == ast.dump(ast.parse(first))
    second = "def f():\n    return 3\n"
    index.update_file(path, second)
    assert index.kept_tree(path, first) is None
    index.analysed(path)
    kept = index.kept_tree(path, second)
    assert kept is not None and ast.dump(kept) == ast.dump(ast.parse(second))


def test_a_document_opened_as_saved_takes_its_cache_entry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A document just opened usually shows the file as saved: when the facts cache has that content (the language
    server's prefill process writes it), the index takes the entry as it does for the folder's other files, without
    parsing the text before its first answers (the syntax tree is parsed when an analysis first needs it); a text
    that differs from the disk's is parsed."""
    import trace_advisor.index as index_module

    project, cache = tmp_path / "project", tmp_path / "cache"
    project.mkdir()
    app = project / "app.py"
    text = "def main():\n    helper()\n\n\ndef helper():\n    pass\n"
    app.write_text(text)
    Index([project], cache_dir=cache).build()  # the cache as the prefill leaves it
    parsed: list[str] = []
    parse = index_module.parse_source
    monkeypatch.setattr(index_module, "parse_source", lambda source, file: parsed.append(file) or parse(source, file))

    index = Index([project], cache_dir=cache)
    index.register()
    index.update_file(app, text)
    assert parsed == [] and index.source(app) == text
    assert [e.callee for e in index.graph().callees("app:main")] == ["app:helper"]
    analysed = index.analysed(app)  # the tree, parsed now
    assert not isinstance(analysed, Problem) and [f.symbol for f in analysed.functions()] == ["app:main", "app:helper"]
    edited = text.replace("    helper()\n", "    helper()\n    print()\n")
    index.update_file(app, edited)  # an edit goes on from those facts
    assert [e.callee for e in index.graph().callees("app:main")] == ["app:helper", "builtins:print"]

    unsaved = Index([project], cache_dir=cache)
    unsaved.register()
    unsaved.update_file(app, edited)
    assert parsed == [str(app)]  # the edit above was spliced; this text is not the disk's: parsed
    assert [e.callee for e in unsaved.graph().callees("app:main")] == ["app:helper", "builtins:print"]


def test_definitions_after_edits_are_those_of_the_new_facts(tmp_path: Path) -> None:
    """An edit keeps the definitions of the scopes the splice kept (the same objects) and makes the others anew: after
    each edit they are exactly what the new facts give, kinds, places and all, whichever the edit changed."""
    from trace_advisor.facts.definitions import definitions_of

    app = tmp_path / "app.py"
    text = (
        "import asyncio\n\n\n"
        "class Repo(list):\n"
        "    def load(self, key):\n"
        "        return self[key]\n\n\n"
        "def fetch(key):\n"
        "    return Repo().load(key)\n\n\n"
        "def main():\n"
        "    fetch(1)\n"
    )
    app.write_text(text)
    index = Index([tmp_path], cache_dir=tmp_path / "cache")
    index.build()
    before = {d.symbol: d for d in index.definitions(app)}  # asked for before the edits: those are the ones kept
    edits = [
        text + "\n\ndef typed(value):\n    return fetch(value)\n",  # a def typed at the end: the others kept
        text,
        text.replace("def fetch(key):\n", "def fetch(key):\n    pass\n"),  # the defs below move down a line
        text.replace("class Repo(list):\n    def load", "def Repo():\n    pass\n\n\ndef load"),  # a method no more
        text.replace("def fetch(key):", "async def fetch(key):"),
        text.replace("def main", "def start"),
        text,
    ]
    index.update_file(app, edits[0])
    kept = [d for d in index.definitions(app) if d is before.get(d.symbol)]
    assert {d.symbol for d in kept} >= {"app:Repo", "app:Repo.load", "app:fetch", "app:main"}  # not made again
    for edited in edits:
        index.update_file(app, edited)
        facts = index.facts(app)
        assert facts is not None
        assert index.definitions(app) == definitions_of(facts, "app", str(app))
        load = index.definition("app:Repo.load")
        assert (load is not None and load.kind == "method") == ("class Repo" in edited)
