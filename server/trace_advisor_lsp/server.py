"""The language server (placeholder until the LSP issue lands: it reports that it is not built yet)."""

from __future__ import annotations

import sys


def run(argv: list[str]) -> int:
    sys.stderr.write("trace-advisor-lsp: the language server is not built yet\n")
    return 1
