"""The graph cache's snapshots through ``GraphCache.save`` and ``open``: a snapshot reads back as it was written, and
writing one holds one module's encoding at a time, never the whole snapshot's (on the standard library that was
80 MB over the graph itself, the peak of a cold ``trace-advisor calls``)."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

from trace_advisor.datatypes import CallEdge, Definition, Range, ResolvedCall, UnresolvedCall
from trace_advisor.graph_cache import GraphCache, Snapshot


def _module(name: str, sites: int) -> tuple[tuple[ResolvedCall, ...], tuple[Definition, ...]]:
    """``sites`` call sites in ``sites // 10`` functions: one, two or no edges each (then unresolved)."""
    calls = []
    definitions = [
        Definition(f"{name}:<module>", "module", f"/w/{name}.py", Range.of(1, 0, sites, 0), Range.of(1, 0, 1, 0))
    ]
    for number in range(sites):
        caller = f"{name}:f{number // 10}"
        if number % 10 == 0:
            definitions.append(
                Definition(
                    caller,
                    "function",
                    f"/w/{name}.py",
                    Range.of(number + 1, 0, number + 10, 0),
                    Range.of(number + 1, 4, number + 1, 8),
                )
            )
        where = Range.of(number + 1, 4, number + 1, 20)
        callee = f"other.m{number % 7}:g{number % 13}"
        if number % 3 == 0:
            missing = UnresolvedCall(caller, f"x{number}.run", where, "untyped-parameter", "`x` has no annotation")
            calls.append(ResolvedCall(caller, where, f"x{number}.run", (), missing))
        elif number % 3 == 1:
            calls.append(ResolvedCall(caller, where, f"g{number % 13}", (CallEdge(caller, callee, where),)))
        else:
            edges = (CallEdge(caller, callee, where), CallEdge(caller, "builtins:len", where, external=True))
            calls.append(ResolvedCall(caller, where, "h", edges))
    return tuple(calls), tuple(definitions)


def _snapshot(modules: int, sites: int) -> Snapshot:
    names = [f"pkg.mod{number:03d}" for number in range(modules)]
    made = {name: _module(name, sites) for name in names}
    return Snapshot(
        modules={name: (f"/w/{name}.py", f"key{name}") for name in names},
        located={"json": ("/usr/lib/json/__init__.py", False), "missing": None},
        outside={"/usr/lib/json/__init__.py": "abc"},
        calls={name: found[0] for name, found in made.items()},
        definitions={name: found[1] for name, found in made.items()},
        rewritten={name: ((3, "PEP 695 type parameters"),) if name.endswith("1") else () for name in names},
    )


def test_a_snapshot_reads_back_as_written(tmp_path: Path) -> None:
    cache = GraphCache(tmp_path)
    snapshot = _snapshot(12, 60)
    cache.save("k", snapshot)
    reading = cache.open("k")
    assert reading is not None
    back = reading.rest()
    assert back == snapshot
    for module, sites in snapshot.calls.items():  # equal, and the edges and missing calls as they were
        assert [site.edges for site in back.calls[module]] == [site.edges for site in sites]
        assert [site.unresolved for site in back.calls[module]] == [site.unresolved for site in sites]


def test_a_damaged_body_is_a_miss_and_removed(tmp_path: Path) -> None:
    cache = GraphCache(tmp_path)
    cache.save("k", _snapshot(3, 20))
    (path,) = tmp_path.glob("*/graphs/*.graph")
    data = bytearray(path.read_bytes())
    data[-5] ^= 0xFF
    path.write_bytes(bytes(data))
    reading = cache.open("k")
    assert reading is not None  # the header is intact
    assert reading.rest() is None
    assert not path.exists()


def test_writing_a_snapshot_holds_one_module_at_a_time(tmp_path: Path) -> None:
    cache = GraphCache(tmp_path)
    snapshot = _snapshot(100, 400)
    cache.save("warm-up", _snapshot(2, 10))  # (imports, the first write's folders)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        cache.save("k", snapshot)
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    (path,) = [p for p in tmp_path.glob("*/graphs/*.graph") if p.stat().st_size > 100_000]
    size = path.stat().st_size
    assert size > 1_500_000
    assert peak < size / 10, (peak, size)  # one module's encoding is a hundredth of the file
    reading = cache.open("k")
    assert reading is not None and reading.rest() == snapshot
