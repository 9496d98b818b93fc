"""pytest fixtures: what pytest passes an unannotated parameter of a test (or of a fixture) is what the fixture of
that name returns or yields. Found where pytest looks: the test's class, its module (imported fixtures too), then the
``conftest.py`` of its package and of each package above it, nearest first. Not followed: parameters a
``parametrize`` mark supplies, fixtures renamed with ``name=``, and those of plugins (``tmp_path``, ``monkeypatch``)."""

from __future__ import annotations

import re

from trace_advisor.facts.records import CALL, Scope


def in_test_module(module: str) -> bool:
    """pytest's default test file names, and conftest files."""
    base = module.rpartition(".")[2]
    return base.startswith("test_") or base.endswith("_test") or base == "conftest"


def is_fixture(scope: Scope) -> bool:
    """Decorated ``@pytest.fixture`` or ``@pytest.fixture(...)`` (any module's ``fixture``) without a ``name=``."""
    return any(
        d.chain is not None
        and (d.chain[-1] == "fixture" or d.chain[-2:] == ("fixture", CALL))
        and "name=" not in d.text
        for d in scope.decorators
    )


def takes_fixtures(function: Scope, owner: Scope | None, name: str) -> bool:
    """Whether pytest passes ``function``'s parameter ``name`` a fixture: a test function (``test*``, in a
    ``Test*`` class when a method) or a fixture, and no ``parametrize`` mark of it or its class names it."""
    short = function.qualname.rpartition(".")[2]
    if owner is not None and owner.kind == "class":
        if not owner.qualname.rpartition(".")[2].startswith("Test") and not is_fixture(function):
            return False
    elif owner is not None and owner.kind != "module":
        return False  # a nested function is called by its enclosing code, not by pytest
    if not (short.startswith("test") or is_fixture(function)):
        return False
    mentioned = re.compile(rf"""["'][^"']*\b{re.escape(name)}\b""")
    marks = (*function.decorators, *(owner.decorators if owner is not None else ()))
    return not any(d.chain is not None and "parametrize" in d.chain and mentioned.search(d.text) for d in marks)


def conftest_modules(module: str) -> list[str]:
    """The conftest modules pytest reads for ``module``, nearest first: ``a.b.test_x`` -> a.b.conftest, a.conftest,
    conftest."""
    packages = module.split(".")[:-1]
    return [".".join([*packages[:end], "conftest"]) for end in range(len(packages), -1, -1)]
