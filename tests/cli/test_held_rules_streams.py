"""An operation whose implementations stream from a remote API is traced in each class that implements it, generators
included, driven through ``trace-advisor analyze`` as a subprocess on a small invented project (issue #16)."""

from __future__ import annotations

from pathlib import Path

from tests.support.cli import recommendations
from tests.support.files import write_project


def _connector(name: str, body: str) -> str:
    return (
        "from collections.abc import AsyncIterator\n\n"
        "import httpx\n\n"
        "from chat.base import ChatClient\n\n\n"
        f"class {name}(ChatClient):\n"
        "    async def _inner_stream(self, prompt: str) -> AsyncIterator[str]:\n" + body
    )


_FULL_STREAM = (
    "        if not prompt:\n"
    "            return\n"
    "        async with httpx.AsyncClient(base_url=self.url) as client:\n"
    "            async with client.stream('POST', '/chat', json={'prompt': prompt}) as response:\n"
    "                if response.status_code >= 400:\n"
    "                    raise RuntimeError(f'rejected: {response.status_code}')\n"
    "                async for line in response.aiter_lines():\n"
    "                    yield line\n"
)
CONNECTORS = {
    "chat/__init__.py": "",
    "chat/base.py": (
        "from collections.abc import AsyncIterator\n\n\n"
        "class ChatClient:\n"
        "    url = ''\n\n"
        "    async def stream_reply(self, prompt: str) -> list[str]:\n"
        "        return [chunk async for chunk in self._inner_stream(prompt.strip())]\n\n"
        "    async def _inner_stream(self, prompt: str) -> AsyncIterator[str]:\n"
        "        raise NotImplementedError\n"
        "        yield ''\n"
    ),
    **{f"chat/{name.lower()}.py": _connector(name, _FULL_STREAM) for name in ("OpenAI", "Mistral", "Ollama", "Groq")},
    "chat/echo.py": _connector(
        "Echo",
        "        async with httpx.AsyncClient(base_url=self.url) as client:\n"
        "            yield (await client.post('/echo', json={'prompt': prompt})).text\n",
    ),
}


def test_a_streaming_operation_is_traced_in_every_class_that_implements_it(tmp_path: Path) -> None:
    """semantic-kernel: each of 9 chat connectors streams its LLM call in ``_inner_get_streaming_chat_message_
    contents``, an async generator; the rules lower a generator's confidence under their own cut, so none of them
    "deserved a span alone" and the short ones stayed under the threshold while their non-streaming twins were raised
    together. Every implementation that calls the remote API counts as one more place the operation runs."""
    project = write_project(tmp_path / "project", CONNECTORS)
    recs = recommendations(project, tmp_path)  # the shipped scorer
    assert "Echo._inner_stream" in recs, sorted(recs)
    assert "other implementations of ChatClient._inner_stream" in str(recs["Echo._inner_stream"]["rationale"])
