"""Entry point of ``trace-advisor-lsp`` and ``python -m trace_advisor_lsp`` (stdio)."""

from __future__ import annotations

import sys


def main() -> int:
    # vscode-languageclient appends --stdio; stdio is the only transport, so it is accepted and ignored.
    from trace_advisor_lsp.boot import main as serve

    return serve(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
