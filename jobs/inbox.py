"""The inbox job: import the files dropped into inbox/ and file them away (ipmonitor.inbox)."""

from __future__ import annotations

from ipmonitor import app, inbox

from .context import Context, Result


def run(home: app.Home, ctx: Context) -> Result:
    return Result(*inbox.summary(inbox.process(home, quiet=ctx.inbox_quiet, stop=ctx.stop)))
