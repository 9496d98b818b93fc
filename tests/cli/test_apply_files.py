"""``trace-advisor apply`` respects the files it writes: a file the user may not write is refused, mode, owner and
group stay, hard links keep sharing one file, and the summary counts spans and files exactly.

Runs as a subprocess with an ordinary user's file permissions (``setpriv`` when the tests run as root)."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

from tests.support.privileges import unprivileged

SPANS = Path(__file__).resolve().parents[1] / "fixtures" / "spans"


def apply(*args: str | Path) -> subprocess.CompletedProcess[str]:
    command = [*unprivileged(), sys.executable, "-m", "trace_advisor", "apply", *map(str, args)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACE_ADVISOR_")}
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False, env=env)


def cross_module(tmp_path: Path) -> Path:
    root = tmp_path / "cross_module"
    shutil.copytree(SPANS / "cross_module", root, ignore=shutil.ignore_patterns("expected", "*.md", "plan.json"))
    return root


def test_a_read_only_file_is_refused_and_the_others_written(tmp_path: Path) -> None:
    root = cross_module(tmp_path)
    api, service = root / "crossapp" / "api.py", root / "crossapp" / "service.py"
    before = api.read_bytes()
    api.chmod(0o444)
    done = apply(root, "--symbol", "crossapp.api:handle", "--symbol", "crossapp.service:Catalog.lookup", "--no-cache")
    assert done.returncode == 1, done.stderr
    assert "crossapp/api.py: not writable for you (no write permission); not changed" in done.stderr
    assert api.read_bytes() == before and stat.S_IMODE(api.stat().st_mode) == 0o444
    assert "start_as_current_span" in service.read_text()
    assert done.stderr.splitlines()[-1] == (
        "trace-advisor: added 1 span(s) in 1 file(s); 1 function(s) got no span; 1 file(s) not written"
    )
    assert not [p for p in api.parent.iterdir() if p.name.endswith(".tmp")]


def test_mode_owner_and_group_are_kept(tmp_path: Path) -> None:
    root = cross_module(tmp_path)
    service = root / "crossapp" / "service.py"
    # a group the writing user is not a member of (as root: one root cannot chown to without CAP_CHOWN)
    group = 4321 if os.geteuid() == 0 else os.getegid()
    if os.geteuid() == 0:
        os.chown(service, 0, group)
    service.chmod(0o664)
    before = service.stat()
    done = apply(service, "--symbol", "Catalog.lookup", "--no-cache")
    assert done.returncode == 0, done.stderr
    after = service.stat()
    assert "start_as_current_span" in service.read_text()
    assert (after.st_uid, after.st_gid, stat.S_IMODE(after.st_mode)) == (before.st_uid, group, 0o664)
    assert done.stderr.splitlines()[-1] == "trace-advisor: added 1 span(s) in 1 file(s)"


def test_hard_links_keep_sharing_the_file(tmp_path: Path) -> None:
    root = cross_module(tmp_path)
    service = root / "crossapp" / "service.py"
    other = tmp_path / "service-link.py"
    os.link(service, other)
    done = apply(service, "--symbol", "Catalog.lookup", "--no-cache")
    assert done.returncode == 0, done.stderr
    assert service.stat().st_nlink == 2 and os.path.samefile(service, other)
    assert "start_as_current_span" in other.read_text()
    assert not [p for p in service.parent.iterdir() if p.name.endswith(".tmp")]


def test_a_file_with_two_names_in_the_workspace_is_edited_once(tmp_path: Path) -> None:
    """Both names are analysed (two modules, the same functions); the file gets each span once, the run succeeds."""
    root = cross_module(tmp_path)
    service = root / "crossapp" / "service.py"
    other = root / "crossapp" / "service_link.py"
    os.link(service, other)
    symbols = ["crossapp.service:Catalog.lookup", "crossapp.service_link:Catalog.lookup"]
    done = apply(root, *(arg for symbol in symbols for arg in ("--symbol", symbol)), "--no-cache")
    assert done.returncode == 0, done.stderr
    assert "crossapp/service_link.py: the same file as " in done.stderr and "its spans are added once" in done.stderr
    assert done.stderr.splitlines()[-1] == "trace-advisor: added 1 span(s) in 1 file(s)"
    assert service.read_text().count("start_as_current_span") == 1 and os.path.samefile(service, other)


def test_a_writable_file_in_a_read_only_folder_is_written_in_place(tmp_path: Path) -> None:
    root = cross_module(tmp_path)
    service = root / "crossapp" / "service.py"
    inode = service.stat().st_ino
    service.parent.chmod(0o555)
    try:
        done = apply(service, "--symbol", "Catalog.lookup", "--no-cache")
    finally:
        service.parent.chmod(0o755)
    assert done.returncode == 0, done.stderr
    assert "start_as_current_span" in service.read_text() and service.stat().st_ino == inode


def test_the_summary_counts_spans_and_files(tmp_path: Path) -> None:
    root = cross_module(tmp_path)
    symbols = ["crossapp.api:handle", "crossapp.service:Catalog.lookup", "crossapp.service:missing"]
    first = apply(root, *[arg for s in symbols for arg in ("--symbol", s)], "--no-cache")
    assert first.returncode == 1
    assert first.stderr.splitlines()[-1] == ("trace-advisor: added 2 span(s) in 2 file(s); 1 function(s) got no span")
    again = apply(root, *[arg for s in symbols[:2] for arg in ("--symbol", s)], "--no-cache")
    assert again.returncode == 0
    assert again.stderr.splitlines()[-1] == "trace-advisor: added 0 span(s) in 0 file(s); 2 function(s) already had one"
