"""What library decorators make of a function, through ``trace-advisor calls --format json`` as a subprocess on
tests/fixtures/decorated_objects: ``@lru_cache``/``@functools.cache`` give functools' cache wrapper, whose
``cache_clear()`` and ``cache_info()`` are named (they were "not defined on `settings`"), while calling the name
still calls the function; a property whose value is not followed is an unknown return, with its name."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.cli import run_cli

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "decorated_objects"


def test_a_cached_function_has_its_cache_methods(tmp_path: Path) -> None:
    done = run_cli("calls", FIXTURE, "--no-cache", "--format", "json")
    assert done.returncode == 0, done.stderr
    functions = json.loads(done.stdout)["functions"]
    reset = functions["app.cached:reset"]
    assert reset["calls"] == [
        "functools:_lru_cache_wrapper.cache_clear",
        "builtins:print",
        "functools:_lru_cache_wrapper.cache_info",
        "app.cached:settings",
    ]
    assert reset["unresolved"] == []
    [unknown] = functions["app.cached:Store.url"]["unresolved"]
    assert (unknown["text"], unknown["reason"]) == ("self.db_path.absolute", "unknown-return")
    assert "the property `db_path`" in unknown["detail"]
