"""A template method's private hook is one operation across its implementations, through ``trace-advisor analyze``
as a subprocess (tests/fixtures/template_hooks): the connector whose ``_inner_reply`` reaches its gateway through its
own helper is recommended at the default threshold because the three other implementations of the hook deserve a span
(before, only public methods were read this way: semantic-kernel's connectors, whose maintainers trace every
``_inner_get_chat_message_contents``, were recommended one by one on their own evidence)."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.support.cli import recommendations

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "template_hooks"


def test_a_private_hook_is_recommended_like_its_other_implementations(tmp_path: Path) -> None:
    recs = recommendations(FIXTURE, tmp_path)
    hook = recs.get("GatewayConnector._inner_reply")
    assert hook is not None, sorted(recs)
    assert "3 of 3 other implementations of ChatConnector._inner_reply deserve a span" in str(hook["rationale"])


def test_an_implementation_above_the_floor_on_its_own_still_says_it_is_one_operation(tmp_path: Path) -> None:
    """The convention is evidence whether or not it raises the confidence: an implementation that retries and checks
    its input with the provider (0.79 with the shipped model) says that the other implementations deserve a span too
    (before, the reason was only attached to those it raised to the floor)."""
    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project)
    providers = project / "connectors" / "providers.py"
    one_call = "        response = await self.client.chat.completions.create(model=self.model, messages=messages)\n"
    retried = (
        "        for attempt in range(3):\n"
        "            try:\n"
        "                response = await self.client.chat.completions.create(model=self.model, messages=messages)\n"
        "                break\n"
        "            except TimeoutError:\n"
        "                if attempt == 2:\n"
        "                    raise\n"
        '                moderation = await self.client.moderations.create(input=messages[-1]["content"])\n'
        "                if moderation.results[0].flagged:\n"
        '                    raise ValueError("flagged")\n'
    )
    text = providers.read_text(encoding="utf-8")
    assert text.count(one_call) == 1
    providers.write_text(text.replace(one_call, retried), encoding="utf-8")
    recs = recommendations(project, tmp_path)
    openai = recs["OpenAIConnector._inner_reply"]
    assert float(str(openai["confidence"])) > 0.5, openai["confidence"]
    assert "3 of 3 other implementations of ChatConnector._inner_reply deserve a span" in str(openai["rationale"])
