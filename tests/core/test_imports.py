"""Imports go one way: no cycle among the modules of ``core/`` or of ``server/`` (type-only imports included), and
``core/`` never imports the language-server libraries."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGES = {"trace_advisor": REPO / "core", "trace_advisor_lsp": REPO / "server"}


def imports(package: str) -> dict[str, set[str]]:
    """Each module of ``package`` and the modules of the package it imports, anywhere in the file (``if
    TYPE_CHECKING`` and function bodies included). ``from pkg import sub`` depends on ``pkg.sub`` when that is a
    module, and on ``pkg`` (its ``__init__``, which Python runs first) when the importer is not inside ``pkg``: a
    package importing its own submodules is no cycle, but ``work_units`` importing ``detect.findings`` ran
    ``detect/__init__``, whose ``shape`` imported ``work_units`` half-initialised."""
    root = PACKAGES[package]
    files = {_name(path, root): path for path in (root / package).rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                assert node.level == 0, f"{path}: relative import"
                for alias in node.names:
                    found.add(f"{node.module}.{alias.name}" if f"{node.module}.{alias.name}" in files else node.module)
        graph[name] = {module for module in found if module in files and module != name}
        # importing ``pkg.sub`` from outside ``pkg`` runs ``pkg/__init__`` first: a dependency on it too
        graph[name] |= {parent for module in graph[name] for parent in _outer_packages(module, name) if parent in files}
    return graph


def _outer_packages(module: str, importer: str) -> list[str]:
    """The packages above ``module`` that ``importer`` is not inside (``a.b`` for ``a.b.c`` imported by ``a.x``)."""
    parts = module.split(".")
    found = [".".join(parts[:i]) for i in range(1, len(parts))]
    return [p for p in found if not (importer == p or importer.startswith(p + "."))]


def external_imports(package: str) -> set[str]:
    """The top-level names of everything outside ``package`` that its modules import."""
    found: set[str] = set()
    for path in (PACKAGES[package] / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name.partition(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                found.add(node.module.partition(".")[0])
    return found - {package}


def _name(path: Path, root: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every import cycle, as the path that closes it."""
    found: list[list[str]] = []
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        if module in path:
            found.append([*path[path.index(module) :], module])
            return
        if module in done:
            return
        for imported in sorted(graph[module]):
            visit(imported, [*path, module])
        done.add(module)

    for module in sorted(graph):
        visit(module, [])
    return found


@pytest.mark.parametrize("package", sorted(PACKAGES))
def test_no_import_cycle(package: str) -> None:
    graph = imports(package)
    assert len(graph) > 10, "no modules found"
    assert cycles(graph) == []


def test_the_checker_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]


def test_core_never_imports_the_protocol_libraries() -> None:
    found = external_imports("trace_advisor")
    assert "json" in found  # the walk sees imports
    assert not found & {"pygls", "lsprotocol", "trace_advisor_lsp"}
