"""When a document is refreshed after an edit (the shipped settings: no debounce): at once unless the file is slow to
refresh and the user types faster than that."""

from __future__ import annotations

from trace_advisor_lsp.scheduling import Pace


def test_a_fast_file_is_refreshed_at_once_on_every_key() -> None:
    pace = Pace(fast=0.1, max_wait=0.5)
    pace.refreshed("a", 1.0)  # the first refresh analyses the whole file: it does not count
    pace.refreshed("a", 0.03)
    assert [pace.edited("a", now) for now in (0.0, 0.01, 0.02, 0.03)] == [0.0] * 4
    assert pace.wait("a") == 0.0


def test_a_slow_file_waits_only_while_edits_come_faster_than_a_refresh() -> None:
    pace = Pace(fast=0.1, max_wait=0.5)
    pace.refreshed("a", 0.3)
    pace.refreshed("a", 0.3)
    assert pace.edited("a", 10.0) == 0.0  # the first edit: nothing is coming after it yet
    assert pace.edited("a", 10.5) == 0.0  # a pause longer than a refresh: it will be done before the next key
    assert pace.edited("a", 10.6) == 0.3  # typing: wait for a pause as long as a refresh takes
    assert pace.wait("a") == 0.3
    pace.refreshed("a", 2.0)
    assert pace.edited("a", 10.7) == 0.5  # never longer than max_wait
    assert pace.edited("b", 10.7) == 0.0  # per document


def test_a_closed_document_starts_over() -> None:
    pace = Pace(fast=0.1, max_wait=0.5)
    pace.refreshed("a", 0.3)
    pace.refreshed("a", 0.3)
    pace.edited("a", 1.0)
    pace.forget("a")
    assert pace.took("a") == 0.0 and pace.edited("a", 1.01) == 0.0
