"""Fault injection for the reliability tests: `IPMONITOR_FAULT=<point>[,…]` kills the process there.

Only the tests set it (docs/reliability.md); unset, `point()` is one dictionary lookup.
"""

from __future__ import annotations

import os
import signal

ENV = "IPMONITOR_FAULT"


def point(name: str) -> None:
    """SIGKILL this process when the environment names this point (as a power cut would)."""
    if name in _chosen():
        os.kill(os.getpid(), signal.SIGKILL)


def disabled(feature: str) -> bool:
    """`IPMONITOR_FAULT=no-<feature>` turns a feature off, to test the path without it."""
    return f"no-{feature}" in _chosen()


def _chosen() -> list[str]:
    value = os.environ.get(ENV)
    return value.split(",") if value else []
