"""A progress bar for the long steps of a command run by a person at a terminal (tqdm).

It appears only once a step has taken more than a second, only when standard error is a terminal,
and never with --json or under the scheduler (which never asks for one). Everywhere else `bar`
gives an object with the same methods that does nothing, and tqdm is not even imported.
"""

from __future__ import annotations

import sys

DELAY_S = 1.0


class Quiet:
    """The bar when nobody watches: every call does nothing."""

    total = 0

    def update(self, n: int = 1) -> None:
        pass

    def set_description(self, text: str) -> None:
        pass

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def bar(total: int, what: str, wanted: bool = True, stream=None):
    """A bar of `total` steps described by `what`, or `Quiet()` when it must not show."""
    stream = stream or sys.stderr
    if not wanted or not getattr(stream, "isatty", lambda: False)():
        return Quiet()
    from tqdm import tqdm
    return tqdm(total=total, desc=what, file=stream, delay=DELAY_S, leave=False, dynamic_ncols=True,
                bar_format="{desc} {bar} {n_fmt}/{total_fmt} [{elapsed}]")
