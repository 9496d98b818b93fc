"""The agent server's line reader and message check on any input: they never raise, a line over the limit is never
held whole, and every request with a usable id gets either a message for the server or an error with its own id."""

from __future__ import annotations

import io
import json

import mcp_types as types
from hypothesis import given
from hypothesis import strategies as st
from trace_advisor.mcp.transport import LineReader, TooLong, encode, read_message

MAX_LINE = 500
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
MESSAGES = st.fixed_dictionaries(
    {"jsonrpc": st.sampled_from(["2.0", "1.0"]), "id": st.integers(-(2**53), 2**53) | st.text(max_size=10)},
    optional={"method": st.text(max_size=20) | st.sampled_from(["tools/call", "tools/list"]), "params": JSON_VALUES},
)


@given(st.lists(st.binary(max_size=80) | st.sampled_from([b"\n", b"{", b"\xff", b"x" * 700]), max_size=20))
def test_any_bytes_are_read_without_error_within_the_limit(pieces: list[bytes]) -> None:
    data = b"".join(pieces)
    stream = io.BytesIO(data)
    reader = LineReader(lambda n: stream.read(min(n, 7)), max_line=MAX_LINE)
    lines = []
    while (line := reader.next()) is not None:
        lines.append(line)
        assert isinstance(line, TooLong) or len(line) <= MAX_LINE
        answer = read_message(line)  # never raises
        assert answer is None or isinstance(
            answer, types.JSONRPCError | types.JSONRPCRequest | types.JSONRPCNotification | types.JSONRPCResponse
        )
    assert len(lines) <= data.count(b"\n") + 1


@given(MESSAGES)
def test_every_request_gets_a_message_or_an_error_with_its_id(message: dict[str, object]) -> None:
    answer = read_message(json.dumps(message).encode())
    if isinstance(answer, types.JSONRPCError):
        assert answer.id == message["id"]
        assert encode(answer).endswith(b"\n")
    else:
        assert answer is not None and getattr(answer, "id", None) == message["id"]
