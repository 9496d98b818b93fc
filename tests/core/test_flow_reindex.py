"""An edit re-indexes the parameter flow (``resolve/flow.py``) from the call sites it changed, not the whole module,
and the result equals a fresh index's after every kind of edit: a def typed and removed, lines moving the calls after
them, an argument changed, a module-level annotation or a class attribute rebinding a name the kept calls use,
``super().__init__``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from trace_advisor.index import Index
from trace_advisor.resolve import flow

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "flow_edits"
MODULE = "app.jobs"


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURE / "app", tmp_path / "app")
    return tmp_path


def fresh(project: Path, path: Path, text: str) -> Index:
    built = Index([project], use_cache=False)
    built.build()
    built.update_file(path, text)
    return built


def indexed(index: Index) -> dict[str, object]:
    """The parameter flow's call sites of every module by key, positions aside, as its next question reads them."""
    found = index._resolver._flow  # (what the resolver reads parameter values from)
    found._index()
    return {
        key: {
            module: ([(s.scope, s.chain, s.args) for s in every], [(s.scope, s.chain, s.args) for s in passing])
            for module, (_, every, passing) in sorted(modules.items())
        }
        for key, modules in sorted(found._sites.items())
        if modules
    }


def graph(index: Index) -> dict[str, list[str]]:
    calls = index.graph()
    return {symbol: sorted(edge.callee for edge in calls.callees(symbol)) for symbol in index.graph_symbols()}


def test_the_reindexed_flow_equals_a_fresh_index_after_edits(project: Path) -> None:
    jobs = project / "app" / "jobs.py"
    text = jobs.read_text()
    typed = text + "\n\ndef typed_probe(value):\n    return retry(value)\n"
    moved = text.replace("    for _ in range(times):\n", "    print(times)\n    for _ in range(times):\n")
    edits = [
        typed,  # a def typed at the end, passing its parameter on
        text,  # and removed
        moved,  # a line in retry: the calls after it move
        moved.replace("    retry(ping)\n", "    retry(pong)\n"),  # an argument changed
        text.replace("factory: type[Base] = Impl", "factory = Impl  # no annotation"),  # factory(op) is no cls call
        text.replace("factory: type[Base] = Impl", "factory: type[Base] = Base"),
        text.replace("def later():\n", "def later():\n    factory = build\n"),  # a local binding shadows it
        text.replace("        super().__init__(op)\n", "        super().__init__(op)\n        self.extra = op\n"),
        typed.replace("def ping() -> None:", "def ping(op=pong) -> None:"),
        text,
        text.replace("    maker: type[Base] = Impl\n", "    maker = Impl  # plain\n"),  # a class attribute rebound
        text.replace("    maker: type[Base] = Impl\n", "    maker = Impl  # plain\n").replace("(pong)\n", "(ping)\n"),
        text.replace("    maker: type[Base] = Impl\n", "    maker: type[Impl] = Impl\n"),
        text,
    ]
    index = Index([project], use_cache=False)
    index.build()
    index.resolve_all()  # as the server has it: every module resolved, the importers mapped
    graph(index)
    for text_now in edits:
        index.update_file(jobs, text_now)
        other = fresh(project, jobs, text_now)
        assert indexed(index) == indexed(other), text_now
        assert graph(index) == graph(other), text_now


def test_a_def_typed_at_the_end_reads_only_its_own_call_sites(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Typing a def re-reads its own call (and the one it replaces), not every call of the module."""
    jobs = project / "app" / "jobs.py"
    text = jobs.read_text()
    index = Index([project], use_cache=False)
    index.build()
    index.resolve_all()  # as the server has it: every module resolved, the importers mapped
    graph(index)
    indexed(index)
    read: list[str | None] = []
    keys = flow.site_keys

    def counted(site: flow.CallSite, scopes: dict[str, flow.Scope]) -> tuple[str, ...]:
        read.append(site.scope)
        return keys(site, scopes)

    monkeypatch.setattr(flow, "site_keys", counted)
    for typed, replaced in (("typed_probe", []), ("other_probe", ["typed_probe"])):
        read.clear()
        index.update_file(jobs, text + f"\n\ndef {typed}(value):\n    return retry(value)\n")
        after = indexed(index)
        assert read == [*replaced, typed]  # (before: every call with arguments of the module, a dozen)
        assert after["retry"][MODULE][0][-1] == (typed, ("retry",), (("0", ("value",)),))
