"""A client class whose public methods call a client library directly (no private transport of its own) is traced
operation by operation, driven through ``trace-advisor analyze`` as a subprocess on a small invented project
(issue #16: "a class is a service/client facade when several of its public methods reach I/O")."""

from __future__ import annotations

from pathlib import Path

from tests.support.cli import recommendations
from tests.support.files import write_project

CHANNEL = {
    "notify/__init__.py": "",
    "notify/channel.py": (
        "from slack_sdk import WebClient\n\n\n"
        "class Channel:\n"
        "    def __init__(self, token: str, channel: str) -> None:\n"
        "        self.channel = channel\n"
        "        self._slack = WebClient(token=token)\n\n"
        "    def post(self, text: str, thread: str | None = None) -> str:\n"
        "        if not text:\n"
        "            raise ValueError('empty message')\n"
        "        response = self._slack.chat_postMessage(channel=self.channel, text=text, thread_ts=thread)\n"
        "        return response['ts']\n\n"
        "    def history(self, limit: int = 50) -> list[dict]:\n"
        "        response = self._slack.conversations_history(channel=self.channel, limit=limit)\n"
        "        messages = response['messages']\n"
        "        return [m for m in messages if m.get('type') == 'message']\n\n"
        "    def react(self, ts: str, emoji: str) -> None:\n"
        "        self._slack.reactions_add(channel=self.channel, timestamp=ts, name=emoji.strip(':'))\n\n"
        "    def delete(self, ts: str) -> None:\n"
        "        self._slack.chat_delete(channel=self.channel, ts=ts)\n"
    ),
}


def test_each_public_operation_of_a_class_calling_a_client_library_is_recommended(tmp_path: Path) -> None:
    """A class over a vendor's SDK (a channel, a bucket, a table) calls the library's client in each public method, a
    request no instrumentation package traces; its one-line operations scored under the threshold for their size:
    only a class reaching I/O through its own private transport (``self._request(...)``) was traced operation by
    operation."""
    project = write_project(tmp_path / "project", CHANNEL)
    recs = recommendations(project, tmp_path)  # the shipped scorer
    assert {"Channel.post", "Channel.history", "Channel.react", "Channel.delete"} <= set(recs), sorted(recs)
    assert "4 of 4 public methods of Channel reach I/O" in str(recs["Channel.delete"]["rationale"])


VAULT = {
    "vault/__init__.py": "",
    "vault/adapter.py": (
        "import requests\n\n\n"
        "class Adapter:\n"
        "    def __init__(self, base_url: str, token: str) -> None:\n"
        "        self.base_url = base_url\n"
        "        self.session = requests.Session()\n"
        "        self.session.headers['X-Vault-Token'] = token\n\n"
        "    def request(self, method: str, path: str, json: dict | None = None) -> dict:\n"
        "        response = self.session.request(method, self.base_url + path, json=json, timeout=10)\n"
        "        response.raise_for_status()\n"
        "        return response.json() if response.content else {}\n\n"
        "    def get(self, path: str) -> dict:\n"
        "        return self.request('GET', path)\n\n"
        "    def post(self, path: str, json: dict | None = None) -> dict:\n"
        "        return self.request('POST', path, json)\n"
    ),
    "vault/secrets.py": (
        "from vault.adapter import Adapter\n\n\n"
        "class Secrets:\n"
        "    def __init__(self, adapter: Adapter, mount: str = 'secret') -> None:\n"
        "        self._adapter = adapter\n"
        "        self.mount = mount\n\n"
        "    def read(self, path: str) -> dict:\n"
        "        return self._adapter.get(f'/v1/{self.mount}/data/{path}')\n\n"
        "    def write(self, path: str, data: dict) -> dict:\n"
        "        return self._adapter.post(f'/v1/{self.mount}/data/{path}', json={'data': data})\n\n"
        "    def destroy(self, path: str, versions: list[int]) -> dict:\n"
        "        return self._adapter.post(f'/v1/{self.mount}/destroy/{path}', json={'versions': versions})\n\n"
        "    def list(self, path: str = '') -> dict:\n"
        "        return self._adapter.get(f'/v1/{self.mount}/metadata/{path}?list=true')\n"
    ),
}


def test_each_operation_of_a_class_over_the_transport_it_holds_is_recommended(tmp_path: Path) -> None:
    """An SDK's API class holds the client's transport in a private attribute (hvac's ``self._adapter``, an SDK's
    ``self._requestor``) and each of its public methods is one API call through it: traced operation by operation
    like a class calling its own private transport (hvac: 68 of its ~550 Vault operations were recommended, those with
    an early exit or a few calls: Identity.create_or_update_entity, not Identity.read_entity)."""
    project = write_project(tmp_path / "project", VAULT)
    recs = recommendations(project, tmp_path)  # the shipped scorer
    assert {"Secrets.read", "Secrets.write", "Secrets.destroy", "Secrets.list"} <= set(recs), sorted(recs)
    assert "4 of 4 public methods of Secrets reach I/O" in str(recs["Secrets.read"]["rationale"])
