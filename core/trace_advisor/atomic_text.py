"""Text files written atomically: a reader (or a Ctrl-C) never sees a half-written report or graph."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO


@contextlib.contextmanager
def atomic_text(output: Path) -> Iterator[TextIO]:
    """A UTF-8 handle on a temp file next to ``output`` that replaces ``output`` when the block ends without an
    exception (else the temp file is removed and ``output`` stays as it was): large text can be written in pieces,
    without ever holding all of it. Raises OSError when the folder or the file cannot be written."""
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".tmp", dir=output.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        if output.exists():
            with contextlib.suppress(OSError):
                os.chmod(temp, output.stat().st_mode & 0o777)
        else:
            os.chmod(temp, 0o644)  # mkstemp creates 0600; a report is meant to be read
        os.replace(temp, output)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
