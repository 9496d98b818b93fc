"""The model-answer parser on any text: a ParsedAnswer or an AnswerError, never another exception, always quickly."""

from __future__ import annotations

import json
import time

from hypothesis import given
from hypothesis import strategies as st
from trace_advisor.advise.answers import AnswerError, Expected, ParsedAnswer, parse_answer
from trace_advisor.config_model import PRIORITY_NAMES

EXPECTED = [Expected("shop.orders:place", 12, frozenset({"order_id", "amount"})), Expected("shop.cli:main", 5, None)]
SCALARS = st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=30)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
ENTRY = st.fixed_dictionaries(
    {},
    optional={
        "symbol": st.sampled_from([e.symbol for e in EXPECTED]) | st.text(max_size=20) | VALUES,
        "line": st.integers(-3, 20) | VALUES,
        "priority": st.sampled_from(PRIORITY_NAMES) | VALUES,
        "confidence": st.floats(-1, 2) | VALUES,
        "rationale": st.text(max_size=80) | VALUES,
        "capture": st.fixed_dictionaries(
            {},
            optional={
                "parameters": st.lists(st.text(max_size=10) | VALUES, max_size=4) | VALUES,
                "attributes": st.lists(
                    st.fixed_dictionaries(
                        {"key": st.text(max_size=20) | VALUES, "expression": st.text(max_size=30) | VALUES}
                    ),
                    max_size=3,
                )
                | VALUES,
                "return_value": st.booleans() | VALUES,
                "timing": st.booleans() | VALUES,
                "exceptions": st.booleans() | VALUES,
            },
        )
        | VALUES,
    },
)


def answer_texts() -> st.SearchStrategy[str]:
    document = st.lists(ENTRY, max_size=5).map(lambda entries: {"recommendations": entries}) | VALUES
    as_json = document.map(json.dumps)
    wrapped = st.tuples(
        st.text(max_size=40), as_json, st.text(max_size=40), st.sampled_from(["", "```json\n", "```\n"])
    )
    return (
        as_json
        | wrapped.map(lambda p: f"{p[0]}{p[3]}{p[1]}{'```' if p[3] else ''}{p[2]}")
        | st.tuples(as_json, st.integers(0, 400)).map(lambda p: p[0][: p[1]])  # cut off (max tokens)
        | st.text(alphabet=st.sampled_from('{}[]",: 0123456789abcnulltrue\\\n'), max_size=400)
        | st.text(max_size=200)
    )


@given(answer_texts(), st.booleans())
def test_any_answer_parses_or_is_an_answer_error(text: str, truncated: bool) -> None:
    started = time.perf_counter()
    try:
        parsed = parse_answer(text, EXPECTED, PRIORITY_NAMES, truncated=truncated)
    except AnswerError:
        return
    finally:
        assert time.perf_counter() - started < 2.0
    assert isinstance(parsed, ParsedAnswer)
    for symbol, item in parsed.items.items():
        expected = next(e for e in EXPECTED if e.symbol == symbol)
        assert 1 <= item.line <= expected.line_count and 0 <= item.confidence <= 1
        assert item.priority in PRIORITY_NAMES and item.rationale.strip()
        if expected.parameters is not None:
            assert set(item.capture.parameters) <= expected.parameters
