"""The server's module structure: imports go one way (no cycle, type-only imports included), feature handlers never
import each other (they call the server's services), and only ``app`` knows the feature modules."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = "trace_advisor_lsp"
ROOT = Path(__file__).resolve().parents[2] / "server"


def imports() -> dict[str, set[str]]:
    """Each server module and the server modules it imports (anywhere in the file, `if TYPE_CHECKING` included)."""
    files = {_name(path): path for path in (ROOT / PACKAGE).rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                assert node.level == 0, f"{path}: relative import"
                found.add(node.module)
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
        graph[name] = {module for module in found if module in files and module != name}
    return graph


def _name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
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


def test_no_import_cycle() -> None:
    assert cycles(imports()) == []


def test_the_checker_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]


def test_features_call_services_not_each_other() -> None:
    graph = imports()
    features = {module for module in graph if module.startswith(f"{PACKAGE}.features.")}
    assert features, "no feature modules found"
    for module in features:
        assert not graph[module] & features, f"{module} imports {sorted(graph[module] & features)}"
    importers = {module for module, imported in graph.items() if imported & features}
    assert importers == {f"{PACKAGE}.app"}
