"""A mixin's method annotating ``self`` with the class it is mixed into (``def list_tools(self: Client)``) reads that
class's attributes, driven through ``trace-advisor analyze`` as a subprocess on a small invented project (issue #16)."""

from __future__ import annotations

from pathlib import Path

from tests.cli.test_held_rules import analyse
from tests.support.cli import external_io

MIXIN_CLIENT = {
    "sdk/client.py": (
        "import httpx\n\n"
        "from sdk.mixins import ToolsMixin\n\n\n"
        "class Client(ToolsMixin):\n"
        "    def __init__(self, base_url: str) -> None:\n"
        "        self._http = httpx.Client(base_url=base_url)\n\n"
        "    @property\n"
        "    def http(self) -> httpx.Client:\n"
        "        return self._http\n"
    ),
    "sdk/mixins.py": (
        "from __future__ import annotations\n\n"
        "from typing import TYPE_CHECKING\n\n"
        "if TYPE_CHECKING:\n"
        "    from sdk.client import Client\n\n\n"
        "class ToolsMixin:\n"
        "    def list_tools(self: Client, cursor: str | None = None) -> list[dict]:\n"
        "        params = {'cursor': cursor} if cursor else {}\n"
        "        response = self.http.get('/tools', params=params)\n"
        "        response.raise_for_status()\n"
        "        return response.json()['tools']\n"
    ),
}


def test_a_mixin_method_typing_self_as_its_client_reaches_the_clients_transport(tmp_path: Path) -> None:
    """fastmcp's ``ClientToolsMixin.list_tools_mcp(self: Client, ...)`` sends ``self.session.list_tools(...)``; read
    as the mixin alone, ``self.session`` was "not defined on `self`" and the remote operation had no evidence."""
    recs = analyse(tmp_path, MIXIN_CLIENT)
    assert "ToolsMixin.list_tools" in recs, sorted(recs)
    assert any(detail.startswith("httpx") for detail in external_io(recs["ToolsMixin.list_tools"])), recs[
        "ToolsMixin.list_tools"
    ]["evidence"]
