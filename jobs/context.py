"""What every job is given and returns: the run context (stop flag, options) and the run's result."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from ipmonitor.inbox import QUIET_SECONDS


@dataclass(frozen=True)
class Context:
    """What a job needs besides its home: the server's stop flag and its options."""
    stop: threading.Event = field(default_factory=threading.Event)
    inbox_quiet: float = QUIET_SECONDS


@dataclass(frozen=True)
class Result:
    outcome: str          # ok | failed | skipped
    items: int
    message: str
