"""The LSP frame reader on any byte stream, read in any chunk sizes: it never raises, always ends, never holds more
than its limits, and every well-formed message after any corruption still comes out, intact and in order."""

from __future__ import annotations

import io
import json

from hypothesis import given
from hypothesis import strategies as st
from trace_advisor_lsp.framing import Frame, FrameReader, Skipped

MAX_BODY = 2000
BODIES = st.dictionaries(
    st.sampled_from(["jsonrpc", "id", "method", "params", "text"]),
    st.integers() | st.text(max_size=60) | st.sampled_from(["Content-Length: 5\r\n\r\n", "\r\n", '"}']),
    max_size=5,
).map(lambda d: json.dumps({"jsonrpc": "2.0", **d}).encode())
CORRUPTIONS = st.sampled_from(
    [
        b"Content-Length: 999999999999\r\n\r\n",
        b"Content-Length: abc\r\n\r\n",
        b"Content-Length: 3\r\n\r\n",
        b"Content-Length: -1\r\n\r\n",
        b"Content-Length:\r\n\r\n",
        b"Content-Type: x\r\n\r\n",
        b"Content-Length: 10",
        b"\r\n\r\n",
        b"{",
        b"}}}}",
        b"\x00\xff\xfe",
    ]
) | st.binary(max_size=100)


def frame(body: bytes) -> bytes:
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def read_all(data: bytes, chunks: list[int]) -> list[Frame | Skipped]:
    stream = io.BytesIO(data)
    sizes = iter(chunks)

    def read(n: int) -> bytes:
        return stream.read(min(n, next(sizes, n)))

    reader = FrameReader(read, max_body=MAX_BODY)
    found: list[Frame | Skipped] = []
    while (item := reader.next()) is not None:
        found.append(item)
        assert len(found) < 10_000
        assert len(reader._buffer) <= 4 * 64 * 1024 + MAX_BODY  # bounded, whatever the input
    return found


@given(st.lists(BODIES, max_size=6), st.lists(st.integers(1, 50), max_size=50))
def test_well_formed_streams_come_out_exactly(bodies: list[bytes], chunks: list[int]) -> None:
    found = read_all(b"".join(frame(b) for b in bodies), chunks)
    assert [f.body for f in found if isinstance(f, Frame)] == bodies
    assert all(isinstance(f, Frame) and f.note is None for f in found)


@given(
    st.lists(st.tuples(st.one_of(st.none(), CORRUPTIONS), BODIES), max_size=6),
    st.lists(st.integers(1, 300), max_size=50),
)
def test_messages_after_any_corruption_still_come_out(
    pairs: list[tuple[bytes | None, bytes]], chunks: list[int]
) -> None:
    stream = b"".join((bad or b"") + frame(body) for bad, body in pairs)
    bodies = iter([f.body for f in read_all(stream, chunks) if isinstance(f, Frame)])
    # every message with nothing wrong right before it comes out, in order (a corruption may take the next one)
    for bad, body in pairs:
        if bad is None:
            assert body in bodies


@given(st.binary(max_size=3000), st.lists(st.integers(1, 700), max_size=30))
def test_any_bytes_end_without_an_exception(data: bytes, chunks: list[int]) -> None:
    for item in read_all(data, chunks):
        assert isinstance(item, Frame | Skipped)
        if isinstance(item, Frame):
            assert len(item.body) <= max(MAX_BODY, 1024 * 1024)
