"""What day and time it is: the one place that reads the system clock.

Everything that asks "what is today / now" calls `today(tz)`, `now(tz)` or
`utc_now()`; nothing else in the program calls `datetime.now()`,
`date.today()` or `time.time()` (monotonic timers for timeouts are not the
time of day and stay where they are).

The clock can be set, for tests and for replaying a day:
- the environment variable IPMONITOR_TODAY: a date (`2013-06-30`, read as that
  day at the current time of day in the district's zone) or a full ISO time
  with its offset (`2013-06-30T08:00:00+08:00`); read on every call;
- in-process, `with clock.fixed(dt.datetime(...)):` (an aware datetime or a date).

`file_time()` is the machine's own time in seconds, for comparing with file
modification times (how long a file in inbox/ has been quiet); it is never set.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import time

from . import words
from .errors import ConfigError

ENV = "IPMONITOR_TODAY"
UTC = dt.timezone.utc
_fixed: dt.datetime | dt.date | None = None


def _parse(text: str) -> dt.datetime | dt.date:
    try:
        if "T" in text or " " in text.strip():
            when = dt.datetime.fromisoformat(text.strip())
            if when.tzinfo is None:
                raise ValueError("no UTC offset")
            return when
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ConfigError(words.say("error.clock", env=ENV, text=repr(text))) from None


def _set() -> dt.datetime | dt.date | None:
    if _fixed is not None:
        return _fixed
    text = os.environ.get(ENV)
    return _parse(text) if text else None


def now(tz: dt.tzinfo = UTC) -> dt.datetime:
    """The current time, aware, in `tz` (the district's zone, `Settings.tz`)."""
    real = dt.datetime.now(tz)
    fixed = _set()
    if fixed is None:
        return real
    if isinstance(fixed, dt.datetime):
        return fixed.astimezone(tz)
    return dt.datetime.combine(fixed, real.timetz())     # the set day, the real time of day


def today(tz: dt.tzinfo = UTC) -> dt.date:
    """Today's date in `tz`."""
    return now(tz).date()


def utc_now() -> dt.datetime:
    return now(UTC)


def file_time() -> float:
    """The machine's time (seconds since the epoch), to compare with file modification times."""
    return time.time()


@contextlib.contextmanager
def fixed(when: dt.datetime | dt.date):
    """Set the clock in-process for the `with` block (a date, or an aware datetime)."""
    global _fixed
    if isinstance(when, dt.datetime) and when.tzinfo is None:
        raise ValueError("clock.fixed needs an aware datetime (or a date)")
    before, _fixed = _fixed, when
    try:
        yield
    finally:
        _fixed = before
