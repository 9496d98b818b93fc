"""A call dispatched to one of several implementations of a method (``self.run(...)`` on a base class) runs what
most of them do, driven through ``trace-advisor analyze`` as a subprocess on a small invented project (issue #16)."""

from __future__ import annotations

from pathlib import Path

from tests.cli.test_held_rules import analyse, reasons

TOOLS = {
    "tools/base.py": (
        "import logging\n"
        "from abc import ABC, abstractmethod\n\n"
        "logger = logging.getLogger(__name__)\n\n\n"
        "class Tool(ABC):\n"
        "    name = 'tool'\n\n"
        "    @abstractmethod\n"
        "    async def run(self, args: dict) -> str: ...\n\n"
        "    async def run_json(self, args: dict) -> str:\n"
        "        checked = {k: v for k, v in args.items() if v is not None}\n"
        "        result = await self.run(checked)\n"
        "        logger.info('tool %s returned %d characters', self.name, len(result))\n"
        "        return result\n"
    ),
    "tools/web.py": (
        "import httpx\n\n"
        "from tools.base import Tool\n\n\n"
        "class FetchTool(Tool):\n"
        "    async def run(self, args: dict) -> str:\n"
        "        async with httpx.AsyncClient() as client:\n"
        "            response = await client.get(args['url'])\n"
        "            return response.text\n\n\n"
        "class SearchTool(Tool):\n"
        "    async def run(self, args: dict) -> str:\n"
        "        async with httpx.AsyncClient() as client:\n"
        "            response = await client.post('https://search.example/q', json=args)\n"
        "            return response.text\n"
    ),
    "tools/stream.py": (
        "import asyncio\n\n"
        "from tools.base import Tool\n\n\n"
        "class InboxTool(Tool):\n"
        "    def __init__(self, inbox: asyncio.Queue) -> None:\n"
        "        self.inbox = inbox\n\n"
        "    async def run(self, args: dict) -> str:\n"
        "        while True:\n"
        "            message = await self.inbox.get()\n"
        "            print(message)\n"
    ),
    "workers/base.py": (
        "from abc import ABC, abstractmethod\n\n\n"
        "class Worker(ABC):\n"
        "    @abstractmethod\n"
        "    async def serve(self) -> None: ...\n\n"
        "    async def start(self) -> None:\n"
        "        self.prepare()\n"
        "        self.announce()\n"
        "        await self.serve()\n\n"
        "    def prepare(self) -> None:\n"
        "        self.ready = True\n\n"
        "    def announce(self) -> None:\n"
        "        print('serving')\n"
    ),
    "workers/inbox.py": (
        "import asyncio\n\n"
        "import httpx\n\n"
        "from workers.base import Worker\n\n\n"
        "class InboxWorker(Worker):\n"
        "    def __init__(self, inbox: asyncio.Queue) -> None:\n"
        "        self.inbox = inbox\n\n"
        "    async def serve(self) -> None:\n"
        "        while True:\n"
        "            url = await self.inbox.get()\n"
        "            async with httpx.AsyncClient() as client:\n"
        "                await client.get(url)\n"
    ),
}


def test_a_base_class_call_runs_forever_only_when_its_implementations_mostly_do(tmp_path: Path) -> None:
    """autogen's ``BaseTool.run_json`` calls ``self.run(...)``, which twelve tools implement; one of them streams
    forever, and the whole tool call read as a lifetime loop (never recommended, though its maintainers trace it).
    Here two of three tools fetch over HTTP and one reads its inbox forever: ``run_json`` is a tool call that ends.
    A worker whose one implementation serves forever (beside the abstract declaration) still runs for life."""
    recs = analyse(tmp_path, TOOLS)
    assert "Tool.run_json" in recs, sorted(recs)
    assert not any("life of the process" in reason for reason in reasons(recs["Tool.run_json"]))
    assert "Worker.start" not in recs and "InboxWorker.serve" not in recs, sorted(recs)
