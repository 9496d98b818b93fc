"""Fuzz tests (hypothesis): bounded in time in ``make test``; ``benchmarks/fuzz.py`` runs them far longer.

The ``TRACE_ADVISOR_FUZZ`` profile is ``quick`` (default: few examples, no deadline surprises on a shared machine)
or ``long``; ``TRACE_ADVISOR_FUZZ_EXAMPLES`` overrides the example count of the long profile.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "quick", max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "long",
    max_examples=int(os.environ.get("TRACE_ADVISOR_FUZZ_EXAMPLES", "3000")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("TRACE_ADVISOR_FUZZ", "quick"))
