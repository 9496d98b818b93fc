"""Code leaves the machine only when the project configures a model provider, and then only through recommend and
the report resources, as ``trace-advisor analyze`` would send it (a loopback OpenAI-compatible server here)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.support.mcp_session import mcp_session, run_cli
from tests.support.openai_server import fake_openai
from tests.support.trust import trust_project

REPO = Path(__file__).resolve().parents[2]
KEY = {"OPENAI_API_KEY": "test-key"}


def test_only_a_configured_provider_is_asked_and_only_by_recommend(tmp_path: Path) -> None:
    root = tmp_path / "examples"
    shutil.copytree(REPO / "examples", root, ignore=shutil.ignore_patterns("__pycache__"))
    cache = tmp_path / "cache"
    with fake_openai() as model, mcp_session(root, cache=cache, env=KEY) as session:
        session.answer("recommend", {"paths": ["."]})
        assert model.requests == []  # the local engine: nothing sent

        (root / ".trace-advisor.yaml").write_text(
            "provider:\n  name: openai\n  cache: false\n"
            f"  openai: {{base_url: '{model.url}/v1', model: fake-model, max_attempts: 1}}\n"
        )
        untrusted = session.call("recommend", {"paths": ["shop/services"]})
        assert model.requests == [] and untrusted.structured_content["engine"] == "local"  # type: ignore[index]
        warning = untrusted.content[-1].text  # type: ignore[union-attr]
        assert "is not trusted" in warning and "provider.openai.base_url" in warning
        assert f"trace-advisor trust {root / '.trace-advisor.yaml'}" in warning

        report, *warnings = session.read("trace-advisor://examples/report.md").contents
        assert report.mime_type == "text/markdown" and "is not trusted" not in report.text  # type: ignore[union-attr]
        assert [w.mime_type for w in warnings] == ["text/plain"]  # the report's reader is told too
        assert "provider.openai.base_url" in warnings[0].text  # type: ignore[union-attr]

        trust_project(root)  # a project file's provider is honoured once its user trusts it
        trusted = session.call("recommend", {"paths": ["shop/services"]})
        assert len(trusted.content) == 1  # no warning once trusted
        answer = trusted.structured_content or {}
        asked = len(model.requests)
        assert asked > 0 and answer["engine"] == "openai:fake-model" and answer["usage"]["calls"] == asked
        assert all(r["symbol"].startswith("shop.services.") for r in answer["recommendations"])

        for name, arguments in (
            ("callers", {"symbol": "shop.cli:main"}),
            ("call_tree", {"entry": "shop.cli:main"}),
            ("coverage", {"paths": ["."]}),
            ("preview_span", {"symbol": "shop.services.orders:OrderService.place_order"}),
            ("apply_span", {"symbols": ["shop.services.orders:OrderService.place_order"]}),
        ):
            session.answer(name, arguments)
        assert len(model.requests) == asked  # no other tool sends code anywhere

        expected = run_cli("analyze", ".", "--format", "json", "-q", cwd=root, cache=cache, env=KEY)
        assert expected.returncode == 0, expected.stderr
        assert session.answer("recommend", {"paths": ["."]}) == json.loads(expected.stdout)
