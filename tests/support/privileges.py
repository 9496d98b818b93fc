"""Run a command with an ordinary user's file permissions, also when the tests run as root.

Root ignores file modes, so a permission check tested as root proves nothing. ``setpriv`` (util-linux) starts the
command as root without the capabilities that bypass permissions: it keeps uid 0, so the interpreter under /root
stays readable, but the OS refuses it a mode-000 folder, a 0444 file, or a chown to another group, as it would
any user. Unprivileged runs need no prefix: the OS already enforces everything.
"""

from __future__ import annotations

import os

_BYPASS = ("dac_override", "dac_read_search", "chown", "fowner")


def unprivileged() -> list[str]:
    """A command prefix that drops root's power over file permissions (nothing when not root)."""
    if os.geteuid() != 0:
        return []
    return ["setpriv", "--bounding-set=" + ",".join(f"-{cap}" for cap in _BYPASS), "--"]
