"""What the server's services share: the connection, the folders, the threads, cancellation, background tasks, the
status notification, and the lock held while new settings are applied."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from pygls.lsp.server import LanguageServer

from trace_advisor_lsp.projects import Projects
from trace_advisor_lsp.scheduling import Cancellations, Engine, Tasks
from trace_advisor_lsp.status import Status


@dataclass(frozen=True, slots=True)
class Shared:
    ls: LanguageServer
    projects: Projects
    status: Status
    engine: Engine = field(default_factory=Engine)
    cancellations: Cancellations = field(default_factory=Cancellations)
    tasks: Tasks = field(default_factory=Tasks)
    reconfiguring: asyncio.Lock = field(default_factory=asyncio.Lock)  # held while new settings are applied
