"""The faster ``__init__`` of frozen slotted dataclasses builds the same objects and keeps them frozen."""

from __future__ import annotations

import dataclasses
import inspect

import pytest
from trace_advisor.facts.records import Binding, CallSite, Scope
from trace_advisor.slotted import fast_init


@fast_init
@dataclasses.dataclass(frozen=True, slots=True)
class _Point:
    x: int
    y: int = 2
    tags: list[str] = dataclasses.field(default_factory=list)


def test_same_signature_defaults_and_factories() -> None:
    parameters = inspect.signature(_Point).parameters
    assert list(parameters) == ["x", "y", "tags"] and parameters["y"].default == 2
    first, second = _Point(1), _Point(1)
    assert first == _Point(x=1, y=2, tags=[]) and first.tags is not second.tags  # a new list per object
    assert _Point(3, tags=["a"]).tags == ["a"]
    assert dataclasses.replace(first, y=5) == _Point(1, 5)
    with pytest.raises(TypeError):
        _Point()  # type: ignore[call-arg]


def test_objects_stay_frozen_and_hashable() -> None:
    site = CallSite("f", ("g",), "g", 1, 2)
    assert site == CallSite(scope="f", chain=("g",), text="g", loc=1, name_loc=2, args=(), implicit="")
    assert hash(site) == hash(CallSite("f", ("g",), "g", 1, 2))
    with pytest.raises(dataclasses.FrozenInstanceError):
        site.text = "h"  # type: ignore[misc]
    assert Binding("value").chains == () and Scope("<module>", "module", None, 1, 1, {}).attributes == {}


def test_refuses_what_it_cannot_speed_up() -> None:
    @dataclasses.dataclass(slots=True)
    class Mutable:
        x: int

    with pytest.raises(TypeError):
        fast_init(Mutable)
