"""Every kind of bad input gets a problem naming the file and the reason; the rest of the workspace is indexed."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from trace_advisor.index import Index


@pytest.fixture()
def workspace(fixtures_dir: Path, tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    root.mkdir()
    shutil.copy(fixtures_dir / "badinput" / "good.py", root / "good.py")
    (root / "syntax.py").write_text("def broken(:\n    pass\n")
    (root / "nul.py").write_bytes(b"x = 1\0\n")
    (root / "undecodable.py").write_bytes(b"x = 1\ns = '\xff\xfe'\n")
    (root / "huge.py").write_text("x = 1  # generated\n" * 280_000)  # about 5.3 MB
    (root / "deep.py").write_text("x = " + "+".join(["a"] * 100_000) + "\n")
    (root / "parens.py").write_text("x = " + "(" * 1000 + "1" + ")" * 1000 + "\n")
    (root / "cycle_a.py").write_text("import cycle_b\n\ndef a():\n    cycle_b.b()\n")
    (root / "cycle_b.py").write_text("from cycle_a import a\n\ndef b():\n    a()\n")
    (root / "pkg").mkdir()
    (root / "pkg" / "mod.py").write_text("def f():\n    pass\n")
    os.symlink(root / "pkg", root / "pkg" / "loop")
    os.symlink(root / "missing.py", root / "dangling.py")
    return root


def test_bad_files_are_reported_and_the_rest_indexed(workspace: Path, tmp_path: Path) -> None:
    index = Index([workspace], search_paths=[tmp_path / "no-such-dir"], cache_dir=tmp_path / "cache")
    index.build()
    by_file = {Path(p.file).name if p.file else None: p.message for p in index.problems}
    assert by_file["syntax.py"].startswith("syntax error")
    assert "null byte" in by_file["nul.py"]
    assert "cannot decode" in by_file["undecodable.py"] and "0xff" in by_file["undecodable.py"]
    assert "max_file_bytes" in by_file["huge.py"]
    assert "too deep" in by_file["deep.py"]
    assert "too many nested parentheses" in by_file["parens.py"]
    assert "symlink loop" in by_file["loop"]
    assert "broken symlink" in by_file["dangling.py"]
    assert "search path does not exist" in by_file["no-such-dir"]
    graph = index.graph()
    assert [e.callee for e in graph.callees("good:main")] == ["good:helper"]
    assert [e.callee for e in graph.callees("cycle_a:a")] == ["cycle_b:b"]
    assert [e.callee for e in graph.callees("cycle_b:b")] == ["cycle_a:a"]
    assert [e.callee for e in graph.callees("pkg.mod:f")] == []
    assert {d.symbol for d in index.definitions(workspace / "syntax.py")} == {"syntax:<module>"}


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read files without read permission")
def test_unreadable_file(workspace: Path, tmp_path: Path) -> None:
    secret = workspace / "secret.py"
    secret.write_text("x = 1\n")
    secret.chmod(0)
    try:
        index = Index([workspace], cache_dir=tmp_path / "cache")
        index.build()
        messages = {Path(p.file).name: p.message for p in index.problems if p.file}
        assert messages["secret.py"].startswith("cannot read file")
    finally:
        secret.chmod(0o644)


def test_unreadable_file_as_seen_by_the_index(workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Root ignores permissions, so simulate the OS refusing one read."""
    real = Path.read_bytes

    def refuse(self: Path) -> bytes:
        if self.name == "good.py":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    index = Index([workspace], cache_dir=tmp_path / "cache")
    index.build()
    messages = {Path(p.file).name: p.message for p in index.problems if p.file}
    assert messages["good.py"] == "cannot read file: Permission denied"
    assert [e.callee for e in index.graph().callees("cycle_a:a")] == ["cycle_b:b"]


def test_a_very_long_re_export_chain_does_not_crash(tmp_path: Path) -> None:
    root = tmp_path / "chain"
    root.mkdir()
    for number in range(1500):
        (root / f"m{number}.py").write_text(f"from m{number + 1} import target\n")
    (root / "m1500.py").write_text("def target():\n    pass\n")
    (root / "main.py").write_text("from m0 import target\n\ndef run():\n    target()\n")
    index = Index([root], cache_dir=tmp_path / "cache")
    index.build()
    edges = index.graph().callees("main:run")
    unresolved = index.graph().unresolved("main:run")
    assert [e.callee for e in edges] == ["m1500:target"] or [u.text for u in unresolved] == ["target"]
