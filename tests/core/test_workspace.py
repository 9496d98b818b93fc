"""File discovery, skipped folders, ignore globs and module names through ordered search paths."""

from __future__ import annotations

import os
from pathlib import Path

from trace_advisor.workspace import Workspace, package_root, site_packages


def touch(path: Path, text: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_discovery_skips_vcs_envs_builds_and_globs(tmp_path: Path) -> None:
    keep = touch(tmp_path / "app" / "main.py")
    touch(tmp_path / ".git" / "hooks" / "x.py")
    touch(tmp_path / "node_modules" / "pkg" / "x.py")
    touch(tmp_path / "build" / "lib" / "x.py")
    touch(tmp_path / "env1" / "pyvenv.cfg")
    touch(tmp_path / "env1" / "lib" / "x.py")
    touch(tmp_path / "app" / "generated" / "x_pb2.py")
    touch(tmp_path / "app" / "notes.txt")
    touch(tmp_path / "docs" / "conf.py")
    workspace = Workspace([tmp_path], ignore=["docs/", "*_pb2.py"], site=[])
    assert workspace.discover() == [keep]


def test_src_layout_and_namespace_packages(tmp_path: Path) -> None:
    engine = touch(tmp_path / "src" / "acme" / "core" / "engine.py")
    test = touch(tmp_path / "tests" / "test_engine.py")
    odd = touch(tmp_path / "my-scripts" / "run.py")
    workspace = Workspace([tmp_path], site=[])
    assert workspace.module_name(engine) == "acme.core.engine"
    assert workspace.module_name(test) == "tests.test_engine"
    assert workspace.module_name(odd) == "my-scripts.run"
    assert workspace.locate("acme.core") is not None and workspace.locate("acme.core").path is None  # type: ignore[union-attr]


def test_a_package_root_walks_up_to_the_import_root(tmp_path: Path) -> None:
    touch(tmp_path / "shop" / "__init__.py")
    orders = touch(tmp_path / "shop" / "services" / "__init__.py")
    assert package_root(tmp_path / "shop" / "services") == tmp_path
    workspace = Workspace([tmp_path / "shop" / "services"], site=[])
    assert workspace.module_name(orders) == "shop.services"


def test_earlier_search_paths_win(tmp_path: Path) -> None:
    first = touch(tmp_path / "one" / "lib.py")
    touch(tmp_path / "two" / "lib.py")
    touch(tmp_path / "two" / "only.py")
    workspace = Workspace([tmp_path / "ws"], search_paths=[tmp_path / "one", tmp_path / "two"], site=[])
    assert workspace.locate("lib").path == first  # type: ignore[union-attr]
    assert workspace.locate("only").path == tmp_path / "two" / "only.py"  # type: ignore[union-attr]
    assert workspace.locate("missing") is None


def test_missing_search_path_and_root_are_problems(tmp_path: Path) -> None:
    workspace = Workspace([tmp_path / "nope"], search_paths=[tmp_path / "gone"], site=[])
    messages = [p.message for p in workspace.problems]
    assert any("workspace root does not exist" in m for m in messages)
    assert any("search path does not exist" in m and "gone" in m for m in messages)


def test_symlink_loop_is_reported_once_and_walk_ends(tmp_path: Path) -> None:
    touch(tmp_path / "pkg" / "a.py")
    os.symlink(tmp_path / "pkg", tmp_path / "pkg" / "loop")
    workspace = Workspace([tmp_path], site=[])
    assert workspace.discover() == [tmp_path / "pkg" / "a.py"]
    assert [p.file for p in workspace.problems if "symlink loop" in p.message] == [str(tmp_path / "pkg" / "loop")]


def test_site_packages_of_a_virtualenv(tmp_path: Path) -> None:
    site = tmp_path / "venv" / "lib" / "python3.11" / "site-packages"
    site.mkdir(parents=True)
    (tmp_path / "venv" / "bin").mkdir()
    found, problems = site_packages(str(tmp_path / "venv" / "bin" / "python"))
    assert found == [site] and problems == []
    found, problems = site_packages(str(tmp_path / "nothing" / "bin" / "python"))
    assert found == [] and "no site-packages" in problems[0].message


def test_accepts_matches_discovery(tmp_path: Path) -> None:
    keep = touch(tmp_path / "app" / "main.py")
    skipped = touch(tmp_path / "node_modules" / "x.py")
    ignored = touch(tmp_path / "docs" / "conf.py")
    venv = touch(tmp_path / "env1" / "lib" / "x.py")
    touch(tmp_path / "env1" / "pyvenv.cfg")
    workspace = Workspace([tmp_path], ignore=["docs/"], site=[])
    assert workspace.accepts(keep)
    assert not any(workspace.accepts(p) for p in (skipped, ignored, venv, tmp_path.parent / "other.py"))
