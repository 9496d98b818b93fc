"""A template method's private hook is one operation across its implementations, through ``trace-advisor analyze``
as a subprocess (tests/fixtures/template_hooks): the connector whose ``_inner_reply`` reaches its gateway through its
own helper is recommended at the default threshold because the three other implementations of the hook deserve a span
(before, only public methods were read this way: semantic-kernel's connectors, whose maintainers trace every
``_inner_get_chat_message_contents``, were recommended one by one on their own evidence)."""

from __future__ import annotations

from pathlib import Path

from tests.support.cli import recommendations

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "template_hooks"


def test_a_private_hook_is_recommended_like_its_other_implementations(tmp_path: Path) -> None:
    recs = recommendations(FIXTURE, tmp_path)
    hook = recs.get("GatewayConnector._inner_reply")
    assert hook is not None, sorted(recs)
    assert "3 of 3 other implementations of ChatConnector._inner_reply deserve a span" in str(hook["rationale"])
