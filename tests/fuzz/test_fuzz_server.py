"""A short seeded fuzz session against the real server over stdio (benchmarks/fuzz.py runs 10,000 edits): random
edits and requests, valid and invalid; every request is answered, nothing fails inside the server, it exits 0."""

from __future__ import annotations

from pathlib import Path

from tests.support.server_fuzz import fuzz_server

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_a_fuzzed_editing_session_is_answered_and_ends_cleanly(tmp_path: Path) -> None:
    report = fuzz_server(EXAMPLES, tmp_path, edits=300, seed=17)
    assert report.clean, report.summary()
    assert report.requests > 100 and report.results > report.requests // 2
