"""Serves the tests' loopback Bedrock Runtime (tests/support/bedrock_server.py) for the VS Code e2e.

Prints the URL on the first line of stdout, then serves until stdin closes (the driver exits or closes it).
"""

from __future__ import annotations

import sys
from pathlib import Path


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository root, for tests.support
    from tests.support.bedrock_server import fake_bedrock

    with fake_bedrock() as server:
        sys.stdout.write(f"{server.url}\n")
        sys.stdout.flush()
        sys.stdin.read()
        sys.stderr.write(f"fake bedrock: {len(server.requests)} request(s)\n")


if __name__ == "__main__":
    main()
