"""What the calibrated model reads of the I/O an auto-instrumentation already shows (advise.calibration): the share of
a function's own I/O that an instrumentation package traces and how much none does, the share of its callees doing
I/O whose I/O is all traced so, and the share of its callers that are request handlers with a server span."""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path

import pytest
from trace_advisor.advise.calibration import Scored, features
from trace_advisor.analysis import Analyzer
from trace_advisor.config import default_config
from trace_advisor.index import Index

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "io_cover"
APP = FIXTURE / "shipping" / "app.py"


@pytest.fixture(scope="module")
def rows() -> Mapping[str, Mapping[str, float]]:
    config = default_config()
    index = Index.from_config(config, [FIXTURE], use_cache=False)
    index.build()
    analyzer = Analyzer(index, config, index.graph())
    scored = [Scored(r.ctx, r.signals, verdict) for r, verdict in analyzer.scored(APP)]
    found = features(scored, analyzer.scorer, analyzer.around())
    return {s.ctx.qualname: row for s, row in zip(scored, found, strict=True)}


def test_io_an_instrumentation_traces_and_io_none_does(rows: Mapping[str, Mapping[str, float]]) -> None:
    assert rows["carrier_rate"]["io_auto"] == 1.0 and "io_open" in rows["carrier_rate"]  # requests: traced
    assert rows["carrier_rate"]["io_open"] == 0.0
    assert rows["print_label"]["io_auto"] == 0.0  # a subprocess: no instrumentation shows it
    assert rows["print_label"]["io_open"] == pytest.approx(math.log1p(1))
    assert "io_auto" not in rows["label"]  # its I/O is its helpers', not its own


def test_callees_io_cover_and_the_request_handler_above(rows: Mapping[str, Mapping[str, float]]) -> None:
    assert rows["label"]["g_below_auto"] == pytest.approx(0.5)  # one of its two helpers only makes traced calls
    assert rows["label"]["g_route_above"] == 0.0
    assert rows["carrier_rate"]["g_route_above"] == 1.0  # the Flask handler's server span is above it
    assert rows["print_label"]["g_route_above"] == 1.0
