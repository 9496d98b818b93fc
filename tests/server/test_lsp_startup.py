"""Start-up: a settings change right after `initialized` (Neovim sends one whenever `settings` is set) does not
restart the first index build unless it changes what is indexed."""

from __future__ import annotations

import asyncio

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.server.lsp_session import eventually, session_fixture, wait_ready

pytestmark = pytest.mark.asyncio(loop_scope="module")
client = session_fixture("startup", configuration={"minConfidence": 0.4}, wait=False)


def builds(client: LanguageClient) -> list[list[object]]:
    reports = client.progress_reports.values()
    return [r for r in reports if r and getattr(r[0], "title", "") == "trace-advisor: indexing"]


async def test_a_settings_change_right_after_start_up_keeps_the_first_build(client: LanguageClient) -> None:
    client.set_configuration({"traceAdvisor": {"minConfidence": 0.6, "server": {"logLevel": "debug"}}})
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    await wait_ready(client)
    await asyncio.sleep(0.5)  # a second build would have begun by now
    (build,) = builds(client)
    assert isinstance(build[-1], types.WorkDoneProgressEnd) and build[-1].message.startswith("indexed")


async def test_a_change_to_what_is_indexed_builds_once_more(client: LanguageClient) -> None:
    client.set_configuration({"traceAdvisor": {"ignore": ["**/notify.py"]}})
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    await eventually(lambda: len(builds(client)) == 2 and isinstance(builds(client)[1][-1], types.WorkDoneProgressEnd))
    await asyncio.sleep(0.5)
    assert len(builds(client)) == 2
