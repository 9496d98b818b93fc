"""A handler that only gives a name a literal default (stripe-python's ``request_headers``: ``try: val = func()
except Exception: val = "(disabled)"`` around platform detection) falls back, it swallows no operational failure: weak
evidence, said as such. A handler doing something else with the failure keeps its "handles and swallows". Through
``analyze`` as a subprocess."""

from __future__ import annotations

from pathlib import Path

from tests.support.cli import reasons, recommendations

MODULE = """import platform

import httpx


def user_agent(version: str) -> dict[str, str]:
    found = {"lang": "python", "version": version}
    for attr, func in [("lang_version", platform.python_version), ("platform", platform.platform)]:
        try:
            val = func()
        except Exception:
            val = "(disabled)"
        found[attr] = val
    return found


def fetch(url: str, log) -> bytes | None:
    try:
        return httpx.get(url).content
    except httpx.HTTPError as error:
        log.warning("fetch failed: %s", error)
        return None
"""


def test_a_handler_giving_a_default_value_falls_back(tmp_path: Path) -> None:
    (tmp_path / "agent.py").write_text(MODULE)
    found = recommendations(tmp_path, tmp_path, "--min-confidence", "0")
    exceptions = reasons(found, "exceptions")
    assert exceptions.get("user_agent", []) == ["falls back to a default value on Exception"]
    assert exceptions["fetch"] == ["handles and swallows httpx.HTTPError"]
