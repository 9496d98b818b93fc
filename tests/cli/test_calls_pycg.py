"""``trace-advisor calls --format pycg`` on every call-graph fixture (tests/fixtures/callgraph/<case>): each
function's callees are its JSON callees, named PyCG's way, less the edges to classes constructed without an
``__init__`` with source (json marks them ``constructs``: no function runs, and PyCG has no such edge). A class with
one external base and no ``__init__`` with source calls that base's ``__init__`` in both formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cli import run_cli

CASES = sorted(p for p in (Path(__file__).resolve().parents[1] / "fixtures" / "callgraph").iterdir() if p.is_dir())


def calls(case: Path, fmt: str, cache: Path) -> dict[str, object]:
    result = run_cli("calls", case, "--format", fmt, env={"TRACE_ADVISOR_CACHE_DIR": str(cache)})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def pycg_name(symbol: str) -> str:
    """PyCG's names: dotted, nested functions without ``<locals>``, a module body is the module, builtins are
    ``<builtin>.name``."""
    module, _, qualname = symbol.partition(":")
    if module == "builtins":
        return f"<builtin>.{qualname}"
    qualname = qualname.replace(".<locals>", "")
    return module if qualname == "<module>" else f"{module}.{qualname}"


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_pycg_callees_are_the_json_callees_less_constructs(case: Path, cache: Path) -> None:
    functions = calls(case, "json", cache)["functions"]
    pycg = calls(case, "pycg", cache)
    assert isinstance(functions, dict)
    for symbol, found in functions.items():
        constructs = set(found["constructs"])
        assert constructs <= set(found["calls"]), symbol
        wanted = [pycg_name(callee) for callee in found["calls"] if callee not in constructs]
        assert pycg[pycg_name(symbol)] == wanted, symbol


def test_constructing_without_an_init(cache: Path) -> None:
    case = next(c for c in CASES if c.name == "constructs")
    pycg = calls(case, "pycg", cache)
    assert pycg["shapes.main.build"] == [
        "shapes.main.Plain.area",
        "shapes.main.Sized.__init__",
        "shapes.main.Cube.volume",
        "collections.OrderedDict.__init__",
    ]
    assert pycg["shapes.main.fail"] == ["<builtin>.Exception.__init__"]
    assert pycg["shapes.main.work"] == ["threading.Thread.__init__", "shapes.main.Worker.run"]
