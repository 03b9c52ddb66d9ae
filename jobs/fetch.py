"""The fetch job: pull each [[sources]] url into inbox/ (ipmonitor.sources); also `ipmonitor fetch`."""

from __future__ import annotations

from ipmonitor import app, sources

from .context import Context, Result


def run(home: app.Home, ctx: Context) -> Result:
    return Result(*sources.summary(sources.fetch_all(home, stop=ctx.stop)))
