"""external_io: HTTP, DB, cache, file, subprocess and cloud calls found by import path, inferred type or name."""

from __future__ import annotations

import pytest
from trace_advisor.detect import external_io

from tests.core.test_detect_helpers import DETECT_FIXTURES, case_functions, check_function, contexts


@pytest.mark.parametrize("qualname", case_functions("external_io"))
def test_findings(qualname: str) -> None:
    check_function("external_io", "external_io", qualname)


def test_evidence_points_at_the_exact_call() -> None:
    ctx = contexts(DETECT_FIXTURES / "external_io" / "clients.py")["git_revision"]
    [signal] = external_io.detect(ctx)
    line = ctx.lines[signal.evidence.range.start.line - 1]
    start, end = signal.evidence.range.start.column, signal.evidence.range.end.column
    assert line[start:end].startswith("subprocess.run(")
    assert signal.evidence.range.start.line == signal.evidence.range.end.line
    assert signal.api is not None and signal.api.kind == "subprocess"


def test_resolved_calls_are_stronger_than_name_guesses() -> None:
    found = contexts(DETECT_FIXTURES / "external_io" / "clients.py")
    resolved = external_io.detect(found["fetch_profile"])[0]
    guessed = external_io.detect(found["OrderStore.mark_shipped"])[0]
    assert resolved.strength > guessed.strength
    assert resolved.instrumentation == "opentelemetry-instrumentation-httpx"


def test_connection_setup_counts_less_than_an_operation() -> None:
    ctx = contexts(DETECT_FIXTURES / "external_io" / "clients.py")["count_orders"]
    by_target = {s.evidence.detail: s.strength for s in external_io.detect(ctx)}
    assert by_target["sqlite3:connect"] < by_target["sqlite3:Cursor.execute"]
    assert external_io.io_operations(ctx) == {"sqlite3:Cursor.execute"}


RESOLVED_ONLY = DETECT_FIXTURES / "resolved_only"


@pytest.mark.parametrize("module", ["utils", "compat", "globals"])
def test_a_package_named_like_a_client_library_is_not_its_api(module: str) -> None:
    """Calls inside a workspace package called ``requests`` resolve to its own code or to builtins: no I/O claims
    (``str.strip``, ``{...}.get``, a ``session_hooks`` dict's ``.get``), never "by name" on a resolved call."""
    found = contexts(RESOLVED_ONLY / "requests" / f"{module}.py", RESOLVED_ONLY)
    assert {q: [s.evidence.reason for s in external_io.detect(ctx)] for q, ctx in found.items()} == dict.fromkeys(
        found, []
    )


def test_resolved_dictionary_lookups_are_not_guessed_by_name() -> None:
    found = contexts(RESOLVED_ONLY / "requests" / "utils.py", RESOLVED_ONLY)
    flashes = {c.text: c for c in found["flashed_messages"].calls}["session.get"]
    assert flashes.resolved and flashes.api is None  # a dict's get, resolved: no receiver-name guess
    [port, literal] = [c for c in found["default_port"].calls if c.text.endswith(".get")]
    assert port.callees == ("builtins:dict.get",) and literal.callees == ("builtins:dict.get",)
