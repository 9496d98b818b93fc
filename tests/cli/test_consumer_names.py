"""A method named like a consumer callback (``handle_event(self, event)``, ``on_message(self, message)``) is one only
in a module that imports a message broker's or a task queue's client. openai-python's stream state
(``ResponseStreamState.handle_event``, in-process SSE events) was recommended at 0.79 as a "message consumer callback"
with advice to extract the producer's context from each message; in the placement corpus 27 of 28 functions so named
(websocket and agent message handlers) were untraced by their maintainers."""

from __future__ import annotations

from pathlib import Path

from tests.support.cli import recommendations

HANDLER = """\
{imports}

class Accumulator:
    def __init__(self):
        self.events = []

    def handle_event(self, event):
        if event.type == "done":
            return None
        self.events.append(event)
        return event
"""


def consumer_evidence(tmp_path: Path, imports: str) -> list[str]:
    root = tmp_path / imports.replace(" ", "_")
    root.mkdir()
    (root / "stream.py").write_text(HANDLER.format(imports=imports), encoding="utf-8")
    found = recommendations(root, root, "--min-confidence", "0")
    handler = found.get("Accumulator.handle_event", {"evidence": []})
    evidence = handler["evidence"]
    assert isinstance(evidence, list)
    return [e["detail"] for e in evidence if e["priority"] == "message_bus"]


def test_a_consumer_name_in_a_module_with_no_broker_client_is_no_consumer(tmp_path: Path) -> None:
    assert consumer_evidence(tmp_path, "import json") == []


def test_a_consumer_name_in_a_module_importing_a_broker_client_is_one(tmp_path: Path) -> None:
    assert consumer_evidence(tmp_path, "import pika") == ["consumer"]


def test_a_broker_librarys_own_modules_do_not_make_its_hooks_consumers(tmp_path: Path) -> None:
    """faust, read as a user: its metrics sensors' ``on_message_in(self, tp, offset, message)`` (Statsd, Prometheus,
    Datadog, its own OpenTelemetry monitor: 13 of its 17 message-bus recommendations) were "message consumer
    callbacks" because every faust module imports faust. A package importing itself is the library, not a client of
    a broker."""
    root = tmp_path / "project"
    (root / "faust" / "sensors").mkdir(parents=True)
    for folder in (root / "faust", root / "faust" / "sensors"):
        (folder / "__init__.py").write_text("", encoding="utf-8")
    (root / "faust" / "types.py").write_text("class Message:\n    topic = ''\n", encoding="utf-8")
    sensor = (
        HANDLER.format(imports="from faust.types import Message")
        .replace("def handle_event(self, event)", "def on_message(self, message: Message)")
        .replace("event.type", "message.topic")
        .replace("(event)", "(message)")
        .replace("return event", "return message")
    )
    (root / "faust" / "sensors" / "counts.py").write_text(sensor, encoding="utf-8")
    found = recommendations(root, tmp_path, "--min-confidence", "0")
    evidence = found.get("Accumulator.on_message", {"evidence": []})["evidence"]
    assert isinstance(evidence, list)
    assert [e["detail"] for e in evidence if e["priority"] == "message_bus"] == []
