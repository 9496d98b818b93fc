"""What the server answers to ``initialize`` (its name and capabilities), written out so that start-up can answer
before pygls and lsprotocol are loaded. ``tests/server/test_fast_start.py`` checks it against pygls' own answer
(``app.initialize_result``) and prints the capabilities to write here after a handler or a command is added."""

from __future__ import annotations

from typing import Any

NAME = "trace-advisor-lsp"
# positionEncoding is chosen per client at start-up
CAPABILITIES: dict[str, Any] = {
    "callHierarchyProvider": True,
    "codeActionProvider": {"codeActionKinds": ["quickfix", "refactor.rewrite", "source"], "resolveProvider": True},
    "codeLensProvider": {"resolveProvider": True},
    "executeCommandProvider": {
        "commands": [
            "trace-advisor.analyzeFile",
            "trace-advisor.showReport",
            "trace-advisor.addSpansInFile",
            "trace-advisor.addSpan",
            "trace-advisor.trust",
            "trace-advisor.showObserved",
            "trace-advisor.analyzeWorkspace",
        ]
    },
    "hoverProvider": True,
    "textDocumentSync": {"change": 2, "openClose": True, "save": {"includeText": False}},
    "workspace": {"fileOperations": {}, "workspaceFolders": {"changeNotifications": True, "supported": True}},
}
