"""Python files changed since a git ref, found without letting the repository run anything.

A repository's own ``.git/config`` can name commands git runs on ordinary reads: ``core.fsmonitor`` (run by every
command that looks at the work tree), clean/smudge ``filter`` drivers and ``textconv`` (run when git compares work
tree files), external diff programs, pagers and hooks. So git is only asked for object data and file lists
(``rev-parse``, ``ls-tree``, ``ls-files``), always with fsmonitor, hooks, external diff and pager switched off, and
the work tree is compared with the ref here, by hashing files the way git hashes blobs.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from collections.abc import Iterable
from pathlib import Path

GIT_TIMEOUT = 60
# Settings given on the command line win over every config file, including the repository's own.
HARDENED = (
    "-c",
    "core.fsmonitor=",
    "-c",
    "core.hooksPath=/dev/null",
    "-c",
    "core.pager=cat",
    "--no-pager",
)
_ENV_DROPPED = ("GIT_EXTERNAL_DIFF", "GIT_PAGER", "PAGER", "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE")


class GitError(Exception):
    """git is missing, the folder is not in a repository, or the ref is unknown; the message says which."""


def git_command(cwd: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    """Run ``git`` with repository-controlled commands disabled; never raises for a non-zero exit."""
    env = {k: v for k, v in os.environ.items() if k not in _ENV_DROPPED}
    env.update(GIT_TERMINAL_PROMPT="0", GIT_OPTIONAL_LOCKS="0", GIT_PAGER="cat")
    try:
        return subprocess.run(
            ["git", *HARDENED, *argv],
            cwd=cwd,
            capture_output=True,
            text=True,
            check=False,
            timeout=GIT_TIMEOUT,
            env=env,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GitError(f"cannot run git: {exc}") from None


def changed_python_files(ref: str, folders: Iterable[Path]) -> set[Path]:
    """``.py`` files under the repositories of ``folders`` that differ from ``ref`` or are not in it (committed,
    staged, unstaged or untracked but not ignored). Raises GitError."""
    changed: set[Path] = set()
    for folder in {f if f.is_dir() else f.parent for f in folders}:
        top = git_command(folder, "rev-parse", "--show-toplevel")
        if top.returncode != 0 or not top.stdout.strip():
            raise GitError(f"{folder} is not inside a git repository")
        root = Path(top.stdout.strip())
        verified = git_command(folder, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
        if verified.returncode != 0:
            raise GitError(f"unknown git ref {ref!r}")
        committed = _tree_blobs(root, verified.stdout.strip())
        for relative in _worktree_files(root):
            if not relative.endswith(".py"):
                continue
            path = root / relative
            blob = committed.get(relative)
            if blob is None or not _same_content(path, blob):
                changed.add(path.resolve())
    return changed


def _tree_blobs(root: Path, commit: str) -> dict[str, str]:
    """Path (relative, ``/``-separated) -> blob id of every ``.py`` file in ``commit``."""
    listed = git_command(root, "ls-tree", "-r", "-z", "--full-tree", commit)
    if listed.returncode != 0:
        raise GitError(listed.stderr.strip() or "git ls-tree failed")
    blobs: dict[str, str] = {}
    for entry in listed.stdout.split("\0"):
        meta, _, path = entry.partition("\t")
        parts = meta.split()
        if len(parts) == 3 and parts[1] == "blob" and path.endswith(".py"):
            blobs[path] = parts[2]
    return blobs


def _worktree_files(root: Path) -> list[str]:
    """Tracked files plus untracked files that are not ignored (what ``git status`` would consider)."""
    listed = git_command(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--full-name")
    if listed.returncode != 0:
        raise GitError(listed.stderr.strip() or "git ls-files failed")
    return [name for name in dict.fromkeys(listed.stdout.split("\0")) if name]


def _same_content(path: Path, blob: str) -> bool:
    """Whether the file holds the blob's content (also when only its line endings were converted on checkout)."""
    try:
        data = path.read_bytes()
    except OSError:
        return False
    if _blob_id(data, len(blob)) == blob:
        return True
    return b"\r\n" in data and _blob_id(data.replace(b"\r\n", b"\n"), len(blob)) == blob


def _blob_id(data: bytes, length: int) -> str:
    """git's object id of ``data`` as a blob: SHA-1 (40 hex digits) or SHA-256 (64) repositories."""
    digest = hashlib.sha256() if length == 64 else hashlib.sha1()  # noqa: S324 - git's object naming, not security
    digest.update(b"blob %d\0" % len(data))
    digest.update(data)
    return digest.hexdigest()
