"""A broker shaped like dramatiq's RedisBroker (tests/fixtures/redis_scripts): ``enqueue`` reaches the closure its
class's ``__getattr__`` makes, and with redis on a search path that closure's call of a script registered in a dict
comprehension is redis' ``Script.__call__``, a round trip: ``enqueue`` gets I/O evidence. Without redis the script's
call is unresolved as what code without source returns, and nothing is made up."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.cli import external_io, recommendations, run_cli

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "redis_scripts"
PROJECT, SITE = FIXTURE / "project", FIXTURE / "site"
ENQUEUE = "queueing.broker:Broker.enqueue"
CLOSURE = "queueing.broker:Broker._dispatch.<locals>.do_dispatch"


def functions(*search: str | Path) -> dict[str, dict[str, object]]:
    done = run_cli("calls", PROJECT, "--no-cache", "--format", "json", *search)
    assert done.returncode == 0, done.stderr
    found: dict[str, dict[str, object]] = json.loads(done.stdout)["functions"]
    return found


def test_the_closure_calls_the_registered_script() -> None:
    for search in ((), ("--search-path", SITE)):
        assert functions(*search)[ENQUEUE]["calls"] == ["queueing.broker:Broker.__getattr__", CLOSURE]
    assert functions("--search-path", SITE)[CLOSURE]["calls"] == ["redis.commands.core:Script.__call__"]
    [unknown] = functions()[CLOSURE]["unresolved"]
    assert isinstance(unknown, dict)
    assert (unknown["text"], unknown["reason"]) == ("dispatch", "result-of-external-call")


def test_enqueue_gets_io_evidence_with_redis_on_a_search_path(tmp_path: Path) -> None:
    found = recommendations(PROJECT, tmp_path, "--search-path", SITE, "--min-confidence", "0")
    assert external_io(found["Broker._dispatch.<locals>.do_dispatch"]) == ["redis.commands.core:Script.__call__"]
    assert external_io(found["Broker.enqueue"]) == [CLOSURE]
    without = recommendations(PROJECT, tmp_path, "--min-confidence", "0")
    assert not any(external_io(r) for r in without.values())
