"""The server's module structure: feature handlers never import each other (they call the server's services), and
only ``app`` knows the feature modules (no import cycle: tests/core/test_imports.py)."""

from __future__ import annotations

from tests.core.test_imports import imports

PACKAGE = "trace_advisor_lsp"


def test_features_call_services_not_each_other() -> None:
    graph = imports(PACKAGE)
    features = {module for module in graph if module.startswith(f"{PACKAGE}.features.")}
    assert features, "no feature modules found"
    for module in features:
        assert not graph[module] & features, f"{module} imports {sorted(graph[module] & features)}"
    importers = {module for module, imported in graph.items() if imported & features}
    assert importers == {f"{PACKAGE}.app"}
