"""The editor's call hierarchy follows container slots and ``getattr`` with a default (issue 13, S5), on the call-graph
fixtures tests/fixtures/callgraph/container_slots and getattr_default: a literal key reaches the function of its slot
only, site by site (``handlers["a"]`` after ``handlers["a"] = on_c`` is ``on_c``), a write from another scope reaches
every use, copies keep the slots, ``getattr(obj, "name", default)`` is the attribute or the default, and a thread
subclass's target is reached through ``Thread.__init__``."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.server.lsp_session import folders_of, incoming_calls, outgoing_calls, position_of, session_fixture

pytestmark = pytest.mark.asyncio(loop_scope="module")

client = session_fixture(
    "container_slots",
    ("container_slots", "getattr_default", "thread_targets"),
    copies=("../callgraph/container_slots", "../callgraph/getattr_default", "../callgraph/thread_targets"),
)


def slots_file(client: LanguageClient, name: str) -> Path:
    return folders_of(client)[0] / "slots" / f"{name}.py"


async def outgoing(client: LanguageClient, header: str) -> dict[str, types.CallHierarchyOutgoingCall]:
    return await outgoing_calls(client, slots_file(client, "main"), header)


def starts(call: types.CallHierarchyOutgoingCall) -> list[types.Position]:
    return [r.start for r in call.from_ranges]


async def test_a_literal_key_reaches_its_slot_only(client: LanguageClient) -> None:
    text = slots_file(client, "main").read_text()
    assert set(await outgoing(client, "def literal_key(")) == {"slots.handlers:on_a"}
    typed = await outgoing(client, "def typed_keys(")
    assert starts(typed["slots.handlers:one"]) == [position_of(text, "NUMBERED[1](payload)")]
    assert starts(typed["slots.handlers:text_one"]) == [position_of(text, 'NUMBERED["1"](payload)')]
    assert set(await outgoing(client, "def tuple_index(")) == {"slots.handlers:second"}
    assert set(await outgoing(client, "def unknown_key(")) == {"slots.handlers:on_a", "slots.handlers:on_b"}


async def test_writes_replace_a_slot_in_the_scope_and_add_from_elsewhere(client: LanguageClient) -> None:
    text = slots_file(client, "main").read_text()
    updated = await outgoing(client, "def strong_update(")
    assert set(updated) == {"slots.handlers:on_b", "slots.handlers:on_c"}
    assert starts(updated["slots.handlers:on_c"]) == [position_of(text, 'handlers["a"](payload)\n    return')]
    assert starts(updated["slots.handlers:on_b"]) == [position_of(text, 'handlers["b"](payload)')]
    assert set(await outgoing(client, "def use_table(")) == {"slots.handlers:on_a", "slots.handlers:on_c"}
    assert set(await outgoing(client, "def run_registered(")) == {"slots.handlers:one", "slots.handlers:text_one"}
    callers = await incoming_calls(client, slots_file(client, "handlers"), "def first(")
    assert set(callers) == {"slots.main:added", "slots.main:copies"}


async def test_copies_keep_the_slots(client: LanguageClient) -> None:
    text = slots_file(client, "main").read_text()
    copies = await outgoing(client, "def copies(")
    assert starts(copies["slots.handlers:on_a"]) == [
        position_of(text, 'copied["a"](payload)'),
        position_of(text, "handler(payload)\n    for"),
    ]
    assert starts(copies["slots.handlers:on_c"]) == [
        position_of(text, 'merged["c"](payload)'),
        position_of(text, "handler(payload)\n    for"),
    ]


async def test_getattr_with_a_default_and_a_thread_subclass(client: LanguageClient) -> None:
    probe = folders_of(client)[1] / "probe" / "main.py"
    calls = await outgoing_calls(client, probe, "def with_default(")
    assert {"probe.handlers:on_a", "probe.handlers:fallback", "probe.handlers:Plugin.stop"} <= set(calls)
    assert set(await outgoing_calls(client, probe, "def dynamic(")) == {"builtins:getattr"}
    workers = folders_of(client)[2] / "workers" / "main.py"
    started = await outgoing_calls(client, workers, "def start_all(")
    assert {"workers.main:job_a", "workers.main:job_b"} <= set(started)
    assert "workers.main:job_c" not in started
