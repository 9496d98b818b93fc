"""The index's bulk reads make their objects with the cyclic garbage collector off: a graph snapshot's decoding, and
the facts decoded (and definitions made) for every module when the problems, the graph's symbols, every definition
or every module's facts are first asked. Those objects hold no cycles, and with the collector on it re-traversed all
of them as they were made: on the standard library, 0.7 s of a warm ``trace-advisor calls`` of 3 s, 1.8 s of one
taking only the facts from the cache, half of ``definitions()`` and of ``workspace_facts()``
(tests/fixtures/parameter_flow)."""

from __future__ import annotations

import gc
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from trace_advisor import graph_cache, sourcefiles
from trace_advisor.facts import codec
from trace_advisor.index import Index
from trace_advisor.resolution_order import CALLS


@pytest.fixture()
def project(fixtures_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "parameter_flow"
    shutil.copytree(fixtures_dir / "parameter_flow", target)
    return target


@pytest.fixture(autouse=True)
def collector_on() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.enable()
    yield
    if not enabled:
        gc.disable()


def _recording(monkeypatch: pytest.MonkeyPatch, owner: object, name: str) -> list[bool]:
    """Whether the collector was on at each call of ``owner.name`` (which still does its work)."""
    real: Callable[..., Any] = getattr(owner, name)
    seen: list[bool] = []

    def recorded(*args: Any, **kwargs: Any) -> Any:
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, recorded)
    return seen


def _cached(project: Path, cache: Path, *, graph: bool) -> Index:
    """A built index of ``project`` whose facts (and, with ``graph``, resolved graph) a first run left in ``cache``."""
    first = Index([project], cache_dir=cache)
    first.build()
    first.resolve_all()
    assert first.keep_resolved(CALLS)
    if not graph:
        shutil.rmtree(next(cache.glob("*/graphs")))
    index = Index([project], cache_dir=cache)
    index.build()
    return index


def test_a_graph_snapshot_is_decoded_with_the_collector_off(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = _cached(project, tmp_path / "cache", graph=True)
    seen = _recording(monkeypatch, graph_cache, "_decode_body")
    assert index.reuse_resolved(CALLS) > 0
    assert seen == [False]
    assert gc.isenabled()


def test_problems_and_symbols_decode_the_facts_with_the_collector_off(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = _cached(project, tmp_path / "cache", graph=False)
    decoded = _recording(monkeypatch, codec, "decode")
    index.problems  # noqa: B018 - the property reads every module's facts
    assert decoded and not any(decoded)
    defined = _recording(monkeypatch, sourcefiles, "definitions_of")
    assert index.graph_symbols()
    assert defined and not any(defined)
    assert gc.isenabled()


@pytest.mark.parametrize("read", ["definitions", "workspace_facts"])
def test_every_definition_or_facts_decode_the_facts_with_the_collector_off(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, read: str
) -> None:
    index = _cached(project, tmp_path / "cache", graph=False)
    decoded = _recording(monkeypatch, codec, "decode")
    assert getattr(index, read)()
    assert decoded and not any(decoded)
    assert gc.isenabled()
