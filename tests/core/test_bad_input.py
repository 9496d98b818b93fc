"""Every kind of bad input gets a problem naming the file and the reason; the rest of the workspace is indexed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
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


_INDEX_AND_REPORT = """
import json, os, sys
from pathlib import Path
from trace_advisor.index import Index
index = Index([Path(sys.argv[1])], use_cache=False)  # set up (interpreter paths) with the caller's rights
if os.geteuid() == 0:  # the interpreter lives under /root: start as root, then read the workspace as `nobody`
    os.setgid(65534)
    os.setuid(65534)
index.build()
print(json.dumps({Path(p.file).name: p.message for p in index.problems if p.file}))
"""


def test_unreadable_file(tmp_path: Path) -> None:
    """A file without read permission, really refused by the OS (as an unprivileged user when tests run as root)."""
    if os.geteuid() == 0:
        # root reads anything: index as `nobody` in a world-readable folder outside pytest's private tmp
        workspace = Path(tempfile.mkdtemp(prefix="unreadable-", dir="/tmp"))
        workspace.chmod(0o755)
    else:
        workspace = tmp_path
    (workspace / "good.py").write_text("def main():\n    pass\n")
    secret = workspace / "secret.py"
    secret.write_text("x = 1\n")
    secret.chmod(0)
    try:
        done = subprocess.run(
            [sys.executable, "-c", _INDEX_AND_REPORT, str(workspace)],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        messages = json.loads(done.stdout)
        assert messages["secret.py"].startswith("cannot read file")
        assert "good.py" not in messages
    finally:
        secret.chmod(0o644)
        if workspace != tmp_path:
            shutil.rmtree(workspace)


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
