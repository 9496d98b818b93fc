"""An implementation whose own evidence is only how it handles errors is still recommended with its operation's other
implementations, through ``trace-advisor analyze`` as a subprocess (tests/fixtures/backend_handling): lnbits' Core
Lightning and Spark wallets call node SDKs without source inside handlers that swallow failures, beside wallets
calling HTTP APIs; the rule that error handling alone is no work dropped their ``create_invoice`` and
``pay_invoice``."""

from __future__ import annotations

from pathlib import Path

from tests.support.cli import recommendations

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "backend_handling"


def test_a_backend_showing_only_error_handling_is_recommended_like_the_others(tmp_path: Path) -> None:
    recs = recommendations(FIXTURE, tmp_path)
    for backend in ("RestBackend", "HostedBackend", "WalletBackend"):
        assert f"{backend}.create_invoice" in recs, sorted(recs)
    node = recs.get("NodeBackend.create_invoice")
    assert node is not None, sorted(recs)
    rationale = str(node["rationale"])
    assert "3 of 3 other implementations of Backend.create_invoice deserve a span" in rationale
    assert "swallows" in rationale
    assert node["priority"] == "exceptions"
    assert "describe" not in recs  # error handling of in-memory work alone: still nothing
