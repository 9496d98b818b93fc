"""After an edit the call graph lists its entry points again by asking only about the functions the edit could
change (those whose callers changed, those of the modules resolved again); the list, and every function's entry
point and reachability answers, equal a fresh index's after every kind of edit."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from trace_advisor.callgraph import CallGraph
from trace_advisor.index import Index

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "flow_edits"


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURE / "app", tmp_path / "app")
    return tmp_path


def answers(index: Index) -> tuple[object, ...]:
    graph = index.graph()
    symbols = index.graph_symbols()
    entries = graph.entry_points()
    return entries, [graph.is_entry_point(s) for s in symbols], [graph.reachable(s) for s in symbols]


def fresh(project: Path, texts: dict[Path, str]) -> Index:
    built = Index([project], use_cache=False)
    built.build()
    for path, text in texts.items():
        built.update_file(path, text)
    built.resolve_all()
    return built


def test_entry_points_after_edits_equal_a_fresh_index(project: Path) -> None:
    jobs, cli = project / "app" / "jobs.py", project / "app" / "cli.py"
    text, cli_text = jobs.read_text(), cli.read_text()
    index = Index([project], use_cache=False)
    index.build()
    index.resolve_all()
    answers(index)
    worker = project / "app" / "worker.py"
    edits: list[tuple[Path, str | None]] = [
        (jobs, text + "\n\ndef typed_probe(value):\n    return later()\n"),  # later is called now
        (jobs, text),  # and an entry point again
        # another module calls it (its own module is not resolved again)
        (cli, cli_text.replace("import ping, retry", "import later, ping, retry") + "\n\ndef again():\n    later()\n"),
        (cli, cli_text),
        (cli, cli_text + "\n\nstart()\n"),  # a module body calling start: start stays one, the body becomes one
        (worker, "from app.jobs import later\n\n\ndef work():\n    later()\n"),  # a new module calling later
        (jobs, text.replace("def later():", "def sooner():")),  # renamed
        (jobs, text.replace("    retry(ping)\n", "    retry(ping)\n    start_all()\n\n\ndef start_all():\n    pass\n")),
        (worker, None),  # the new module removed
        (cli, cli_text),
        (jobs, text),
    ]
    texts: dict[Path, str] = {}
    for path, new_text in edits:
        if new_text is None:
            path.unlink()
            index.remove_file(path)
            texts.pop(path, None)
        else:
            if not path.exists():
                path.write_text(new_text)
            index.update_file(path, new_text)
            texts[path] = new_text
        assert answers(index) == answers(fresh(project, texts)), (path.name, new_text)


def test_a_typed_def_asks_again_only_about_what_it_changed(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    jobs = project / "app" / "jobs.py"
    text = jobs.read_text()
    index = Index([project], use_cache=False)
    index.build()
    index.resolve_all()
    first = index.graph().entry_points()
    asked: list[str] = []
    rule = CallGraph._entry_rule

    def counted(graph: CallGraph, symbol: str) -> bool:
        asked.append(symbol)
        return rule(graph, symbol)

    monkeypatch.setattr(CallGraph, "_entry_rule", counted)
    index.update_file(jobs, text + "\n\ndef typed_probe(value):\n    return later()\n")
    now = index.graph().entry_points()
    assert "app.jobs:later" in first and "app.jobs:later" not in now and "app.jobs:typed_probe" in now
    # the functions of the edited module and the callee that gained a caller, not those of app.cli (before: all)
    assert asked and all(symbol.startswith("app.jobs:") for symbol in asked)
    assert "app.cli:start" not in asked
