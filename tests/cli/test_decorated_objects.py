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


SITE = FIXTURE.parent / "site_packages"


def test_a_dramatiq_actor_enqueues_through_its_object_and_still_runs_as_the_function(tmp_path: Path) -> None:
    """``@dramatiq.actor`` makes the function an ``Actor``: ``send_welcome.send(7)`` enqueues a message on the broker
    (it was "`send_welcome.send` is not defined on `send_welcome`"), ``send_welcome(7)`` runs the function; with the
    library's source on a search path (its site-packages) as without it."""
    for search in ((), ("--search-path", SITE)):
        done = run_cli("calls", FIXTURE, "--no-cache", "--format", "json", *search)
        assert done.returncode == 0, done.stderr
        functions = json.loads(done.stdout)["functions"]
        module = "dramatiq.actor" if search else "dramatiq"
        assert functions["app.jobs:register"]["calls"] == [f"{module}:Actor.send", f"{module}:Actor.send_with_options"]
        assert functions["app.jobs:register"]["unresolved"] == []
        assert functions["app.jobs:welcome_now"]["calls"][0] == "app.jobs:send_welcome"
    out = tmp_path / "report.json"
    done = run_cli("analyze", FIXTURE, "--no-cache", "--min-confidence", "0", "--format", "json", "-o", out, "-q")
    assert done.returncode == 0, done.stderr
    register = next(r for r in json.loads(out.read_text())["recommendations"] if r["qualname"] == "register")
    publishes = [e for e in register["evidence"] if e["priority"] == "message_bus"]
    assert [e["detail"] for e in publishes] == ["dramatiq:Actor.send", "dramatiq:Actor.send_with_options"]
    assert "inject the current context" in publishes[0]["reason"]
