"""preview_span and apply_span over stdio with the MCP SDK's client: the preview is byte for byte the diff of
``trace-advisor apply --diff``, apply_span writes what ``trace-advisor apply`` writes, applying twice changes
nothing, and a file changed since its preview is refused and left alone."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.mcp_session import McpSession, mcp_session, run_cli

REPO = Path(__file__).resolve().parents[2]
RECOMMENDED = "shop.services.orders:OrderService.place_order"  # records app.coupon
ALSO_RECOMMENDED = "shop.repository.sqlite_repo:OrderRepository.get"
NOT_RECOMMENDED = "shop.models:Order.total_cents"  # a property


def copy_examples(folder: Path) -> Path:
    root = folder / "examples"
    shutil.copytree(REPO / "examples", root, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def snapshot(root: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted(root.rglob("*.py"))}


def cli_apply(root: Path, cache: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli("apply", ".", *args, cwd=root, cache=cache)


@pytest.fixture(scope="module")
def untouched(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace only previewed, never written: one server for every preview test."""
    return copy_examples(tmp_path_factory.mktemp("previews"))


@pytest.fixture(scope="module")
def previews(untouched: Path, cache: Path) -> Iterator[McpSession]:
    with mcp_session(untouched, cache=cache) as connected:
        yield connected


@pytest.fixture()
def workspace(tmp_path: Path) -> Path:
    return copy_examples(tmp_path)


@pytest.fixture()
def session(workspace: Path, cache: Path) -> Iterator[McpSession]:
    with mcp_session(workspace, cache=cache) as connected:
        yield connected


def test_the_tools_are_listed_with_their_hints(previews: McpSession) -> None:
    tools = {tool.name: tool for tool in previews.tools().tools}
    assert tools["preview_span"].annotations.read_only_hint is True  # type: ignore[union-attr]
    apply = tools["apply_span"].annotations
    assert apply is not None and apply.read_only_hint is False and apply.idempotent_hint is True
    assert apply.destructive_hint is False


@pytest.mark.parametrize(
    ("symbol", "plain"),
    [(RECOMMENDED, False), (RECOMMENDED, True), (NOT_RECOMMENDED, False), ("shop/cli.py:main", False)],
)
def test_preview_is_the_diff_apply_prints_and_changes_nothing(
    previews: McpSession, untouched: Path, cache: Path, symbol: str, plain: bool
) -> None:
    before = snapshot(untouched)
    answer = previews.answer("preview_span", {"symbol": symbol, "plain": plain})
    cli_symbol = "shop.cli:main" if symbol.startswith("shop/") else symbol
    expected = cli_apply(untouched, cache, "--symbol", cli_symbol, "--diff", *(["--plain"] if plain else []))
    assert expected.returncode == 0, expected.stderr
    assert answer["diff"] == expected.stdout and answer["diff"].startswith("--- a/shop/")
    assert snapshot(untouched) == before
    [span] = answer["spans"]
    assert span["status"] == "added" and span["symbol"] == cli_symbol and answer["problems"] == []
    assert answer["files"] == [answer["diff"].splitlines()[0].removeprefix("--- a/")]
    assert ("app.coupon" in answer["diff"]) is (symbol == RECOMMENDED and not plain)


def test_apply_writes_what_the_cli_writes_and_twice_changes_nothing(
    session: McpSession, workspace: Path, cache: Path, tmp_path: Path
) -> None:
    symbols = [RECOMMENDED, ALSO_RECOMMENDED, NOT_RECOMMENDED, "shop/cli.py:main"]
    preview = session.answer("preview_span", {"symbol": RECOMMENDED})
    answer = session.answer("apply_span", {"symbols": symbols})
    assert answer["refused"] == [] and answer["problems"] == []
    assert [s["status"] for s in answer["spans"]] == ["added"] * 4
    assert preview["diff"] in answer["diff"]  # the previewed file's part of what was written

    other = copy_examples(tmp_path / "cli")
    cli_symbols = [s.replace("shop/cli.py:main", "shop.cli:main") for s in symbols]
    done = cli_apply(other, cache, *(arg for s in cli_symbols for arg in ("--symbol", s)))
    assert done.returncode == 0, done.stderr
    written = snapshot(workspace)
    assert {p.relative_to(workspace): d for p, d in written.items()} == {
        p.relative_to(other): d for p, d in snapshot(other).items()
    }
    assert sorted(answer["files"]) == sorted(
        str(p.relative_to(workspace))
        for p, d in written.items()
        if d != (REPO / "examples" / p.relative_to(workspace)).read_bytes()
    )

    again = session.answer("apply_span", {"symbols": symbols})
    assert again["diff"] == "" and again["files"] == []
    assert [s["status"] for s in again["spans"]] == ["already_traced"] * 4
    assert snapshot(workspace) == written


def test_a_file_changed_since_its_preview_is_refused(session: McpSession, workspace: Path) -> None:
    orders = workspace / "shop" / "services" / "orders.py"
    preview = session.answer("preview_span", {"symbol": RECOMMENDED})
    assert preview["files"] == ["shop/services/orders.py"]
    edited = orders.read_text() + "\n# edited by someone after the preview\n"
    orders.write_text(edited)

    answer = session.answer("apply_span", {"symbols": [RECOMMENDED, ALSO_RECOMMENDED]})
    assert answer["refused"] == [
        {
            "file": "shop/services/orders.py",
            "reason": "changed on disk since preview_span read it; not written (call preview_span again)",
        }
    ]
    assert orders.read_text() == edited  # left exactly as the user made it
    assert answer["files"] == ["shop/repository/sqlite_repo.py"]  # the other file was written
    assert [s["status"] for s in answer["spans"]] == ["not_written", "added"]

    session.answer("preview_span", {"symbol": RECOMMENDED})  # the user looks again
    answer = session.answer("apply_span", {"symbols": [RECOMMENDED]})
    assert answer["files"] == ["shop/services/orders.py"] and answer["refused"] == []
    assert orders.read_text().endswith("# edited by someone after the preview\n")
    assert "start_as_current_span" in orders.read_text()


def test_spans_outside_the_root_or_of_unknown_functions_are_refused(previews: McpSession, tmp_path: Path) -> None:
    session = previews
    outside = tmp_path / "outside.py"
    outside.write_text("import json\n\n\ndef dump(x):\n    return json.dumps(x)\n")
    before = outside.read_bytes()
    assert "outside the workspace roots" in session.error("apply_span", {"symbols": [f"{outside}:dump"]})
    assert "outside the workspace roots" in session.error("preview_span", {"symbol": f"{outside}:dump"})
    assert outside.read_bytes() == before
    assert "no function nothing in" in session.error("apply_span", {"symbols": ["shop/cli.py:nothing"]})
    assert "'symbols' is a required property" in session.error("apply_span", {})
