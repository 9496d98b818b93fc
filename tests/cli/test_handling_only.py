"""Error handling and branches alone are not work, through ``trace-advisor analyze`` as a subprocess
(tests/fixtures/handling_only): a method that swallows a failure of in-memory work, one that raises on bad input and a
parser that translates its error are never recommended, however low the threshold (before, "handles and swallows
Exception" alone scored the first 0.52 to 0.72 on browser-use's watchdogs and prompts, where maintainers trace 1 such
function in 10); a request whose HTTP error is swallowed is recommended, and so is a dispatcher that runs a handler it
looked up inside its error handling (the work it runs is unseen)."""

from __future__ import annotations

from pathlib import Path

from tests.support.cli import recommendations

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "handling_only"


def test_error_handling_and_branches_alone_are_never_recommended(tmp_path: Path) -> None:
    recs = recommendations(FIXTURE, tmp_path, "--min-confidence", "0.01")
    for qualname in ("ScreenshotTools.resize", "ScreenshotTools.crop_box", "parse_viewport"):
        assert qualname not in recs, recs[qualname]
    assert "fetch_page" in recs, sorted(recs)
    assert "run_command" in recs, sorted(recs)


def test_a_swallowing_helper_is_not_recommended_at_the_default_threshold(tmp_path: Path) -> None:
    recs = recommendations(FIXTURE, tmp_path)
    assert "ScreenshotTools.resize" not in recs, recs["ScreenshotTools.resize"]  # 0.39 before
